"""Candidate models behind one interface: a series in, a point forecast with 80%/95% intervals and sample paths out.

statsforecast models are called directly on numpy arrays (no DataFrame round trip: a fit costs milliseconds).
Prophet is configured for the data (forecast/prophet_model.py). A combination averages its members' forecasts.
Sample paths for models that only give intervals are drawn consistently with those intervals (`paths_from_bands`).
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from autarky.forecast.bagging import bootstrap_series
from autarky.forecast.ces import ces
from autarky.forecast.fast_arima import arima021 as exact_arima021
from autarky.forecast.fast_arima import arima_search
from autarky.forecast.interface import LEVELS, Forecast, SeriesContext, with_paths
from autarky.forecast.prophet_model import fit_prophet, fit_prophet_default

# auto.arima's rule (R forecast package): approximate the order search above this many points.
ARIMA_APPROXIMATION_ABOVE = 150
_COMBINATION = re.compile(r"^(mean|median|mixmedian)\((.+)\)$")


@dataclass(frozen=True)
class Model:
    """A named forecaster: `fit(y, start, h, ctx, n_paths, seed)` gives a Forecast."""

    name: str
    fit: Callable[..., Forecast] = field(repr=False, compare=False)
    complexity: int = 0        # lower is simpler; ties in backtests go to the simpler model
    min_obs: int = 3
    members: tuple[str, ...] = ()
    how: str = ""              # combinations: mean or median
    summary: str = ""          # what it is, in words users read beside a forecast

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


def _from_bands(out: dict, n_paths: int, seed: int) -> Forecast:
    """A Forecast from a dict keyed as statsforecast's `forecast` output (mean, lo-80, hi-80, lo-95, hi-95)."""
    return with_paths(out["mean"], out["lo-80"], out["hi-80"], out["lo-95"], out["hi-95"], n_paths, seed)


# --------------------------------------------------------------------------- statsforecast
@functools.lru_cache(maxsize=1)
def cache_normal_distributions() -> None:
    """Make statsforecast reuse its frozen normal distributions (once per process).

    statsforecast 2.1 builds a new frozen scipy distribution for the quantiles of every forecast with intervals, about
    1 ms each on this project's machines: more than a whole naive forecast, a sixth of an AutoETS one. The normal ones
    (no parameters besides the scale) are kept in a small cache; any other is built as before. Forecasts are identical
    (tests/forecast/test_models.py).
    """
    import statsforecast.distributions as distributions
    build = distributions.frozen_error_distribution
    cached = functools.lru_cache(maxsize=16)(lambda sigma, distribution: build(sigma, distribution))

    def frozen_error_distribution(sigma, distribution, params=None):
        if params is None and distribution == "normal":
            return cached(float(sigma), distribution)
        return build(sigma, distribution, params)
    distributions.frozen_error_distribution = frozen_error_distribution


def _statsforecast(factory: Callable[..., object]) -> Callable[..., Forecast]:
    """A fit function for a statsforecast model built by factory(season_length, n)."""
    def fit(y, start, h, ctx, n_paths, seed) -> Forecast:
        cache_normal_distributions()
        model = factory(ctx.seasonality(len(y)), len(y))
        out = model.forecast(y=y, h=h, level=list(LEVELS))
        return _from_bands(out, n_paths, seed)
    return fit


def _naive(m, n):
    from statsforecast.models import Naive
    return Naive()


def _seasonal_naive(m, n):
    from statsforecast.models import Naive, SeasonalNaive
    return SeasonalNaive(season_length=m) if m > 1 else Naive()


def _drift(m, n):
    from statsforecast.models import RandomWalkWithDrift
    return RandomWalkWithDrift()


def _ets(m, n):
    from statsforecast.models import AutoETS
    return AutoETS(season_length=m)


def _theta(m, n):
    from statsforecast.models import AutoTheta
    return AutoTheta(season_length=m)


