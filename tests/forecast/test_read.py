"""The read side of stored forecasts: latest run wins, bands come back, crossing probabilities from sample paths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from autarky.forecast import read as forecasts
from autarky.forecast.tables import ForecastPoint, ForecastRun
from autarky.models import Series
from autarky.store import SeriesSpec
from sqlalchemy import select


@pytest.fixture
def with_runs(store, catalog):
    store.register_sources(catalog)
    store.register_series([SeriesSpec.for_indicator(catalog.indicator("IP.PAT.RESD"), "CHN")])
    with store.writing() as session:
        sid = session.scalar(select(Series.id).where(Series.key == "wb:IP.PAT.RESD:CHN"))
        old = ForecastRun(series_id=sid, model="naive", status="ok", horizon=1,
                          samples=[[1.0]])
        session.add(old)
        session.flush()
        session.add(ForecastPoint(run_id=old.id, ds=dt.date(2022, 1, 1), yhat=1, lo80=1, hi80=1, lo95=1, hi95=1))
        # 4 sample paths over 3 years; two cross 10 by year 2, one more by year 3.
        new = ForecastRun(series_id=sid, model="theta", status="ok", horizon=3,
                          samples=[[5, 11, 12], [5, 6, 13], [9, 10, 8], [1, 2, 3]])
        session.add(new)
        session.flush()
        for i, year in enumerate((2022, 2023, 2024)):
            session.add(ForecastPoint(run_id=new.id, ds=dt.date(year, 1, 1), yhat=10 + i, lo80=8, hi80=12,
                                      lo95=7, hi95=13))
    return store


def test_latest_run_and_points(with_runs):
    runs = forecasts.latest_runs(with_runs)
    assert list(runs["model"]) == ["theta"]
    points = forecasts.forecast_points(with_runs, ["wb:IP.PAT.RESD:CHN"])
    assert list(points["yhat"]) == [10, 11, 12]
    assert list(points["hi95"]) == [13, 13, 13]


def test_crossing_probabilities(with_runs):
    key = "wb:IP.PAT.RESD:CHN"
    assert forecasts.crossing_probability(with_runs, key, 10, dt.date(2022, 6, 1)) == 0.0
    assert forecasts.crossing_probability(with_runs, key, 10, dt.date(2023, 1, 1)) == 0.5
    assert forecasts.crossing_probability(with_runs, key, 10, dt.date(2030, 1, 1)) == 0.75
    assert forecasts.crossing_probability(with_runs, key, 4, dt.date(2030, 1, 1), above=False) == 0.25
    assert forecasts.crossing_probability(with_runs, key, 10, dt.date(2021, 1, 1)) is None


def test_exceedance_and_first_crossing():
    samples = np.array([[5, 11, 12], [5, 6, 13], [9, 10, 8], [1, 2, 3]], dtype=float)
    assert list(forecasts.exceedance(samples, 10)) == [0.0, 0.5, 0.5]
    probs, never = forecasts.first_crossing(samples, 10)
    assert list(probs) == [0.0, 0.5, 0.25]
    assert never == 0.25
