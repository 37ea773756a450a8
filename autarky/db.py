"""Engines: SQLite tuned for one writer and many readers (WAL, busy timeout, BEGIN IMMEDIATE), or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from autarky.errors import AutarkyError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option that makes a SQLite transaction take the write lock at BEGIN.
IMMEDIATE = "autarky_immediate"


# What a read raises when the database cannot be reached, and when its schema (or a table of it) is missing, on
# SQLite and PostgreSQL: readers such as the dashboard catch these without importing SQLAlchemy.
UNREACHABLE_ERRORS = (OperationalError,)
SCHEMA_ERRORS = (OperationalError, ProgrammingError)


class DatabaseUnavailable(AutarkyError):
    """The database cannot be opened: its file is missing, or its driver is not installed."""


def masked_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def error_summary(exc: Exception) -> str:
    """The first line of the driver's message behind a database error."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL; None for other backends and for in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def create_database(url: str) -> None:
    """Create an empty SQLite file (and its folder) if it does not exist yet; only `Store.upgrade` calls this."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()


def _read_only(parsed: URL, path: Path) -> bool:
    return parsed.query.get("mode") == "ro" or (path.exists() and not os.access(path, os.W_OK))


def _sqlite_connector(parsed: URL, path: Path):  # noqa: ANN202
    """Open an existing file only: reads never create a database, and a read-only file is opened read-only."""
    def connect() -> sqlite3.Connection:
        if not path.exists():
            raise DatabaseUnavailable(f"database file {path} does not exist; run `autarky init` to create it")
        mode = "ro" if _read_only(parsed, path) else "rw"
        try:
            return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True,
                                   timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"database file {path} cannot be opened ({mode}): {exc}") from None
    return connect


def _driver_missing(url: str, exc: ModuleNotFoundError) -> DatabaseUnavailable:
    backend = make_url(url).get_backend_name()
    hint = " (pip install -e '.[postgres]')" if backend == "postgresql" else ""
    return DatabaseUnavailable(f"the {backend} driver is not installed: no module named {exc.name!r}{hint}")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, busy timeout, foreign keys and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise _driver_missing(url, exc) from None
    path = sqlite_file(parsed)
    options = {"creator": _sqlite_connector(parsed, path)} if path else {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    engine = create_engine(parsed.set(query={}), **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Let SQLAlchemy emit BEGIN itself, so a writer can ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if path is not None and not _read_only(parsed, path):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # A deferred transaction that later writes fails at once under contention; writers lock up front.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def throwaway_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database on the PostgreSQL server of `server_url`; yields its URL, drops it (even if in use) after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
