"""Candidate models behind one interface: a series in, a point forecast with 80%/95% intervals and sample paths out.

statsforecast models are called directly on numpy arrays (no DataFrame round trip: a fit costs milliseconds).
Prophet is configured for the data (see `prophet_settings`). A combination averages its members' forecasts.
Sample paths for models that only give intervals are drawn consistently with those intervals (`paths_from_bands`).
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import pandas as pd

LEVELS = (80, 95)
Z80 = 1.2815515655446004  # standard normal quantile at 0.90
Z95 = 1.959963984540054   # standard normal quantile at 0.975
SEASON_LENGTH = {"A": 1, "Q": 4, "M": 12}
PANDAS_FREQ = {"A": "YS", "Q": "QS", "M": "MS"}

# Prophet places changepoints in the first 80% of the history; one per PROPHET_POINTS_PER_CHANGEPOINT points there,
# at most Prophet's default 25 (short series need fewer: facebook/prophet#1808).
PROPHET_CHANGEPOINT_RANGE = 0.8
PROPHET_POINTS_PER_CHANGEPOINT = 3
PROPHET_MAX_CHANGEPOINTS = 25
# Bounds up to this are shares or percentages (0-1, 0-100): Prophet grows logistically between floor and cap.
SHARE_MAX = 100.0
# Economies whose monthly data move with the Lunar New Year (factories and ports close for about two weeks).
LUNAR_NEW_YEAR_COUNTRIES = ("CHN", "TWN", "KOR", "SGP", "HKG", "MAC", "VNM", "MYS")
LUNAR_NEW_YEAR_BEFORE_DAYS = 7
LUNAR_NEW_YEAR_AFTER_DAYS = 14
# Samples Prophet draws for its bands (its predict time grows with them: DESIGN.md section 7); more when more paths
# are stored.
PROPHET_SAMPLES = 200
# A seasonal model needs this many full seasons of history; below it the model runs without seasonality.
MIN_SEASONS = 2

_COMBINATION = re.compile(r"^(mean|median)\((.+)\)$")


@dataclass(frozen=True)
class SeriesContext:
    """What a model needs to know about a series besides its values: frequency, plausible range, holidays."""

    frequency: str = "A"
    lower: float | None = None
    upper: float | None = None
    lunar_new_year: bool = False

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH[self.frequency]

    @property
    def bounded_share(self) -> bool:
        return self.lower is not None and self.upper is not None and self.upper <= SHARE_MAX

    def seasonality(self, n: int) -> int:
        """The season length to fit with n points: 1 when the history is too short for seasonality."""
        m = self.season_length
        return m if m > 1 and n >= MIN_SEASONS * m + 1 else 1


@dataclass
class Forecast:
    """Point forecast, 80% and 95% bands, and (when asked for) predictive sample paths (samples x horizon)."""

    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    paths: np.ndarray | None = None

    def clipped(self, lower: float | None, upper: float | None) -> "Forecast":
        """The same forecast with every value inside the plausible range (a monotone map keeps the quantiles)."""
        if lower is None and upper is None:
            return self
        lo = -np.inf if lower is None else lower
        hi = np.inf if upper is None else upper
        paths = None if self.paths is None else np.clip(self.paths, lo, hi)
        return Forecast(*(np.clip(a, lo, hi) for a in (self.mean, self.lo80, self.hi80, self.lo95, self.hi95)),
                        paths=paths)


@dataclass(frozen=True)
class Model:
    """A named forecaster: `fit(y, start, h, ctx, n_paths, seed)` gives a Forecast."""

    name: str
    fit: Callable[..., Forecast] = field(repr=False, compare=False)
    complexity: int = 0        # lower is simpler; ties in backtests go to the simpler model
    min_obs: int = 3
    members: tuple[str, ...] = ()
    how: str = ""              # combinations: mean or median

    @property
    def is_combination(self) -> bool:
        return bool(self.members)

    def forecast(self, y: np.ndarray, start: pd.Timestamp, h: int, ctx: SeriesContext, *, n_paths: int = 0,
                 seed: int = 0) -> Forecast:
        """Fit on y (regular periods from `start`) and forecast h steps, inside the series' plausible range."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self.fit(np.asarray(y, dtype=float), start, h, ctx, n_paths, seed)
        return result.clipped(ctx.lower, ctx.upper)


# --------------------------------------------------------------------------- sample paths
def paths_from_bands(mean: np.ndarray, lo95: np.ndarray, hi95: np.ndarray, n_paths: int, seed: int) -> np.ndarray:
    """Paths whose step-h marginals match the 95% band (split normal), correlated across steps like a random walk.

    w_h = (e_1 + ... + e_h) / sqrt(h) is standard normal at every step with corr(w_h, w_k) = sqrt(h/k), so a path that
    is high early stays high: first-crossing dates come out right for persistent series.
    """
    h = len(mean)
    rng = np.random.default_rng(seed)
    w = np.cumsum(rng.standard_normal((n_paths, h)), axis=1) / np.sqrt(np.arange(1, h + 1))
    up = np.maximum(hi95 - mean, 0.0) / Z95
    down = np.maximum(mean - lo95, 0.0) / Z95
    return mean + np.where(w >= 0, w * up, w * down)


