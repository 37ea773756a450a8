"""Every dashboard page through Streamlit's AppTest: renders without exceptions, widgets work, no data is explained."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from autarky.store import ObservationIn, Store
from tests.support.databases import postgres_database
from autarky.dashboard import queries
from autarky.dashboard.settings import Settings
from tests.support.dashboard import (INDEX_COUNTRIES, load_bundled, store_alerts, store_drift_forecasts, store_index,
                               store_resident_share)

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = {"overview": "Overview", "explorer": "Indicator explorer", "compare": "Compare",
         "supply_chain": "Supply chain", "alerts": "Alerts",
         "data_health": "Data health", "methodology": "Methodology"}
TIMEOUT_S = 60


def _build_rich(url: str, catalog) -> None:  # noqa: ANN001
    """The bundled data plus a derived share, an index, forecasts for the peers' series, and alert states."""
    store = Store(url)
    load_bundled(store, catalog)
    store_resident_share(store)
    store_index(store)
    keys = store.series(countries=list(INDEX_COUNTRIES), indicators=["SR.PAT.RESD.SHARE", "IP.PAT.RESD",
                                                                      "GB.XPD.RSDV.GD.ZS", "NCSES.USPTO.SEMI"])
    store_drift_forecasts(store, list(keys["key"]))
    store_alerts(store)
    store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def rich_url(request, tmp_path_factory, catalog):
    """A database with every kind of content the dashboard shows, on each backend (built once per module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'rich.db'}"
        _build_rich(url, catalog)
        yield url
        return
    databases = postgres_database()
    url = next(databases)
    _build_rich(url, catalog)
    yield url
    databases.close()


@pytest.fixture(scope="module")
def snapshot_url(tmp_path_factory, catalog):
    """Only what `autarky init` loads: no derived series, forecasts or alerts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'snapshot.db'}"
    store = Store(url)
    load_bundled(store, catalog)
    store.close()
    return url


