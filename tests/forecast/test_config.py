"""The `[forecast]` section: read by the one config parser; a wrong type names the file, the table and the key."""

from __future__ import annotations

import pytest

from autarky.config import load_config
from autarky.errors import ConfigError
from autarky.forecast.engine import DEFAULT_CANDIDATES, default_settings, forecast_section


def _config(tmp_path, text, environ=None):
    path = tmp_path / "autarky.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ=environ or {}), str(path)


def test_candidates_as_one_string_is_refused_not_split_into_letters(tmp_path):
    config, path = _config(tmp_path, '[forecast]\ncandidates = "ets"\n')
    with pytest.raises(ConfigError) as caught:
        forecast_section(config)
    assert str(caught.value) == f"{path} [forecast] candidates: expected a list of model names, got the string 'ets'"


def test_the_environment_variable_is_named_when_it_set_the_value(tmp_path):
    config, _ = _config(tmp_path, "", {"AUTARKY_FORECAST__CANDIDATES": "ets"})
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_FORECAST__CANDIDATES \[forecast\] "
                                          r"candidates: expected a list of model names, got the string 'ets'$"):
        forecast_section(config)
    config, _ = _config(tmp_path, "", {"AUTARKY_FORECAST__SAMPLES": "50"})
    assert default_settings("A", forecast_section(config)).samples == 50


@pytest.mark.parametrize("text, message", [
    ('[forecast.candidates]\nanual = ["ets"]\n', r"\[forecast.candidates\] anual: unknown key; did you mean 'annual'\?"),
    ('[forecast.default]\nmonthly = "etz"\n', r"\[forecast.default\] monthly: unknown model 'etz' \(known: naive,"),
    ('[forecast]\nhorizon = 0\n', r"\[forecast\] horizon: must be above 0, got 0$"),
    ('[forecast]\nsamples = "300"\n', r"\[forecast\] samples: expected a whole number, got the string '300'$"),
    ('[forecast]\nexecutor = "cluster"\n', r"\[forecast\] executor: expected one of 'local', 'dask', got the string "),
    ('[forecast]\norigin = 3\n', r"\[forecast\] origin: unknown key; did you mean 'origins'"),
])
def test_bad_forecast_settings_name_the_key(tmp_path, text, message):
    config, _ = _config(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        forecast_section(config)


def test_per_frequency_tables_and_single_values(tmp_path):
    config, _ = _config(tmp_path, '[forecast]\nsamples = 0\nswitch_margin = 0.5\n[forecast.candidates]\n'
                                  'monthly = ["drift", "theta"]\n[forecast.horizon]\nannual = 4\n')
    section = forecast_section(config)
    monthly, annual = default_settings("M", section), default_settings("A", section)
    assert monthly.candidates == ("drift", "theta") and annual.candidates == DEFAULT_CANDIDATES["A"]
    assert (annual.horizon, monthly.horizon, monthly.switch_margin, annual.samples) == (4, 24, 0.5, 0)
    # A plain table (the benchmarks pass one) goes through the same parser.
    assert default_settings("M", {"candidates": {"monthly": ["drift"]}}).candidates == ("drift",)
    with pytest.raises(ConfigError, match=r"\[forecast\] candidates: expected a list of model names"):
        default_settings("M", {"candidates": "drift"})