def _arima(m, n):
    """AutoARIMA; like R's auto.arima, the order search uses the CSS approximation on long or high-frequency data."""
    from statsforecast.models import AutoARIMA
    return AutoARIMA(season_length=m, approximation=n > ARIMA_APPROXIMATION_ABOVE or m > 12)


def _holt(m, n):
    """Holt's linear trend: ETS(A,A,N), no seasonality."""
    from statsforecast.models import AutoETS
    return AutoETS(season_length=1, model="AAN")


def _damped(m, n):
    """Damped trend: ETS(A,Ad,N), a trend that flattens out (Gardner and McKenzie)."""
    from statsforecast.models import AutoETS
    return AutoETS(season_length=1, model="AAN", damped=True)


def _dotheta(m, n):
    """The dynamic optimised Theta method (Fiorucci et al. 2016), seasonally adjusted where the data are seasonal."""
    from statsforecast.models import DynamicOptimizedTheta
    return DynamicOptimizedTheta(season_length=m)


def _mstl(m, n):
    """STL decomposition (robust LOESS season, Bandara et al.'s MSTL) with AutoETS, no season, on the adjusted series;
    non-seasonal data get the AutoETS alone."""
    from statsforecast.models import MSTL, AutoETS
    return MSTL(season_length=m, trend_forecaster=AutoETS(model="ZZN")) if m > 1 else AutoETS(model="ZZN")


def _arima021(m, n):
    """ARIMA(0,2,1): a local linear trend, estimated the ARIMA way (cheap: no order search)."""
    from statsforecast.models import ARIMA
    return ARIMA(order=(0, 2, 1))


def _arima021_ml(y, start, h, ctx, n_paths, seed) -> Forecast:
    """ARIMA(0,2,1) by exact maximum likelihood in numpy (forecast/fast_arima.py): the same model as `arima021`, the
    likelihood's maximum found where statsforecast's CSS-then-ML search can stop short of it, at a tenth of the cost."""
    out = exact_arima021(y, h)
    return _from_bands(out, n_paths, seed)


def _ces(y, start, h, ctx, n_paths, seed) -> Forecast:
    """Complex exponential smoothing, non-seasonal (statsforecast's AutoCES fit, analytic bands: forecast/ces.py)."""
    return _from_bands(ces(y, h), n_paths, seed)


def _arima_search(max_terms: int) -> Callable[..., Forecast]:
    """auto.arima's order choice over the low orders it mostly picks on annual data (d by KPSS; at most max_terms
    AR and MA terms; a drift or not, by AICc), each fitted by exact ML in numpy (forecast/fast_arima.py)."""
    def fit(y, start, h, ctx, n_paths, seed) -> Forecast:
        out = arima_search(y, h, max_terms)
        return _from_bands(out, n_paths, seed)
    return fit


# --------------------------------------------------------------------------- on logarithms or Box-Cox
# exp(700) is near the largest float: a log forecast beyond it is no forecast.
MAX_LOG = 700.0
# Box-Cox's lambda is kept between the logarithm (0) and the series itself (1).
BOXCOX_RANGE = (0.0, 1.0)


def _log_pair(y: np.ndarray, season_length: int):
    return np.log, lambda z: np.exp(np.minimum(z, MAX_LOG))


def _boxcox_pair(y: np.ndarray, season_length: int):
    """Box-Cox with lambda by Guerrero's method (as R's forecast::BoxCox.lambda: subseries of the season's length,
    two points on non-seasonal data), within BOXCOX_RANGE; its inverse floors at zero where lambda * z + 1 < 0."""
    from coreforecast.scalers import boxcox_lambda
    lam = boxcox_lambda(y, "guerrero", season_length=max(season_length, 2), lower=BOXCOX_RANGE[0],
                        upper=BOXCOX_RANGE[1])
    if not np.isfinite(lam) or lam < 1e-6:
        return _log_pair(y, season_length)
    return (lambda x: (x ** lam - 1.0) / lam,
            lambda z: np.maximum(lam * z + 1.0, 0.0) ** (1.0 / lam))


