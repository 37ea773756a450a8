"""Model wrappers: Prophet configured per kind of data, bounds respected, cmdstanpy silent, paths match the bands."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from autarky.forecast.interface import Forecast, SeriesContext, paths_from_bands
from autarky.forecast.models import combine, get_model
from autarky.forecast.prophet_model import build_prophet, lunar_new_year_share, prophet_changepoints, prophet_settings
from tests.support.forecast_data import real_series

ANNUAL = SeriesContext("A")


def test_annual_prophet_has_no_seasonality_and_few_changepoints_on_short_series():
    short, long = prophet_settings(10, ANNUAL, 1.0), prophet_settings(40, ANNUAL, 1.0)
    for settings in (short, long):
        assert settings["yearly_seasonality"] is False
        assert settings["weekly_seasonality"] is False and settings["daily_seasonality"] is False
        assert settings["growth"] == "linear"
    assert short["n_changepoints"] == 2       # 10 points, 80% range, one per 3 points
    assert long["n_changepoints"] == 10
    assert prophet_changepoints(5) == 1
    assert prophet_changepoints(500) == 25    # never more than Prophet's default


def test_monthly_prophet_has_yearly_seasonality_and_lunar_new_year_for_east_asia():
    china = SeriesContext("M", lower=0.0, lunar_new_year=True)
    settings = prophet_settings(60, china, 5.0)
    assert settings["yearly_seasonality"] is True
    assert settings["seasonality_mode"] == "multiplicative"
    model = build_prophet(60, china, 5.0, 10)
    assert "lunar_new_year" in model.extra_regressors
    assert "lunar_new_year" not in build_prophet(60, SeriesContext("M"), 5.0, 10).extra_regressors
    # Too short for a seasonal fit: no seasonality rather than a wild one.
    assert prophet_settings(20, china, 5.0)["yearly_seasonality"] is False


def test_lunar_new_year_share_splits_the_shutdown_between_months():
    # Spring Festival 2020 began on 25 January: the window 18 Jan - 8 Feb has 14 days in January, 7 in February.
    months = pd.date_range("2019-12-01", periods=4, freq="MS")
    share = lunar_new_year_share(months)
    assert share == pytest.approx([0.0, 14 / 21, 7 / 21, 0.0])
    # 2015: 19 February; the window 12 Feb - 4 Mar has 17 days in February, 4 in March.
    assert lunar_new_year_share(pd.DatetimeIndex(["2015-02-01", "2015-03-01"])) == pytest.approx([17 / 21, 4 / 21])


def test_bounded_share_grows_logistically_between_floor_and_cap():
    dates, values = real_series("TX.VAL.TECH.MF.ZS", "CHN")   # high-tech exports, % of manufactured exports
    share = SeriesContext("A", lower=0.0, upper=100.0)
    assert prophet_settings(len(values), share, min(values))["growth"] == "logistic"
    fc = get_model("prophet").forecast(np.array(values), dates[0], 6, share, n_paths=20, seed=1)
    for band in (fc.mean, fc.lo95, fc.hi95, fc.paths):
        assert np.all(band >= 0) and np.all(band <= 100)
    assert fc.paths.shape == (20, 6)
    assert np.all(fc.lo95 <= fc.mean) and np.all(fc.mean <= fc.hi95)


def test_non_negative_series_never_get_negative_forecasts():
    # China's venture capital fell 39% in 2022 after years of swings: unbounded bands reach below zero.
    dates, values = real_series("NCSES.VC.INV", "CHN")
    y = np.array(values)
    free = get_model("drift").forecast(y, dates[0], 6, ANNUAL, n_paths=50, seed=3)
    assert free.lo95.min() < 0, "this series should test the bound"
    for name in ("drift", "naive", "ets", "theta", "median(drift,theta,ets)"):
        fc = get_model(name).forecast(y, dates[0], 6, SeriesContext("A", lower=0.0), n_paths=50, seed=3)
        assert fc.lo95.min() >= 0 and fc.paths.min() >= 0, name


def test_cmdstanpy_is_silent(capfd, caplog):
    dates, values = real_series("IP.PAT.RESD", "KOR")
    with caplog.at_level(logging.DEBUG):
        get_model("prophet").forecast(np.array(values), dates[0], 3, ANNUAL, seed=1)
        get_model("prophet_default").forecast(np.array(values), dates[0], 3, ANNUAL, seed=1)
    out, err = capfd.readouterr()
    assert "cmdstanpy" not in out + err and "Chain" not in out + err
    assert not [r for r in caplog.records if r.name.startswith(("cmdstanpy", "prophet"))]
    assert logging.getLogger("cmdstanpy").propagate is False


def test_paths_match_the_bands_and_move_like_a_random_walk():
    mean, lo95, hi95 = np.array([10.0, 11.0, 12.0, 13.0]), np.array([8.0, 7.0, 6.0, 5.0]), np.array([12, 15, 18, 21.0])
    paths = paths_from_bands(mean, lo95, hi95, 20000, seed=7)
    assert np.quantile(paths, 0.025, axis=0) == pytest.approx(lo95, abs=0.1)
    assert np.quantile(paths, 0.975, axis=0) == pytest.approx(hi95, abs=0.2)
    assert np.median(paths, axis=0) == pytest.approx(mean, abs=0.05)
    # Random-walk correlation: corr(step 1, step 4) = sqrt(1/4).
    assert np.corrcoef(paths[:, 0], paths[:, 3])[0, 1] == pytest.approx(0.5, abs=0.03)


def test_combination_averages_members():
    a = Forecast(*(np.array([v]) for v in (1.0, 0.0, 2.0, -1.0, 3.0)))
    b = Forecast(*(np.array([v]) for v in (3.0, 2.0, 4.0, 1.0, 5.0)))
    both = combine([a, b], "mean")
    assert both.mean[0] == 2.0 and both.lo95[0] == 0.0 and both.hi95[0] == 4.0
    assert get_model("median( drift, theta,ets )").name == "median(drift,theta,ets)"
    with pytest.raises(KeyError, match="unknown model 'lstm'"):
        get_model("lstm")


def test_mixmedian_keeps_the_median_point_and_takes_the_bands_of_the_members_mixture():
    """`mixmedian(...)`: the median point; bands are quantiles of the equal mixture of the members, each a two-piece
    normal through its point and band. Members that agree give their own bands back; members that disagree give bands
    between the members' extremes and wider than the median of their quantiles."""
    from scipy.stats import norm
    from autarky.forecast.models import describe
    one = Forecast(*(np.array([v]) for v in (10.0, 8.0, 13.0, 6.0, 15.0)))
    same = combine([one, one, one], "mixmedian")
    assert [same.lo95[0], same.lo80[0], same.mean[0], same.hi80[0], same.hi95[0]] == pytest.approx(
        [6.0, 8.0, 10.0, 13.0, 15.0], abs=1e-9)
    low = Forecast(*(np.array([v]) for v in (0.0, -1.0, 1.0, -2.0, 2.0)))
    high = Forecast(*(np.array([v]) for v in (10.0, 9.0, 11.0, 8.0, 12.0)))
    mixed, median = combine([low, high, one], "mixmedian"), combine([low, high, one], "median")
    assert mixed.mean[0] == median.mean[0] == 10.0
    assert -2.0 < mixed.lo95[0] < median.lo95[0] and median.hi95[0] <= mixed.hi95[0] <= 15.0
    # The lower 95% bound is the mixture's 2.5% quantile: the three members' probabilities below it average 0.025.
    z95 = norm.ppf(0.975)
    below = [norm.cdf((mixed.lo95[0] - c) / ((c - lo) / z95)) for c, lo in ((0.0, -2.0), (10.0, 8.0), (10.0, 6.0))]
    assert np.mean(below) == pytest.approx(0.025, abs=1e-6)
    assert "equal mixture" in describe("mixmedian(ets,ets_log,dotheta_log,arima)")
    assert get_model("mixmedian(ets,dotheta)").how == "mixmedian"


