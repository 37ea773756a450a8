"""The one place Autarky's log format is set: every process it starts (the CLI, the scheduler, the migrations it
runs, the dashboard's Streamlit server) writes its log lines to stderr as

    2026-12-03 07:40:13.095 INFO alembic.runtime.migration: Running upgrade  -> 0001, core tables

(local time with milliseconds, level, logger name, message). Streamlit is given the same format through its
`logger.messageFormat` option (see autarky.serve), and formats the time the same way.
"""

from __future__ import annotations

import logging
import sys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MSEC_FORMAT = "%s.%03d"  # Streamlit's too
# What a line in that format looks like, for tests and log readers.
LOG_LINE_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: .*$"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LEVEL = "INFO"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the record (so a swapped stderr, as click's test runner
    makes, never leaves the handler writing to a closed stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # noqa: ANN201 - a text stream
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001 - StreamHandler.__init__ assigns it
        pass


class _QuietMigrations(logging.Filter):
    """Alembic says which implementation and DDL mode it uses every time a command checks the schema: noise on every
    command's stderr (and an error must stay one line), so those two lines are dropped; what it migrates stays."""

    CHATTER = ("Context impl ", "Will assume ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "alembic.runtime.migration" and record.getMessage().startswith(self.CHATTER))


def formatter() -> logging.Formatter:
    fmt = logging.Formatter(LOG_FORMAT)
    fmt.default_msec_format = MSEC_FORMAT
    return fmt


def configure_logging(level: str | int = DEFAULT_LEVEL) -> logging.Handler:
    """Give the root logger the one stderr handler in the one format (replacing any handler set before, such as
    a basicConfig's), at `level`. Idempotent: a second call only changes the level."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    handler = ours[0] if ours else _StderrHandler()
    for other in list(root.handlers):
        if other is not handler and not _belongs_to_a_test_harness(other):
            root.removeHandler(other)
    handler.setFormatter(formatter())
    if not any(isinstance(f, _QuietMigrations) for f in handler.filters):
        handler.addFilter(_QuietMigrations())
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler


def _belongs_to_a_test_harness(handler: logging.Handler) -> bool:
    # pytest's log capture lives on the root logger too; removing it would blind caplog.
    return type(handler).__module__.startswith("_pytest")