def _transformed(fit: Callable[..., Forecast], pair: Callable) -> Callable[..., Forecast]:
    """The model fitted to a transform of y (log, Box-Cox) where every value is positive (as is otherwise), its point
    forecast and bands mapped back: the point becomes the median on the original scale, the bands stay exact quantiles.
    """
    def fitted(y, start, h, ctx, n_paths, seed) -> Forecast:
        if np.min(y) <= 0.0:
            return fit(y, start, h, ctx, n_paths, seed)
        forward, backward = pair(y, ctx.seasonality(len(y)))
        out = fit(forward(y), start, h, ctx, 0, seed)
        back = [backward(a) for a in (out.mean, out.lo80, out.hi80, out.lo95, out.hi95)]
        return with_paths(*back, n_paths=n_paths, seed=seed)
    return fitted


# --------------------------------------------------------------------------- bagged
# Bootstrapped copies per bagged forecast (the series itself and 19 others).
BAGS = 20


def _bagged(fit: Callable[..., Forecast], copies: int = BAGS) -> Callable[..., Forecast]:
    """The model fitted to y and to bootstrapped copies of it (forecast/bagging.py; Box-Cox where every value is
    positive), their points and bands averaged: Bergmeir, Hyndman and Benitez's bagged exponential smoothing. A copy
    the model cannot fit is left out."""
    def fitted(y, start, h, ctx, n_paths, seed) -> Forecast:
        season = ctx.seasonality(len(y))
        pair = _boxcox_pair(y, season) if np.min(y) > 0.0 else (np.asarray, np.asarray)
        copied = bootstrap_series(y, season, copies, np.random.default_rng(seed), *pair)
        parts = [fc for copy in copied
                 if (fc := _fitted_or_none(lambda: fit(copy, start, h, ctx, 0, seed))) is not None]
        if not parts:
            raise ValueError(f"no bootstrapped copy of {len(y)} points could be fitted")
        return combine(parts, "mean", n_paths, seed)
    return fitted


# --------------------------------------------------------------------------- registry
SINGLE_MODELS: dict[str, Model] = {m.name: m for m in (
    Model("naive", _statsforecast(_naive), complexity=0, min_obs=2,
          summary="the last value carried forward"),
    Model("snaive", _statsforecast(_seasonal_naive), complexity=1, min_obs=2,
          summary="the value of the same season a year before"),
    Model("drift", _statsforecast(_drift), complexity=2, min_obs=3,
          summary="a random walk with drift: the line from the first to the last value, extended"),
    Model("theta", _statsforecast(_theta), complexity=3, min_obs=5,
          summary="the Theta method (AutoTheta)"),
    Model("ets", _statsforecast(_ets), complexity=4, min_obs=5,
          summary="exponential smoothing with error, trend and season chosen by AICc (AutoETS)"),
    Model("holt", _statsforecast(_holt), complexity=4, min_obs=5,
          summary="Holt's linear trend, ETS(A,A,N)"),
    Model("damped", _statsforecast(_damped), complexity=4, min_obs=5,
          summary="a damped trend, ETS(A,Ad,N): a trend that flattens out"),
    Model("dotheta", _statsforecast(_dotheta), complexity=3, min_obs=5,
          summary="the dynamic optimised Theta method"),
    Model("mstl", _statsforecast(_mstl), complexity=4, min_obs=5,
          summary="an STL decomposition with AutoETS on the seasonally adjusted series (MSTL)"),
    Model("ces", _ces, complexity=4, min_obs=5,
          summary="complex exponential smoothing, non-seasonal: level and trend in one complex-valued state"),
    Model("arima021", _statsforecast(_arima021), complexity=4, min_obs=5,
          summary="ARIMA(0,2,1), a local linear trend (statsforecast)"),
    Model("arima021_ml", _arima021_ml, complexity=4, min_obs=5,
          summary="ARIMA(0,2,1), a local linear trend, by exact maximum likelihood"),
    Model("arima_ml", _arima_search(1), complexity=4, min_obs=6,
          summary="ARIMA with differencing by KPSS tests and at most one AR or MA term, chosen by AICc"),
    Model("arima_ml2", _arima_search(2), complexity=4, min_obs=6,
          summary="ARIMA with differencing by KPSS tests and up to two AR/MA terms, chosen by AICc"),
    Model("arima", _statsforecast(_arima), complexity=5, min_obs=8,
          summary="AutoARIMA: ARIMA with its orders chosen by a stepwise AICc search"),
    Model("prophet", fit_prophet, complexity=6, min_obs=5,
          summary="Prophet configured for the data (growth, seasonality, Lunar New Year)"),
    Model("prophet_default", fit_prophet_default, complexity=7, min_obs=5,
          summary="Prophet with its default settings"),
)}
# Every model but Prophet (which has its own growth settings) also on logarithms (`ets_log`, `ces_log`, ...) and on
# Box-Cox transforms (`ets_bc`, ...).
_TRANSFORMS = {"log": (_log_pair, "logarithms"),
               "bc": (_boxcox_pair, "Box-Cox transforms (lambda by Guerrero's method)")}