def _with_paths(mean, lo80, hi80, lo95, hi95, n_paths: int, seed: int) -> Forecast:
    arrays = [np.asarray(a, dtype=float) for a in (mean, lo80, hi80, lo95, hi95)]
    paths = paths_from_bands(arrays[0], arrays[3], arrays[4], n_paths, seed) if n_paths else None
    return Forecast(*arrays, paths=paths)


# --------------------------------------------------------------------------- statsforecast
def _statsforecast(factory: Callable[[int], object]) -> Callable[..., Forecast]:
    def fit(y, start, h, ctx, n_paths, seed) -> Forecast:
        model = factory(ctx.seasonality(len(y)))
        out = model.forecast(y=y, h=h, level=list(LEVELS))
        return _with_paths(out["mean"], out["lo-80"], out["hi-80"], out["lo-95"], out["hi-95"], n_paths, seed)
    return fit


def _naive(m):
    from statsforecast.models import Naive
    return Naive()


def _seasonal_naive(m):
    from statsforecast.models import Naive, SeasonalNaive
    return SeasonalNaive(season_length=m) if m > 1 else Naive()


def _drift(m):
    from statsforecast.models import RandomWalkWithDrift
    return RandomWalkWithDrift()


def _ets(m):
    from statsforecast.models import AutoETS
    return AutoETS(season_length=m)


def _theta(m):
    from statsforecast.models import AutoTheta
    return AutoTheta(season_length=m)


def _arima(m):
    from statsforecast.models import AutoARIMA
    return AutoARIMA(season_length=m)


def _holt(m):
    """Holt's linear trend: ETS(A,A,N), no seasonality."""
    from statsforecast.models import AutoETS
    return AutoETS(season_length=1, model="AAN")


def _arima021(m):
    """ARIMA(0,2,1): a local linear trend, estimated the ARIMA way (cheap: no order search)."""
    from statsforecast.models import ARIMA
    return ARIMA(order=(0, 2, 1))


# --------------------------------------------------------------------------- Prophet
def silence_cmdstanpy() -> None:
    """cmdstanpy adds its own INFO handler at the first fit unless its logger already has one: give it a silent one."""
    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.setLevel(logging.WARNING)
        logger.propagate = False


@lru_cache(maxsize=1)
def _prophet_class():
    from prophet import Prophet
    silence_cmdstanpy()  # after the import: prophet sets its own logger to INFO when imported
    return Prophet


