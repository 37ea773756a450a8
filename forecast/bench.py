"""`autarky bench forecast`: every model and Autarky's own choice, backtested on the same origins of a long CSV.

Autarky's choice is scored without peeking: at each evaluation origin the production procedure (inner backtest on the
training part only, choice, forecast) runs on the data before that origin, exactly as a refresh would have then.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from autarky.errors import AutarkyError
from autarky.forecast.backtest import ModelScore, make_plan, score
from autarky.forecast.engine import SeriesTask, default_settings, forecast_series, regular_series
from autarky.forecast.executor import parallel_map
from autarky.forecast.interface import Forecast, SeriesContext
from autarky.forecast.models import get_model, member_forecast

AUTARKY = "autarky"
PROPHET_DEFAULT = "prophet"          # the name default Prophet is reported under
# Compared besides the production candidates: AutoARIMA, Prophet configured by Autarky, and default Prophet.
REFERENCE_MODELS = {f: ("naive", "snaive", "drift", "theta", "ets", "holt", "arima021", "arima", "prophet",
                        "prophet_default") if f != "A" else
                    ("naive", "drift", "theta", "ets", "holt", "arima021", "arima", "prophet", "prophet_default")
                    for f in ("A", "Q", "M")}
METRICS = ("mase", "smape", "coverage80", "coverage95", "ms_per_series")


class BenchInputError(AutarkyError):
    """The benchmark CSV is not a long table unique_id,ds,y with numbers and dates."""


def read_long_csv(path: str | Path) -> dict[str, tuple[list[pd.Timestamp], list[float]]]:
    """Series from a CSV with columns unique_id, ds, y (other columns ignored), sorted by date."""
    series: dict[str, dict[pd.Timestamp, float]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"unique_id", "ds", "y"} - set(reader.fieldnames or [])
        if missing:
            raise BenchInputError(f"{path}: missing column(s) {', '.join(sorted(missing))}; "
                                  "expected a long CSV unique_id,ds,y")
        for number, row in enumerate(reader, start=2):
            try:
                ds, y = pd.Timestamp(row["ds"]), float(row["y"])
            except (ValueError, TypeError):
                raise BenchInputError(f"{path}: line {number}: ds {row['ds']!r} / y {row['y']!r} is not a date "
                                      "and a number") from None
            if not math.isfinite(y):
                raise BenchInputError(f"{path}: line {number}: y {row['y']!r} is not finite")
            points = series.setdefault(row["unique_id"], {})
            if ds in points:
                raise BenchInputError(f"{path}: line {number}: duplicate date {row['ds']} for {row['unique_id']}")
            points[ds] = y
    if not series:
        raise BenchInputError(f"{path}: no rows")
    return {uid: (sorted(points), [points[d] for d in sorted(points)]) for uid, points in series.items()}


def infer_frequency(series: dict[str, tuple[list[pd.Timestamp], list[float]]]) -> str:
    """A, Q or M from the typical spacing of the dates."""
    gaps = [(b - a).days for dates, _ in series.values() for a, b in zip(dates, dates[1:])]
    if not gaps:
        raise BenchInputError("every series has a single date: cannot tell the frequency")
    days = float(np.median(gaps))
    for frequency, low, high in (("M", 27, 32), ("Q", 85, 95), ("A", 360, 370)):
        if low <= days <= high:
            return frequency
    raise BenchInputError(f"dates are {days:.0f} days apart: only annual, quarterly and monthly data are supported")


@dataclass
class BenchTask:
    uid: str
    periods: list[pd.Timestamp]
    values: list[float]
    frequency: str
    context: SeriesContext
    horizon: int
    windows: int
    step: int
    models: tuple[str, ...]
    overrides: dict[str, Any]


def bench_series(task: BenchTask) -> dict[str, Any]:
    """Scores of every model and of Autarky's nested choice on one series; `excluded` when it is too short."""
    dates, y, _, _ = regular_series(task.periods, task.values, task.frequency)
    settings = replace(default_settings(task.frequency, task.overrides), horizon=task.horizon)
    plan = make_plan(len(y), task.horizon, task.windows, task.step, min_train=settings.min_obs)
    if plan is None or plan.horizon != task.horizon or plan.origins != task.windows:
        return {"uid": task.uid, "excluded": True}
    seed = SeriesTask(task.uid, task.frequency, [], [], task.context, settings).seed
    fitted: dict[str, list[Forecast | None]] = {}
    seconds: dict[str, float] = {}
    for name in task.models:
        model, began = get_model(name), time.perf_counter()
        fitted[name] = [member_forecast(model, y[:c], dates[0], task.horizon, task.context, seed)
                        for c in plan.cutoffs]
        seconds[name] = time.perf_counter() - began
    began = time.perf_counter()
    chosen, ours = [], []
    for cutoff in plan.cutoffs:
        result = forecast_series(SeriesTask(task.uid, task.frequency, list(dates[:cutoff]), list(y[:cutoff]),
                                            task.context, settings))
        chosen.append(result.model)
        ours.append(Forecast(*(np.asarray(result.bands[k]) for k in ("yhat", "lo80", "hi80", "lo95", "hi95")))
                    if result.status == "ok" else None)
    fitted[AUTARKY], seconds[AUTARKY] = ours, time.perf_counter() - began
    naive = fitted.get("naive") or [member_forecast(get_model("naive"), y[:c], dates[0], task.horizon,
                                                    task.context, seed) for c in plan.cutoffs]
    scores, failures = {}, {}
    for name, forecasts in fitted.items():
        failures[name] = sum(f is None for f in forecasts)
        forecasts = [f if f is not None else n for f, n in zip(forecasts, naive)]  # a failed fit scores as naive
        scores[name] = score(name, y, plan, forecasts, task.context.season_length, seconds[name] / plan.origins)
    return {"uid": task.uid, "excluded": False, "scores": scores, "failures": failures, "chosen": chosen}


