"""Issue 17 item 4: the explorer's Chart / Map / Table tabs, the offline world map (outlines bundled in the package)
and the Scorecard page, through Streamlit's AppTest on the bundled real data; values checked against the store."""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from autarky.dashboard import maps
from autarky.dashboard.formatting import format_change, format_value, plain
from autarky.dashboard.settings import AGGREGATES
from autarky.store import Store
from tests.support.apptest import open_app, release_streamlit_caches  # noqa: F401 (an autouse fixture)
from tests.support.dashboard import load_bundled, store_resident_share

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def url(tmp_path_factory, catalog):
    """What `autarky init` loads (the bundled snapshot) and the derived resident patent share."""
    address = f"sqlite:///{tmp_path_factory.mktemp('map') / 'map.db'}"
    store = Store(address)
    load_bundled(store, catalog)
    store_resident_share(store)
    store.close()
    return address


@pytest.fixture(scope="module")
def stored(url):
    """Read the store directly, as the assertions' reference: observations of some indicators, partner World."""
    store = Store(url)

    def read(*codes: str) -> pd.DataFrame:
        obs = store.observations(indicators=list(codes))
        return obs[obs["partner"] == "WLD"]

    yield read
    store.close()


def map_spec(at: AppTest) -> dict:
    [chart] = at.get("vega_lite_chart")
    return json.loads(chart.proto.spec)


def map_rows(spec: dict) -> dict[str, dict]:
    """The per-economy rows the map looks its outlines up in, by ISO 3166-1 numeric id."""
    [lookup] = [t for t in spec["transform"] if "lookup" in t]
    return {row["id"]: row for row in lookup["from"]["data"]["values"]}


def best_covered_year(obs: pd.DataFrame) -> int:
    """The latest year in which the most economies (aggregates left out) have a value, counted on the store."""
    counts = obs[~obs["country"].isin(AGGREGATES)].groupby(obs["period"].dt.year)["country"].nunique()
    return max(counts[counts == counts.max()].index)