def prophet_changepoints(n: int) -> int:
    """Changepoints scaled to the length: one per few points of the fitted range, at least one, at most 25."""
    return int(min(PROPHET_MAX_CHANGEPOINTS, max(1, n * PROPHET_CHANGEPOINT_RANGE // PROPHET_POINTS_PER_CHANGEPOINT)))


def prophet_settings(n: int, ctx: SeriesContext, y_min: float) -> dict:
    """Prophet's constructor arguments for this series (see README, Forecasts)."""
    seasonal = ctx.seasonality(n) > 1
    settings = dict(
        growth="logistic" if ctx.bounded_share else "linear",
        yearly_seasonality=seasonal, weekly_seasonality=False, daily_seasonality=False,
        n_changepoints=prophet_changepoints(n), changepoint_range=PROPHET_CHANGEPOINT_RANGE,
    )
    if seasonal:
        settings["seasonality_mode"] = "multiplicative" if y_min > 0 else "additive"
    return settings


@lru_cache(maxsize=256)
def lunar_new_year(year: int) -> pd.Timestamp | None:
    """First day of the Chinese New Year (Spring Festival) in a year, from the `holidays` package."""
    import holidays
    days = holidays.China(years=[year], language="en_US").get_named("Chinese New Year")
    return pd.Timestamp(min(days)) if days else None


def lunar_new_year_share(ds: pd.DatetimeIndex) -> np.ndarray:
    """Share of the Lunar New Year shutdown (7 days before to 14 after) that falls in each month."""
    window = LUNAR_NEW_YEAR_BEFORE_DAYS + LUNAR_NEW_YEAR_AFTER_DAYS
    share = np.zeros(len(ds))
    for i, month_start in enumerate(ds):
        month_end = month_start + pd.offsets.MonthBegin(1)
        for year in (month_start.year - 1, month_start.year, month_start.year + 1):
            day = lunar_new_year(year)
            if day is None:
                continue
            first = day - pd.Timedelta(days=LUNAR_NEW_YEAR_BEFORE_DAYS)
            last = day + pd.Timedelta(days=LUNAR_NEW_YEAR_AFTER_DAYS)
            overlap = (min(last, month_end) - max(first, month_start)).days
            share[i] += max(overlap, 0) / window
    return share


def build_prophet(n: int, ctx: SeriesContext, y_min: float, n_samples: int):
    """A Prophet model configured for the series (growth, seasonality, changepoints, Lunar New Year)."""
    model = _prophet_class()(uncertainty_samples=n_samples, **prophet_settings(n, ctx, y_min))
    if ctx.lunar_new_year and ctx.frequency == "M":
        mode = "multiplicative" if y_min > 0 else "additive"
        model.add_regressor("lunar_new_year", mode=mode)
    return model


def _prophet_frame(model, ds: pd.DatetimeIndex, ctx: SeriesContext) -> pd.DataFrame:
    frame = pd.DataFrame({"ds": ds})
    if model.growth == "logistic":
        frame["cap"], frame["floor"] = ctx.upper, ctx.lower
    if "lunar_new_year" in model.extra_regressors:
        frame["lunar_new_year"] = lunar_new_year_share(ds)
    return frame


def _fit_prophet(model, y, start, h, ctx, n_paths, seed) -> Forecast:
    """Fit; the point forecast is Prophet's yhat, the bands and paths come from its predictive samples."""
    ds = pd.date_range(start, periods=len(y) + h, freq=PANDAS_FREQ[ctx.frequency])
    history = _prophet_frame(model, ds[: len(y)], ctx)
    history["y"] = y
    model.fit(history, seed=seed % (2**31))
    future = _prophet_frame(model, ds[len(y):], ctx)
    np.random.seed(seed % (2**32))  # Prophet draws its samples from the global generator
    samples = model.predictive_samples(future)["yhat"]  # h x samples
    model.uncertainty_samples = 0  # the point forecast alone: no second round of sampling
    mean = model.predict(future)["yhat"].to_numpy()
    q = np.quantile(samples, [0.025, 0.10, 0.90, 0.975], axis=1)
    return Forecast(mean, q[1], q[2], q[0], q[3], paths=samples.T[:n_paths] if n_paths else None)


def _prophet(y, start, h, ctx, n_paths, seed) -> Forecast:
    model = build_prophet(len(y), ctx, float(np.min(y)), max(n_paths, PROPHET_SAMPLES))
    return _fit_prophet(model, y, start, h, ctx, n_paths, seed)


def _prophet_default(y, start, h, ctx, n_paths, seed) -> Forecast:
    """Prophet as it comes (the reference to beat): default seasonality, changepoints and 1,000 samples."""
    return _fit_prophet(_prophet_class()(), y, start, h, replace(ctx, lunar_new_year=False), n_paths, seed)


# --------------------------------------------------------------------------- registry
SINGLE_MODELS: dict[str, Model] = {m.name: m for m in (
    Model("naive", _statsforecast(_naive), complexity=0, min_obs=2),
    Model("snaive", _statsforecast(_seasonal_naive), complexity=1, min_obs=2),
    Model("drift", _statsforecast(_drift), complexity=2, min_obs=3),
    Model("theta", _statsforecast(_theta), complexity=3, min_obs=5),
    Model("ets", _statsforecast(_ets), complexity=4, min_obs=5),
    Model("holt", _statsforecast(_holt), complexity=4, min_obs=5),
    Model("arima021", _statsforecast(_arima021), complexity=4, min_obs=5),
    Model("arima", _statsforecast(_arima), complexity=5, min_obs=8),
    Model("prophet", _prophet, complexity=6, min_obs=5),
    Model("prophet_default", _prophet_default, complexity=7, min_obs=5),
)}


def combine(forecasts: Sequence[Forecast], how: str, n_paths: int = 0, seed: int = 0) -> Forecast:
    """Combine members: point = mean or median of theirs; bands = the same average of their quantiles."""
    reduce = np.median if how == "median" else np.mean
    parts = [reduce(np.stack([getattr(f, a) for f in forecasts]), axis=0)
             for a in ("mean", "lo80", "hi80", "lo95", "hi95")]
    return _with_paths(*parts, n_paths=n_paths, seed=seed)


def combination(name: str) -> Model:
    """A model such as `median(drift,theta,ets)`: its members are fitted and their forecasts combined."""
    match = _COMBINATION.match(name.replace(" ", ""))
    if not match:
        raise KeyError(name)
    how, members = match[1], tuple(match[2].split(","))
    unknown = [m for m in members if m not in SINGLE_MODELS]
    if unknown or len(members) < 2:
        raise KeyError(name)
    canonical = f"{how}({','.join(members)})"

    def fit(y, start, h, ctx, n_paths, seed) -> Forecast:
        parts = [SINGLE_MODELS[m].forecast(y, start, h, ctx, seed=seed) for m in members]
        return combine(parts, how, n_paths, seed)

    return Model(canonical, fit, complexity=max(SINGLE_MODELS[m].complexity for m in members) + 1,
                 min_obs=max(SINGLE_MODELS[m].min_obs for m in members), members=members, how=how)


def get_model(name: str) -> Model:
    """The model with this name: a single model, or a combination such as `mean(drift,theta)`."""
    if name in SINGLE_MODELS:
        return SINGLE_MODELS[name]
    try:
        return combination(name)
    except KeyError:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(SINGLE_MODELS)}, or mean(...)/median(...) "
                       "of them)") from None
