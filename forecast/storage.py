"""Write one series' forecast run, its points, sample paths and backtest scores in one transaction."""

from __future__ import annotations

import math

from sqlalchemy import select

from autarky.errors import AutarkyError
from autarky.forecast.tables import BacktestScore, ForecastPoint, ForecastRun
from autarky.models import Series
from autarky.store import Store
from autarky.forecast.engine import SeriesResult


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def save_result(store: Store, result: SeriesResult, data_hash: str, config_hash: str) -> int:
    """Store the run (ok, skipped or failed) with everything that belongs to it; returns the run id."""
    with store.writing() as session:
        series_id = session.scalar(select(Series.id).where(Series.key == result.key))
        if series_id is None:
            raise AutarkyError(f"series {result.key} disappeared from the store while it was being forecast")
        run = ForecastRun(
            series_id=series_id, status=result.status, reason=result.reason or None, model=result.model,
            data_hash=data_hash, config_hash=config_hash, n_obs=result.n_obs, horizon=result.horizon,
            last_period=result.last_period.date() if result.last_period is not None else None,
            samples=result.samples, settings=result.details or None)
        session.add(run)
        session.flush()
        if result.dates:
            session.execute(ForecastPoint.__table__.insert(), [
                dict(run_id=run.id, ds=ds.date(), yhat=result.bands["yhat"][i], lo80=result.bands["lo80"][i],
                     hi80=result.bands["hi80"][i], lo95=result.bands["lo95"][i], hi95=result.bands["hi95"][i])
                for i, ds in enumerate(result.dates)])
        if result.scores:
            session.execute(BacktestScore.__table__.insert(), [
                dict(run_id=run.id, model=s.model, horizon=s.horizon, origins=s.origins, mase=_number(s.mase),
                     smape=_number(s.smape), coverage80=_number(s.coverage80), coverage95=_number(s.coverage95),
                     chosen=s.chosen)
                for s in result.scores])
        return run.id
