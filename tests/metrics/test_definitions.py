"""Metric definitions: added to the catalog at load, trade pairs discovered, bad config named precisely."""

from __future__ import annotations

import json

import pytest

from autarky.app import load_catalog
from autarky.config import load_config
from autarky.errors import MetricsError
from autarky.metrics.definitions import DERIVED_SOURCE, build_definitions, trade_pairs

USER_TRADE_PAIR = """
[[indicator]]
code = "CENSUS.8803.M"
name = "US imports of aircraft parts from China"
category = "trade"
source = "census"
unit = "US$"
frequency = "M"
direction = -1
countries = ["USA"]
params = { hs = "8803", flow = "M", partner = "5700" }

[[indicator]]
code = "CENSUS.8803.X"
name = "US exports of aircraft parts to China"
category = "trade"
source = "census"
unit = "US$"
frequency = "M"
direction = 1
countries = ["USA"]
params = { hs = "8803", flow = "X", partner = "5700" }
"""


def _catalog(tmp_path, text):
    path = tmp_path / "autarky.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(extra=load_config(path, environ={}).data, extra_origin=str(path)), path


def test_derived_indicators_join_the_catalog(catalog):
    share = catalog.indicator("SR.PAT.RESD.SHARE")
    assert (share.source, share.category, share.direction, share.frequency) == (DERIVED_SOURCE, "patent", 1, "A")
    assert share.formula == "IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES)"
    assert share.inputs == ("IP.PAT.RESD", "IP.PAT.NRES")
    assert (share.min, share.max) == (0.0, 1.0)
    assert share.countries == tuple(c for c in catalog.indicator("IP.PAT.RESD").countries
                                    if c in catalog.indicator("IP.PAT.NRES").countries)
    gap = catalog.indicator("SR.RD.GAP.USA")
    assert gap.formula == "GB.XPD.RSDV.GD.ZS / GB.XPD.RSDV.GD.ZS@USA"
    assert "United States" in gap.name
    index = catalog.indicator("SR.INDEX")
    assert (index.category, index.source, index.direction) == ("composite", DERIVED_SOURCE, 1)
    assert "WLD" not in index.countries and "EUU" not in index.countries and "CHN" in index.countries
    assert "base period 2010-2019" in index.formula


def test_trade_metrics_exist_for_every_catalog_pair_and_only_those(catalog):
    flows = {}
    for ind in catalog.indicators.values():
        if ind.source != DERIVED_SOURCE and ind.params.get("flow") in ("M", "X"):
            flows.setdefault((ind.source, ind.frequency, ind.params["hs"]), set()).add(ind.params["flow"])
    expected = {group for group, found in flows.items() if found == {"M", "X"}}
    assert expected  # the built-in catalog has Comtrade (annual and monthly) and Census pairs
    made = [catalog.indicator(code) for code in catalog.indicators if code.startswith("SR.TRADE.COVER.")]
    assert len(made) == len(expected)
    paired = set()
    for cover in made:
        exports, imports = (catalog.indicator(code) for code in cover.formula.split(" / "))
        assert (exports.params["flow"], imports.params["flow"]) == ("X", "M")
        assert (exports.source, exports.frequency, exports.params["hs"]) == (
            imports.source, imports.frequency, imports.params["hs"])
        assert cover.frequency == imports.frequency
        paired.add((imports.source, imports.frequency, imports.params["hs"]))
    assert paired == expected
    cover = catalog.indicator("SR.TRADE.COVER.8542")
    assert cover.formula == "CT.8542.X / CT.8542.M" and cover.direction == 1
    netimp = catalog.indicator("SR.TRADE.NETIMP.8542")
    assert netimp.formula == "(CT.8542.M - CT.8542.X) / (CT.8542.M + CT.8542.X)" and netimp.direction == -1
    assert (netimp.min, netimp.max) == (-1.0, 1.0)
    assert set(cover.sectors) == set(catalog.indicator("CT.8542.M").sectors)


def test_a_new_trade_pair_from_another_source_gets_its_own_metrics(tmp_path):
    catalog, _ = _catalog(tmp_path, USER_TRADE_PAIR)
    cover = catalog.indicator("SR.TRADE.COVER.CENSUS.8803.MONTHLY")
    assert cover.formula == "CENSUS.8803.X / CENSUS.8803.M"
    assert (cover.frequency, cover.countries) == ("M", ("USA",))
    assert catalog.indicator("SR.TRADE.COVER.8542").formula == "CT.8542.X / CT.8542.M"


