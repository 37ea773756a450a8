"""One series from values to a stored-ready forecast: prepare, backtest the candidates, choose, forecast, sample.

Pure computation (no database), so the runner can send it to a process pool or a Dask cluster.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from autarky.config import Config, PerFrequency, not_negative, positive, read_section, setting
from autarky.forecast.backtest import ModelScore, make_plan, run_backtest
from autarky.forecast.calibrate import calibrated, calibration
from autarky.forecast.interface import Forecast, SeriesContext
from autarky.forecast.models import get_model
from autarky.forecast.select import TIE_TOLERANCE, choose
from autarky.periods import frequency_of

# Bump when a change to the code should refit every series (it is part of the config hash).
ENGINE_VERSION = "2"
MIN_OBS = 6
# Gaps up to this many periods are filled by linear interpolation; before a longer gap the history is dropped.
MAX_FILLED_GAP = 2
# Horizons beyond this share of the history are not credible (DESIGN.md section 7): marked, not hidden.
CREDIBLE_SHARE = 1 / 3
DEFAULT_HORIZON = {"A": 6, "Q": 8, "M": 24}
DEFAULT_STEP = {"A": 1, "Q": 2, "M": 6}
DEFAULT_ORIGINS = 3
DEFAULT_SAMPLES = 300
# Per frequency: the default model (a combination), the other candidates backtested beside it, and how much better
# (fraction of MASE, at every origin) a rival must be to replace the default; 1 never replaces it.
# Annual: per-series switching lost out of sample at every margin tried (BENCHMARKS.md), so the backtest scores
# are kept and shown, and the default stays. Prophet and statsforecast's AutoARIMA are not backtested on annual series
# by default: Prophet loses to simpler trend models there, and AutoARIMA costs about 15-20x `arima_ml2`, which makes
# its order choice over the low orders it mostly picks on annual data (BENCHMARKS.md, round 4).
# Monthly: Prophet lost to ETS, Theta and AutoARIMA on real monthly data without moving holidays (BENCHMARKS.md); it
# is backtested only where its Lunar New Year regressor applies (`holiday_candidates`).
# Monthly: the dynamic optimised Theta in place of AutoTheta, settled on the held-out protocol's design sets.
# Annual (round 8 of the protocol): the numpy ARIMA order search with up to two terms (`arima_ml2`), ARIMA(0,2,1) by
# exact ML, AutoETS and complex exponential smoothing, equal weights: among the candidates whose 95% coverage stayed
# inside 0.88-0.98, the one with the best worst case against the best single model over the eight annual design sets
# (BENCHMARKS.md, round 8). Replaced in round 19 by the median (the mean of the middle two) of the dynamic optimised
# Theta, `arima_ml2`, the damped trend on logarithms and `arima_ml2` on logarithms (both on the levels where a value is
# not positive): over the twelve annual sets then seen its worst case against the best single model was 1.056 against
# 1.129, its mean ratio 0.999 against 1.042 (BENCHMARKS.md, rounds 18 and 19).
# Monthly (round 2): the dynamic optimised Theta alone, kept whatever its rivals score: the only setting within 3% of
# the best single model on all three monthly design sets; switching lost on two of them (BENCHMARKS.md); kept in
# round 10 on six monthly design sets and confirmed on Taiwan's export orders. Replaced in round 13 by the mean of
# AutoETS and the dynamic optimised Theta, both fitted to log y (where every value is positive): over the eight monthly
# design sets its worst case against the best single model was 1.059 against 1.145, its mean ratio 0.998 against 1.033
# (BENCHMARKS.md, round 13). Round 14's confirm set (Viet Nam's exports by commodity) put that default behind default
# Prophet; on the eleven monthly sets then seen, the median of AutoETS on the levels and the two log models is the
# only candidate ahead of default Prophet on all of them with a worst case under 1.10 against the best single model
# (1.077; mean ratio 1.020): round 15's default (BENCHMARKS.md, round 15). Round 16's confirm set (chip trade with
# China) put that one behind default Prophet too; on the thirteen monthly sets then seen, AutoARIMA joins the three as
# a fourth member, and the median of four (the mean of the middle two at each step) is the candidate ahead of default
# Prophet on all of them with the lowest worst case against the best single model (1.117; mean ratio 1.021): round 17's
# default (BENCHMARKS.md, round 17).
# Quarterly (round 11): AutoETS alone, never switched: of the candidates whose 95% coverage stayed inside 0.88-0.98 on
# both quarterly design sets, the lowest worst case against the best single model (BENCHMARKS.md, round 11).
DEFAULT_MODEL = {"A": "median(dotheta,arima_ml2,damped_log,arima_ml2_log)", "Q": "ets",
                 "M": "median(ets,ets_log,dotheta_log,arima)"}
# Annual candidates are shown, not switched to; AutoTheta is left out there (its optimised form `dotheta` is shown,
# and leaving it out took a full refresh of 1,000 annual series from 52.6 s to 42.8 s; BENCHMARKS.md, round 5).
DEFAULT_CANDIDATES = {
    "A": ("naive", "drift", "ets", "holt", "damped", "arima021_ml", "arima_ml2", "ces", "dotheta"),
    "Q": ("naive", "snaive", "drift", "theta", "dotheta", "arima"),
    "M": ("snaive", "drift", "theta", "dotheta", "ets", "arima"),
}
DEFAULT_HOLIDAY_CANDIDATES = {"A": (), "Q": (), "M": ("prophet",)}
DEFAULT_SWITCH_MARGIN = {"A": 1.0, "Q": 1.0, "M": 1.0}
# How much of a backtest's call to widen the bands is applied (1: in full; 0.5: the square root; forecast/calibrate.py).
# Annual: the square root, settled on the annual design sets of rounds 4-6 (BENCHMARKS.md).
DEFAULT_WIDEN_POWER = {"A": 0.5, "Q": 1.0, "M": 1.0}
FALLBACK_MODEL = "drift"
PROPHET_PATHS = "Prophet's predictive samples"
BAND_PATHS = ("quantiles matched to the (calibrated) 80% and 95% bands at each step, random-walk correlation across "
              "steps")


@dataclass(frozen=True)
class Settings:
    """How one frequency is forecast; part of every run's config hash."""

    horizon: int
    origins: int
    step: int
    default: str
    candidates: tuple[str, ...]
    switch_margin: float
    holiday_candidates: tuple[str, ...] = ()
    samples: int = DEFAULT_SAMPLES
    tolerance: float = TIE_TOLERANCE
    min_obs: int = MIN_OBS
    calibrate: bool = True     # scale the bands by the chosen model's backtest errors (forecast/calibrate.py)
    widen_power: float = 1.0   # of a widening calibration factor
    shipped: bool = False      # the default is the one BENCHMARKS.md settled for this frequency (not configured)

    def rule(self) -> str:
        """The choice rule in words, as shown beside a forecast."""
        origin = "settled on real data sets held out from its design, BENCHMARKS.md" if self.shipped else ""
        if self.switch_margin >= 1:
            kept = "its backtest scores are kept and shown"
            return f"always the default {self.default} ({f'{origin}; {kept}' if origin else kept})"
        named = f"the default {self.default}" + (f" ({origin})" if origin else "")
        return (f"{named}, unless a rival has a backtest MASE lower at every origin and at least "
                f"{self.switch_margin:.0%} lower on average")

    def backtested(self, holidays: bool = False) -> tuple[str, ...]:
        """The default first, then the other candidates (and those for series with moving holidays)."""
        extra = self.holiday_candidates if holidays else ()
        return tuple(dict.fromkeys((self.default, *self.candidates, *extra)))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "candidates": list(self.candidates),
                "holiday_candidates": list(self.holiday_candidates), "engine": ENGINE_VERSION}


