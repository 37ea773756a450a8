"""The application context every command shares: config, catalog and store, opened lazily (composition layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from autarky import catalog as kernel_catalog
from autarky.catalog import Catalog
from autarky.config import Config, load_config
from autarky.metrics.definitions import add_derived_indicators
from autarky.store import Store


def _derived(catalog: Catalog, extra: Mapping[str, Any], origin: str) -> None:
    add_derived_indicators(catalog, extra.get("metrics", {}), origin)


def load_catalog(extra: Mapping[str, Any] | None = None, extra_origin: str = "autarky.toml",
                 path: str | Path | None = None, derived: bool = True) -> Catalog:
    """The kernel's catalog with the derived metrics (config `[metrics]`) added, unless `derived` is false."""
    return kernel_catalog.load_catalog(extra, extra_origin, path, extensions=(_derived,) if derived else ())


@dataclass
class App:
    config_path: str | None = None
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

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
