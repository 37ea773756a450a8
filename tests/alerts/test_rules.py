"""Rule config: good rules load with their defaults; a bad one is refused with a message naming the rule and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from autarky.alerts.rules import load_rules
from autarky.config import load_config
from autarky.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "alerts.example.toml"


def rules_from(text: str):
    path = Path("autarky.toml")
    path.write_text(text, encoding="utf-8")
    return load_rules(load_config(path))


def test_the_example_file_loads_every_kind():
    rules = load_rules(load_config(EXAMPLE))
    assert {r.kind for r in rules} == {"threshold", "change", "forecast_crossing", "outside_band", "revision",
                                       "staleness"}
    assert len({r.name for r in rules}) == len(rules)


def test_the_example_rules_name_indicators_and_series_the_catalog_knows(catalog):
    from autarky.catalog import parse_series_key, partner_series

    for rule in load_rules(load_config(EXAMPLE)):
        if rule.indicator:
            assert rule.indicator in catalog.indicators, f"rule {rule.name!r}: unknown indicator {rule.indicator}"
            indicator = catalog.indicator(rule.indicator)
            assert set(rule.countries) <= set(indicator.countries), rule.name
            assert rule.partners == ("WLD",) or set(rule.partners) <= set(indicator.partners), rule.name
        for key in rule.series:
            source, code, country, partner = parse_series_key(key)
            assert catalog.indicator(code).source == source and country in catalog.indicator(code).countries, key
            assert partner is None or (country, partner) in partner_series(catalog.indicator(code)), key


def test_defaults_from_the_alerts_table_and_by_kind():
    rules = rules_from("""
[alerts]
recipients = ["analyst@example.org"]
repeat_after = "2d"

[[alerts.rule]]
name = "share"
kind = "threshold"
indicator = "IP.PAT.RESD"
countries = ["CHN"]
above = 0.8

[[alerts.rule]]
name = "jump"
kind = "change"
series = ["wb:IP.PAT.RESD:CHN", "wb:IP.PAT.RESD:USA"]
pct = 10
over = "year"
recipients = "desk@example.com"

