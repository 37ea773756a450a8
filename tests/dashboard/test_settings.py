"""Dashboard settings: the `[dashboard]` table through the one config parser; alert levels from the rules' parser."""

from __future__ import annotations

import pytest

from autarky.config import Config, load_config
from autarky.dashboard.settings import load_settings
from autarky.errors import ConfigError


def _settings(tmp_path, text):
    path = tmp_path / "autarky.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(load_config(path, environ={}))


def test_alert_levels_come_from_the_parsed_rules(tmp_path):
    settings = _settings(tmp_path, '''
[[alerts.rule]]
name = "share high"
kind = "threshold"
series = "derived:SR.PAT.RESD.SHARE:CHN"
above = 0.8
recover = 0.78

[[alerts.rule]]
name = "crossing"
kind = "forecast_crossing"
indicator = "GB.XPD.RSDV.GD.ZS"
countries = ["CHN"]
level = 3
by = 2030
p = 0.5

[[alerts.rule]]
name = "fall"
kind = "change"
indicator = "GB.XPD.RSDV.GD.ZS"
pct = 10
''')
    assert [(r.value, r.label) for r in settings.reference_lines("SR.PAT.RESD.SHARE", "CHN")] == [
        (0.8, "alert 'share high': above 0.8")]
    rd = [(r.value, r.label) for r in settings.reference_lines("GB.XPD.RSDV.GD.ZS", "CHN") if r.kind == "alert"]
    assert rd == [(3.0, "alert 'crossing': level 3")]  # a change rule has no level to draw
    assert [r.name for r in settings.rules] == ["share high", "crossing", "fall"]
    assert len(settings.alert_rules) == 3


def test_a_rule_the_alerts_stage_would_refuse_is_refused_here_too(tmp_path):
    # The old second parser drew a line at `value` (a field no kind has) and ignored the missing kind.
    with pytest.raises(ConfigError, match=r"alert rule #1 \(r\): field 'value': unknown field for kind threshold"):
        _settings(tmp_path, '[[alerts.rule]]\nname = "r"\nkind = "threshold"\nseries = "wb:A:CHN"\nabove = 1\n'
                            'value = 5\n')
    with pytest.raises(ConfigError, match=r"alert rule #1 \(r\): field 'kind': required"):
        _settings(tmp_path, '[[alerts.rule]]\nname = "r"\nseries = "wb:A:CHN"\nabove = 1\n')


@pytest.mark.parametrize("text, message", [
    ('[dashboard]\npeers = "USA"\n', r"\[dashboard\] peers: expected a list of ISO3 country codes, got the string"),
    ('[dashboard]\nfocus = "china"\n', r"\[dashboard\] focus: 'china' is not an ISO3 country code"),
    ('[dashboard]\nfocuss = "CHN"\n', r"\[dashboard\] focuss: unknown key; did you mean 'focus'\?"),
    ('[dashboard.cadence_days]\nwb = 0\n', r"\[dashboard.cadence_days\] wb: must be a positive number of days"),
    ('[[dashboard.targets]]\nindicator = "X"\nvalue = 1\n', r"\[dashboard.targets #1\] label: required"),
    ('[[dashboard.targets]]\nindicator = "X"\nvalue = 1\nlabel = "l"\nyear = "2030"\n',
     r"\[dashboard.targets #1\] year: expected a year such as 2030, got the string '2030'"),
])
def test_bad_dashboard_settings_name_the_table_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _settings(tmp_path, text)


def test_defaults_and_cadence_overrides():
    settings = load_settings(Config(data={"dashboard": {"cadence_days": {"wb": 3}, "builtin_targets": False}}))
    assert settings.cadence_days["wb"] == 3 and settings.cadence_days["comtrade"] == 31
    assert settings.targets == () and settings.focus == "CHN"