def test_prophet_is_backtested_on_monthly_series_with_the_lunar_new_year_only(catalog):
    from autarky.forecast.engine import default_settings
    from autarky.forecast.runner import series_context
    assert series_context(catalog, "comtrade:CT.8542.M:CHN", "M").lunar_new_year is True
    assert series_context(catalog, "comtrade:CT.8542.M:USA", "M").lunar_new_year is False
    assert series_context(catalog, "hkg_imports:8486:Japan:HKG", "M") == SeriesContext("M", lunar_new_year=True)
    assert series_context(catalog, "vnm_exports:Cao su:VNM:extra", "M").lunar_new_year is False
    assert series_context(catalog, "wb:TX.VAL.TECH.MF.ZS:CHN", "A") == SeriesContext("A", lower=0.0, upper=100.0)
    monthly = default_settings("M")
    assert "prophet" in monthly.backtested(holidays=True) and "prophet" not in monthly.backtested()
    assert monthly.backtested()[0] == monthly.default == "median(ets,ets_log,dotheta_log,arima)"
    assert "prophet" not in default_settings("A").backtested(holidays=True)


def test_every_model_is_described_and_a_combination_names_its_weights():
    from autarky.forecast.models import SINGLE_MODELS, describe
    assert all(model.summary for model in SINGLE_MODELS.values())
    text = describe("mean(arima_ml2,arima_ml2,arima_ml2,arima021_ml)")
    assert text.startswith("the mean of") and "weight 3/4" in text and "weight 1/4" in text
    assert "weight" not in describe("median(drift,damped,dotheta)")
    assert "middle two" not in describe("median(drift,damped,dotheta)")
    assert describe("median(ets,ets_log,dotheta_log,arima)").startswith("the median (at each step the mean of the middle "
                                                                       "two) of the forecasts and bands of ets (")
    assert describe("dotheta") == SINGLE_MODELS["dotheta"].summary
    assert describe("no-such-model") == "no-such-model"