@pytest.fixture(autouse=True)
def release_streamlit_caches():
    """Each test starts with empty Streamlit caches; released entries close their database engines."""
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_app(monkeypatch, url: str, page: str | None = None, query: dict | None = None) -> AppTest:
    """Run the app on `url` (through AUTARKY_DATABASE_URL, as a user would), on a page, with a query string."""
    monkeypatch.setenv("AUTARKY_DATABASE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if page:
        at.run()
        at.switch_page(f"views/{page}.py")
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_its_title(monkeypatch, rich_url, page):
    at = open_app(monkeypatch, rich_url, page)
    assert texts(at, "title") == [PAGES[page]]
    assert [e for e in texts(at, "error") if "alert firing" not in e] == []


def test_overview_cards_index_and_firing_alert(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url)
    metrics = {m.value: m.delta for m in at.metric}
    assert metrics["1,426,644"] == "+6.1%"  # China's resident patent applications, 2021, against 2020
    assert metrics["90.0%"] == "+0.1 pp"    # resident share 1426644 / (1426644 + 159019)
    assert any("chn-resident-share" in e and "Resident patent share" in e for e in texts(at, "error"))
    assert "Self-Reliance Index" in texts(at, "subheader")
    assert not any("not available yet" in i for i in texts(at, "info"))
    assert any("forecast rising" in c for c in texts(at, "caption"))


def test_overview_says_what_is_not_there_yet(monkeypatch, snapshot_url):
    at = open_app(monkeypatch, snapshot_url)
    assert any("Self-Reliance Index is not available yet" in i for i in texts(at, "info"))
    captions = texts(at, "caption")
    assert "No forecasts yet: run `autarky forecast` to add forecast directions here." in captions
    assert any("No alert rules configured yet" in c for c in captions)
    assert "1,426,644" in [m.value for m in at.metric]


def test_explorer_defaults_to_china_resident_share_with_its_forecast(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer")
    assert at.selectbox(key="x_indicator").value == "SR.PAT.RESD.SHARE"
    assert at.multiselect(key="x_countries").value[:1] == ["CHN"]
    assert any(m.startswith("**China, 2021: 90.0%**") for m in texts(at, "markdown"))
    assert any("chosen model **rw_drift**" in m for m in texts(at, "markdown"))
    assert at.query_params["indicator"] == "SR.PAT.RESD.SHARE"
    assert len(at.get("plotly_chart")) == 2  # the indicator and the crossing probabilities


def test_explorer_reads_and_writes_the_query_string(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN,USA"})
    assert at.multiselect(key="x_countries").value == ["CHN", "USA"]
    assert any(m.startswith("**China, 2021: 1,426,644**") for m in texts(at, "markdown"))
    at.selectbox(key="x_indicator").select("GB.XPD.RSDV.GD.ZS").run()
    assert any(m.startswith("**China, 2023: 2.58%**") for m in texts(at, "markdown"))
    assert at.query_params["indicator"] == "GB.XPD.RSDV.GD.ZS"
    assert at.query_params["countries"] == "CHN,USA"
    at.multiselect(key="x_countries").unselect("CHN").run()
    assert any(m.startswith("**United States, 2023:") for m in texts(at, "markdown"))
    at.toggle(key="x_log").set_value(True).run()
    assert at.query_params["log"] == "1"
    at.selectbox(key="x_sector").select("semiconductors").run()
    assert "GB.XPD.RSDV.GD.ZS" not in at.selectbox(key="x_indicator").options
    assert not at.exception


def test_explorer_opens_the_series_an_alert_email_links(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"series": "wb:GB.XPD.RSDV.GD.ZS:KOR"})
    assert at.selectbox(key="x_indicator").value == "GB.XPD.RSDV.GD.ZS"
    assert at.multiselect(key="x_countries").value == ["KOR"]
    assert any(m.startswith("**Korea, Rep., 2023: 4.94%**") for m in texts(at, "markdown"))


def test_explorer_crossing_probability(monkeypatch, rich_url, catalog):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "GB.XPD.RSDV.GD.ZS", "countries": "CHN"})
    assert at.number_input(key="x_threshold").value == 2.5  # the plan target drawn on the chart
    at.number_input(key="x_threshold").set_value(3.0).run()
    at.selectbox(key="x_by").select(2029).run()
    [metric] = at.metric
    assert metric.label == "P(China ≥ 3.00% at some point by 2029)"
    store = Store(rich_url)
    try:
        data = queries.Data(store, catalog, None, Settings())
        expected = queries.crossing(data, "wb:GB.XPD.RSDV.GD.ZS:CHN", 3.0, dt.date(2029, 12, 31), True)
    finally:
        store.close()
    assert metric.value == f"{expected.probability:.0%}"
    assert at.query_params["threshold"] == "3" and at.query_params["by"] == "2029"
    at.selectbox(key="x_indicator").select("IP.PAT.RESD").run()  # a new indicator gets its own default level
    assert at.number_input(key="x_threshold").value == 1426644.0


def test_with_the_metrics_stage_the_index_and_resident_share_come_from_autarky_init(monkeypatch, tmp_path):
    pytest.importorskip("autarky.metrics.contributions",
                        reason="the metrics stage (issue 3) is not part of this installation yet")
    url = f"sqlite:///{tmp_path / 'init.db'}"
    init = subprocess.run([sys.executable, "-m", "autarky", "init"], capture_output=True, text=True,
                          env={**os.environ, "AUTARKY_DATABASE_URL": url})
    assert init.returncode == 0, init.stderr
    at = open_app(monkeypatch, url)
    assert not any("not available yet" in i for i in texts(at, "info"))
    assert "90.0%" in [m.value for m in at.metric]  # 1426644 / (1426644 + 159019), China 2021
    assert any(e.label.startswith("Why China's index moved") for e in at.expander)
    explorer = open_app(monkeypatch, url, "explorer")
    assert explorer.selectbox(key="x_indicator").value == "SR.PAT.RESD.SHARE"
    assert any(m.startswith("**China, 2021: 90.0%**") for m in texts(explorer, "markdown"))


