"""The indicator catalog: built-in entries load, user entries merge, malformed entries name file, entry and field."""

from __future__ import annotations

import pytest

from autarky.app import load_catalog
from autarky.catalog import split_series_key
from autarky.config import load_config
from autarky.errors import CatalogError


def test_builtin_catalog_covers_bundled_and_trade_indicators(catalog):
    for code in ("IP.PAT.RESD", "IP.PAT.NRES", "GB.XPD.RSDV.GD.ZS", "NCSES.PCT.APPL", "CT.8542.M", "CT.8486.X"):
        assert code in catalog.indicators
    resd = catalog.indicator("IP.PAT.RESD")
    assert (resd.category, resd.direction, resd.frequency, resd.source) == ("patent", 1, "A", "wb")
    assert "CHN" in resd.countries and "WLD" in resd.countries
    assert catalog.attribution(resd) == "World Bank, World Development Indicators"
    assert catalog.licence(resd) == "CC BY 4.0"
    assert catalog.indicator("CT.8542.M").params == {"hs": "8542", "flow": "M"}
    assert catalog.indicator("CT.8542.M").direction == -1
    assert "TWN" in catalog.indicator("NCSES.USPTO.SEMI").countries


def test_user_indicator_from_config(tmp_path):
    path = tmp_path / "autarky.toml"
    path.write_text("""
[[indicator]]
code = "CHIP.SELF.SUFF"
name = "China IC self-sufficiency (industry estimate)"
category = "trade"
source = "file"
unit = "share"
frequency = "A"
direction = 1
countries = ["CHN"]
min = 0
max = 1
""")
    config = load_config(path, environ={})
    catalog = load_catalog(extra=config.data, extra_origin=str(path))
    chip = catalog.indicator("CHIP.SELF.SUFF")
    assert chip.countries == ("CHN",) and chip.max == 1.0
    assert "IP.PAT.RESD" in catalog.indicators


@pytest.mark.parametrize("entry, field, problem", [
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "A"', "direction", "required"),
    ('code = "X"\nname = "x"\ncategory = "weather"\nsource = "wb"\nunit = "u"\nfrequency = "A"\ndirection = 1',
     "category", "must be one of"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "nowhere"\nunit = "u"\nfrequency = "A"\ndirection = 1',
     "source", "unknown source 'nowhere'"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "W"\ndirection = 1',
     "frequency", "must be one of"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "A"\ndirection = 2',
     "direction", "must be 1, -1 or 0"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "A"\ndirection = 1\n'
     'countries = ["China"]', "countries", "ISO3"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "A"\ndirection = 1\n'
     'colour = "red"', "colour", "unknown field"),
    ('code = "X"\nname = "x"\ncategory = "trade"\nsource = "wb"\nunit = "u"\nfrequency = "A"\ndirection = 1\n'
     'min = 5\nmax = 1', "max", "below min"),
])
def test_malformed_entry_names_file_entry_and_field(tmp_path, entry, field, problem):
    path = tmp_path / "mine.toml"
    path.write_text('[[indicator]]\ncode = "OK"\nname = "ok"\ncategory = "trade"\nsource = "wb"\nunit = "u"\n'
                    f'frequency = "A"\ndirection = 1\n\n[[indicator]]\n{entry}\n')
    config = load_config(path, environ={})
    with pytest.raises(CatalogError) as info:
        load_catalog(extra=config.data, extra_origin=str(path))
    message = str(info.value)
    assert str(path) in message
    assert "indicator #2 (X)" in message
    assert f"field '{field}'" in message
    assert problem in message


def test_split_series_key():
    assert split_series_key("wb:IP.PAT.RESD:CHN") == ("wb", "IP.PAT.RESD", "CHN")
    with pytest.raises(CatalogError):
        split_series_key("IP.PAT.RESD")
