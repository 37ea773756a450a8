"""Shared fixtures: a clean environment, and a store on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autarky.app import load_catalog
from autarky.store import Store
from tests.support.databases import POSTGRES_ENV, postgres_database

# Fixtures shared by the tests of one stage, kept in that stage's support module.
pytest_plugins = ["tests.support.alerts"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No AUTARKY_* setting leaks in from the developer's shell; the working directory is a fresh folder."""
    for name in list(os.environ):
        if name.startswith("AUTARKY_") and name != POSTGRES_ENV:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'autarky.db'}"
    else:
        yield from postgres_database()


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
