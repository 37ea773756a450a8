"""Incremental cursors in the database: read before a collector asks, written after its batch is stored."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import select

from autarky.models import utcnow
from autarky.store import Store
from autarky.collectors.models import CollectorState


class Cursors:
    """The cursors of one source, keyed by series key (or file path)."""

    def __init__(self, store: Store, source: str):
        self.store, self.source = store, source

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = list(keys)
        if not wanted:
            return {}
        found: dict[str, dict[str, Any]] = {}
        with self.store.reading() as session:
            for start in range(0, len(wanted), 500):
                query = select(CollectorState).where(CollectorState.source == self.source,
                                                     CollectorState.key.in_(wanted[start:start + 500]))
                found.update({row.key: dict(row.cursor or {}) for row in session.scalars(query)})
        return found

    def get(self, key: str) -> dict[str, Any] | None:
        return self.get_many([key]).get(key)

    def set_many(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        """Write (merge into) the cursors of these keys in one transaction."""
        if not values:
            return
        with self.store.writing() as session:
            query = select(CollectorState).where(CollectorState.source == self.source,
                                                 CollectorState.key.in_(list(values)))
            existing = {row.key: row for row in session.scalars(query)}
            now = utcnow()
            for key, value in values.items():
                row = existing.get(key) or CollectorState(source=self.source, key=key, cursor={})
                row.cursor = {**(row.cursor or {}), **dict(value)}
                row.updated_at = now
                session.add(row)

    def all(self) -> dict[str, dict[str, Any]]:
        with self.store.reading() as session:
            rows = session.scalars(select(CollectorState).where(CollectorState.source == self.source))
            return {row.key: dict(row.cursor or {}) for row in rows}
