"""Fixtures of the fault suite: a fresh SQLite database per test and the hostile World Bank stand-in."""

from __future__ import annotations

import pytest

from tests.support.faults import HostileWorldBank


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'autarky.db'}"


@pytest.fixture
def wb(httpserver):
    return HostileWorldBank(httpserver)