# ---------------------------------------------------------------------------- the explorer's tabs and map
def test_explorer_has_chart_map_and_table_tabs(monkeypatch, url):
    at = open_app(monkeypatch, url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN,USA"})
    assert [t.label for t in at.tabs][:3] == ["Chart", "Map", "Table"]
    chart, world, table = at.tabs[0], at.tabs[1], at.tabs[2]
    assert len(chart.get("plotly_chart")) == 1 and len(world.get("vega_lite_chart")) == 1
    assert [b.label for b in table.get("download_button")] == ["Download CSV (history and forecasts)"]
    [wide] = [d.value for d in table.dataframe if d.value.index.name == "period"]
    assert wide.loc["2021", "China"] == 1426644 and list(wide.columns) == ["China", "United States"]
    assert "Data" not in [t.label for t in at.tabs]  # the values moved to Table, not shown twice


def test_the_map_draws_every_economy_of_the_latest_best_covered_year_and_taiwan(monkeypatch, url, stored):
    at = open_app(monkeypatch, url, "explorer", {"indicator": "NCSES.USPTO.SEMI", "countries": "CHN,TWN"})
    obs = stored("NCSES.USPTO.SEMI")
    year = best_covered_year(obs)
    assert at.select_slider(key="x_map_period").value == str(year)
    spec = map_spec(at)
    in_year = obs[obs["period"].dt.year == year].set_index("country")["value"]
    rows = map_rows(spec)
    taiwan, china = rows["158"], rows["156"]  # ISO 3166-1 numeric
    assert taiwan["economy"] == "Taiwan" and taiwan["value"] == in_year["TWN"]
    assert taiwan["label"] == format_value(in_year["TWN"], "patents") and taiwan["period"] == str(year)
    assert china["value"] == in_year["CHN"]
    with_value = {r["economy"] for r in rows.values() if r["value"] is not None}
    assert len(with_value) == len(set(in_year.index) - AGGREGATES - {"SGP"})
    # Singapore has a value but no outline at 1:110m: named under the map, not dropped silently.
    singapore = format_value(in_year["SGP"], "patents")
    assert plain(f"Too small for the 1:110m outlines, so not drawn: Singapore: {singapore}.") in [
        c.value for c in at.tabs[1].get("caption")]
    fiji = rows["242"]  # NCSES has no Fiji row: drawn grey, "no data" in its tooltip
    assert fiji["value"] is None and fiji["label"] == "no data"
    grey, shaded = spec["layer"]  # every outline in grey, those with a value coloured over it
    assert grey["mark"]["fill"] == maps.NO_DATA_COLOR and "color" not in grey["encoding"]
    assert shaded["encoding"]["color"]["field"] == "value"
    for layer in (grey, shaded):
        assert [t["field"] for t in layer["encoding"]["tooltip"]] == ["economy", "label", "period"]
    captions = [c.value for c in at.tabs[1].get("caption")]
    assert any("Source: NCSES" in c and "Licence: US public domain" in c and "Natural Earth" in c for c in captions)


def test_the_map_outlines_are_inlined_never_fetched(monkeypatch, url):
    at = open_app(monkeypatch, url, "explorer", {"indicator": "NCSES.USPTO.SEMI", "countries": "CHN"})
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["data"]["format"] == {"type": "topojson", "feature": "countries"}
    assert spec["data"]["values"]["objects"]["countries"]["geometries"]  # the outlines themselves, in the spec
    spec.pop("$schema")  # an identifier of the Vega-Lite version, not loaded by the browser
    flat = json.dumps(spec)
    assert '"url"' not in flat and "http" not in flat  # no data by address: nothing to fetch from a CDN


def test_the_map_period_a_share_in_percent_and_a_new_indicator(monkeypatch, url, stored):
    at = open_app(monkeypatch, url, "explorer", {"indicator": "SR.PAT.RESD.SHARE", "countries": "CHN"})
    at.select_slider(key="x_map_period").set_value("2010").run()
    share = stored("SR.PAT.RESD.SHARE")
    china_2010 = share[(share["country"] == "CHN") & (share["period"].dt.year == 2010)]["value"].item()
    china = map_rows(map_spec(at))["156"]
    assert china["period"] == "2010" and china["label"] == format_value(china_2010, "share")  # "72.8%", not 0.728
    assert china["value"] == pytest.approx(china_2010 * 100)
    assert at.query_params["map_period"] == "2010"
    at.selectbox(key="x_indicator").select("NCSES.USPTO.SEMI").run()  # its own best-covered year, not 2010's
    assert at.select_slider(key="x_map_period").value == str(best_covered_year(stored("NCSES.USPTO.SEMI")))
    assert "map_period" not in at.query_params
    linked = open_app(monkeypatch, url, "explorer", {"indicator": "SR.PAT.RESD.SHARE", "countries": "CHN",
                                                     "map_period": "2010"})
    assert linked.select_slider(key="x_map_period").value == "2010"


def test_map_frame_names_economies_outside_the_catalog_and_leaves_antarctica_out(catalog, stored):
    obs = stored("CT.848620.M")
    period = maps.default_period(obs)
    frame = maps.map_frame(obs, period, catalog, "US$", "A").set_index("iso3")
    assert maps.ANTARCTICA not in set(frame["id"])
    in_period = obs[obs["period"] == period].set_index("country")["value"]
    assert frame.loc["MYS", "economy"] == "Malaysia"  # named from the outlines (not a catalog country)
    assert frame.loc["MYS", "label"] == format_value(in_period["MYS"], "US$")
    assert frame.loc["USA", "economy"] == "United States"  # the catalog's name first
    hong_kong = in_period["HKG"]  # no outline at this scale: named from the ISO 3166 names
    assert f"Hong Kong: {format_value(hong_kong, 'US$')}" in maps.not_drawn(obs, period, catalog, "US$")


# ---------------------------------------------------------------------------- bundled geo files
def test_the_geo_files_are_package_data_and_resolve_through_importlib_resources():
    outlines = maps.resource(maps.OUTLINES)
    assert outlines.is_file() and json.loads(outlines.read_text(encoding="utf-8"))["type"] == "Topology"
    codes = list(csv.DictReader(io.StringIO(maps.resource(maps.NUMERIC_CODES).read_text(encoding="utf-8"))))
    pairs = {(row["numeric"], row["alpha3"]) for row in codes}
    assert {("158", "TWN"), ("156", "CHN")} <= pairs and len(codes) == 250
    assert maps.iso3_by_numeric()["840"] == "USA"
    # A non-editable install copies only the patterns of [tool.setuptools.package-data]: every geo file matches one.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["autarky.dashboard"]
    geo = sorted(p.relative_to(ROOT / "dashboard").as_posix() for p in (ROOT / "dashboard" / "geo").iterdir())
    assert geo == ["geo/README.md", "geo/countries-110m.json", "geo/iso3166-numeric.csv"]
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in geo), (geo, patterns)
    ids = {g.get("id") for g in json.loads(outlines.read_text(encoding="utf-8"))["objects"]["countries"]["geometries"]}
    assert ids - {None} <= set(maps.iso3_by_numeric())  # every outline with an id has its ISO3