def test_explorer_table_download_and_indicator_without_data(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "NCSES.USPTO.SEMI", "countries": "TWN,CHN"})
    assert [b.label for b in at.get("download_button")] == ["Download CSV (history and forecasts)"]
    assert len(at.dataframe) >= 2
    empty = open_app(monkeypatch, rich_url, "explorer", {"indicator": "CT.8517.M"})
    assert any(i.startswith("No data yet for **Imports of telephone sets and telecom equipment") for i in
               texts(empty, "info"))


def test_compare_indexed_to_a_base_year(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "compare", {"indicators": "IP.PAT.RESD,GB.XPD.RSDV.GD.ZS",
                                                     "peers": "USA,KOR"})
    assert at.multiselect(key="c_indicators").value == ["IP.PAT.RESD", "GB.XPD.RSDV.GD.ZS"]
    assert len(at.get("plotly_chart")) == 1
    at.toggle(key="c_indexed").set_value(True).run()
    base = at.selectbox(key="c_base")
    # Every series shown has values up to 2021 (resident patents end there); ten years back is 2011.
    assert base.value == 2011
    assert at.query_params["indexed"] == "1" and at.query_params["base"] == "2011"
    base.select(2000).run()
    assert not at.exception
    at.multiselect(key="c_peers").select("JPN").run()
    assert "Japan" in list(at.dataframe[0].value.columns)


def test_alerts_page_states_history_and_filter(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "alerts")
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Firing"], metrics["Pending"], metrics["Resolved"]) == ("1", "1", "1")
    at.multiselect(key="a_rules").select("rd-gap").run()
    history = at.dataframe[-1].value
    assert list(history["rule"]) == ["rd-gap"]
    assert list(history["series"]) == ["China: Research and development expenditure (% of GDP)"]


def test_alerts_page_with_rules_not_yet_evaluated(monkeypatch, snapshot_url, tmp_path):
    (tmp_path / "autarky.toml").write_text(
        '[[alerts.rule]]\nname = "chn-share"\nkind = "threshold"\nseries = "derived:SR.PAT.RESD.SHARE:CHN"\n'
        'above = 0.8\nrecipients = ["analyst@example.org"]\n', encoding="utf-8")
    at = open_app(monkeypatch, snapshot_url, "alerts")
    assert any("have not been evaluated yet" in i for i in texts(at, "info"))
    rules = at.dataframe[-1].value
    assert list(rules["name"]) == ["chn-share"] and list(rules["recipients"]) == ["1"]
    assert "analyst@example.org" not in rules.to_string()


def test_data_health_lists_sources_and_failed_batches(monkeypatch, tmp_path, catalog):
    url = f"sqlite:///{tmp_path / 'health.db'}"
    store = Store(url)
    load_bundled(store, catalog)
    run_id = store.start_run("wb")
    store.finish_run(run_id, error="source wb: row 3 (series wb:IP.PAT.RESD:CHN, period '2022'): value 'n/a' is "
                                   "not a number; batch rejected, nothing stored", rejected=120)
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, 1426645, "v2")])
    store.close()
    at = open_app(monkeypatch, url, "data_health")
    sources = at.dataframe[0].value.set_index("source")
    assert sources.loc["wb", "outcome"].startswith("failed: +0 ~0 =0 x120")
    assert sources.loc["ncses", "freshness"] == "bundled snapshot only: never collected"
    problems = at.dataframe[2].value
    assert list(problems["rejected"]) == [120]
    revisions = at.dataframe[3].value
    assert list(revisions["new_value"]) == [1426645]
    assert "No forecasts yet: run `autarky forecast`." in texts(at, "markdown")


def test_data_health_shows_the_source_an_alert_email_links(monkeypatch, snapshot_url):
    at = open_app(monkeypatch, snapshot_url, "data_health", {"source": "ncses"})
    assert texts(at, "info") == ["Showing the runs of source `ncses` (linked from an alert)."]
    assert list(at.dataframe[-1].value["source"]) == ["snapshot:ncses"]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "methodology"])
