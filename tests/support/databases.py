"""Throw-away PostgreSQL databases for tests, on the server named by AUTARKY_TEST_POSTGRES_URL."""

from __future__ import annotations

import os

import pytest

from autarky.db import throwaway_database

POSTGRES_ENV = "AUTARKY_TEST_POSTGRES_URL"


def postgres_database():
    """Create a throw-away database on the test server; yields its URL, drops it afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL store tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
    with throwaway_database(base, "autarky_test") as url:
        yield url