# ---------------------------------------------------------------------------- scorecard
def test_scorecard_values_ranks_and_moves_are_the_stores(monkeypatch, url, stored, catalog):
    at = open_app(monkeypatch, url, "scorecard", {"sector": "economy_wide", "countries": "CHN,USA,JPN"})
    assert [t.value for t in at.title] == ["Scorecard"]
    headers = [s.value for s in at.subheader]
    assert {"Patents and IP", "Investment and R&D"} <= set(headers)
    tables = dict(zip(headers, [d.value for d in at.dataframe]))
    patents = tables["Patents and IP"].set_index("code")
    assert {"IP.PAT.RESD", "BX.GSR.ROYL.CD", "BM.GSR.ROYL.CD"} <= set(patents.index)  # royalties are IP
    obs = stored("IP.PAT.RESD")
    mine = obs[obs["country"].isin(["CHN", "USA", "JPN"])]
    year = max(y for y, g in mine.groupby(mine["period"].dt.year) if g["country"].nunique() >= 2)  # most of them
    assert patents.loc["IP.PAT.RESD", "period"] == str(year)
    china = obs[obs["country"] == "CHN"]
    china = china.set_index(china["period"].dt.year)["value"]
    economies = obs[(obs["period"].dt.year == year) & ~obs["country"].isin(AGGREGATES)]
    rank = list(economies.sort_values("value", ascending=False)["country"]).index("CHN") + 1
    move = "▲" if china[year] > china[year - 1] else "▼"
    assert patents.loc["IP.PAT.RESD", "China"] == (f"{format_value(china[year], 'applications')} · #{rank} of "
                                                   f"{len(economies)} · {move} "
                                                   f"{format_change(china[year], china[year - 1], 'applications')}")
    assert patents.loc["IP.PAT.RESD", "source"] == "World Bank, World Development Indicators (CC BY 4.0)"
    research = tables["Investment and R&D"].set_index("code")
    rd = stored("GB.XPD.RSDV.GD.ZS")
    rd_year = int(research.loc["GB.XPD.RSDV.GD.ZS", "period"])
    usa_rd = rd[(rd["country"] == "USA") & (rd["period"].dt.year == rd_year)]["value"].item()
    assert research.loc["GB.XPD.RSDV.GD.ZS", "United States"].startswith(format_value(usa_rd, "% of GDP") + " ·")
    # Researchers: China and Japan report a year the United States has not yet; its latest value says its year.
    people = stored("SP.POP.SCIE.RD.P6")
    common = int(research.loc["SP.POP.SCIE.RD.P6", "period"])
    usa = people[people["country"] == "USA"].sort_values("period").iloc[-1]
    assert usa["period"].year < common
    assert set(people.loc[people["period"].dt.year == common, "country"]) >= {"CHN", "JPN"}
    assert research.loc["SP.POP.SCIE.RD.P6", "United States"].startswith(
        f"{format_value(usa['value'], 'per million people')} ({usa['period'].year}) · #")
    assert at.query_params["sector"] == "economy_wide"


def test_scorecard_semiconductors_with_taiwan_and_what_is_left_out(monkeypatch, url, stored):
    at = open_app(monkeypatch, url, "scorecard")
    assert at.selectbox(key="s_sector").value == "semiconductors"
    assert at.multiselect(key="s_countries").value == ["CHN", "USA", "JPN", "KOR", "DEU", "TWN"]  # focus, peers
    tables = dict(zip([s.value for s in at.subheader], [d.value for d in at.dataframe]))
    patents = tables["Patents and IP"].set_index("code")
    semi = stored("NCSES.USPTO.SEMI")
    taiwan = semi[semi["country"] == "TWN"].sort_values("period").iloc[-1]
    assert patents.loc["NCSES.USPTO.SEMI", "Taiwan"].startswith(format_value(taiwan["value"], "patents") + " · #")
    trade = tables["Trade"].set_index("code")
    assert trade.loc["CT.848620.M", "Taiwan"] == "–"  # UN Comtrade has no Taiwan rows
    assert not any(code.startswith("CSET.") for table in tables.values() for code in table["code"])
    assert any("Supply chain page" in c.value for c in at.caption)
    [left_out] = [e for e in at.expander if "reported by one of these economies only" in e.label]
    assert "GACC.84862031.M" in set(left_out.dataframe[0].value["code"])  # China's customs series only


def test_a_count_per_dollar_of_gdp_is_not_money():
    assert format_value(4.2, "applications per US$ bn GDP") == "4.2"  # was "$4"
    assert format_value(3.2e9, "current US$") == "$3.20 bn"
