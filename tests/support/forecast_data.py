"""Real bundled series for the forecast tests (WDI and NCSES rows from autarky/data/snapshot)."""

from __future__ import annotations

import pandas as pd

from autarky.catalog import Catalog, series_key
from autarky.snapshot import SNAPSHOT_FILES, snapshot_rows
from autarky.store import ObservationIn, SeriesSpec, Store

# Few models and samples keep the tests fast; the production defaults are exercised by the benchmarks.
FAST_CONFIG = {"default": {"annual": "mean(naive,drift)"}, "candidates": {"annual": ["naive", "drift"]}, "samples": 40}


def real_series(indicator: str, country: str, first: int | None = None, last: int | None = None
                ) -> tuple[list[pd.Timestamp], list[float]]:
    """Years (as period start dates) and values of one bundled series."""
    for file_name in SNAPSHOT_FILES:
        rows = [r for r in snapshot_rows(file_name) if r["indicator"] == indicator and r["country"] == country
                and (first is None or int(r["year"]) >= first) and (last is None or int(r["year"]) <= last)]
        if rows:
            rows.sort(key=lambda r: int(r["year"]))
            return [pd.Timestamp(int(r["year"]), 1, 1) for r in rows], [float(r["value"]) for r in rows]
    raise KeyError((indicator, country))


def load_series(store: Store, catalog: Catalog, pairs, first: int | None = None, last: int | None = None) -> list[str]:
    """Register and store some bundled series (optionally only some years); returns their keys."""
    store.register_sources(catalog)
    keys, rows = [], []
    for indicator, country in pairs:
        spec = SeriesSpec.for_indicator(catalog.indicator(indicator), country)
        store.register_series([spec])
        dates, values = real_series(indicator, country, first, last)
        rows += [ObservationIn(spec.key, d.date(), v) for d, v in zip(dates, values)]
        keys.append(series_key(spec.source, indicator, country))
    store.write_observations(rows)
    return keys