def summarise(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean MASE and sMAPE over series, coverage over series, ms per series and fit; the JSON report's body."""
    kept = [r for r in results if not r["excluded"]]
    names = list(kept[0]["scores"]) if kept else []
    models = {}
    for name in names:
        rows: list[ModelScore] = [r["scores"][name] for r in kept]
        models[PROPHET_DEFAULT if name == "prophet_default" else
               ("prophet_autarky" if name == "prophet" else name)] = {
            "mase": _nanmean([s.mase for s in rows]), "smape": _nanmean([s.smape for s in rows]),
            "coverage80": _nanmean([s.coverage80 for s in rows]), "coverage95": _nanmean([s.coverage95 for s in rows]),
            "ms_per_series": 1000.0 * _nanmean([s.seconds for s in rows]),
            "failed_fits": int(sum(r["failures"][name] for r in kept)),
        }
    choices: dict[str, int] = {}
    for r in kept:
        for model in r["chosen"]:
            choices[str(model)] = choices.get(str(model), 0) + 1
    return {"models": models, "series": len(kept), "excluded": len(results) - len(kept),
            "choices": dict(sorted(choices.items(), key=lambda kv: -kv[1]))}


def _nanmean(values: list[float]) -> float:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return round(float(np.mean(clean)), 6) if clean else math.nan


def run_bench(path: str | Path, horizon: int, windows: int = 3, *, step: int | None = None,
              models: Sequence[str] | None = None, catalog=None, overrides: dict[str, Any] | None = None,
              executor: str = "local", workers: int | None = None, address: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Backtest every model and Autarky's choice on each series of the CSV; the report of `summarise`."""
    from autarky.forecast.runner import series_context
    if horizon < 1 or windows < 1:
        raise BenchInputError("--horizon and --windows must be at least 1")
    series = read_long_csv(path)
    frequency = infer_frequency(series)
    overrides = dict(overrides or {})
    settings = default_settings(frequency, overrides)
    names = tuple(dict.fromkeys(list(models or REFERENCE_MODELS[frequency]) + list(settings.backtested())))
    for name in names:
        get_model(name)
    tasks = [BenchTask(uid, dates, values, frequency, series_context(catalog, uid, frequency), horizon, windows,
                       step or settings.step, names, overrides) for uid, (dates, values) in series.items()]
    results = []
    for result in parallel_map(bench_series, tasks, executor=executor, workers=workers, address=address):
        results.append(result)
        if progress:
            progress(len(results), len(tasks))
    report = summarise(results)
    report.update(frequency=frequency, horizon=horizon, windows=windows, step=step or settings.step,
                  input=str(path), default=settings.default, candidates=list(settings.candidates),
                  switch_margin=settings.switch_margin)
    return report


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table, best MASE first."""
    header = f"{'model':34s} {'MASE':>7s} {'sMAPE':>7s} {'cov80':>6s} {'cov95':>6s} {'ms/series':>10s}"
    lines = [f"{report['series']} series ({report['excluded']} too short, excluded), frequency {report['frequency']}, "
             f"horizon {report['horizon']}, {report['windows']} origins {report['step']} apart", header]
    ordered = sorted(report["models"].items(), key=lambda kv: (math.isnan(kv[1]["mase"]), kv[1]["mase"]))
    for name, m in ordered:
        lines.append(f"{name:34s} {m['mase']:7.3f} {m['smape']:7.2f} {m['coverage80']:6.2f} {m['coverage95']:6.2f} "
                     f"{m['ms_per_series']:10.1f}")
    return "\n".join(lines)
