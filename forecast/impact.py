"""What a series did after an event, against what the production procedure would have forecast from the data
before it: a before/after comparison, not proof of cause.

The counterfactual is `forecast_series` (inner backtest, model choice, forecast, sample paths) run on the
observations before the period that contains the event, exactly as a refresh on the eve of the event would have.
The placebo test repeats the measurement at up to PLACEBO_CUTS other cut dates with the model chosen for the event
(no re-selection, no sample paths), so its cost is bounded: a fixed number of fits of one model.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from autarky.errors import AutarkyError
from autarky.forecast.engine import SeriesTask, Settings, forecast_series, regular_series
from autarky.forecast.interface import SeriesContext
from autarky.forecast.models import get_model
from autarky.periods import frequency_of

PLACEBO_CUTS = 12
CAVEAT = ("Before/after comparison, not proof of cause: other things changed at the same time, and the "
          "counterfactual is only as good as the forecast.")


class ImpactError(AutarkyError):
    """The impact of an event cannot be measured on this series (too little data before or after it)."""


@dataclass
class Placebo:
    """The same gap measured at other cut dates; rank 1 is the lowest gap (the largest shortfall)."""

    cuts: list[str] = field(default_factory=list)
    gaps_pct: list[float] = field(default_factory=list)
    rank: int = 0
    of: int = 0
    share_as_extreme: float | None = None    # (1 + placebo gaps at least as large in size) / (1 + placebos)
    model: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"cuts": self.cuts, "gaps_pct": self.gaps_pct, "rank": self.rank, "of": self.of,
                "share_as_extreme": self.share_as_extreme, "model": self.model, "seconds": round(self.seconds, 2)}


@dataclass
class Impact:
    key: str
    event_date: dt.date
    first_period: pd.Timestamp       # the period containing the event: the first one of the window
    window: int
    window_reason: str
    n_train: int
    model: str
    model_reason: str
    dates: list[pd.Timestamp]
    actual: list[float]
    bands: dict[str, list[float]]    # yhat, lo80, hi80, lo95, hi95 per step of the window
    gap_pct: float
    lo80_pct: float
    hi80_pct: float
    lo95_pct: float
    hi95_pct: float
    p_below: float                   # probability that the actuals lie below the counterfactual
    placebo: Placebo

    @property
    def outside95(self) -> list[bool]:
        """Per step: is the actual value outside the counterfactual's 95% band."""
        return [not (lo <= a <= hi) for a, lo, hi in zip(self.actual, self.bands["lo95"], self.bands["hi95"])]

    def as_dict(self) -> dict[str, Any]:
        return {
            "series": self.key, "event_date": self.event_date.isoformat(),
            "first_period": self.first_period.date().isoformat(), "window": self.window,
            "window_reason": self.window_reason, "n_train": self.n_train, "model": self.model,
            "model_reason": self.model_reason, "gap_pct": self.gap_pct, "lo80_pct": self.lo80_pct,
            "hi80_pct": self.hi80_pct, "lo95_pct": self.lo95_pct, "hi95_pct": self.hi95_pct,
            "p_below": self.p_below, "placebo": self.placebo.as_dict(),
            "steps": [{"period": d.date().isoformat(), "actual": a, **{k: v[i] for k, v in self.bands.items()},
                       "outside95": o}
                      for i, (d, a, o) in enumerate(zip(self.dates, self.actual, self.outside95))],
            "caveat": CAVEAT,
        }


def containing_index(dates: pd.DatetimeIndex, day: dt.date) -> int:
    """Index of the period (by its start date) that contains the day; -1 before the first."""
    return int(np.searchsorted(dates.values, np.datetime64(pd.Timestamp(day)), side="right")) - 1


def gap_pct(actual: np.ndarray, expected: np.ndarray) -> float:
    """The window's total against the counterfactual's total, in percent."""
    total = float(np.sum(expected))
    return float("nan") if total == 0 else 100.0 * (float(np.sum(actual)) - total) / total


