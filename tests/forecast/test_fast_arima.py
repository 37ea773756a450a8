"""The numpy ARIMA(0,2,1): statsforecast's forecast where both find the same optimum, a higher likelihood where
statsforecast's search stops short, and bands that behave like a local linear trend's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsforecast.models import ARIMA

from autarky.forecast.fast_arima import _objective, arima021
from autarky.forecast.interface import SeriesContext
from autarky.forecast.models import get_model
from tests.support.forecast_data import real_series


def _statsforecast(y: np.ndarray, h: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIMA(order=(0, 2, 1)).fit(y)
        return model, model.predict(h=h, level=[80, 95])


@pytest.mark.parametrize("indicator,country", [("NY.GDP.MKTP.CD", "CHN"), ("IP.PAT.RESD", "CHN")])
def test_matches_statsforecast_on_real_series(indicator, country):
    _, values = real_series(indicator, country)
    y = np.array(values)
    ours = arima021(y, 6)
    model, theirs = _statsforecast(y, 6)
    scale = np.mean(np.abs(np.diff(y)))          # the series' typical yearly change
    assert ours["theta"] == pytest.approx(model.model_["coef"]["ma1"], abs=0.02)
    assert np.max(np.abs(ours["mean"] - theirs["mean"])) < 0.02 * scale
    for key in ("lo-80", "hi-80", "lo-95", "hi-95"):
        half, their_half = np.abs(ours[key] - ours["mean"]), np.abs(theirs[key] - theirs["mean"])
        assert half == pytest.approx(their_half, rel=0.03), key


def test_finds_a_higher_likelihood_where_statsforecast_stops_short():
    _, values = real_series("GB.XPD.RSDV.GD.ZS", "FRA")    # France's R&D spending, % of GDP
    y = np.array(values)
    w = np.diff(y, n=2)
    ours = arima021(y, 6)
    model, _ = _statsforecast(y, 6)
    theirs = model.model_["coef"]["ma1"]
    assert abs(ours["theta"] - theirs) > 0.1, "this series should test the search"
    # The concentrated objective is -2 log-likelihood up to a constant: lower is a better fit.
    assert _objective(ours["theta"], w) < _objective(theirs, w) - 1.0


def test_bands_widen_with_the_horizon_and_nest():
    dates, values = real_series("IP.PAT.RESD", "KOR")
    fc = get_model("arima021_ml").forecast(np.array(values), dates[0], 8, SeriesContext("A"), n_paths=200, seed=2)
    width95, width80 = fc.hi95 - fc.lo95, fc.hi80 - fc.lo80
    assert np.all(np.diff(width95) > 0) and np.all(width80 > 0) and np.all(width80 < width95)
    assert np.allclose(fc.mean, (fc.lo95 + fc.hi95) / 2)
    assert fc.paths.shape == (200, 8)
    # A straight line has nothing left to forecast but itself.
    line = arima021(np.arange(10, dtype=float) * 3 + 1, 3)
    assert line["mean"] == pytest.approx([31.0, 34.0, 37.0])
    with pytest.raises(ValueError, match="at least 4 points"):
        arima021(np.array([1.0, 2.0, 3.0]), 2)
