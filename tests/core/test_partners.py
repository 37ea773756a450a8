"""The partner dimension: bilateral series keys, catalog partners, first-class trade fields in the store."""

from __future__ import annotations

import pytest

from autarky.app import load_catalog
from autarky.catalog import parse_series_key, partner_series, series_key, split_series_key
from autarky.errors import CatalogError
from autarky.snapshot import load_snapshot
from autarky.store import SeriesSpec


def test_world_keys_are_unchanged_and_bilateral_keys_have_four_parts():
    assert series_key("comtrade", "CT.8542.M", "CHN") == "comtrade:CT.8542.M:CHN"
    assert series_key("comtrade", "CT.8542.M", "CHN", "WLD") == "comtrade:CT.8542.M:CHN"
    assert series_key("comtrade", "CT.8542.M", "CHN", "USA") == "comtrade:CT.8542.M:CHN:USA"
    assert parse_series_key("comtrade:CT.8542.M:CHN:USA") == ("comtrade", "CT.8542.M", "CHN", "USA")
    assert parse_series_key("wb:IP.PAT.RESD:CHN") == ("wb", "IP.PAT.RESD", "CHN", None)
    assert split_series_key("comtrade:CT.8542.M:CHN:USA") == ("comtrade", "CT.8542.M", "CHN")
    with pytest.raises(CatalogError, match="source:INDICATOR:REPORTER:PARTNER"):
        parse_series_key("a:b:c:d:e")


def test_catalog_partners_and_trade_fields(catalog):
    korea = catalog.indicator("KR.8542.X")
    assert (korea.partners, korea.hs, korea.flow, korea.frequency) == (("CHN",), "8542", "X", "M")
    assert partner_series(korea) == [("KOR", None), ("KOR", "CHN")]
    assert catalog.indicator("GACC.84862039.M").hs == "84862039"
    spec = SeriesSpec.for_indicator(korea, "KOR", "CHN")
    assert (spec.key, spec.partner, spec.flow, spec.hs) == ("kortrade:KR.8542.X:KOR:CHN", "CHN", "X", "8542")


def test_bad_partner_list_names_the_field(tmp_path):
    extra = {"indicator": [{"code": "X.1", "name": "x", "category": "trade", "source": "comtrade", "unit": "US$",
                            "frequency": "A", "direction": -1, "partners": ["usa"]}]}
    with pytest.raises(CatalogError, match=r"indicator #1 \(X.1\): field 'partners'"):
        load_catalog(extra=extra)


def test_store_keeps_partner_flow_and_hs(sqlite_store, catalog):
    load_snapshot(sqlite_store, catalog)
    series = sqlite_store.series(keys=["kortrade:KR.8542.X:KOR:CHN", "comtrade:CT.848620.M:CHN"]).set_index("key")
    assert series.loc["kortrade:KR.8542.X:KOR:CHN", ["partner", "flow", "hs", "frequency"]].tolist() == [
        "CHN", "X", "8542", "M"]
    assert series.loc["comtrade:CT.848620.M:CHN", ["partner", "hs"]].tolist() == ["WLD", "848620"]
    frame = sqlite_store.observations(keys=["kortrade:KR.8542.X:KOR:CHN"])
    assert set(frame["partner"]) == {"CHN"}
