"""Small helpers shared by the metrics tests."""

from __future__ import annotations

import datetime as dt


def stored(store, key: str) -> dict[int, float]:
    """Year -> value of one stored annual series."""
    frame = store.observations(keys=[key])
    return {p.year: v for p, v in zip(frame["period"], frame["value"])}


def year(value: int) -> dt.date:
    return dt.date(value, 1, 1)
