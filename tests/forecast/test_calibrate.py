"""Calibrated bands: the conformal factor, coverage on real series, paths and crossing probabilities that agree."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from autarky.forecast.backtest import ModelScore, band_ratios
from autarky.forecast.calibrate import FACTOR_RANGE, Calibration, calibrated, calibration, factor
from autarky.forecast.engine import DEFAULT_MODEL, SeriesTask, default_settings, forecast_series
from autarky.forecast.interface import Forecast, SeriesContext
from autarky.snapshot import snapshot_rows

HORIZON = 6


def test_ratios_measure_errors_in_half_widths_on_the_errors_side():
    actual, mean = np.array([12.0, 9.0, 10.0]), np.array([10.0, 10.0, 10.0])
    lower, upper = np.array([9.0, 8.0, 10.0]), np.array([14.0, 11.0, 10.0])
    # +2 against an upper half-width of 4; -1 against a lower one of 2; the last point has no width: left out.
    assert band_ratios(actual, mean, lower, upper) == [0.5, 0.5]


def test_factor_is_the_conformal_quantile_and_stays_in_range():
    ratios = [float(v) for v in range(1, 20)]          # 19 points: rank ceil(0.95 * 20) = 19, the largest
    assert factor(ratios, 0.95) == 6.0                   # 19 clipped to the upper bound
    assert factor([r / 10 for r in ratios], 0.95) == pytest.approx(1.9)
    assert factor([r / 10 for r in ratios], 0.80) == pytest.approx(1.6)   # rank ceil(0.8 * 20) = 16
    assert factor([0.01] * 10, 0.8) == FACTOR_RANGE[0]
    assert factor([3.0] * 5, 0.95) == 1.0                # too few points: unchanged


def test_calibrated_bands_scale_around_the_point_and_keep_95_outside_80():
    fc = Forecast(*(np.array([v]) for v in (10.0, 9.0, 12.0, 8.0, 14.0)))
    out = calibrated(fc, Calibration(2.0, 1.5, 20), n_paths=0, seed=0)
    assert (out.lo80[0], out.hi80[0]) == (8.0, 14.0)
    assert (out.lo95[0], out.hi95[0]) == (7.0, 16.0)     # 1.5 x would give 7 and 16; both outside the 80% band
    none = calibration(ModelScore("x", 6, 3, float("nan"), float("nan"), float("nan"), float("nan")))
    assert none == Calibration()


def _wdi_long_series(count: int, min_years: int = 36) -> list[tuple[list[pd.Timestamp], list[float]]]:
    by_series: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for row in snapshot_rows("wdi.csv"):
        by_series[(row["indicator"], row["country"])][int(row["year"])] = float(row["value"])
    out = []
    for key in sorted(by_series):
        years = sorted(by_series[key])
        if len(years) >= min_years and years[-1] - years[0] == len(years) - 1:
            out.append(([pd.Timestamp(y, 1, 1) for y in years], [by_series[key][y] for y in years]))
    return out[:count]


def _coverage(series, calibrate: bool, widen_power: float | None = None) -> tuple[float, float]:
    table = {"default": "holt", "candidates": ["drift"], "switch_margin": 1.0, "samples": 0, "calibrate": calibrate}
    settings = default_settings("A", table | ({"widen_power": widen_power} if widen_power is not None else {}))
    in80, in95 = [], []
    for number, (dates, values) in enumerate(series):
        train = len(values) - HORIZON
        result = forecast_series(SeriesTask(f"wdi{number}", "A", dates[:train], values[:train], SeriesContext("A"),
                                            settings))
        actual = np.asarray(values[train:])
        bands = {k: np.asarray(v) for k, v in result.bands.items()}
        in80 += list((actual >= bands["lo80"]) & (actual <= bands["hi80"]))
        in95 += list((actual >= bands["lo95"]) & (actual <= bands["hi95"]))
    return float(np.mean(in80)), float(np.mean(in95))


def test_calibration_brings_out_of_sample_coverage_of_real_series_near_nominal():
    """Holt's own bands are far too narrow on real WDI series 6 years ahead; calibrated on its backtest, they widen.

    Measured: 95% coverage 0.63 raw, 0.85 widened in full, 0.76 widened by the square root (the annual rule); 80%
    coverage 0.47 raw, 0.69 in full (24 series, 144 points). One origin per series and three backtest origins a year
    apart leave it below nominal here. The annual rule takes the square root because the annual default's own bands
    are nearly right, and in full its 18-point backtests over-widened them (BENCHMARKS.md, round 4): on bands as
    wrong as Holt's here, it corrects less."""
    series = _wdi_long_series(24)
    assert len(series) == 24
    raw80, raw95 = _coverage(series, calibrate=False)
    cal80, cal95 = _coverage(series, calibrate=True, widen_power=1.0)
    assert raw95 < 0.75                          # the problem: Holt's model-based bands undercover
    assert 0.82 <= cal95 <= 1.0 and cal95 - raw95 >= 0.15
    assert 0.65 <= cal80 <= 0.95 and cal80 - raw80 >= 0.15
    _, root95 = _coverage(series, calibrate=True)
    assert default_settings("A").widen_power == 0.5
    assert raw95 + 0.05 <= root95 <= cal95 - 0.05