def _models(names: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """A model name (or names) that exist; ValueError with the known ones otherwise."""
    for name in (names,) if isinstance(names, str) else names:
        try:
            get_model(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    return names


@dataclass(frozen=True)
class ForecastSection:
    """The `[forecast]` table. Per-frequency keys take one value or a table {annual, quarterly, monthly}."""

    samples: int = setting(DEFAULT_SAMPLES, check=not_negative)
    origins: int = setting(DEFAULT_ORIGINS, check=positive)
    tolerance: float = setting(TIE_TOLERANCE)
    min_obs: int = setting(MIN_OBS, check=not_negative)
    calibrate: bool = True
    executor: Literal["local", "dask"] = "local"
    workers: int | None = setting(None, check=positive)
    address: str | None = None
    horizon: PerFrequency[int] = setting(default_factory=PerFrequency, check=positive)
    step: PerFrequency[int] = setting(default_factory=PerFrequency, check=positive)
    default: PerFrequency[str] = setting(default_factory=PerFrequency, expected="a model name", check=_models)
    candidates: PerFrequency[tuple[str, ...]] = setting(default_factory=PerFrequency,
                                                        expected="a list of model names", check=_models)
    holiday_candidates: PerFrequency[tuple[str, ...]] = setting(default_factory=PerFrequency,
                                                                expected="a list of model names", check=_models)
    switch_margin: PerFrequency[float] = setting(default_factory=PerFrequency)
    widen_power: PerFrequency[float] = setting(default_factory=PerFrequency)


def forecast_section(config: Config) -> ForecastSection:
    """The config's `[forecast]` table, checked (errors name the file or environment variable and the key)."""
    return config.read(ForecastSection, "forecast")


def default_settings(frequency: str, overrides: ForecastSection | Mapping[str, Any] | None = None) -> Settings:
    """Settings for a frequency: built-in defaults, then the `[forecast]` keys (a section, or a table of them)."""
    cfg = overrides if isinstance(overrides, ForecastSection) else read_section(ForecastSection, overrides or {},
                                                                               "forecast")
    default = get_model(cfg.default.get(frequency, DEFAULT_MODEL[frequency])).name
    return Settings(horizon=cfg.horizon.get(frequency, DEFAULT_HORIZON[frequency]), origins=cfg.origins,
                    step=cfg.step.get(frequency, DEFAULT_STEP[frequency]), default=default,
                    shipped=default == get_model(DEFAULT_MODEL[frequency]).name,
                    candidates=tuple(cfg.candidates.get(frequency, DEFAULT_CANDIDATES[frequency])),
                    holiday_candidates=tuple(cfg.holiday_candidates.get(frequency,
                                                                        DEFAULT_HOLIDAY_CANDIDATES[frequency])),
                    switch_margin=float(cfg.switch_margin.get(frequency, DEFAULT_SWITCH_MARGIN[frequency])),
                    samples=cfg.samples, tolerance=cfg.tolerance, min_obs=cfg.min_obs, calibrate=cfg.calibrate,
                    widen_power=float(cfg.widen_power.get(frequency, DEFAULT_WIDEN_POWER[frequency])))


@dataclass
class SeriesTask:
    """One series to forecast: its observations (period start dates and values) and how."""

    key: str
    frequency: str
    periods: Sequence[pd.Timestamp]
    values: Sequence[float]
    context: SeriesContext
    settings: Settings

    @property
    def seed(self) -> int:
        return int.from_bytes(hashlib.sha256(self.key.encode()).digest()[:4], "little")


@dataclass
class SeriesResult:
    """What to store for one series: status, chosen model, points with bands, sample paths, backtest scores."""

    key: str
    status: str                      # ok | skipped | failed
    reason: str = ""
    model: str | None = None
    n_obs: int = 0
    horizon: int = 0
    last_period: pd.Timestamp | None = None
    dates: list[pd.Timestamp] = field(default_factory=list)
    bands: dict[str, list[float]] = field(default_factory=dict)   # yhat, lo80, hi80, lo95, hi95
    samples: list[list[float]] | None = None
    scores: list[ModelScore] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def regular_series(periods: Sequence[pd.Timestamp], values: Sequence[float], frequency: str
                   ) -> tuple[pd.DatetimeIndex, np.ndarray, int, int]:
    """Observations on a regular grid: short gaps interpolated, history before a long gap dropped.

    Returns the dates, the values, how many periods were filled and how many observations were dropped.
    """
    observed = pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(periods)).sort_index()
    grid = pd.date_range(observed.index[0], observed.index[-1], freq=frequency_of(frequency).pandas)
    full = observed.reindex(grid)
    missing = full.isna().to_numpy()
    keep_from, i = 0, 0
    while i < len(missing):
        j = i
        while j < len(missing) and missing[j]:
            j += 1
        if j - i > MAX_FILLED_GAP:
            keep_from = j
        i = j + 1
    dropped = int((~missing[:keep_from]).sum())
    full = full.iloc[keep_from:]
    filled = int(full.isna().sum())
    full = full.interpolate(method="linear") if filled else full
    return pd.DatetimeIndex(full.index), full.to_numpy(), filled, dropped


def forecast_series(task: SeriesTask) -> SeriesResult:
    """Backtest the candidates, choose one, forecast with bands and sample paths; never raises for bad data."""
    began = time.perf_counter()
    try:
        result = _forecast_series(task)
    except Exception as exc:  # noqa: BLE001 - one bad series must not stop the others; the reason is stored
        result = SeriesResult(task.key, "failed", reason=f"{type(exc).__name__}: {exc}", n_obs=len(task.values))
    result.seconds = time.perf_counter() - began
    return result


def _forecast_series(task: SeriesTask) -> SeriesResult:
    settings, ctx = task.settings, task.context
    n_raw = len(task.values)
    if n_raw < settings.min_obs:
        return SeriesResult(task.key, "skipped", n_obs=n_raw,
                            reason=f"only {n_raw} observations; at least {settings.min_obs} are needed")
    dates, y, filled, dropped = regular_series(task.periods, task.values, task.frequency)
    if len(y) - filled < settings.min_obs:
        return SeriesResult(task.key, "skipped", n_obs=n_raw, last_period=dates[-1],
                            reason=f"only {len(y) - filled} observations since the last gap longer than "
                                   f"{MAX_FILLED_GAP} periods; at least {settings.min_obs} are needed")
    plan = make_plan(len(y), settings.horizon, settings.origins, settings.step)
    candidates = [name for name in settings.backtested(ctx.lunar_new_year) if len(y) >= get_model(name).min_obs]
    scores = run_backtest(y, dates[0], ctx, candidates, plan, task.seed) if plan and candidates else {}
    choice = choose(scores, settings.default, settings.switch_margin, FALLBACK_MODEL, settings.tolerance)
    order = [choice.model] + [s.model for s in sorted(scores.values(), key=_rank) if s.model != choice.model]
    used, forecast = _first_that_fits(order + [FALLBACK_MODEL, "naive"], y, dates[0], ctx, settings, task.seed)
    reason = choice.reason if used == choice.model else f"{choice.model} failed on the full history; next best"
    cal = calibration(scores.get(used), settings.widen_power) if settings.calibrate else None
    if cal is not None:
        forecast = calibrated(forecast, cal, settings.samples, task.seed).clipped(ctx.lower, ctx.upper)
    reason = f"{reason}. Rule: {settings.rule()}." + (
        f" Bands scaled by {cal.factor80:.2f} (80%) and {cal.factor95:.2f} (95%) from its backtest errors "
        f"({cal.points} points; {_scaling(settings.widen_power)})." if cal is not None and cal.points
        else "")
    future = pd.date_range(dates[-1], periods=settings.horizon + 1, freq=frequency_of(task.frequency).pandas)[1:]
    credible = min(settings.horizon, max(1, math.floor(len(y) * CREDIBLE_SHARE)))
    details = {
        **settings.as_dict(), "reason": reason, "rule": settings.rule(),
        "calibration": cal.as_dict() if cal is not None else None,
        "backtest": {"horizon": plan.horizon, "origins": plan.origins} if plan else None,
        "credible_steps": credible, "credible_until": future[credible - 1].date().isoformat(),
        "filled_periods": filled, "dropped_observations": dropped,
        "bounds": [ctx.lower, ctx.upper], "lunar_new_year": ctx.lunar_new_year,
        "paths": PROPHET_PATHS if used.startswith("prophet") and cal is None else BAND_PATHS,
    }
    for score in scores.values():
        score.chosen = score.model == used
    bands = {"yhat": forecast.mean, "lo80": forecast.lo80, "hi80": forecast.hi80,
             "lo95": forecast.lo95, "hi95": forecast.hi95}
    return SeriesResult(
        key=task.key, status="ok", reason=reason, model=used, n_obs=n_raw, horizon=settings.horizon,
        last_period=dates[-1], dates=list(future), bands={k: [float(v) for v in a] for k, a in bands.items()},
        samples=_rounded(forecast.paths), scores=list(scores.values()), details=details)


def _first_that_fits(names: Sequence[str], y: np.ndarray, start: pd.Timestamp, ctx: SeriesContext,
                     settings: Settings, seed: int) -> tuple[str, Forecast]:
    """The first model in order that forecasts the whole history with finite values, and its forecast."""
    for name in dict.fromkeys(names):
        try:
            forecast = get_model(name).forecast(y, start, settings.horizon, ctx, n_paths=settings.samples, seed=seed)
        except Exception:  # noqa: BLE001 - fall through to the next best model
            continue
        if np.all(np.isfinite(forecast.mean)):
            return name, forecast
    raise RuntimeError("no model could forecast the series")


def _scaling(widen_power: float) -> str:
    """How the calibration factors were applied, in words."""
    widened = {1.0: "in full", 0.5: "by the square root"}.get(widen_power, f"to the power {widen_power:g}")
    return f"widened {widened}, narrowed by the square root"


def _rank(score: ModelScore) -> float:
    return score.mase if score.ok else math.inf


def _rounded(paths: np.ndarray | None) -> list[list[float]] | None:
    """Sample paths with 6 significant digits: far below their spread, and a third of the JSON."""
    if paths is None:
        return None
    return [[float(f"{v:.6g}") for v in row] for row in paths]


def data_hash(periods: Sequence[pd.Timestamp], values: Sequence[float]) -> str:
    """Hash of the observations as stored: a revision or a new value changes it."""
    text = ";".join(f"{pd.Timestamp(p).date().isoformat()}={float(v)!r}" for p, v in zip(periods, values))
    return hashlib.sha256(text.encode()).hexdigest()


def config_hash(settings: Settings, context: SeriesContext) -> str:
    """Hash of everything besides the data that shapes a forecast: settings, bounds, holidays, engine version."""
    payload = {"settings": settings.as_dict(), "context": asdict(context)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
