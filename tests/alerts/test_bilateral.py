"""Alert rules on bilateral series (four-part keys comtrade:IND:REPORTER:PARTNER), on the bundled Comtrade records."""

from __future__ import annotations

import pytest

from autarky.alerts.rules import load_rules
from autarky.config import load_config
from autarky.errors import ConfigError
from autarky.snapshot import snapshot_rows
from autarky.store import ObservationIn, SeriesSpec
from tests.support.alerts import T0, rule

USA_KEY = "comtrade:CT.8542.M:CHN:USA"
IMPORTS_FROM_USA_2024 = 11754177020.0  # autarky/data/snapshot/comtrade_bilateral.csv, as published


def load_bilateral(store, catalog):
    """China's IC imports from the USA, 2010-2024, from the bundled file, under the key the collector stores."""
    store.register_sources(catalog)
    store.register_series([SeriesSpec.for_indicator(catalog.indicator("CT.8542.M"), "CHN", "USA")])
    rows = snapshot_rows("comtrade_bilateral.csv")
    store.write_observations([ObservationIn(USA_KEY, int(r["period"]), r["value"]) for r in rows
                              if (r["indicator"], r["country"], r["partner"]) == ("CT.8542.M", "CHN", "USA")])


def test_a_threshold_rule_on_a_four_part_key_fires_on_the_bundled_value(store, catalog, smtp, checker):
    load_bilateral(store, catalog)
    report = checker(rule("china-ic-imports-from-usa", "threshold", series=USA_KEY, below=12e9, recover=13e9), T0)
    [outcome] = report.evaluation.outcomes
    assert outcome.target.key == USA_KEY and outcome.step.state.state == "firing"
    assert outcome.check.value == IMPORTS_FROM_USA_2024 and outcome.check.period.year == 2024
    [mail] = smtp.received
    assert "with United States" in mail.parts["text/plain"]


def test_an_indicator_rule_watches_the_named_partners_and_by_default_the_world_only(store, catalog, smtp,
                                                                                   checker):
    load_bilateral(store, catalog)
    by_partner = rule("by-partner", "change", indicator="CT.8542.M", countries=["CHN"], partners=["USA"], pct=15,
                      over="year", direction="up")
    world = rule("world", "change", indicator="CT.8542.M", countries=["CHN"], pct=15, over="year")
    report = checker(by_partner + world, T0)
    [outcome] = report.evaluation.outcomes
    assert outcome.rule.name == "by-partner" and outcome.target.key == USA_KEY
    assert outcome.target.label.endswith("China, with United States")
    # 2024 against 2023: 11,754,177,020 / 8,306,920,666 - 1 = +41.5%, beyond 15% up.
    assert outcome.check.holds and "41.5" in outcome.check.summary
    assert report.evaluation.warnings == ["rule world: no stored series of indicator CT.8542.M for CHN"]


@pytest.mark.parametrize("fields, message", [
    ({"series": USA_KEY, "partners": ["USA"]}, "field 'partners': goes with 'indicator'"),
    ({"indicator": "CT.8542.M", "partners": ["usa"]}, "field 'partners': must be ISO3 codes"),
    ({"series": "comtrade:CT.8542.M:CHN:USA:JPN"}, "source:INDICATOR:REPORTER:PARTNER"),
])
def test_bad_partner_targets_name_the_field(tmp_path, fields, message):
    path = tmp_path / "autarky.toml"
    path.write_text(rule("r", "threshold", above=1, **fields), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_rules(load_config(path))


def test_the_control_group_share_rule_of_the_example_file_fires(store, catalog, smtp, checker):
    from autarky.app import App
    from autarky.metrics.runner import recompute
    from tests.support.metrics import TOOLS_WORLD_2020, store_tool_imports

    store_tool_imports(store, catalog)
    recompute(App(_store=store), None)
    # The example rule: China's HS 848620 imports from USA+JPN+NLD below 70% of its imports from the World.
    report = checker(rule("tools-from-controlling-group", "threshold", indicator="SR.SUPPLY.CTRL.848620",
                          countries=["CHN"], below=0.7, recover=0.72), T0)
    [outcome] = report.evaluation.outcomes
    assert outcome.target.key == "derived:SR.SUPPLY.CTRL.848620:CHN" and outcome.step.state.state == "firing"
    assert outcome.check.value == pytest.approx(9.0e9 / TOOLS_WORLD_2020)  # 0.6587 in 2020
    assert len(smtp.received) == 1
