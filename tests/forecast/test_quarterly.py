"""Quarterly series end to end with the default settings: AutoETS kept whatever its rivals score, calibrated bands."""

from __future__ import annotations

import pandas as pd
import pytest

from autarky.forecast.datasets import us_employment
from autarky.forecast.engine import SeriesTask, default_settings, forecast_series
from autarky.forecast.interface import SeriesContext

QUARTERS = 80
# Real BLS series (bundled, monthly), summed to quarters: they differ in trend and seasonality.
SERIES = ("CEU1021100001", "CEU4300000001", "CEU6562300001", "CEU2023610001", "CEU9093161101")


def _quarterly(series_id: str) -> tuple[list[pd.Timestamp], list[float]]:
    monthly = us_employment().query("unique_id == @series_id").set_index("ds")["y"]
    quarterly = monthly.resample("QS").agg(["sum", "count"])
    quarterly = quarterly[quarterly["count"] == 3]["sum"].tail(QUARTERS)
    return list(quarterly.index), [float(v) for v in quarterly]


@pytest.fixture(scope="module")
def results():
    settings = default_settings("Q", {"samples": 0})
    out = []
    for series_id in SERIES:
        periods, values = _quarterly(series_id)
        out.append(forecast_series(SeriesTask(f"bls:{series_id}:USA", "Q", periods, values, SeriesContext("Q", lower=0),
                                              settings)))
    return out


def test_quarterly_default_is_autoets_kept_whatever_its_rivals_score(results):
    settings = default_settings("Q")
    assert (settings.default, settings.switch_margin) == ("ets", 1.0)
    assert all(r.status == "ok" and r.model == "ets" for r in results), [(r.key, r.status, r.model) for r in results]
    assert all("always the default ets" in r.reason for r in results)
    # The rule holds where it matters: some series has a rival with a lower backtest MASE at every origin, and still
    # keeps AutoETS.
    beaten = []
    for r in results:
        scores = {s.model: s for s in r.scores}
        default = scores["ets"]
        if any(name != "ets" and s.ok and all(a < b for a, b in zip(s.per_origin_mase, default.per_origin_mase))
               for name, s in scores.items()):
            beaten.append(r.key)
    assert beaten, "no series had a rival ahead at every origin: the test no longer checks the rule"


def test_quarterly_forecasts_have_eight_quarters_of_ordered_calibrated_bands(results):
    for r in results:
        assert len(r.dates) == 8 and r.dates[0] > pd.Timestamp("2019-01-01")
        assert {s.model for s in r.scores} >= {"ets", "naive", "snaive", "drift", "theta", "dotheta", "arima"}
        bands = pd.DataFrame(r.bands)
        assert (bands["lo95"] <= bands["lo80"]).all() and (bands["lo80"] <= bands["yhat"]).all()
        assert (bands["yhat"] <= bands["hi80"]).all() and (bands["hi80"] <= bands["hi95"]).all()
        assert r.details["calibration"]["points"] > 0
