"""The dashboard's plain functions (no Streamlit): queries on both backends, transforms, formatting, settings, charts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from autarky.forecast import read as forecasts
from autarky.config import Config, load_config
from autarky.errors import ConfigError
from autarky.models import CollectionRun, Series
from autarky.store import ObservationIn
from autarky.dashboard import charts, health, queries, transforms
from autarky.dashboard.formatting import format_change, format_value
from autarky.dashboard.settings import BUILTIN_TARGETS, Settings, load_settings
from tests.support.dashboard import (load_bundled, store_alerts, store_drift_forecasts, store_index,
                               store_resident_share)

CHINA_RESD_2021 = 1426644.0   # WDI IP.PAT.RESD, China, 2021 (bundled snapshot)
CHINA_NRES_2021 = 159019.0    # WDI IP.PAT.NRES, China, 2021


@pytest.fixture
def data(store, catalog):
    load_bundled(store, catalog)
    return queries.Data(store, catalog, Config(), Settings())


def test_database_status_missing_no_schema_empty_ready(tmp_path, store, catalog):
    missing = f"sqlite:///{tmp_path / 'nothing-here.db'}"
    assert queries.database_missing(missing)
    assert not (tmp_path / "nothing-here.db").exists()
    from autarky.db import create_database
    from autarky.store import Store
    create_database(f"sqlite:///{tmp_path / 'bare.db'}")  # a file with no schema in it
    bare = Store(f"sqlite:///{tmp_path / 'bare.db'}")
    assert queries.database_status(bare)[0] == queries.NO_SCHEMA
    bare.close()
    assert queries.database_status(store)[0] == queries.EMPTY
    load_bundled(store, catalog)
    status, version = queries.database_status(store)
    assert status == queries.READY and version[1]


def test_data_version_changes_with_data_forecasts_and_alerts(data):
    store = data.store
    first = queries.data_version(store)
    assert queries.data_version(store) == first
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, CHINA_RESD_2021 + 1, "rev")])
    revised = queries.data_version(store)
    assert revised != first
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, CHINA_RESD_2021 + 1, "rev")])
    assert queries.data_version(store) == revised  # an unchanged value writes nothing
    store_drift_forecasts(store, ["wb:IP.PAT.RESD:CHN"])
    forecasted = queries.data_version(store)
    assert forecasted != revised
    store_alerts(store)
    assert queries.data_version(store) != forecasted


def test_indicators_list_catalog_and_stored_derived(data):
    store_resident_share(data.store)
    table = queries.indicators(data).set_index("code")
    assert set(data.catalog.indicators) <= set(table.index)
    assert table.loc["IP.PAT.RESD", "series"] == 15
    assert "CHN" in table.loc["IP.PAT.RESD", "countries"]
    assert table.loc["CT.8517.M", "series"] == 0  # in the catalog, no data yet
    derived = table.loc["SR.PAT.RESD.SHARE"]  # only in the store: described from its series
    assert derived["unit"] == "share" and derived["source"] == "derived"
    assert derived["attribution"].startswith("Computed by Autarky")
    ranks = [queries.CATEGORY_ORDER.index(c) for c in queries.indicators(data)["category"]]
    assert ranks == sorted(ranks)  # grouped by category, the composite first, context last


def test_resident_share_card_from_bundled_data(data):
    store_resident_share(data.store)
    table = queries.indicators(data)
    obs = queries.observations(data, ("SR.PAT.RESD.SHARE", "IP.PAT.RESD"))
    cards = transforms.headline_cards(obs, table, ("SR.PAT.RESD.SHARE", "IP.PAT.RESD", "NOT.THERE"), "CHN")
    assert [c.code for c in cards] == ["SR.PAT.RESD.SHARE", "IP.PAT.RESD"]
    share, resd = cards
    assert share.value == pytest.approx(CHINA_RESD_2021 / (CHINA_RESD_2021 + CHINA_NRES_2021))
    assert share.period == pd.Timestamp("2021-01-01")
    assert resd.value == CHINA_RESD_2021 and resd.rank == 1
    china = obs[(obs["indicator"] == "IP.PAT.RESD") & (obs["country"] == "CHN")]
    assert resd.previous == china.loc[china["period"] == "2020-01-01", "value"].item()
    assert resd.forecast_value is None


def test_cards_show_forecast_direction(data):
    key = "wb:IP.PAT.RESD:CHN"
    store_drift_forecasts(data.store, [key])
    table = queries.indicators(data)
    bundle = queries.forecast_bundle(data, (key,))
    obs = queries.observations(data, ("IP.PAT.RESD",))
    card = transforms.headline_cards(obs, table, ("IP.PAT.RESD",), "CHN", bundle.points)[0]
    assert card.forecast_value == pytest.approx(bundle.points["yhat"].iloc[-1])
    assert card.forecast_trend == 1  # China's resident filings rose almost every year: the drift is up


def test_crossing_matches_the_forecast_read_api(data):
    key = "wb:GB.XPD.RSDV.GD.ZS:CHN"
    store_drift_forecasts(data.store, [key], horizon=8, paths=400)
    by = dt.date(2030, 12, 31)
    result = queries.crossing(data, key, 3.0, by, True)
    assert result.probability == forecasts.crossing_probability(data.store, key, 3.0, by)
    assert result.samples == 400 and len(result.dates) == 8
    assert result.first.sum() + result.never == pytest.approx(1.0)
    assert 0 < result.probability < 1
    assert queries.crossing(data, "wb:IP.PAT.RESD:USA", 1.0, by, True) is None  # no forecast


def test_alert_reads_put_firing_first(data):
    store_alerts(data.store)
    states = queries.alert_states(data)
    assert list(states["state"]) == ["firing", "pending", "resolved"]
    events = queries.alert_events(data)
    assert len(events) == 3 and events["at"].is_monotonic_decreasing
    assert queries.outbox_summary(data) == {"queued": 0, "sent": 0, "last_error": None, "attempts": 0}


def test_series_updates_and_source_health(data):
    updates = queries.series_updates(data, ("wb:IP.PAT.RESD:CHN",))
    assert list(updates["vintage"]) == ["wdi-extract@4ebec5a2273f"]
    now = dt.datetime.now(dt.timezone.utc)
    series, runs = queries.series_table(data), queries.runs(data)
    table = health.source_health(series, queries.series_updates(data), runs, {}, {"wb": 7, "ncses": 365}, now)
    assert set(table["source"]) == {"wb", "ncses", "comtrade", "cset", "gacc", "kortrade"}
    assert table.set_index("source").loc["wb", "freshness"] == "bundled snapshot only: never collected"
    assert table.set_index("source").loc["wb", "latest period"] == "2025"
    # A World Bank collection 10 days ago is due against a 7-day cadence...
    with data.store.writing() as session:
        session.add(CollectionRun(source="wb", status="ok", started_at=now - dt.timedelta(days=10),
                                  finished_at=now - dt.timedelta(days=10), inserted=3))
        session.add(CollectionRun(source="ncses", status="failed", started_at=now, finished_at=now, rejected=4,
                                  error="row 2: value 'x' is not a number"))
    table = health.source_health(series, queries.series_updates(data), queries.runs(data), {},
                                 {"wb": 7, "ncses": 365}, now).set_index("source")
    assert table.loc["wb", "freshness"] == "due (10 d since last collection)"
    assert table.loc["ncses", "outcome"] == "failed: +0 ~0 =0 x4 (row 2: value 'x' is not a number)"
    # ...and stale past twice the cadence.
    table = health.source_health(series, queries.series_updates(data), queries.runs(data), {},
                                 {"wb": 4}, now).set_index("source")
    assert table.loc["wb", "freshness"].startswith("STALE")


def test_revisions_carry_percent_change(data):
    data.store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, CHINA_RESD_2021 * 0.9, "v2")])
    revision = queries.revisions(data).iloc[0]
    assert revision["series_key"] == "wb:IP.PAT.RESD:CHN"
    assert revision["change_pct"] == pytest.approx(-10.0)


def test_export_frame_has_history_and_forecast_bands(data):
    key = "wb:IP.PAT.RESD:CHN"
    store_drift_forecasts(data.store, [key], horizon=3)
    obs = queries.observations(data, ("IP.PAT.RESD",), ("CHN",))
    export = transforms.export_frame(obs, queries.forecast_bundle(data, (key,)).points)
    assert list(export["kind"].value_counts().sort_index()) == [len(obs), 3]
    actual = export[export["period"] == "2021"].iloc[0]
    assert actual["value"] == CHINA_RESD_2021 and actual["vintage"].startswith("wdi-extract@")
    future = export[export["kind"] == "forecast"]
    assert list(future["period"]) == ["2022", "2023", "2024"]
    assert (future["lo95"] <= future["lo80"]).all() and (future["hi80"] <= future["hi95"]).all()


def test_rebase_and_base_year(data):
    obs = queries.observations(data, ("GB.XPD.RSDV.GD.ZS",), ("CHN", "USA"))
    years = transforms.common_years(obs)
    base = transforms.default_base_year(obs)
    assert base == max(y for y in years if y <= years[-1] - 10)
    indexed, dropped = transforms.rebase(obs, base)
    assert dropped == []
    at_base = indexed[indexed["period"].dt.year == base]
    assert list(at_base["value"]) == [pytest.approx(100.0)] * 2
    fdi = queries.observations(data, ("BX.KLT.DINV.CD.WD",), ("CHN",))
    assert transforms.rebase(fdi, 1960)[1] == ["wb:BX.KLT.DINV.CD.WD:CHN"]  # no value that year


def test_credible_horizon_is_a_third_of_history():
    assert transforms.credible_until(37, pd.Timestamp("2021-01-01"), "A") == pd.Timestamp("2033-01-01")
    assert transforms.credible_until(7, pd.Timestamp("2021-01-01"), "A") == pd.Timestamp("2023-01-01")
    assert transforms.credible_until(24, pd.Timestamp("2024-01-01"), "M") == pd.Timestamp("2024-09-01")


def test_formatting():
    assert format_value(1426644.0, "applications") == "1,426,644"
    assert format_value(46.63e9, "current US$") == "$46.63 bn"
    assert format_value(120.0, "US$ millions") == "$120.00 m"
    assert format_value(3932188.0, "thousand US$") == "$3.93 bn"  # Korea's HS 8542 exports to China, 2023-05
    assert format_value(2.5789, "% of GDP") == "2.58%"
    assert format_value(0.8997, "share") == "90.0%"
    assert format_value(None, "share") == "–"
    assert format_change(0.90, 0.85, "share") == "+5.0 pp"
    assert format_change(2.58, 2.5, "% of GDP") == "+0.08 pp"
    assert format_change(110, 100, "applications") == "+10.0%"
    assert format_change(1, 0, "applications") is None


def test_settings_targets_rules_and_errors():
    config = load_config(environ={})
    settings = load_settings(Config(data={
        "dashboard": {"focus": "CHN", "targets": [{"indicator": "CT.8542.X", "value": 0.5, "year": 2030,
                                                   "label": "coverage one half", "countries": ["CHN"]}]},
        "alerts": {"rule": [{"name": "share", "series": "derived:SR.PAT.RESD.SHARE:CHN", "kind": "threshold",
                             "above": 0.8},
                            {"name": "rd", "indicator": "GB.XPD.RSDV.GD.ZS", "countries": ["USA"], "kind": "threshold",
                             "below": 3}]}}))
    assert settings.targets[:len(BUILTIN_TARGETS)] == BUILTIN_TARGETS
    assert [line.label for line in settings.reference_lines("CT.8542.X", "CHN")] == ["coverage one half"]
    assert settings.reference_lines("CT.8542.X", "USA") == []
    assert [(line.value, line.kind) for line in settings.reference_lines("SR.PAT.RESD.SHARE", "CHN")] == [
        (0.8, "alert")]
    rd_china = settings.reference_lines("GB.XPD.RSDV.GD.ZS", "CHN")
    assert [line.value for line in rd_china] == [2.5]  # the 2006-2020 plan's target, not the US-only rule
    assert [line.value for line in settings.reference_lines("GB.XPD.RSDV.GD.ZS", "USA")] == [3.0]
    assert load_settings(config).focus == "CHN"
    with pytest.raises(ConfigError, match=r"autarky.toml \[dashboard.targets #1\] value: expected a number, got the string 'high'"):
        load_settings(Config(data={"dashboard": {"targets": [{"indicator": "X", "value": "high", "label": "l"}]}}))
    with pytest.raises(ConfigError, match=r"autarky.toml \[dashboard\] peers: 'usa' is not an ISO3 country code"):
        load_settings(Config(data={"dashboard": {"peers": ["usa"]}}))


def test_indicator_chart_has_bands_targets_and_the_not_credible_zone(data):
    key = "wb:GB.XPD.RSDV.GD.ZS:CHN"
    store_drift_forecasts(data.store, [key], horizon=12)
    obs = queries.observations(data, ("GB.XPD.RSDV.GD.ZS",), ("CHN",))
    points = queries.forecast_bundle(data, (key,)).points
    limit = transforms.credible_until(len(obs), obs["period"].max(), "A")
    lines = Settings().reference_lines("GB.XPD.RSDV.GD.ZS", "CHN")
    fig = charts.indicator_chart(obs, points, {key: "China"}, title="R&D", unit="% of GDP", frequency="A",
                                 lines=lines, credible={key: limit})
    fills = [t for t in fig.data if t.fill == "tonexty"]
    assert len(fills) == 2  # 95% and 80% bands
    # the not-credible zone, the nowcast (forecast steps already past), then the target level
    assert [s.type for s in fig.layout.shapes] == ["rect", "rect", "line"]
    assert fig.layout.shapes[0].x0 == limit and fig.layout.shapes[2].y0 == 2.5
    assert charts.NOWCAST_TEXT in [a.text for a in fig.layout.annotations]
    assert charts.NOT_CREDIBLE_TEXT in [a.text for a in fig.layout.annotations]
    no_bands = charts.indicator_chart(obs, points, {key: "China"}, title="R&D", unit="% of GDP", frequency="A",
                                      bands=False)
    assert not [t for t in no_bands.data if t.fill == "tonexty"]


def test_compare_grid_one_legend_entry_per_economy(data):
    frames = {code: queries.observations(data, (code,), ("CHN", "USA")) for code in ("IP.PAT.RESD",
                                                                                     "GB.XPD.RSDV.GD.ZS")}
    labels = {}
    for frame in frames.values():
        labels.update(transforms.series_labels(frame, data.catalog))
    fig = charts.compare_grid(frames, {}, {}, labels, focus="CHN", order=["CHN", "USA"])
    assert len(fig.data) == 4
    assert [t.name for t in fig.data if t.showlegend] == ["China", "United States"]
    assert fig.data[0].line.width > fig.data[1].line.width  # China first and heavier


def test_index_chart_puts_the_focus_and_peers_forward(data):
    store_resident_share(data.store)
    store_index(data.store)
    index = queries.self_reliance_index(data)
    chart = charts.index_chart(index, transforms.series_labels(index, data.catalog), "CHN", ["CHN", "USA"])
    color = chart.to_dict()["encoding"]["color"]["scale"]
    assert color["domain"][:2] == ["China", "United States"]
    assert color["range"][0] == charts.COUNTRY_COLORS["CHN"]
    shown = chart.data.groupby("economy")["shown"].first()
    assert shown["China"] and shown["United States"] and not shown["Japan"]
    assert chart.data.loc[chart.data["economy"] == "China", "focus"].all()


def test_methodology_text_found_next_to_the_project(tmp_path):
    assert queries.methodology_text((tmp_path,)) is None
    (tmp_path / "METHODOLOGY.md").write_text("# Method\nresident share", encoding="utf-8")
    assert queries.methodology_text((tmp_path,)) == "# Method\nresident share"


def test_index_fixture_is_reproducible(data):
    store_resident_share(data.store)
    keys = store_index(data.store)
    index = queries.self_reliance_index(data)
    assert set(index["series_key"]) == set(keys)
    assert index["value"].between(0, 100).all()
    with data.store.reading() as session:
        formula = session.scalar(select(Series.formula).where(Series.key == keys[0]))
    assert formula.startswith("test fixture")
    assert np.isfinite(index["value"]).all()
