"""One log format: real `autarky` processes (init runs Alembic, schedule runs APScheduler) write every stderr line in
the format autarky.logging_setup sets, Alembic's and APScheduler's lines included."""

from __future__ import annotations

import logging
import re
import signal
import time

from autarky.logging_setup import LOG_FORMAT, LOG_LINE_PATTERN, configure_logging
from autarky.serve import streamlit_command
from tests.support.serving import run, start_autarky

LINE = re.compile(LOG_LINE_PATTERN)


def log_lines(text: str) -> list[tuple[str, str, str]]:
    """(level, logger, message) of every line; fails naming the first line in another format."""
    lines = [line for line in text.splitlines() if line]
    strays = [line for line in lines if not LINE.match(line)]
    assert not strays, f"lines in another format: {strays[:5]}"
    return [tuple(re.match(r"^\S+ \S+ (\S+) ([\w.]+): (.*)$", line).groups()) for line in lines]


def test_init_writes_alembic_lines_in_the_one_format(tmp_path):
    proc = run("init", "--no-data", env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    lines = log_lines(proc.stderr)
    upgrades = [m for level, name, m in lines if name == "alembic.runtime.migration" and m.startswith("Running upgrade")]
    assert upgrades and any("0001_core" in m for m in upgrades)  # Alembic's lines are there, not swallowed
    assert "schema up to date" in proc.stdout  # the command's own output stays plain, on stdout
    # What Alembic says on every schema check (implementation, DDL mode) is not repeated on every command.
    assert not [m for _, _, m in lines if m.startswith(("Context impl", "Will assume"))]
    status = run("status", env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert "alembic" not in status.stderr


def test_log_level_option_quietens_the_migrations(tmp_path):
    proc = run("--log-level", "warning", "init", "--no-data",
               env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert proc.stderr == ""


def test_the_scheduler_process_writes_every_line_in_the_one_format(tmp_path):
    log = tmp_path / "schedule.log"
    env = {"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "AUTARKY_SCHEDULER__HEARTBEAT_SECONDS": "0.5"}
    process = start_autarky(["schedule"], env, log)  # stdout and stderr: the scheduler prints only log lines
    try:
        deadline = time.monotonic() + 90
        while "scheduler running as pid" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()
    lines = log_lines(log.read_text())
    names = {name for _, name, _ in lines}
    assert {"alembic.runtime.migration", "apscheduler.scheduler", "autarky.scheduler"} <= names
    assert ("INFO", "autarky.scheduler", "scheduler stopped") in lines


def test_configure_logging_replaces_other_handlers_and_is_idempotent(capsys):
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        logging.basicConfig(format="%(message)s", force=True)  # someone else's format
        configure_logging()
        handler = configure_logging("WARNING")
        ours = [h for h in root.handlers if not type(h).__module__.startswith("_pytest")]
        assert ours == [handler] and root.level == logging.WARNING
        logging.getLogger("apscheduler.scheduler").warning("a line")
        assert LINE.match(capsys.readouterr().err.strip())
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_streamlit_is_given_the_same_format():
    command = streamlit_command(environ={})
    assert command[command.index("--logger.messageFormat") + 1] == LOG_FORMAT
