"""Events in the store: written idempotently (keyed by uid), read back filtered by tag, actor and date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import select

from autarky.events.models import PolicyEvent
from autarky.events.source import Event
from autarky.store import Store

_FIELDS = ("date", "end_date", "actor", "kind", "title", "affects", "hs_codes", "source_name", "source_url",
           "source_quote", "origin")


@dataclass
class SyncResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"events: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"


def _row_values(event: Event) -> dict:
    return {"date": event.date, "end_date": event.end_date, "actor": event.actor, "kind": event.kind,
            "title": event.title, "affects": ";".join(event.affects), "hs_codes": ";".join(event.hs_codes),
            "source_name": event.source_name, "source_url": event.source_url, "source_quote": event.source_quote,
            "origin": event.origin}


def sync_events(store: Store, events: Sequence[Event]) -> SyncResult:
    """Insert new events and update changed ones, in one transaction; running it twice changes nothing."""
    result = SyncResult()
    with store.writing() as session:
        existing = {row.uid: row for row in session.scalars(select(PolicyEvent))}
        for event in events:
            values = _row_values(event)
            row = existing.get(event.uid)
            if row is None:
                session.add(PolicyEvent(uid=event.uid, **values))
                result.inserted += 1
            elif any(getattr(row, name) != values[name] for name in _FIELDS):
                for name in _FIELDS:
                    setattr(row, name, values[name])
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def stored_events(store: Store, *, affects: str | None = None, actor: str | None = None,
                  since: dt.date | None = None) -> list[Event]:
    """Events by date (then actor), optionally only those with a tag, by an actor, or on or after a date."""
    query = select(PolicyEvent).order_by(PolicyEvent.date, PolicyEvent.actor, PolicyEvent.id)
    if actor:
        query = query.where(PolicyEvent.actor == actor.upper())
    if since is not None:
        query = query.where(PolicyEvent.date >= since)
    with store.reading() as session:
        rows = list(session.scalars(query))
    events = [Event(date=r.date, end_date=r.end_date, actor=r.actor, kind=r.kind, title=r.title,
                    affects=tuple(t for t in r.affects.split(";") if t),
                    hs_codes=tuple(c for c in r.hs_codes.split(";") if c), source_name=r.source_name,
                    source_url=r.source_url, source_quote=r.source_quote, origin=r.origin) for r in rows]
    return [e for e in events if affects is None or affects in e.affects]
