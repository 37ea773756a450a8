"""Collectors by name: the explicit built-ins, then any installed under the `autarky.collectors` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Iterator

from autarky.errors import AutarkyError
from autarky.collectors.base import Collector
from autarky.collectors.census import CensusCollector
from autarky.collectors.comtrade import ComtradeCollector
from autarky.collectors.files import FilesCollector
from autarky.collectors.oecd import OecdCollector
from autarky.collectors.patentsview import PatentsViewCollector
from autarky.collectors.worldbank import WorldBankCollector

ENTRY_POINT_GROUP = "autarky.collectors"
BUILTINS: dict[str, type[Collector]] = {
    "worldbank": WorldBankCollector,
    "comtrade": ComtradeCollector,
    "oecd": OecdCollector,
    "census": CensusCollector,
    "patentsview": PatentsViewCollector,
    "files": FilesCollector,
}


class DuplicateCollector(AutarkyError):
    """Two collectors asked for the same name or the same catalog source."""


class UnknownCollector(AutarkyError):
    """No collector has that name or source code."""


class Registry:
    """Collector classes by name; a second registration under a taken name (or source code) is refused."""

    def __init__(self) -> None:
        self._by_name: dict[str, type[Collector]] = {}

    def register(self, cls: type[Collector], origin: str = "") -> type[Collector]:
        if not cls.name or not cls.source:
            raise AutarkyError(f"collector {cls.__qualname__} ({origin}) must set `name` and `source`")
        if cls.name in self._by_name:
            raise DuplicateCollector(f"collector name {cls.name!r} ({origin or cls.__module__}) is already "
                                     f"registered by {self._by_name[cls.name].__module__}")
        taken = next((c for c in self._by_name.values() if c.source == cls.source), None)
        if taken is not None:
            raise DuplicateCollector(f"collector {cls.name!r} ({origin or cls.__module__}) serves source "
                                     f"{cls.source!r}, already served by collector {taken.name!r}")
        self._by_name[cls.name] = cls
        return cls

    def get(self, name_or_source: str) -> type[Collector]:
        """By name (worldbank) or by the catalog's source code (wb)."""
        found = self._by_name.get(name_or_source) or next(
            (c for c in self._by_name.values() if c.source == name_or_source), None)
        if found is None:
            raise UnknownCollector(f"unknown source {name_or_source!r} (known: {', '.join(self.names())})")
        return found

    def for_source(self, source: str) -> type[Collector] | None:
        return next((c for c in self._by_name.values() if c.source == source), None)

    def names(self) -> list[str]:
        return list(self._by_name)

    def __iter__(self) -> Iterator[type[Collector]]:
        return iter(self._by_name.values())


def default_registry(*, include_entry_points: bool = True) -> Registry:
    """The built-in collectors, then those other packages declare under the entry-point group."""
    registry = Registry()
    for name, cls in BUILTINS.items():
        reference = f"{cls.__module__}:{cls.__qualname__}"
        if cls.name != name:
            raise AutarkyError(f"built-in collector {reference} is named {cls.name!r}, expected {name!r}")
        registry.register(cls, origin=reference)
    if include_entry_points:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            registry.register(entry.load(), origin=f"entry point {entry.name} = {entry.value}")
    return registry
