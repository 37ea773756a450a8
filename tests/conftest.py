"""Shared fixtures: a clean environment, and a store on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autarky.catalog import load_catalog
from autarky.store import Store

# Fixtures shared by the tests of one stage, kept in that stage's support module.
pytest_plugins = ["tests.alerts_support"]

POSTGRES_ENV = "AUTARKY_TEST_POSTGRES_URL"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No AUTARKY_* setting leaks in from the developer's shell; the working directory is a fresh folder."""
    for name in list(os.environ):
        if name.startswith("AUTARKY_") and name != POSTGRES_ENV:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _postgres_database():
    """Create a throw-away database on the test server; yields its URL, drops it afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL store tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
    name = f"autarky_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'autarky.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def store(database_url):
    """An upgraded, empty store on each backend."""
    instance = Store(database_url)
    instance.upgrade()
    yield instance
    instance.close()


@pytest.fixture
def sqlite_store(tmp_path):
    instance = Store(f"sqlite:///{tmp_path / 'autarky.db'}")
    instance.upgrade()
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()