def test_missing_database_explains_how_to_load_data(monkeypatch, tmp_path, page):
    target = tmp_path / "not-yet.db"
    at = open_app(monkeypatch, f"sqlite:///{target}", page if page != "overview" else None)
    assert texts(at, "title") == [PAGES[page]]
    [info] = texts(at, "info")
    assert info.startswith("No database yet at") and "autarky init" in info
    assert not target.exists()  # the dashboard never creates or writes the database


def test_schema_without_data_and_foreign_database(monkeypatch, tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(empty).upgrade()
    at = open_app(monkeypatch, empty)
    assert texts(at, "info")[0].startswith(f"The database `{empty}` holds no observations yet.")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE unrelated (x)")
    st.cache_resource.clear()
    at = open_app(monkeypatch, f"sqlite:///{foreign}", "explorer")
    assert "has no Autarky schema yet" in texts(at, "info")[0]


def test_unreachable_database_is_one_clear_message_without_the_password(monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    at = open_app(monkeypatch, f"postgresql+psycopg://autarky:s3cret@127.0.0.1:{port}/autarky")
    [error] = texts(at, "error")
    assert error.startswith(f"Cannot read the database postgresql+psycopg://autarky:***@127.0.0.1:{port}/autarky: ")
    assert "s3cret" not in error and not texts(at, "info")


def test_methodology_shows_the_catalog_without_a_database(monkeypatch, tmp_path, catalog):
    at = open_app(monkeypatch, f"sqlite:///{tmp_path / 'none.db'}", "methodology")
    indicators = at.dataframe[0].value
    assert set(catalog.indicators) == set(indicators["code"])
    if (APP.parents[1] / "METHODOLOGY.md").exists():
        assert [e.label for e in at.expander] == ["METHODOLOGY.md"]
    else:
        assert texts(at, "info")[0].startswith("METHODOLOGY.md is not available in this installation yet")


def test_caches_follow_the_data(monkeypatch, tmp_path, catalog):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    store = Store(url)
    load_bundled(store, catalog)
    at = open_app(monkeypatch, url)
    assert "1,426,644" in [m.value for m in at.metric]
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2022, 1500000, "next-release")])
    store.close()
    at.run()
    values = {m.value: m.delta for m in at.metric}
    assert "1,426,644" not in values and values["1,500,000"] == "+5.1%"


def test_password_gate(monkeypatch, snapshot_url):
    monkeypatch.setenv("AUTARKY_DASHBOARD_PASSWORD", "s3cret-phrase")
    at = open_app(monkeypatch, snapshot_url)
    assert texts(at, "title") == ["Autarky"] and not at.metric
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert texts(at, "error") == ["Wrong password."] and not at.metric
    at.text_input[0].input("s3cret-phrase")
    at.button[0].click().run()
    assert texts(at, "title") == ["Overview"] and at.metric


def test_bad_dashboard_config_is_one_clear_message(monkeypatch, snapshot_url, tmp_path):
    (tmp_path / "autarky.toml").write_text('[dashboard]\npeers = ["usa"]\n', encoding="utf-8")
    at = open_app(monkeypatch, snapshot_url)
    assert texts(at, "error") == ["Configuration error: dashboard.peers: 'usa' is not an ISO3 country code such "
                                  "as 'CHN'"]


def test_data_health_says_which_series_need_a_key_and_how_to_set_it(monkeypatch, snapshot_url):
    monkeypatch.delenv("AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY", raising=False)
    at = open_app(monkeypatch, snapshot_url, "data_health")
    [line] = [t for t in texts(at, "text") if "needs an API key" in t]
    assert "set AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY" in line and "PV.SEMI.GRANTS" in line
    monkeypatch.setenv("AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY", "k")
    at = open_app(monkeypatch, snapshot_url, "data_health")
    assert not [t for t in texts(at, "text") if "needs an API key" in t]