def test_a_member_named_twice_is_fitted_once(monkeypatch):
    from autarky.forecast import models
    calls = []
    real = models.member_forecast

    def counting(model, *args, **kwargs):
        calls.append(model.name)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(models, "member_forecast", counting)
    y = np.arange(1.0, 21.0) + np.sin(np.arange(20.0))
    fc = models.get_model("mean(drift,drift,drift,naive)").forecast(y, pd.Timestamp("2000-01-01"), 3, SeriesContext("A"))
    assert sorted(calls) == ["drift", "naive"]
    drift = real(models.get_model("drift"), y, pd.Timestamp("2000-01-01"), 3, SeriesContext("A"), 0).mean
    assert fc.mean == pytest.approx((3 * drift + y[-1]) / 4)


def test_statsforecast_reuses_frozen_normal_distributions_and_forecasts_are_unchanged():
    from scipy import stats
    import statsforecast.distributions as distributions
    y = np.array([3.0, 4.0, 6.0, 5.0, 8.0, 9.0, 8.5, 11.0])
    fc = get_model("naive").forecast(y, pd.Timestamp("2000-01-01"), 4, SeriesContext("A"))   # installs the cache
    normal = distributions.frozen_error_distribution(1.0, "normal")
    assert distributions.frozen_error_distribution(1.0, "normal") is normal
    assert normal.ppf(0.975) == pytest.approx(stats.norm.ppf(0.975))
    student = distributions.frozen_error_distribution(1.0, "t", {"df": 4.0})
    assert student is not distributions.frozen_error_distribution(1.0, "t", {"df": 4.0})
    assert student.ppf(0.975) == pytest.approx(stats.t(df=4.0).ppf(0.975))
    # The naive forecast's bands as statsforecast defines them: sigma from the one-step changes, times sqrt(h).
    sigma = np.sqrt(np.mean(np.diff(y) ** 2))
    steps = np.sqrt(np.arange(1, 5))
    assert fc.hi95 == pytest.approx(y[-1] + stats.norm.ppf(0.975) * sigma * steps)
    assert fc.lo80 == pytest.approx(y[-1] - stats.norm.ppf(0.9) * sigma * steps)


def test_log_models_forecast_the_logarithms_and_map_back_by_exp():
    """`ets_log` is AutoETS on log y with everything exp'd back: the bands stay the same quantiles, ordered and
    positive; a series with a value at or below zero is fitted as it is."""
    from statsforecast.models import AutoETS
    from autarky.forecast.datasets import us_employment
    y = us_employment().query("unique_id == 'CEU1021100001'")["y"].to_numpy()[-120:]
    start, monthly = pd.Timestamp("2010-01-01"), SeriesContext("M")
    ours = get_model("ets_log").forecast(y, start, 12, monthly, n_paths=50, seed=1)
    theirs = AutoETS(season_length=12).forecast(y=np.log(y), h=12, level=[80, 95])
    assert ours.mean == pytest.approx(np.exp(theirs["mean"]))
    assert ours.hi95 == pytest.approx(np.exp(theirs["hi-95"])) and ours.lo80 == pytest.approx(np.exp(theirs["lo-80"]))
    assert np.all(0 < ours.lo95) and np.all(ours.lo95 < ours.lo80) and np.all(ours.lo80 < ours.mean)
    assert np.all(ours.mean < ours.hi80) and np.all(ours.hi80 < ours.hi95) and ours.paths.shape == (50, 12)
    # Not the same as AutoETS on the levels: the transform is applied.
    assert not np.allclose(ours.mean, get_model("ets").forecast(y, start, 12, monthly).mean)
    crossing = y - y.mean()                    # negative values: no logarithm, the model as it is
    raw = get_model("dotheta").forecast(crossing, start, 12, monthly)
    assert get_model("dotheta_log").forecast(crossing, start, 12, monthly).mean == pytest.approx(raw.mean)


