"""Refresh stored forecasts: for each series whose data or settings changed, backtest, choose, forecast, store.

The unchanged check needs no model code, so a refresh where nothing changed only reads and hashes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from autarky.app import App
from autarky.catalog import Catalog
from autarky.errors import AutarkyError
from autarky.forecast.read import latest_runs
from autarky.periods import FREQUENCIES
from autarky.store import Store
from autarky.forecast.engine import ForecastSection, SeriesTask, config_hash, data_hash, default_settings, \
    forecast_section, forecast_series
from autarky.forecast.executor import parallel_map
from autarky.forecast.interface import SeriesContext
from autarky.forecast.prophet_model import LUNAR_NEW_YEAR_COUNTRIES
from autarky.forecast.storage import save_result

# Statuses whose stored run stands while data and settings are unchanged (a failed run is retried).
FINAL_STATUSES = ("ok", "skipped")


class ForecastError(AutarkyError):
    """A forecast refresh was asked for something that does not exist or cannot run."""


@dataclass
class RefreshResult:
    considered: int = 0
    unchanged: int = 0
    refreshed: dict[str, str] = field(default_factory=dict)  # key -> status
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for s in self.refreshed.values() if s == status)

    def summary(self) -> str:
        return (f"{self.considered} series: {self.count('ok')} forecast, {self.count('skipped')} skipped, "
                f"{self.count('failed')} failed, {self.unchanged} unchanged ({self.seconds:.1f} s)")


def series_context(catalog: Catalog | None, key: str, frequency: str, country: str | None = None,
                   indicator: str | None = None) -> SeriesContext:
    """Bounds from the catalog's min/max for the indicator, Lunar New Year for East Asian monthly data. Without
    indicator and country given, they come from the key: `source:indicator:country`; a longer key (a benchmark file's
    id such as `hkg_imports:8486:Japan:HKG`) gives its last part as the country, and no indicator."""
    parts = key.split(":")
    if indicator is None and len(parts) == 3:
        indicator, country = parts[1], parts[2]
    elif indicator is None and country is None and len(parts) > 3:
        country = parts[-1]
    spec = catalog.indicators.get(indicator) if catalog is not None and indicator else None
    lower = spec.min if spec is not None else None
    upper = spec.max if spec is not None else None
    return SeriesContext(frequency=frequency, lower=lower, upper=upper,
                         lunar_new_year=frequency == "M" and country in LUNAR_NEW_YEAR_COUNTRIES)


def _forecastable(catalog: Catalog, code: str) -> bool:
    indicator = catalog.indicators.get(code)
    return indicator is None or indicator.forecast


def plan_refresh(store: Store, catalog: Catalog, config: ForecastSection | Mapping[str, Any], keys: Iterable[str] | None = None,
                 force: bool = False) -> tuple[list[tuple[SeriesTask, str, str]], int, int]:
    """Tasks (with data and config hashes) for the series needing a new run; also how many considered, unchanged."""
    wanted = list(keys) if keys is not None else None
    series = store.series(keys=wanted)
    if wanted:
        unknown = sorted(set(wanted) - set(series["key"]))
        if unknown:
            raise ForecastError(f"unknown series {', '.join(unknown)}: see `autarky status` or `autarky export`")
    series = series[series["frequency"].isin(list(FREQUENCIES))]
    series = series[[_forecastable(catalog, code) for code in series["indicator"]]]
    observations = store.observations(keys=list(series["key"]))
    by_key = {key: group for key, group in observations.groupby("series_key", sort=False)}
    previous = latest_runs(store, list(series["key"]))
    stored = {row.series_key: (row.data_hash, row.config_hash, row.status) for row in previous.itertuples()}
    settings_by_frequency = {f: default_settings(f, config) for f in series["frequency"].unique()}
    tasks, unchanged = [], 0
    for row in series.itertuples():
        group = by_key.get(row.key)
        periods = list(group["period"]) if group is not None else []
        values = [float(v) for v in group["value"]] if group is not None else []
        context = series_context(catalog, row.key, row.frequency, row.country, row.indicator)
        settings = settings_by_frequency[row.frequency]
        hashes = (data_hash(periods, values), config_hash(settings, context))
        before = stored.get(row.key)
        if not force and before is not None and before[:2] == hashes and before[2] in FINAL_STATUSES:
            unchanged += 1
            continue
        tasks.append((SeriesTask(row.key, row.frequency, periods, values, context, settings), *hashes))
    return tasks, len(series), unchanged


def refresh(store: Store, catalog: Catalog, config: ForecastSection | Mapping[str, Any] | None = None, *, keys: Iterable[str] | None = None,
            force: bool = False, executor: str = "local", workers: int | None = None, address: str | None = None,
            progress: Callable[[int, int, str], None] | None = None) -> RefreshResult:
    """Forecast every series (or `keys`) whose data or settings changed since its stored run; `force` refits all."""
    began = time.perf_counter()
    tasks, considered, unchanged = plan_refresh(store, catalog, config or {}, keys, force)
    result = RefreshResult(considered=considered, unchanged=unchanged)
    hashes = {task.key: (d, c) for task, d, c in tasks}
    for done, outcome in enumerate(parallel_map(forecast_series, [t for t, _, _ in tasks], executor=executor,
                                                workers=workers, address=address), start=1):
        save_result(store, outcome, *hashes[outcome.key])
        result.refreshed[outcome.key] = outcome.status
        if progress:
            progress(done, len(tasks), outcome.key)
    result.seconds = time.perf_counter() - began
    return result


def run_after_change(app: App, changed: frozenset[str]) -> frozenset[str]:
    """Pipeline stage: refresh the forecasts of the series whose data changed; returns those given a new run."""
    if not changed:
        return frozenset()
    known = set(app.store.series(keys=list(changed))["key"])
    result = refresh(app.store, app.catalog, forecast_section(app.config), keys=sorted(known))
    return frozenset(key for key, status in result.refreshed.items() if status == "ok")