def test_pairs_differing_only_in_other_params_are_told_apart(tmp_path):
    text = "".join(f"""
[[indicator]]
code = "T.{partner}.{flow}"
name = "Trade with partner {partner}"
category = "trade"
source = "comtrade"
unit = "US$"
frequency = "A"
direction = 1
countries = ["CHN"]
params = {{ hs = "TOTAL", flow = "{flow}", partner = "{partner}" }}
""" for partner in ("32", "276") for flow in ("M", "X"))
    catalog, _ = _catalog(tmp_path, text)
    assert catalog.indicator("SR.TRADE.COVER.TOTAL.32").formula == "T.32.X / T.32.M"
    assert catalog.indicator("SR.TRADE.NETIMP.TOTAL.276").inputs == ("T.276.M", "T.276.X")
    built_in = len(trade_pairs(load_catalog().indicators.values()))
    assert len(trade_pairs(catalog.indicators.values())) == built_in + 2  # the built-in pairs + 2 partners


def test_peers_from_config_make_one_gap_metric_each(tmp_path):
    catalog, _ = _catalog(tmp_path, '[metrics]\npeers = ["USA", "JPN"]\n')
    assert catalog.indicator("SR.RD.GAP.JPN").formula == "GB.XPD.RSDV.GD.ZS / GB.XPD.RSDV.GD.ZS@JPN"
    assert "SR.RD.GAP.USA" in catalog.indicators


def _metric(code, formula, inputs, **fields):
    """One [[metrics.metric]] table as TOML (JSON strings and arrays are valid TOML values)."""
    table = {"code": code, "name": code, "formula": formula, "inputs": inputs, "unit": "ratio", "direction": 1,
             "category": "patent", **fields}
    return "[[metrics.metric]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())


def test_user_metric_is_computed_like_the_built_in_ones(tmp_path):
    catalog, _ = _catalog(tmp_path, _metric("SR.USPTO.SEMI.SHARE", "NCSES.USPTO.SEMI / NCSES.USPTO.UTIL",
                                            ["NCSES.USPTO.SEMI", "NCSES.USPTO.UTIL"], sectors=["semiconductors"]))
    semi = catalog.indicator("SR.USPTO.SEMI.SHARE")
    assert "TWN" in semi.countries and semi.source == DERIVED_SOURCE
    assert semi.sectors == ("semiconductors",)


BOTH = ["IP.PAT.RESD", "IP.PAT.NRES"]


@pytest.mark.parametrize("entry, field, problem", [
    (_metric("SR.X", "IP.PAT.RESD / (IP.PAT.NRES", BOTH), "formula",
     "formula 'IP.PAT.RESD / (IP.PAT.NRES': expected ')', found the end"),
    (_metric("SR.X", "IP.PAT.RSED / IP.PAT.NRES", ["IP.PAT.RSED", "IP.PAT.NRES"]), "formula",
     "unknown input 'IP.PAT.RSED'"),
    (_metric("SR.X", "IP.PAT.RESD / IP.PAT.NRES", ["IP.PAT.RESD"]), "inputs",
     "does not list 'IP.PAT.NRES', which the formula reads"),
    (_metric("SR.X", "IP.PAT.RESD", ["IP.PAT.RESD", "NY.GDP.MKTP.CD"]), "inputs",
     "lists 'NY.GDP.MKTP.CD', which the formula does not read"),
    (_metric("SR.X", "NCSES.PCT.APPL@TWN / NY.GDP.MKTP.CD@TWN", ["NCSES.PCT.APPL", "NY.GDP.MKTP.CD"]), "formula",
     "TWN is not among the countries of NY.GDP.MKTP.CD"),
    (_metric("SR.X", "SR.X + 1", ["SR.X"]), "formula", "cycle: SR.X -> SR.X"),
    (_metric("IP.PAT.RESD", "IP.PAT.NRES", ["IP.PAT.NRES"]), "code", "already a catalog indicator"),
    (_metric("SR.X", "IP.PAT.RESD", ["IP.PAT.RESD"], colour="red"), "colour", "unknown field"),
    (_metric("SR.X", "IP.PAT.RESD", ["IP.PAT.RESD"], category="weather"), "category", "must be one of"),
    (_metric("SR.X", "2 * 3", []), "formula", "reads no input"),
])
def test_bad_metric_config_fails_naming_file_entry_and_field(tmp_path, entry, field, problem):
    with pytest.raises(MetricsError) as info:
        _catalog(tmp_path, entry)
    message = str(info.value)
    assert str(tmp_path / "autarky.toml") in message
    assert "metrics.metric #1" in message
    assert f"field '{field}'" in message
    assert problem in message