SINGLE_MODELS |= {f"{m.name}_{tag}": Model(f"{m.name}_{tag}", _transformed(m.fit, pair), complexity=m.complexity + 1,
                                           min_obs=m.min_obs, summary=f"{m.summary}; fitted to the {words} of the "
                                                                      "series where every value is positive")
                  for m in list(SINGLE_MODELS.values()) if not m.name.startswith("prophet")
                  for tag, (pair, words) in _TRANSFORMS.items()}

SINGLE_MODELS["bagged_ets"] = Model("bagged_ets", _bagged(_statsforecast(_ets)), complexity=6, min_obs=5,
                                    summary=f"bagged exponential smoothing: AutoETS fitted to the series and {BAGS - 1} "
                                            "bootstrapped copies of it (STL or LOESS remainder resampled in blocks, "
                                            "on Box-Cox transforms), forecasts and bands averaged")


def member_forecast(model: Model, y: np.ndarray, start: pd.Timestamp, h: int, ctx: SeriesContext,
                    seed: int) -> Forecast | None:
    """The model's forecast, or None when it cannot fit this history (too short, or a numerical failure)."""
    if len(y) < model.min_obs:
        return None
    return _fitted_or_none(lambda: model.forecast(y, start, h, ctx, seed=seed))


def _fitted_or_none(fit: Callable[[], Forecast]) -> Forecast | None:
    """fit()'s forecast, or None where it raises or gives a value that is not finite: a model (or a bagged copy)
    that cannot fit this history is left out, not fatal."""
    try:
        fc = fit()
    except Exception:  # noqa: BLE001
        return None
    return fc if all(np.all(np.isfinite(a)) for a in (fc.mean, fc.lo80, fc.hi80, fc.lo95, fc.hi95)) else None


def _mixture_quantiles(centres: np.ndarray, below: np.ndarray, above: np.ndarray, ps: Sequence[float]) -> np.ndarray:
    """Quantiles of equal mixtures of two-piece normals, one problem per row: below and above (problems x members x
    steps: the scale below and above the centre), centres (the same shape, or 1 x members x steps for every problem),
    ps (the problems' probabilities). All problems in one bisection, between the members' own extremes."""
    from scipy.special import ndtr
    below, above = np.maximum(below, 1e-12), np.maximum(above, 1e-12)
    lo, hi = (centres - 9 * below).min(axis=1), (centres + 9 * above).max(axis=1)
    p = np.asarray(ps)[:, None]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        at = mid[:, None, :]
        under = ndtr(np.where(at < centres, (at - centres) / below, (at - centres) / above)).mean(axis=1) < p
        lo, hi = np.where(under, mid, lo), np.where(under, hi, mid)
    return 0.5 * (lo + hi)


