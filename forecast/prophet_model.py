"""Prophet configured for the data: growth, seasonality, changepoints and holidays per series; silent cmdstanpy."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd

from autarky.forecast.interface import Forecast, SeriesContext
from autarky.periods import frequency_of

# Prophet places changepoints in the first 80% of the history; one per PROPHET_POINTS_PER_CHANGEPOINT points there,
# at most Prophet's default 25 (short series need fewer: facebook/prophet#1808).
PROPHET_CHANGEPOINT_RANGE = 0.8
PROPHET_POINTS_PER_CHANGEPOINT = 3
PROPHET_MAX_CHANGEPOINTS = 25
# Economies whose monthly data move with the Lunar New Year (factories and ports close for about two weeks).
LUNAR_NEW_YEAR_COUNTRIES = ("CHN", "TWN", "KOR", "SGP", "HKG", "MAC", "VNM", "MYS")
LUNAR_NEW_YEAR_BEFORE_DAYS = 7
LUNAR_NEW_YEAR_AFTER_DAYS = 14
# Samples Prophet draws for its bands (its predict time grows with them: DESIGN.md section 7); more when more paths
# are stored.
PROPHET_SAMPLES = 200


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
    ds = pd.date_range(start, periods=len(y) + h, freq=frequency_of(ctx.frequency).pandas)
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


def fit_prophet(y, start, h, ctx, n_paths, seed) -> Forecast:
    model = build_prophet(len(y), ctx, float(np.min(y)), max(n_paths, PROPHET_SAMPLES))
    return _fit_prophet(model, y, start, h, ctx, n_paths, seed)


def fit_prophet_default(y, start, h, ctx, n_paths, seed) -> Forecast:
    """Prophet as it comes (the reference to beat): default seasonality, changepoints and 1,000 samples."""
    return _fit_prophet(_prophet_class()(), y, start, h, replace(ctx, lunar_new_year=False), n_paths, seed)