def measure_impact(key: str, frequency: str, periods: Sequence[pd.Timestamp], values: Sequence[float],
                   context: SeriesContext, settings: Settings, event_date: dt.date, *, window: int | None = None,
                   next_event: dt.date | None = None, placebo_cuts: int = PLACEBO_CUTS) -> Impact:
    """The gap after `event_date` over `window` periods (default: the horizon, or until `next_event`)."""
    dates, y, _, _ = regular_series(periods, values, frequency)
    cut = containing_index(dates, event_date)
    if cut < settings.min_obs:
        raise ImpactError(f"{key}: only {max(cut, 0)} observations before the event of {event_date}; "
                          f"at least {settings.min_obs} are needed")
    after_last = pd.date_range(dates[-1], periods=2, freq=frequency_of(frequency).pandas)[1]
    if pd.Timestamp(event_date) >= after_last:
        raise ImpactError(f"{key}: no observation after the event of {event_date} "
                          f"(the last period is {dates[-1].date()})")
    steps, reason = _window(dates, cut, len(y), settings.horizon, window, next_event)
    task = SeriesTask(key, frequency, list(dates[:cut]), list(y[:cut]), context,
                      replace(settings, horizon=max(settings.horizon, steps)))
    result = forecast_series(task)
    if result.status != "ok":
        raise ImpactError(f"{key}: no counterfactual forecast from the data before {event_date}: {result.reason}")
    actual = y[cut:cut + steps]
    bands = {k: [float(v) for v in values[:steps]] for k, values in result.bands.items()}
    paths = np.asarray(result.samples, dtype=float)[:, :steps]
    path_gaps = 100.0 * (actual.sum() - paths.sum(axis=1)) / paths.sum(axis=1)
    lo95, lo80, hi80, hi95 = (float(q) for q in np.percentile(path_gaps, [2.5, 10, 90, 97.5]))
    gap = gap_pct(actual, np.asarray(bands["yhat"]))
    placebo = _placebo(y, dates, context, result.model, cut, steps, gap, placebo_cuts, task.seed)
    return Impact(key=key, event_date=event_date, first_period=dates[cut], window=steps, window_reason=reason,
                  n_train=cut, model=result.model, model_reason=result.reason, dates=list(dates[cut:cut + steps]),
                  actual=[float(v) for v in actual], bands=bands, gap_pct=gap, lo80_pct=lo80, hi80_pct=hi80,
                  lo95_pct=lo95, hi95_pct=hi95, p_below=float(np.mean(paths.sum(axis=1) > actual.sum())),
                  placebo=placebo)


def _window(dates: pd.DatetimeIndex, cut: int, n: int, horizon: int, window: int | None,
            next_event: dt.date | None) -> tuple[int, str]:
    if window is not None:
        if window < 1:
            raise ImpactError(f"--window must be at least 1, got {window}")
        steps, reason = window, f"{window} periods as asked"
    else:
        steps, reason = horizon, f"the forecast horizon ({horizon} periods)"
        if next_event is not None:
            until = containing_index(dates, next_event) - cut
            if 1 <= until < steps:
                steps, reason = until, f"until the next relevant event, {next_event.isoformat()}"
    if cut + steps > n:
        steps, reason = n - cut, f"{reason}, cut to the {n - cut} periods observed after the event"
    return steps, reason


def _placebo(y: np.ndarray, dates: pd.DatetimeIndex, ctx: SeriesContext, model_name: str, cut: int, steps: int,
             gap: float, count: int, seed: int) -> Placebo:
    """The gap at up to `count` other cut dates, evenly spread, whose windows do not overlap the event's."""
    began = time.perf_counter()
    model = get_model(model_name)
    first = max(model.min_obs, 2 * ctx.season_length + 1)
    possible = [c for c in range(first, len(y) - steps + 1) if c + steps <= cut or c >= cut + steps]
    chosen = [possible[int(i)] for i in np.unique(np.linspace(0, len(possible) - 1, count).round())] \
        if possible and count > 0 else []
    cuts, gaps = [], []
    for c in chosen:
        try:
            mean = model.forecast(y[:c], dates[0], steps, ctx, n_paths=0, seed=seed).mean
        except Exception:  # noqa: BLE001 - a placebo fit that fails is left out, not fatal
            continue
        value = gap_pct(y[c:c + steps], mean)
        if np.isfinite(value):
            cuts.append(dates[c].date().isoformat())
            gaps.append(round(value, 4))
    lower = sum(1 for g in gaps if g < gap)
    extreme = sum(1 for g in gaps if abs(g) >= abs(gap))
    return Placebo(cuts=cuts, gaps_pct=gaps, rank=lower + 1, of=len(gaps) + 1,
                   share_as_extreme=(1 + extreme) / (1 + len(gaps)) if gaps else None, model=model_name,
                   seconds=time.perf_counter() - began)
