"""Rolling-origin plans, MASE/sMAPE/coverage by hand on a real series, and the choice of model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autarky.forecast.backtest import ModelScore, Plan, make_plan, mase, naive_scale, run_backtest, score, smape
from autarky.forecast.engine import regular_series
from autarky.forecast.interface import Forecast, SeriesContext
from autarky.forecast.select import choose
from tests.support.forecast_data import real_series

# China's venture capital investment (NCSES, US$ millions), 2003-2011.
VC_CHN = [784.0, 359.0, 1752.0, 5396.0, 1748.0, 3053.0, 1992.0, 4587.0, 8792.0]


def test_plan_keeps_origins_and_shrinks_the_horizon_for_short_series():
    assert make_plan(30, 6, 3) == Plan(6, (22, 23, 24))
    assert make_plan(12, 6, 3) == Plan(5, (5, 6, 7))          # 6 steps would leave 4 points to train on
    assert make_plan(6, 6, 3) == Plan(1, (5,))                 # room for one one-step origin only
    assert make_plan(5, 6, 3) is None
    assert make_plan(120, 24, 3, step=6) == Plan(24, (84, 90, 96))


def test_mase_smape_coverage_by_hand():
    y = np.array(VC_CHN)
    train, actual = y[:6], y[6:9]
    # In-sample naive errors: 425, 1393, 3644, 3648, 1305 -> mean 2083.
    assert naive_scale(train) == pytest.approx(2083.0)
    naive = np.full(3, 3053.0)
    # Errors 1061, 1534, 5739 -> mean 2778; 2778 / 2083.
    assert mase(actual, naive, naive_scale(train)) == pytest.approx(2778 / 2083)
    expected_smape = 200 / 3 * (1061 / 5045 + 1534 / 7640 + 5739 / 11845)
    assert smape(actual, naive) == pytest.approx(expected_smape)
    band = Forecast(naive, np.full(3, 2000.0), np.full(3, 5000.0), np.full(3, 1000.0), np.full(3, 9000.0))
    result = score("naive", y, Plan(3, (6,)), [band], season_length=1)
    assert result.mase == pytest.approx(2778 / 2083)
    assert result.coverage80 == pytest.approx(1 / 3)          # only 4587 lies in [2000, 5000]
    assert result.coverage95 == 1.0


def test_flat_history_has_no_mase_and_a_failed_origin_fails_the_model():
    assert math.isnan(mase(np.array([2.0]), np.array([1.0]), naive_scale(np.array([1.0, 1.0, 1.0]))))
    assert mase(np.array([1.0]), np.array([1.0]), 0.0) == 0.0
    y = np.array(VC_CHN)
    ok = Forecast(*(np.full(1, v) for v in (3053.0, 2000.0, 4000.0, 1000.0, 5000.0)))
    assert not score("x", y, Plan(1, (6, 7)), [ok, None], 1).ok


def test_backtest_and_choice_prefer_a_trend_model_on_a_growing_series():
    dates, values = real_series("IP.PAT.RESD", "CHN")   # resident patents, 1985-2021, growing almost every year
    y = np.array(values)
    scores = run_backtest(y, dates[0], SeriesContext("A", lower=0.0), ["naive", "ets", "mean(naive,ets)"],
                          make_plan(len(y), 6, 3))
    assert scores["ets"].mase < 0.5 * scores["naive"].mase
    assert scores["naive"].mase > scores["mean(naive,ets)"].mase > scores["ets"].mase
    assert scores["ets"].origins == 3 and scores["ets"].horizon == 6
    # Clearly better at every origin: ets replaces the default naive model.
    choice = choose(scores, "naive", switch_margin=0.2, fallback="drift")
    assert choice.model == "ets" and "every backtest origin" in choice.reason


def test_the_default_stays_unless_clearly_and_consistently_beaten():
    def s(name, mases):
        return ModelScore(name, 6, 3, float(np.mean(mases)), 10.0, 0.8, 0.95, per_origin_mase=list(mases))
    combo = s("mean(ets,holt)", [1.0, 1.0, 1.0])
    slightly = {"mean(ets,holt)": combo, "drift": s("drift", [0.9, 0.9, 0.9])}
    assert choose(slightly, "mean(ets,holt)", 0.2, "naive").model == "mean(ets,holt)"
    clearly = {"mean(ets,holt)": combo, "drift": s("drift", [0.5, 0.6, 0.7])}
    assert choose(clearly, "mean(ets,holt)", 0.2, "naive").model == "drift"
    assert choose(clearly, "mean(ets,holt)", 1.0, "naive").model == "mean(ets,holt)"   # 1: never switch
    once = {"mean(ets,holt)": combo, "drift": s("drift", [0.1, 0.2, 1.1])}       # lower mean, not every origin
    assert choose(once, "mean(ets,holt)", 0.2, "naive").model == "mean(ets,holt)"


def test_without_a_scored_default_the_simplest_near_best_wins_and_nothing_scored_falls_back():
    def s(name, value):
        return ModelScore(name, 6, 3, value, 10.0, 0.8, 0.95, per_origin_mase=[value] * 3)
    failed = s("mean(ets,holt)", math.nan)
    assert choose({"mean(ets,holt)": failed, "ets": s("ets", 1.00), "drift": s("drift", 1.03)},
                  "mean(ets,holt)", 0.2, "naive").model == "drift"
    assert choose({"ets": s("ets", 1.00), "drift": s("drift", 1.20)}, "mean(ets,holt)", 0.2, "naive").model == "ets"
    fallback = choose({"ets": s("ets", math.nan)}, "mean(ets,holt)", 0.2, "drift")
    assert fallback.model == "drift" and "no model" in fallback.reason


def test_short_gaps_are_filled_and_history_before_a_long_gap_dropped():
    import pandas as pd
    years = [pd.Timestamp(y, 1, 1) for y in (2000, 2001, 2005, 2006, 2008, 2009)]
    dates, y, filled, dropped = regular_series(years, [1, 2, 3, 4, 6, 7], "A")
    assert list(dates.year) == [2005, 2006, 2007, 2008, 2009]
    assert list(y) == [3, 4, 5, 6, 7] and filled == 1 and dropped == 2
