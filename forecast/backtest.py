"""Rolling-origin backtests: refit at several origins, forecast ahead, score by MASE, sMAPE and interval coverage."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from autarky.forecast.interface import Forecast, SeriesContext
from autarky.forecast.models import combine, get_model, member_forecast

# The smallest training set a backtest origin may have.
MIN_TRAIN = 5


@dataclass(frozen=True)
class Plan:
    """Where to cut: the training lengths (one per origin, oldest first) and the horizon scored after each."""

    horizon: int
    cutoffs: tuple[int, ...]

    @property
    def origins(self) -> int:
        return len(self.cutoffs)


def make_plan(n: int, horizon: int, origins: int, step: int = 1, min_train: int = MIN_TRAIN) -> Plan | None:
    """Origins `step` apart, the last one `horizon` before the end; the horizon shrinks for short series.

    The full number of origins is kept by shortening the horizon (down to one step); a series too short even for that
    gets as many one-step origins as fit, and None when not one does.
    """
    for h in range(max(1, horizon), 0, -1):
        cutoffs = [n - h - step * i for i in range(origins)]
        if cutoffs[-1] >= min_train:
            return Plan(h, tuple(reversed(cutoffs)))
    cutoffs = [c for c in (n - 1 - step * i for i in range(origins)) if c >= min_train]
    return Plan(1, tuple(reversed(cutoffs))) if cutoffs else None


# --------------------------------------------------------------------------- scores
def naive_scale(train: np.ndarray, season_length: int = 1) -> float:
    """Mean absolute error of the in-sample (seasonal) naive forecast: the MASE denominator."""
    lag = season_length if len(train) > season_length else 1
    if len(train) <= lag:
        return math.nan
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def mase(actual: np.ndarray, predicted: np.ndarray, scale: float) -> float:
    """Mean absolute error scaled by the in-sample naive error; NaN when that scale is zero (a flat history)."""
    error = float(np.mean(np.abs(actual - predicted)))
    if not scale or math.isnan(scale):
        return 0.0 if error == 0 else math.nan
    return error / scale


def smape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Symmetric MAPE in percent (0-200), as in the M4 competition; 0/0 counts as a perfect forecast."""
    denominator = np.abs(actual) + np.abs(predicted)
    ratio = np.divide(np.abs(actual - predicted), denominator, out=np.zeros(len(actual)), where=denominator > 0)
    return float(200.0 * np.mean(ratio))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside the band."""
    return float(np.mean((actual >= lower) & (actual <= upper)))


@dataclass
class ModelScore:
    """A model's backtest on one series: mean MASE and sMAPE over origins, coverage over every scored point."""

    model: str
    horizon: int
    origins: int
    mase: float
    smape: float
    coverage80: float
    coverage95: float
    seconds: float = 0.0
    per_origin_mase: list[float] = field(default_factory=list)
    chosen: bool = False
    # Every scored point's error as a multiple of its band's half-width on the error's side (1 = on the band's edge):
    # what the calibration (forecast/calibrate.py) scales the bands by.
    ratios80: list[float] = field(default_factory=list)
    ratios95: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not math.isnan(self.mase)


def score(model: str, y: np.ndarray, plan: Plan, forecasts: Sequence[Forecast | None], season_length: int,
          seconds: float = 0.0) -> ModelScore:
    """Score one model's forecasts at the plan's origins against what happened; a failed origin scores NaN."""
    mases, smapes, in80, in95, r80, r95 = [], [], [], [], [], []
    for cutoff, fc in zip(plan.cutoffs, forecasts):
        actual = y[cutoff:cutoff + plan.horizon]
        if fc is None:
            mases.append(math.nan)
            continue
        mases.append(mase(actual, fc.mean, naive_scale(y[:cutoff], season_length)))
        smapes.append(smape(actual, fc.mean))
        in80.append(coverage(actual, fc.lo80, fc.hi80))
        in95.append(coverage(actual, fc.lo95, fc.hi95))
        r80 += band_ratios(actual, fc.mean, fc.lo80, fc.hi80)
        r95 += band_ratios(actual, fc.mean, fc.lo95, fc.hi95)
    failed = len(smapes) < len(mases)
    return ModelScore(
        model=model, horizon=plan.horizon, origins=plan.origins,
        mase=math.nan if failed else _mean(mases), smape=math.nan if failed else _mean(smapes),
        coverage80=math.nan if failed else _mean(in80), coverage95=math.nan if failed else _mean(in95),
        seconds=seconds, per_origin_mase=mases, ratios80=r80, ratios95=r95)


def band_ratios(actual: np.ndarray, mean: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> list[float]:
    """|actual - mean| over the band's half-width on that side; points whose half-width there is zero are left out."""
    above = actual >= mean
    width = np.where(above, upper - mean, mean - lower)
    error = np.abs(actual - mean)
    ok = width > 0
    return [float(v) for v in error[ok] / width[ok]]


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values and not any(math.isnan(v) for v in values) else math.nan


# --------------------------------------------------------------------------- backtest
def run_backtest(y: np.ndarray, start: pd.Timestamp, ctx: SeriesContext, models: Sequence[str], plan: Plan,
                 seed: int = 0) -> dict[str, ModelScore]:
    """Backtest each model at every origin of the plan; combinations reuse their members' forecasts (no refit)."""
    y = np.asarray(y, dtype=float)
    wanted = [get_model(name) for name in models]
    singles = list(dict.fromkeys([m for model in wanted for m in (model.members or (model.name,))]))
    forecasts: dict[str, list[Forecast | None]] = {}
    seconds: dict[str, float] = {}
    for name in singles:
        model, began = get_model(name), time.perf_counter()
        forecasts[name] = [member_forecast(model, y[:cutoff], start, plan.horizon, ctx, seed)
                           for cutoff in plan.cutoffs]
        seconds[name] = time.perf_counter() - began
    scores = {}
    for model in wanted:
        if model.is_combination:
            combined = []
            for i in range(plan.origins):
                parts = [forecasts[m][i] for m in model.members if forecasts[m][i] is not None]
                combined.append(combine(parts, model.how).clipped(ctx.lower, ctx.upper) if parts else None)
            cost = sum(seconds[m] for m in model.members)
            scores[model.name] = score(model.name, y, plan, combined, ctx.season_length, cost)
        else:
            scores[model.name] = score(model.name, y, plan, forecasts[model.name], ctx.season_length,
                                       seconds[model.name])
    return scores
