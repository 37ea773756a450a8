"""The application context every command shares: config, catalog and store, opened lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from autarky.catalog import Catalog, load_catalog
from autarky.config import Config, load_config
from autarky.store import Store


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