[[alerts.rule]]
name = "P(70% by 2030)"
kind = "forecast_crossing"
series = "wb:IP.PAT.RESD:CHN"
level = 0.7
by = 2030
p = 0.5
""")
    share, jump, crossing = rules
    assert share.recipients == ("analyst@example.org",) and share.repeat_after == dt.timedelta(days=2)
    assert share.params.recover == 0.8 and share.notify_resolved and share.hold == 1
    assert share.target == "IP.PAT.RESD for CHN" and share.condition == "above 0.8"
    # Event kinds report each new input once: no reminders and no resolved notice unless asked.
    assert jump.recipients == ("desk@example.com",) and jump.repeat_after is None and not jump.notify_resolved
    assert jump.series == ("wb:IP.PAT.RESD:CHN", "wb:IP.PAT.RESD:USA")
    assert crossing.params.by == dt.date(2030, 12, 31) and crossing.params.recover_p == 0.5


def test_no_rules_is_fine():
    assert rules_from("") == []


RULE = '[[alerts.rule]]\nname = "china-share"\nkind = "threshold"\nseries = "wb:IP.PAT.RESD:CHN"\n'


@pytest.mark.parametrize("body, field, problem", [
    ('above = "high"', "above", "must be a number, got 'high'"),
    ("above = 0.8\nbelow = 0.2", "above", "give exactly one of 'above' or 'below'"),
    ("", "above", "give exactly one of 'above' or 'below'"),
    ("above = 0.8\nrecover = 0.9", "recover", "must be at or below 'above' (0.8) for hysteresis"),
    ("above = 0.8\nabove_level = 1", "above_level", "unknown field for kind threshold"),
    ('above = 0.8\nseverity = "urgent"', "severity", "must be one of info, warning, critical, got 'urgent'"),
    ('above = 0.8\nrecipients = ["analyst at example.org"]', "recipients", "is not an email address"),
    ('above = 0.8\nrecipients = ["a@example.org\\nBcc: x@evil.test"]', "recipients", "is not an email address"),
    ("above = 0.8\nhold = 0", "hold", "must be at least 1, got 0"),
    ('above = 0.8\nrepeat_after = "soon"', "repeat_after", "must be a duration such as '12h', '7d' or '2w'"),
    ('above = 0.8\ncountries = ["CHN"]', "countries", "goes with 'indicator', not with 'series'"),
    ("above = 0.8\nenabled = 1", "enabled", "must be true or false, got 1"),
])
def test_bad_rule_is_refused_naming_the_rule_and_the_field(body, field, problem):
    with pytest.raises(ConfigError) as error:
        rules_from(RULE + body)
    message = str(error.value)
    assert message.startswith(f"autarky.toml: alert rule #1 (china-share): field '{field}': ")
    assert problem in message


@pytest.mark.parametrize("table, field, problem", [
    ('name = "x"\nkind = "treshold"\nseries = "wb:A:CHN"', "kind", "must be one of threshold, change, "
                                                                   "forecast_crossing, outside_band"),
    ('name = "x"\nkind = "threshold"\nabove = 1', "series", "give either 'series'"),
    ('name = "x"\nkind = "threshold"\nseries = "IP.PAT.RESD"\nabove = 1', "series", "is not of the form"),
    ('name = "x"\nkind = "threshold"\nindicator = "wb:IP.PAT.RESD:CHN"\nabove = 1', "indicator",
     "for a series key use 'series'"),
    ('name = "x"\nkind = "threshold"\nindicator = "IP.PAT.RESD"\ncountries = ["China"]\nabove = 1', "countries",
     "must be ISO3 codes"),
    ('name = "x"\nkind = "change"\nseries = "wb:A:CHN"\npct = -5', "pct", "must be above 0"),
    ('name = "x"\nkind = "change"\nseries = "wb:A:CHN"\npct = 5\nover = "month"', "over", "must be one of period"),
    ('name = "x"\nkind = "forecast_crossing"\nseries = "wb:A:CHN"\nlevel = 0.7\nby = "soon"\np = 0.5', "by",
     "must be a date (2030-12-31) or a year (2030)"),
    ('name = "x"\nkind = "forecast_crossing"\nseries = "wb:A:CHN"\nlevel = 0.7\nby = 2030\np = 1.5', "p",
     "must be at most 1"),
    ('name = "x"\nkind = "outside_band"\nseries = "wb:A:CHN"\ninterval = 90', "interval", "must be 80 or 95"),
    ('name = "x"\nkind = "staleness"\nsource = "comtrade"', "days", "give 'days'"),
    ('name = "x"\nkind = "staleness"\nsource = "comtrade"\ndays = 60\nseries = "wb:A:CHN"', "series",
     "a staleness rule watches a collector, not series"),
    ('name = "x"\nkind = "revision"\nseries = "wb:A:CHN"', "pct", "required"),
])
def test_bad_kind_parameters_are_refused(table, field, problem):
    with pytest.raises(ConfigError) as error:
        rules_from(f"[[alerts.rule]]\n{table}\n")
    message = str(error.value)
    assert message.startswith(f"autarky.toml: alert rule #1 (x): field '{field}': ")
    assert problem in message


def test_rule_without_a_name_duplicate_names_and_unknown_settings():
    with pytest.raises(ConfigError, match=r"alert rule #1: field 'name': required"):
        rules_from('[[alerts.rule]]\nkind = "threshold"\n')
    with pytest.raises(ConfigError, match=r"alert rule #2 \(dup\): field 'name': duplicate of an earlier rule"):
        rules_from('[[alerts.rule]]\nname = "dup"\nkind = "revision"\nseries = "wb:A:CHN"\npct = 3\n' * 2)
    with pytest.raises(ConfigError, match=r"\[alerts\] recipient: unknown key; did you mean 'recipients'\?"):
        rules_from('[alerts]\nrecipient = ["a@example.org"]\n')
    with pytest.raises(ConfigError, match=r"alert rule #1: field 'name': must be one line"):
        rules_from('[[alerts.rule]]\nname = "two\\nlines"\nkind = "revision"\n')
