"""Stored forecasts, read side: latest runs, points with bands, backtest scores, crossing probabilities.

The forecast stage writes these tables (autarky.forecast.tables); alerts and the dashboard read them only through
this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from autarky.forecast.tables import BacktestScore, ForecastPoint, ForecastRun
from autarky.models import Series
from autarky.store import Store, newest_values

RUN_COLUMNS = ["series_key", "run_id", "created_at", "status", "reason", "model", "n_obs", "horizon",
               "last_period", "data_hash", "config_hash"]
POINT_COLUMNS = ["series_key", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"]
SCORE_COLUMNS = ["series_key", "model", "horizon", "origins", "mase", "smape", "coverage80", "coverage95", "chosen"]


def data_version(store: Store) -> tuple[str, ...]:
    """A token that changes whenever a forecast run is stored."""
    return newest_values(store, ForecastRun.id)


def _latest_run_ids(keys: Iterable[str] | None):  # noqa: ANN202
    query = (select(func.max(ForecastRun.id).label("run_id"))
             .join(Series, Series.id == ForecastRun.series_id).group_by(ForecastRun.series_id))
    if keys is not None:
        query = query.where(Series.key.in_(list(keys)))
    return query


def latest_runs(store: Store, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """The newest forecast run of each series (whatever its status)."""
    query = (select(Series.key, ForecastRun.id, ForecastRun.created_at, ForecastRun.status, ForecastRun.reason,
                    ForecastRun.model, ForecastRun.n_obs, ForecastRun.horizon, ForecastRun.last_period,
                    ForecastRun.data_hash, ForecastRun.config_hash)
             .join(Series, Series.id == ForecastRun.series_id)
             .where(ForecastRun.id.in_(_latest_run_ids(keys))).order_by(Series.key))
    with store.reading() as session:
        return pd.DataFrame(session.execute(query).all(), columns=RUN_COLUMNS)


def forecast_points(store: Store, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Points of the newest run of each series: ds, yhat and the 80%/95% bands."""
    query = (select(Series.key, ForecastPoint.ds, ForecastPoint.yhat, ForecastPoint.lo80, ForecastPoint.hi80,
                    ForecastPoint.lo95, ForecastPoint.hi95)
             .join(ForecastRun, ForecastRun.id == ForecastPoint.run_id)
             .join(Series, Series.id == ForecastRun.series_id)
             .where(ForecastRun.id.in_(_latest_run_ids(keys)), ForecastRun.status == "ok")
             .order_by(Series.key, ForecastPoint.ds))
    with store.reading() as session:
        frame = pd.DataFrame(session.execute(query).all(), columns=POINT_COLUMNS)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def backtest_scores(store: Store, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Backtest scores of every model tried in the newest run of each series; `chosen` marks the one used."""
    query = (select(Series.key, BacktestScore.model, BacktestScore.horizon, BacktestScore.origins,
                    BacktestScore.mase, BacktestScore.smape, BacktestScore.coverage80, BacktestScore.coverage95,
                    BacktestScore.chosen)
             .join(ForecastRun, ForecastRun.id == BacktestScore.run_id)
             .join(Series, Series.id == ForecastRun.series_id)
             .where(ForecastRun.id.in_(_latest_run_ids(keys)))
             .order_by(Series.key, BacktestScore.mase))
    with store.reading() as session:
        return pd.DataFrame(session.execute(query).all(), columns=SCORE_COLUMNS)


def run_samples(store: Store, key: str) -> tuple[list[dt.date], np.ndarray | None]:
    """Dates and predictive sample paths (samples x horizon) of the newest ok run of a series."""
    with store.reading() as session:
        run = session.scalars(select(ForecastRun).join(Series, Series.id == ForecastRun.series_id)
                              .where(Series.key == key, ForecastRun.status == "ok")
                              .order_by(ForecastRun.id.desc()).limit(1)).first()
        if run is None:
            return [], None
        dates = list(session.scalars(select(ForecastPoint.ds).where(ForecastPoint.run_id == run.id)
                                     .order_by(ForecastPoint.ds)))
        samples = np.asarray(run.samples, dtype=float) if run.samples else None
    return dates, samples


def exceedance(samples: np.ndarray, threshold: float, above: bool = True) -> np.ndarray:
    """P(value beyond the threshold) at each future step, from sample paths (samples x horizon)."""
    hit = samples >= threshold if above else samples <= threshold
    return hit.mean(axis=0)


def first_crossing(samples: np.ndarray, threshold: float, above: bool = True) -> tuple[np.ndarray, float]:
    """Distribution of the first step at which a path crosses: P(first crossing at step h), and P(never, in horizon)."""
    hit = samples >= threshold if above else samples <= threshold
    crossed = hit.any(axis=1)
    first = np.where(crossed, hit.argmax(axis=1), -1)
    probs = np.array([(first == h).mean() for h in range(samples.shape[1])])
    return probs, float(1.0 - crossed.mean())


def crossing_probability(store: Store, key: str, threshold: float, by: dt.date, above: bool = True) -> float | None:
    """P(the series crosses the threshold at some point up to `by`), from the newest forecast's sample paths.

    None when there is no forecast with samples, or `by` is before its first date.
    """
    dates, samples = run_samples(store, key)
    if samples is None or samples.size == 0:
        return None
    steps = [i for i, d in enumerate(dates) if d <= by]
    if not steps:
        return None
    window = samples[:, : steps[-1] + 1]
    hit = window >= threshold if above else window <= threshold
    return float(hit.any(axis=1).mean())


def forecast_before(store: Store, key: str, start: dt.date, end: dt.date) -> dict | None:
    """The newest ok forecast of `key` made without the period [start, end) that predicted it, with its point.

    "Made before the value arrived" is read from the data, not the clock: the run's last observed period is before
    `start`, so it never saw the value. Returns run_id, model, created_at, ds, yhat, lo80, hi80, lo95, hi95, or None.
    """
    query = (select(ForecastRun.id.label("run_id"), ForecastRun.model, ForecastRun.created_at, ForecastPoint.ds,
                    ForecastPoint.yhat, ForecastPoint.lo80, ForecastPoint.hi80, ForecastPoint.lo95,
                    ForecastPoint.hi95)
             .join(ForecastRun, ForecastRun.id == ForecastPoint.run_id)
             .join(Series, Series.id == ForecastRun.series_id)
             .where(Series.key == key, ForecastRun.status == "ok", ForecastRun.last_period < start,
                    ForecastPoint.ds >= start, ForecastPoint.ds < end)
             .order_by(ForecastRun.created_at.desc(), ForecastRun.id.desc(), ForecastPoint.ds).limit(1))
    with store.reading() as session:
        row = session.execute(query).mappings().first()
    return dict(row) if row else None
