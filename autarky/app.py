"""The application context every command shares: config, catalog and store, opened lazily (composition layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from autarky import catalog as kernel_catalog
from autarky.catalog import Catalog
from autarky.config import DEFAULT_DATABASE_URL, Config, load_config, read_section, setting
from autarky.metrics.definitions import add_derived_indicators
from autarky.store import Store


def _derived(catalog: Catalog, extra: Mapping[str, Any], origin: str) -> None:
    add_derived_indicators(catalog, extra.get("metrics", {}), origin)


def load_catalog(extra: Mapping[str, Any] | None = None, extra_origin: str = "autarky.toml",
                 path: str | Path | None = None, derived: bool = True) -> Catalog:
    """The kernel's catalog with the derived metrics (config `[metrics]`) added, unless `derived` is false."""
    return kernel_catalog.load_catalog(extra, extra_origin, path, extensions=(_derived,) if derived else ())


@dataclass(frozen=True)
class TopLevel:
    """The top level of the config: the kernel's keys, the catalog's and the events' own tables, and one table per
    stage, each read by the section spec its stage declares (forecast.engine.ForecastSection, ...)."""

    database_url: str = DEFAULT_DATABASE_URL
    dashboard_url: str = ""
    indicator: tuple[dict[str, Any], ...] = setting((), expected="an array of tables ([[indicator]])")
    sources: dict[str, Any] = setting(default_factory=dict)  # catalog: your own sources, read by the catalog
    countries: dict[str, Any] = setting(default_factory=dict)  # catalog: ISO3 -> name
    events: tuple[dict[str, Any], ...] = setting((), expected="an array of tables ([[events]])")
    collectors: dict[str, Any] = setting(default_factory=dict)
    metrics: dict[str, Any] = setting(default_factory=dict)
    forecast: dict[str, Any] = setting(default_factory=dict)
    alerts: dict[str, Any] = setting(default_factory=dict)
    dashboard: dict[str, Any] = setting(default_factory=dict)
    scheduler: dict[str, Any] = setting(default_factory=dict)
    snapshot: dict[str, Any] = setting(default_factory=dict)


def checked_config(config: Config) -> Config:
    """The config, once its top level names only known keys and tables (a misspelt table fails, naming the close
    ones). Top-level keys set from the environment (AUTARKY_SMTP_HOST, ...) are read by their users, not here."""
    written = {key: value for key, value in config.data.items() if (key,) not in config.env_keys}
    read_section(TopLevel, written, "", origin=config.origin, env_keys=config.env_keys)
    return config


@dataclass
class App:
    config_path: str | None = None
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    @cached_property
    def config(self) -> Config:
        return checked_config(load_config(self.config_path))

    @cached_property
    def catalog(self) -> Catalog:
        origin = str(self.config.path) if self.config.path else "autarky.toml"
        return load_catalog(extra=self.config.data, extra_origin=origin)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.config.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
