"""Fixtures for the metrics tests: apps on a fresh database of each backend, with or without the bundled data."""

from __future__ import annotations

import pytest

from autarky.app import App
from autarky.metrics.runner import recompute
from autarky.snapshot import load_snapshot


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on this test's database, each with its own config file (extra TOML appended)."""
    apps: list[App] = []

    def make(extra_toml: str = "") -> App:
        path = tmp_path / f"autarky-{len(apps)}.toml"
        path.write_text(f'database_url = "{database_url}"\n{extra_toml}', encoding="utf-8")
        app = App(config_path=str(path))
        app.store.upgrade()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def loaded_app(make_app):
    """An app whose database holds the bundled snapshot and every derived metric, as after `autarky init`."""
    app = make_app()
    load_snapshot(app.store, app.catalog)
    recompute(app, None)
    return app