def _mixture_bands(forecasts: Sequence[Forecast], point: np.ndarray) -> list[np.ndarray]:
    """lo80, hi80, lo95, hi95 of the equal mixture of the members, each a two-piece normal through its point and its
    band at that level; kept around the combined point and nested."""
    from scipy.stats import norm
    centres, problems = np.stack([f.mean for f in forecasts]), []
    for level, low, high in ((0.80, "lo80", "hi80"), (0.95, "lo95", "hi95")):
        z = norm.ppf(0.5 + level / 2)
        below = (centres - np.stack([getattr(f, low) for f in forecasts])) / z
        above = (np.stack([getattr(f, high) for f in forecasts]) - centres) / z
        problems += [(below, above, 0.5 - level / 2), (below, above, 0.5 + level / 2)]
    q = _mixture_quantiles(centres[None], np.stack([b for b, _, _ in problems]),
                           np.stack([a for _, a, _ in problems]), [p for _, _, p in problems])
    lo80, hi80 = np.minimum(q[0], point), np.maximum(q[1], point)
    return [lo80, hi80, np.minimum(np.minimum(q[2], point), lo80), np.maximum(np.maximum(q[3], point), hi80)]


def combine(forecasts: Sequence[Forecast], how: str, n_paths: int = 0, seed: int = 0) -> Forecast:
    """Combine members: point = mean or median of theirs; bands = the same average of their quantiles, or for
    `mixmedian` the median point with the bands of the members' equal mixture (wider where members disagree)."""
    reduce = np.mean if how == "mean" else np.median
    point = reduce(np.stack([f.mean for f in forecasts]), axis=0)
    bands = (_mixture_bands(forecasts, point) if how == "mixmedian" else
             [reduce(np.stack([getattr(f, a) for f in forecasts]), axis=0) for a in ("lo80", "hi80", "lo95", "hi95")])
    return with_paths(point, *bands, n_paths=n_paths, seed=seed)


def combination(name: str) -> Model:
    """A model such as `median(drift,theta,ets)`: members are fitted and their forecasts combined; a member that cannot
    fit the history is left out."""
    match = _COMBINATION.match(name.replace(" ", ""))
    if not match:
        raise KeyError(name)
    how, members = match[1], tuple(match[2].split(","))
    unknown = [m for m in members if m not in SINGLE_MODELS]
    if unknown or len(members) < 2:
        raise KeyError(name)
    canonical = f"{how}({','.join(members)})"

    def fit(y, start, h, ctx, n_paths, seed) -> Forecast:
        fitted = {m: member_forecast(SINGLE_MODELS[m], y, start, h, ctx, seed) for m in dict.fromkeys(members)}
        parts = [fitted[m] for m in members if fitted[m]]       # a member named twice is fitted once, weighed twice
        if not parts:
            raise ValueError(f"no member of {canonical} could fit {len(y)} points")
        return combine(parts, how, n_paths, seed)

    return Model(canonical, fit, complexity=max(SINGLE_MODELS[m].complexity for m in members) + 1,
                 min_obs=min(SINGLE_MODELS[m].min_obs for m in members), members=members, how=how)


def describe(name: str) -> str:
    """The model in words: a single model's summary; a combination's members, with the weight of a repeated one."""
    try:
        model = get_model(name)
    except KeyError:
        return name
    if not model.is_combination:
        return model.summary or name
    counts = {m: model.members.count(m) for m in dict.fromkeys(model.members)}
    total = len(model.members)
    parts = [f"{m} ({SINGLE_MODELS[m].summary}){'' if len(counts) == total else f', weight {k}/{total}'}"
             for m, k in counts.items()]
    middle = " (at each step the mean of the middle two)" if model.how != "mean" and total % 2 == 0 else ""
    if model.how == "mixmedian":
        return (f"the median{middle} of the forecasts of " + "; ".join(parts) +
                ", with the bands of their equal mixture (wider where the members disagree)")
    return f"the {model.how}{middle} of the forecasts and bands of " + "; ".join(parts)


def get_model(name: str) -> Model:
    """The model with this name: a single model, or a combination such as `mean(drift,theta)`."""
    if name in SINGLE_MODELS:
        return SINGLE_MODELS[name]
    try:
        return combination(name)
    except KeyError:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(SINGLE_MODELS)}, or mean(...)/median(...) "
                       "of them)") from None