def test_boxcox_models_use_guerreros_lambda_between_log_and_levels_and_map_back():
    """`<model>_bc` fits the model to a Box-Cox transform with lambda by Guerrero's method (R's BoxCox.lambda), kept
    within 0-1, and maps the point and bands back: AutoETS's forecast of the transformed series, inverted; the naive
    forecast stays the last value (any monotone transform keeps it); a series with a value at or below zero is fitted
    as it is."""
    from coreforecast.scalers import boxcox_lambda
    from statsforecast.models import AutoETS
    from autarky.forecast.datasets import us_employment
    from autarky.forecast.models import BOXCOX_RANGE
    y = us_employment().query("unique_id == 'CEU1021100001'")["y"].to_numpy()[-120:]
    start, monthly = pd.Timestamp("2010-01-01"), SeriesContext("M")
    lam = boxcox_lambda(y, "guerrero", season_length=12, lower=0.0, upper=1.0)
    assert BOXCOX_RANGE == (0.0, 1.0) and 0.0 < lam < 1.0
    ours = get_model("ets_bc").forecast(y, start, 12, monthly, n_paths=50, seed=1)
    theirs = AutoETS(season_length=12).forecast(y=(y ** lam - 1) / lam, h=12, level=[80, 95])
    back = lambda z: (lam * z + 1) ** (1 / lam)
    assert ours.mean == pytest.approx(back(theirs["mean"])) and ours.lo95 == pytest.approx(back(theirs["lo-95"]))
    assert np.all(0 < ours.lo95) and np.all(ours.lo95 < ours.lo80) and np.all(ours.lo80 < ours.mean)
    assert np.all(ours.mean < ours.hi80) and np.all(ours.hi80 < ours.hi95) and ours.paths.shape == (50, 12)
    assert not np.allclose(ours.mean, get_model("ets_log").forecast(y, start, 12, monthly).mean)
    # Populations: the transformed values run to the thousands, and the inverse maps them back without a cap.
    annual = np.array([3.0, 4.1, 5.0, 6.8, 7.1, 9.5, 11.0, 12.2, 15.9, 18.0]) * 1e7
    assert get_model("naive_bc").forecast(annual, start, 4, SeriesContext("A")).mean == pytest.approx(np.full(4, 18e7))
    crossing = y - y.mean()
    raw = get_model("dotheta").forecast(crossing, start, 12, monthly)
    assert get_model("dotheta_bc").forecast(crossing, start, 12, monthly).mean == pytest.approx(raw.mean)


def test_mstl_forecasts_the_robust_season_and_falls_back_to_ets_without_one():
    """`mstl` is statsforecast's MSTL (robust STL season, AutoETS without season on the adjusted series): its forecast
    repeats the last year's seasonal shape, ordered bands around it; with too short a history for a season it is the
    non-seasonal AutoETS."""
    from statsforecast.models import AutoETS
    from autarky.forecast.datasets import us_employment
    y = us_employment().query("unique_id == 'CEU1021100001'")["y"].to_numpy()[-120:]
    start, monthly = pd.Timestamp("2010-01-01"), SeriesContext("M")
    fc = get_model("mstl").forecast(y, start, 24, monthly)
    steps = np.diff(fc.mean)
    assert np.corrcoef(steps[:11], steps[12:23])[0, 1] > 0.9        # the same shape in both forecast years
    assert np.std(steps) > 0.1 * np.std(np.diff(y[-24:]))              # and a real season, not a flat line
    assert np.all(fc.lo95 < fc.lo80) and np.all(fc.lo80 < fc.mean) and np.all(fc.mean < fc.hi80)
    assert np.all(fc.hi80 < fc.hi95)
    short = y[-20:]                                                   # under two seasons and a point
    assert get_model("mstl").forecast(short, start, 6, monthly).mean == pytest.approx(
        AutoETS(model="ZZN").forecast(y=short, h=6)["mean"])
