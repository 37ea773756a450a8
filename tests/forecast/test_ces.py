"""Complex exponential smoothing: statsforecast's fit follows the state-space recursion the analytic bands assume, and
those bands are the quantiles of paths simulated from that model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import AutoCES

from autarky.forecast.ces import ces, forecast_sd, transition
from autarky.forecast.interface import SeriesContext
from autarky.forecast.models import describe, get_model
from tests.support.forecast_data import real_series

SERIES = [("NY.GDP.MKTP.CD", "CHN"), ("IP.PAT.RESD", "CHN"), ("GB.XPD.RSDV.GD.ZS", "FRA")]


def _fit(y: np.ndarray) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AutoCES(season_length=1, model="N").fit(y).model_


@pytest.mark.parametrize("indicator,country", SERIES)
def test_statsforecast_states_follow_the_recursion(indicator, country):
    y = np.array(real_series(indicator, country)[1])
    fit = _fit(y)
    f, g = transition(fit["par"]["alpha_0"], fit["par"]["alpha_1"])
    states, errors = fit["states"], fit["residuals"]
    for t in range(len(y)):
        assert states[t, 0] == pytest.approx(fit["fitted"][t])                       # y_t = w'x_{t-1} + e_t
        assert states[t + 1] == pytest.approx(f @ states[t] + g * errors[t], rel=1e-9, abs=1e-9 * np.abs(y).max())


@pytest.mark.parametrize("indicator,country", SERIES)
def test_bands_are_the_quantiles_of_simulated_paths(indicator, country):
    y, h = np.array(real_series(indicator, country)[1]), 6
    ours, fit = ces(y, h), _fit(y)
    f, g = transition(ours["alpha_0"], ours["alpha_1"])
    rng = np.random.default_rng(0)
    n = 40_000
    x = np.tile(fit["states"][len(y)], (n, 1))
    paths = np.empty((n, h))
    for step in range(h):
        e = rng.normal(0.0, np.sqrt(ours["sigma2"]), n)
        paths[:, step] = x[:, 0] + e
        x = x @ f.T + np.outer(e, g)
    assert np.mean(paths, axis=0) == pytest.approx(ours["mean"], abs=0.02 * np.std(paths[:, -1]))
    for key, q in (("lo-95", 2.5), ("lo-80", 10), ("hi-80", 90), ("hi-95", 97.5)):
        half = np.abs(np.percentile(paths, q, axis=0) - ours["mean"])
        assert np.abs(ours[key] - ours["mean"]) == pytest.approx(half, rel=0.04), key


def test_the_bands_widen_with_the_horizon():
    sd = forecast_sd(1.8, 1.05, 4.0, 6)
    assert sd[0] == pytest.approx(2.0)                  # one step ahead: sigma
    assert np.all(np.diff(sd) > 0)


def test_registered_as_a_model_and_a_member():
    y = np.array(real_series("IP.PAT.RESD", "CHN")[1])
    fc = get_model("ces").forecast(y, pd.Timestamp("1985-01-01"), 6, SeriesContext(lower=0.0))
    assert np.all(fc.lo95 <= fc.lo80) and np.all(fc.lo80 < fc.mean) and np.all(fc.mean < fc.hi80)
    assert np.all(fc.hi80 <= fc.hi95) and np.all(fc.lo95 >= 0.0)
    assert "complex exponential smoothing" in describe("mean(ces,ets)")
