"""Event impact on the real Korea HS 8542 exports to China: counterfactual, gap band, placebo, window."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from autarky.forecast.engine import default_settings, forecast_series, SeriesTask
from autarky.forecast.impact import ImpactError, containing_index, gap_pct, measure_impact
from autarky.forecast.interface import SeriesContext
from tests.support.events import chip_rows

OCT_2022 = dt.date(2022, 10, 7)


@pytest.fixture(scope="module")
def chips():
    rows = chip_rows()
    return [pd.Timestamp(p + "-01") for p, _ in rows], [v for _, v in rows]


def _measure(chips, **kwargs):
    periods, values = chips
    return measure_impact("kor-8542", "M", periods, values, SeriesContext("M", lower=0), default_settings("M"),
                          OCT_2022, **kwargs)


def test_counterfactual_is_the_production_forecast_from_the_data_before_the_event(chips):
    impact = _measure(chips, window=8)
    periods, values = chips
    assert impact.n_train == 81 and impact.first_period == pd.Timestamp("2022-10-01")
    production = forecast_series(SeriesTask("kor-8542", "M", periods[:81], values[:81], SeriesContext("M", lower=0),
                                            default_settings("M")))
    assert impact.model == production.model
    assert impact.bands["yhat"] == pytest.approx(production.bands["yhat"][:8])
    assert impact.actual == values[81:89]
    assert impact.gap_pct == pytest.approx(gap_pct(np.array(values[81:89]), np.array(production.bands["yhat"][:8])))
    assert impact.lo95_pct < impact.lo80_pct < impact.hi80_pct < impact.hi95_pct
    assert 0.0 <= impact.p_below <= 1.0


def test_real_series_fell_short_after_october_2022(chips):
    impact = _measure(chips, window=8)
    # Korea's chip exports to China fell through late 2022 and 2023 (the fixture's own figures).
    assert impact.gap_pct < 0 and impact.hi95_pct < 0 and impact.p_below > 0.9
    assert impact.placebo.of == len(impact.placebo.gaps_pct) + 1 <= 13
    assert impact.placebo.rank == 1 + sum(g < impact.gap_pct for g in impact.placebo.gaps_pct)
    # placebo windows never overlap the event's window
    for cut in impact.placebo.cuts:
        start = pd.Timestamp(cut)
        assert start + pd.DateOffset(months=8) <= pd.Timestamp("2022-10-01") or start >= pd.Timestamp("2023-06-01")


def test_default_window_stops_at_the_next_relevant_event(chips):
    impact = _measure(chips, next_event=dt.date(2022, 12, 15))
    assert impact.window == 2 and "2022-12-15" in impact.window_reason
    assert _measure(chips, placebo_cuts=0).window == 8      # the 24-month horizon, cut to the data observed
    assert _measure(chips, placebo_cuts=0).placebo.of == 1


def test_errors_name_what_is_missing(chips):
    periods, values = chips
    with pytest.raises(ImpactError, match="no observation after the event"):
        measure_impact("k", "M", periods, values, SeriesContext("M"), default_settings("M"), dt.date(2024, 1, 1))
    with pytest.raises(ImpactError, match="only 2 observations before"):
        measure_impact("k", "M", periods, values, SeriesContext("M"), default_settings("M"), dt.date(2016, 3, 5))


def test_containing_index():
    dates = pd.date_range("2020-01-01", periods=5, freq="MS")
    assert containing_index(dates, dt.date(2020, 3, 31)) == 2
    assert containing_index(dates, dt.date(2020, 3, 1)) == 2
    assert containing_index(dates, dt.date(2019, 12, 31)) == -1