def test_paths_have_both_calibrated_bands_as_quantiles():
    from autarky.forecast.interface import paths_from_bands
    mean = np.array([10.0, 11.0, 12.0])
    lo80, hi80 = np.array([9.0, 9.0, 9.0]), np.array([12.0, 14.0, 16.0])
    lo95, hi95 = np.array([7.0, 6.0, 5.0]), np.array([15.0, 19.0, 24.0])
    paths = paths_from_bands(mean, lo95, hi95, 40000, seed=3, lo80=lo80, hi80=hi80)
    for q, band in ((0.025, lo95), (0.10, lo80), (0.5, mean), (0.90, hi80), (0.975, hi95)):
        assert np.quantile(paths, q, axis=0) == pytest.approx(band, abs=0.25)


def test_crossing_probability_from_stored_paths_agrees_with_the_calibrated_bands():
    """The chosen model's paths (what crossing probabilities are computed from) cross the calibrated 95% band's upper
    edge at a step with probability 2.5%, and the 80% band's with 10%."""
    dates, values = _wdi_long_series(1)[0]
    settings = default_settings("A", {"default": "holt", "candidates": ["drift"], "switch_margin": 1.0,
                                      "samples": 4000})
    result = forecast_series(SeriesTask("wdi", "A", dates, values, SeriesContext("A"), settings))
    assert result.details["calibration"]["factor95"] != 1.0          # the bands were actually rescaled
    assert "widened by the square root, narrowed by the square root" in result.reason   # the annual rule, in words
    paths = np.asarray(result.samples)
    last = HORIZON - 1
    above95 = float(np.mean(paths[:, last] >= result.bands["hi95"][last]))
    above80 = float(np.mean(paths[:, last] >= result.bands["hi80"][last]))
    assert above95 == pytest.approx(0.025, abs=0.01)
    assert above80 == pytest.approx(0.10, abs=0.02)
    assert "calibrated" in result.details["paths"]


def test_bench_model_lists_keep_combinations_whole_and_the_broader_pool_fits_real_data():
    from autarky.forecast.cli import split_models
    from autarky.forecast.models import get_model
    from autarky.forecast.select import choose
    from autarky.forecast.backtest import make_plan, run_backtest
    assert split_models("naive, mean(ets,holt,arima021),median(drift, dotheta)") == [
        "naive", "mean(ets,holt,arima021)", "median(drift, dotheta)"]
    dates, values = _wdi_long_series(1)[0]
    y = np.asarray(values)
    default = DEFAULT_MODEL["A"]
    pool = [default, "median(drift,damped,dotheta)", "damped", "dotheta"]
    plan = make_plan(len(y), HORIZON, 3)
    scores = run_backtest(y, dates[0], SeriesContext("A"), pool, plan)
    assert all(s.ok and len(s.ratios95) == 3 * HORIZON for s in scores.values())
    # The median of three members is the middle one at every step.
    members = [get_model(m).forecast(y, dates[0], HORIZON, SeriesContext("A")).mean for m in ("drift", "damped",
                                                                                               "dotheta")]
    median = get_model("median(drift,damped,dotheta)").forecast(y, dates[0], HORIZON, SeriesContext("A")).mean
    assert median == pytest.approx(np.median(np.stack(members), axis=0))
    # A member named twice weighs twice.
    search, ml = (get_model(m).forecast(y, dates[0], HORIZON, SeriesContext("A")).mean for m in ("arima_ml2",
                                                                                                 "arima021_ml"))
    weighted = get_model("mean(arima_ml2,arima_ml2,arima021_ml)").forecast(y, dates[0], HORIZON, SeriesContext("A"))
    assert weighted.mean == pytest.approx((2 * search + ml) / 3)
    assert not np.allclose(weighted.mean, (search + ml) / 2)
    # The annual rule keeps the default whatever its rivals score, and says so.
    settings = default_settings("A")
    choice = choose(scores, settings.default, settings.switch_margin, "drift")
    assert choice.model == settings.default == default and "default" in choice.reason
    assert "always the default" in settings.rule()
    # It says where the shipped default comes from, and does not claim that for a configured one.
    assert "held out from its design" in settings.rule()
    assert "held out" not in default_settings("A", {"default": {"annual": "holt"}}).rule()
    assert "held out" in default_settings("M", {"default": {"annual": "holt"}}).rule()
    switching = default_settings("M", {"switch_margin": {"monthly": 0.2}}).rule()
    assert "held out from its design" in switching and "unless a rival" in switching


def test_a_backtest_widens_bands_in_full_and_narrows_them_by_the_square_root():
    def scored(ratios):
        return ModelScore("x", 6, 3, 1.0, 1.0, 1.0, 1.0, ratios80=ratios, ratios95=ratios)
    wide = calibration(scored([r / 10 for r in range(1, 20)]))        # conformal factors 1.6 and 1.9: in full
    assert (wide.factor80, wide.factor95) == (pytest.approx(1.6), pytest.approx(1.9))
    calm = calibration(scored([r / 100 for r in range(1, 20)]))       # 0.16 and 0.19 clipped to 0.5, then sqrt
    assert calm.factor80 == pytest.approx(0.5 ** 0.5) and calm.factor95 == pytest.approx(0.5 ** 0.5)
    mixed = calibration(scored([0.25] * 17 + [4.0] * 2))              # 80%: 0.25 -> 0.5 -> sqrt; 95%: 4.0 in full
    assert (mixed.factor80, mixed.factor95) == (pytest.approx(0.5 ** 0.5), pytest.approx(4.0))
    annual = calibration(scored([r / 10 for r in range(1, 20)]), widen_power=0.5)   # widening by the square root
    assert (annual.factor80, annual.factor95) == (pytest.approx(1.6 ** 0.5), pytest.approx(1.9 ** 0.5))
    assert calibration(scored([r / 100 for r in range(1, 20)]), widen_power=0.5) == calm