@pytest.mark.parametrize("settings, key, problem", [
    ('components = ["SR.PAT.RESD.SHARE", "NO.SUCH"]', "components", "unknown indicator 'NO.SUCH'"),
    ('components = ["SR.PAT.RESD.SHARE", "NY.GDP.MKTP.CD"]', "components", "direction 0"),
    ('weights = { "IP.PAT.RESD" = 2 }', "weights", "'IP.PAT.RESD' is not a component"),
    ('weights = { "GB.XPD.RSDV.GD.ZS" = -1 }', "weights", "must be a positive number"),
    ('normalisation = "rank"', "normalisation", "must be one of minmax, zscore"),
    ("min_components = 10", "min_components", "from 1 to 9"),
    ("pillars = { dependence = { code = \"DEP\", components = [\"SR.ROYL.COVER\"] } }", "pillars",
     "code must start with SR.INDEX."),
    ("pillars.a = { code = \"SR.INDEX.A\", components = [\"SR.ROYL.COVER\"] }\n"
     "pillars.b = { code = \"SR.INDEX.B\", components = [\"SR.ROYL.COVER\"] }", "pillars", "two pillars"),
    ("base_period = [2019, 2010]", "base_period", "must be a year or [first, last] years"),
    ('log = ["GB.XPD.RSDV.GD.ZS", "IP.PAT.RESD"]', "log", "must be a list of components"),
    ("carry_forward = -1", "carry_forward", "0 or more"),
    ("colour = 1", "colour", "unknown key"),
])
def test_bad_index_settings_name_the_key(tmp_path, settings, key, problem):
    with pytest.raises(MetricsError) as info:
        _catalog(tmp_path, f"[metrics.index]\n{settings}\n")
    message = str(info.value)
    assert f"{tmp_path / 'autarky.toml'}: [metrics.index] {key}: " in message
    assert problem in message


def test_ambiguous_trade_indicators_are_refused(tmp_path):
    second_import = USER_TRADE_PAIR.split("[[indicator]]")[1].replace('"CENSUS.8803.M"', '"CENSUS.8803.M2"')
    with pytest.raises(MetricsError) as info:
        _catalog(tmp_path, USER_TRADE_PAIR + "[[indicator]]" + second_import)
    assert "CENSUS.8803.M and CENSUS.8803.M2 are both flow M" in str(info.value)


def test_definitions_are_in_dependency_order(tmp_path):
    catalog, path = _catalog(tmp_path, _metric("SR.PAT.RESD.SHARE.PCT", "100 * SR.PAT.RESD.SHARE",
                                               ["SR.PAT.RESD.SHARE"], unit="%"))
    config = load_config(path, environ={})
    definitions = build_definitions(catalog, config.section("metrics"), str(path))
    codes = [m.code for m in definitions.metrics]
    assert codes.index("SR.PAT.RESD.SHARE") < codes.index("SR.PAT.RESD.SHARE.PCT")
    assert definitions.metric("SR.PAT.RESD.SHARE.PCT").input_keys("CHN") == ["derived:SR.PAT.RESD.SHARE:CHN"]


def test_index_defaults_fit_a_shorter_component_list(tmp_path):
    catalog, path = _catalog(tmp_path, '[metrics.index]\n'
                                       'components = ["SR.PAT.RESD.SHARE", "SR.ROYL.COVER", "GB.XPD.RSDV.GD.ZS"]\n')
    spec = build_definitions(catalog, load_config(path, environ={}).section("metrics"), str(path)).index
    assert spec.min_components == 3  # the file's 4 capped at the 3 components listed
    assert spec.log == {"SR.ROYL.COVER"}  # the file's log list, kept for the components still named
    assert spec.weights == {"SR.PAT.RESD.SHARE": 1.0, "SR.ROYL.COVER": 1.0, "GB.XPD.RSDV.GD.ZS": 1.0}
    assert "needs at least 3 of 3 components" in catalog.indicator("SR.INDEX").formula
