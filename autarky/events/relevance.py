"""Which events matter for an indicator: by its HS code where both name one, else by its sector tags."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from autarky.catalog import Indicator
from autarky.events.source import Event

# Event tags (events README) -> catalog sectors (catalog.toml [sectors]).
TAG_SECTORS = {
    "semiconductors": ("semiconductors",),
    "chip_equipment": ("semiconductors",),
    "memory": ("semiconductors",),
    "advanced_computing": ("computing_ai",),
    "ai": ("computing_ai",),
    "telecom": ("telecom",),
    "critical_minerals": ("advanced_materials",),
}


def indicator_hs(indicator: Indicator | None) -> str:
    """The HS code an indicator is about (its `params.hs`), or ''."""
    if indicator is None:
        return ""
    return str(indicator.params.get("hs", "") or "").strip()


def hs_match(a: str, b: str) -> bool:
    """Two HS codes overlap when one is a prefix of the other (8542 and 854232)."""
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def is_relevant(event: Event, sectors: Iterable[str], hs: str = "") -> bool:
    """An event naming HS codes is relevant where one overlaps the indicator's HS code; one naming none (or an
    indicator with no HS code) where its tags map to one of the indicator's sectors."""
    if hs and event.hs_codes:
        return any(hs_match(hs, code) for code in event.hs_codes)
    wanted = set(sectors)
    return any(sector in wanted for tag in event.affects for sector in TAG_SECTORS.get(tag, ()))


def relevant_events(events: Sequence[Event], indicator: Indicator | None, start: dt.date | None = None,
                    end: dt.date | None = None) -> list[Event]:
    """The events relevant to the indicator, within [start, end] when given (a chart's date range)."""
    if indicator is None:
        return []
    hs = indicator_hs(indicator)
    return [e for e in events if is_relevant(e, indicator.sectors, hs)
            and (start is None or e.date >= start) and (end is None or e.date <= end)]
