"""Every dashboard page through Streamlit's AppTest: renders without exceptions, widgets work, no data is explained."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from autarky.store import ObservationIn, Store
from tests.support.apptest import APP, open_app, release_streamlit_caches, texts  # noqa: F401 (an autouse fixture)
from tests.support.databases import postgres_database
from autarky.dashboard import queries
from autarky.dashboard.formatting import plain
from autarky.dashboard.settings import Settings
from tests.support.dashboard import (INDEX_COUNTRIES, load_bundled, store_alerts, store_drift_forecasts, store_index,
                               store_chokepoints, store_resident_share)

PAGES = {"overview": "Overview", "explorer": "Indicator explorer", "compare": "Compare", "scorecard": "Scorecard",
         "supply_chain": "Supply chain", "alerts": "Alerts",
         "data_health": "Data health", "methodology": "Methodology"}


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
    """What `autarky init` loads, with the chokepoint flags but no other derived series, forecasts or alerts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'snapshot.db'}"
    store = Store(url)
    load_bundled(store, catalog)
    store_chokepoints(store, catalog)
    store.close()
    return url


def test_the_page_list_here_is_the_apps():
    declared = re.findall(r'\("(\w+)\.py", "([^"]+)"', APP.read_text(encoding="utf-8"))
    assert dict(declared) == PAGES


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
    assert any(r"chosen model **rw\_drift**" in m for m in texts(at, "markdown"))
    assert "Model: rw_drift" in texts(at, "text")         # a name the models do not know is shown as it is
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
    assert texts(at, "info") == ["Showing the runs of source ncses (linked from an alert)."]
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
    assert texts(at, "info")[0].startswith(f"The database {plain(empty)} holds no observations yet.")
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
    shown = plain(f"postgresql+psycopg://autarky:***@127.0.0.1:{port}/autarky")
    assert error.startswith(f"Cannot read the database {shown}: ")
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
    assert texts(at, "error") == ["Configuration error: " + plain("autarky.toml [dashboard] peers: 'usa' is not an "
                                                                  "ISO3 country code such as 'CHN'")]


def test_data_health_says_which_series_need_a_key_and_how_to_set_it(monkeypatch, snapshot_url):
    monkeypatch.delenv("AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY", raising=False)
    at = open_app(monkeypatch, snapshot_url, "data_health")
    [line] = [t for t in texts(at, "text") if "needs an API key" in t]
    assert "set AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY" in line and "PV.SEMI.GRANTS" in line
    monkeypatch.setenv("AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY", "k")
    at = open_app(monkeypatch, snapshot_url, "data_health")
    assert not [t for t in texts(at, "text") if "needs an API key" in t]


@pytest.fixture(scope="module")
def computed_url(tmp_path_factory):
    """What `autarky init` leaves: the bundled snapshot and every derived metric, the index and its pillars."""
    from autarky.app import App
    from autarky.metrics.runner import recompute
    from autarky.snapshot import load_snapshot
    folder = tmp_path_factory.mktemp("computed")
    url = f"sqlite:///{folder / 'computed.db'}"
    (folder / "autarky.toml").write_text(f'database_url = "{url}"\n', encoding="utf-8")
    app = App(config_path=str(folder / "autarky.toml"))
    app.store.upgrade()
    load_snapshot(app.store, app.catalog)
    recompute(app, None)
    app.close()
    return url


def test_overview_shows_both_pillars_and_rank_intervals(monkeypatch, computed_url):
    at = open_app(monkeypatch, computed_url)
    assert any(m.startswith("**Pillars and rank uncertainty, 2022**") for m in texts(at, "markdown"))
    table = next(frame.value for frame in at.dataframe if "90% rank interval" in frame.value.columns)
    assert {"Dependence", "Capacity", "Index", "Rank", "Components"} <= set(table.columns)
    assert len(table) == 14
    china = table.set_index("Economy").loc["China"]
    low, high = (int(v) for v in china["90% rank interval"].split("-"))
    assert low <= china["Rank"] <= high
    assert china["Index"] == pytest.approx((china["Dependence"] + china["Capacity"]) / 2, rel=1e-9)
    assert any("Monte Carlo draws (seed 16)" in c for c in texts(at, "caption"))


CRAFTED = "![](http://evil/img) [x](http://evil)"
MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "error", "warning", "success", "subheader")


def rendered_markdown(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown, with the metric labels and expander labels."""
    return ([t for kind in MARKDOWN_ELEMENTS for t in texts(at, kind)] + [m.label for m in at.metric]
            + [e.label for e in at.expander])


def test_outside_text_is_shown_as_plain_text(monkeypatch, tmp_path, catalog):
    assert plain("[x](http://evil)") == r"\[x\]\(http\://evil\)"
    assert plain("![](http://evil/img)\n# big") == r"\!\[\]\(http\://evil/img\) \# big"
    assert plain("- item") == r"\- item" and plain("1. one") == r"1\. one"
    assert plain("$a$ :red[b]") == r"\$a\$ \:red\[b\]"
    url = f"sqlite:///{tmp_path / 'crafted.db'}"
    store = Store(url)
    load_bundled(store, catalog)
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2022, 1500000, CRAFTED)])  # a vintage from data
    store.close()
    (tmp_path / "autarky.toml").write_text(  # a rule name from the config
        f'[[alerts.rule]]\nname = "{CRAFTED}"\nkind = "threshold"\nseries = "wb:IP.PAT.RESD:CHN"\nabove = 1\n',
        encoding="utf-8")
    explorer = open_app(monkeypatch, url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN"})
    assert any(f"Vintage: {plain(CRAFTED)}" in c for c in texts(explorer, "caption"))
    health = open_app(monkeypatch, url, "data_health", {"source": "[x](http://evil)"})  # from the URL
    assert texts(health, "info") == [r"Showing the runs of source \[x\]\(http\://evil\) (linked from an alert)."]
    for at in (explorer, health, open_app(monkeypatch, url), open_app(monkeypatch, url, "alerts")):
        assert not [t for t in rendered_markdown(at) if "](http://evil" in t]


def test_outside_text_in_plotly_charts_is_not_html():
    import pandas as pd

    from autarky.dashboard import charts

    obs = pd.DataFrame({"series_key": ["wb:X:CHN"] * 2, "country": ["CHN"] * 2, "value": [1.0, 2.0],
                        "period": pd.to_datetime(["2020-01-01", "2021-01-01"]), "frequency": ["A"] * 2})
    link = '<a href="http://evil">x</a>'
    figure = charts.indicator_chart(obs, pd.DataFrame(columns=["series_key", "ds", "yhat"]), {"wb:X:CHN": link},
                                    title=link, unit="ratio", frequency="A")
    assert figure.data[0].name == '&lt;a href="http://evil"&gt;x&lt;/a&gt;'
    assert "<a" not in figure.layout.title.text


@pytest.fixture
def fresh_throttle(monkeypatch):
    from autarky.dashboard import session

    monkeypatch.setitem(session._process_failures, "count", 0)
    monkeypatch.setitem(session._process_failures, "until", 0.0)
    return session


def test_password_attempts_are_throttled_per_session_and_process(monkeypatch, snapshot_url, fresh_throttle):
    session = fresh_throttle
    assert [session.failure_delay(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    assert session.failure_delay(40) == session.MAX_DELAY_S
    monkeypatch.setenv("AUTARKY_DASHBOARD_PASSWORD", "s3cret-phrase")
    at = open_app(monkeypatch, snapshot_url)
    for _ in range(2):
        at.text_input[0].input("wrong")
        at.button[0].click().run()
        assert texts(at, "error") == ["Wrong password."]
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert texts(at, "error") == ["Wrong password. Wait 2 s before the next attempt."]
    at.text_input[0].input("s3cret-phrase")  # even the right password is not checked while the wait runs
    at.button[0].click().run()
    assert texts(at, "error") == ["Too many wrong passwords: try again in 2 s."] and not at.metric
    other = open_app(monkeypatch, snapshot_url)  # a new session does not start afresh
    other.text_input[0].input("s3cret-phrase")
    other.button[0].click().run()
    assert texts(other, "error")[0].startswith("Too many wrong passwords") and not other.metric
    monkeypatch.setitem(session._process_failures, "until", 0.0)  # the wait is over (for the process) ...
    other.text_input[0].input("s3cret-phrase")
    other.button[0].click().run()
    assert texts(other, "title") == ["Overview"] and session._process_failures["count"] == 0  # ... and it resets


def test_a_deep_link_survives_the_sign_in(monkeypatch, rich_url, fresh_throttle):
    monkeypatch.setenv("AUTARKY_DASHBOARD_PASSWORD", "s3cret-phrase")
    at = open_app(monkeypatch, rich_url, "explorer", {"series": "wb:GB.XPD.RSDV.GD.ZS:KOR"})
    assert texts(at, "title") == ["Autarky"]
    at.text_input[0].input("s3cret-phrase")
    at.button[0].click().run()
    assert texts(at, "title") == ["Indicator explorer"]
    assert at.multiselect(key="x_countries").value == ["KOR"]


def test_csv_downloads_are_made_on_demand_not_stored_up_front(monkeypatch, rich_url):
    """A static download is put under /media/<id>.csv at once, reachable without the session; ours are deferred."""
    made = []
    original = st.download_button

    def recording(label, data, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        made.append((label, data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN,USA"})
    [(label, data)] = made
    assert label == "Download CSV (history and forecasts)" and callable(data)
    csv = data().decode("utf-8")
    assert csv.splitlines()[0].startswith("series_key,") and "1426644" in csv


def test_what_a_link_asks_for_and_is_not_there_is_said(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "NOPE", "countries": "XXX"})
    infos = texts(at, "info")
    assert plain("The link asks for indicator NOPE, which is not in the catalog.") in infos
    assert plain("The link asks for XXX: not a country code of the catalog.") in infos
    taiwan = open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN,TWN"})
    assert plain("World Bank has no rows for Taiwan on this indicator.") in [
        i.replace("World Bank World Development Indicators", "World Bank") for i in texts(taiwan, "info")]
    compare = open_app(monkeypatch, rich_url, "compare", {"indicators": "IP.PAT.RESD", "peers": "USA,TWN"})
    assert any(c.startswith("No rows from the source for " + plain("Patent applications, residents: Taiwan"))
               for c in texts(compare, "caption"))
    assert any(c.startswith("Sources: ") for c in texts(compare, "caption"))
    assert [b.label for b in compare.get("download_button")] == ["Download CSV (the values compared)"]


def test_a_share_is_typed_tabled_and_range_checked_in_percent(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "SR.PAT.RESD.SHARE", "countries": "CHN"})
    threshold = at.number_input(key="x_threshold")
    assert threshold.label == "Level (%)" and threshold.value == pytest.approx(89.97, abs=0.01)
    threshold.set_value(95.0).run()
    assert at.metric[0].label.startswith("P(China ≥ 95.0% at some point by")
    [wide] = [d.value for d in at.dataframe if d.value.index.name == "period"]
    assert wide.loc["2021", "China"] == pytest.approx(89.97, abs=0.01)  # the table in percent too, not 0.8997
    linked = open_app(monkeypatch, rich_url, "explorer", {"indicator": "SR.PAT.RESD.SHARE", "countries": "CHN",
                                                          "threshold": "9500"})
    assert any("9500 is out of range" in w for w in texts(linked, "warning"))
    assert linked.number_input(key="x_threshold").value == 100.0


def test_vintages_read_as_releases_and_past_forecast_steps_as_nowcasts(monkeypatch, rich_url):
    from autarky.dashboard.formatting import vintage_label

    assert vintage_label("2025-07-01") == "released 2025-07-01"
    assert vintage_label("wdi-extract@4ebec5a2273f") == ("bundled snapshot wdi-extract, commit 4ebec5a2273f "
                                                         "(release date not recorded)")
    assert vintage_label("comtrade-download-2021-08-16@7bacd4075044").startswith("released 2021-08-16 (")
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN"})
    captions = texts(at, "caption")
    assert any(plain("bundled snapshot wdi-extract, commit 4ebec5a2273f") in c for c in captions)
    assert not any("Vintage: wdi-extract@" in c for c in captions)
    # Patents end in 2021; the forecast's 2022 to this year are past periods: a nowcast, labelled as such.
    assert any("is a nowcast of periods already past" in c for c in captions)
    assert "nowcast: past periods not yet reported" in at.get("plotly_chart")[0].proto.spec


def test_overview_index_chart_has_one_title_and_a_legend_like_its_lines(monkeypatch, rich_url):
    import json

    from autarky.dashboard import charts

    at = open_app(monkeypatch, rich_url)
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert "title" not in spec  # the subheader above it is the title
    scale = spec["encoding"]["color"]["scale"]
    colors = dict(zip(scale["domain"], scale["range"]))
    assert colors["China"] == charts.COUNTRY_COLORS["CHN"]
    shown = {"China", "United States", "Japan", "Korea, Rep.", "Germany"}
    assert all(c == charts.OTHERS_COLOR for name, c in colors.items() if name not in shown)
    assert len({colors[name] for name in shown if name in colors}) == len(shown & set(colors))


def test_alerts_page_without_rules_shows_how_to_add_one_and_the_starter_rules(monkeypatch, snapshot_url, catalog):
    import tomllib

    from autarky.alerts.rules import parse_rule

    at = open_app(monkeypatch, snapshot_url, "alerts")
    starter = [c.value for c in at.code]
    assert 'series = "derived:SR.PAT.RESD.SHARE:CHN"' in starter[0]
    rule = parse_rule(tomllib.loads(starter[0])["alerts"]["rule"][0], "starter")  # a rule the engine accepts
    assert rule.name == "China resident patent share above 0.8"
    example = APP.parents[1] / "alerts.example.toml"
    if example.exists():
        assert starter[1].strip() == example.read_text(encoding="utf-8").strip()
        for table in tomllib.loads(starter[1])["alerts"]["rule"]:  # every starter rule names a catalog indicator
            parse_rule(table, "alerts.example.toml")
            for key in [table["series"]] if isinstance(table.get("series"), str) else table.get("series", []):
                assert key.split(":")[1] in catalog.indicators, key
            if "indicator" in table:
                assert table["indicator"] in catalog.indicators, table["indicator"]


def test_explorer_bands_of_one_economy_and_a_caption_that_matches(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN,USA,JPN"})
    assert at.selectbox(key="x_bands_for").value == "CHN"  # three economies: the first one's bands at first

    def filled(at: AppTest) -> set[str]:
        import json

        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        return {t["name"].split(":")[0] for t in spec["data"] if t.get("fill") == "tonexty"}

    assert filled(at) == {"China"}
    assert any("bands (China only)" in c for c in texts(at, "caption"))
    at.selectbox(key="x_bands_for").select("all").run()
    assert filled(at) == {"China", "United States", "Japan"} and at.query_params.get("bands_for") is None
    at.toggle(key="x_bands").set_value(False).run()
    assert filled(at) == set() and any("Dashed: forecast (bands off)" in c for c in texts(at, "caption"))


def test_explorer_provenance_says_when_values_were_loaded_here_and_what_the_source_updated(monkeypatch, rich_url):
    from autarky.dashboard import transforms

    at = open_app(monkeypatch, rich_url, "explorer", {"indicator": "IP.PAT.RESD", "countries": "CHN"})
    store = Store(rich_url)
    updates, obs = store.series_updates(["wb:IP.PAT.RESD:CHN"]), store.observations(keys=["wb:IP.PAT.RESD:CHN"])
    store.close()
    [line] = [c for c in texts(at, "caption") if c.startswith("Source: ")]
    assert f"Loaded into this database: {updates['last_update'].max():%Y-%m-%d}" in line  # the local load
    assert "Last updated here" not in line and "Updated at the source" not in line  # the snapshot has no date
    assert "Vintage: " + plain("bundled snapshot wdi-extract, commit 4ebec5a2273f (release date not recorded)") in line
    # A vintage that carries the source's release date (a World Bank `lastupdated`) is the update date.
    ind = page_indicator(rich_url, "IP.PAT.RESD")
    dated = obs.assign(vintage=["2025-07-01" if p.year < 2000 else "2025-12-16" for p in obs["period"]])
    assert "Updated at the source: 2025-12-16" in transforms.provenance(ind, "World Bank", dated, updates)


def page_indicator(url: str, code: str):  # noqa: ANN201
    """The explorer's row for one indicator (queries.indicators), as the provenance line reads it."""
    from autarky.app import load_catalog
    from autarky.config import Config
    from autarky.dashboard.settings import load_settings

    store = Store(url)
    try:
        config = Config()
        frame = queries.indicators(queries.Data(store, load_catalog(config), config, load_settings(config)))
    finally:
        store.close()
    return frame.set_index("code").loc[code]


def test_overview_ranks_every_economy_on_the_panel_year(monkeypatch, computed_url):
    from autarky.app import load_catalog
    from autarky.config import Config
    from autarky.dashboard import transforms
    from autarky.dashboard.formatting import format_value

    at = open_app(monkeypatch, computed_url)
    assert any(m.startswith("**Ranking, 2022** (the panel year") for m in texts(at, "markdown"))
    table = next(frame.value for frame in at.dataframe if "Index 2022" in frame.value.columns)
    assert list(table.columns) == ["Economy", "Index 2022", "Change", "Rank"]
    store = Store(computed_url)
    index = store.observations(indicators=["SR.INDEX"])
    store.close()
    catalog = load_catalog(Config())
    in_2022 = index[index["period"].dt.year == 2022].set_index("country")["value"]
    assert len(table) == len(in_2022) == 14
    shown = table.set_index("Economy")
    for country, value in in_2022.items():  # each economy's 2022 value, not its latest (China's latest is 2023)
        assert shown.loc[catalog.country_name(country), "Index 2022"] == format_value(value, index["unit"].iloc[0])
    assert index[index["country"] == "CHN"]["period"].max().year == 2023
    ranking = next(frame.value for frame in at.dataframe if "90% rank interval" in frame.value.columns)
    assert [f"{r} of 14" for r in ranking.set_index("Economy").loc[shown.index, "Rank"]] == list(shown["Rank"])
    # On a year some economies lack, they say so instead of showing another year's number.
    in_2023 = set(index.loc[index["period"].dt.year == 2023, "country"])
    later = transforms.year_table(index, catalog, 2023, "index", "Index").set_index("Economy")
    assert 0 < len(in_2023) < 14
    for country in set(index["country"]) - in_2023:
        assert later.loc[catalog.country_name(country)].tolist() == ["no value for 2023", "–", "–"]
    assert later.loc["China", "Rank"].endswith(f" of {len(in_2023)}")


def test_overview_why_the_index_moved_reads_as_a_table(monkeypatch, computed_url):
    from autarky.app import load_catalog
    from autarky.config import Config

    at = open_app(monkeypatch, computed_url)
    [expander] = [e for e in at.expander if e.label.startswith("Why China's index moved from 2022 to 2023 ")]
    [table] = [d.value for d in expander.dataframe]
    assert list(table.columns[:2]) == ["Component", "Change 2022 to 2023"]  # the change next to the name
    assert {"Raw value 2022", "Raw value 2023", "Weight 2023", "2023 value from"} <= set(table.columns)
    assert not [c for c in table.columns if "_" in c]
    catalog = load_catalog(Config())
    assert "IP royalty coverage (receipts / payments for the use of intellectual property)" in set(table["Component"])
    assert not set(table["Component"]) & set(catalog.indicators)  # names, not codes
    cells = {str(v) for v in table.to_numpy().ravel()}
    assert not {"None", "nan", "NaN", "NaT"} & cells and not [c for c in cells if c.endswith("-01-01")]
    assert set(table["2023 value from"]) <= {"2022", "2023", "–"}
    store = Store(computed_url)
    china = store.observations(keys=["derived:SR.INDEX:CHN"]).set_index("period")["value"]
    per_gdp = store.observations(keys=["derived:SR.USPTO.GDP:CHN"]).set_index("period")["value"]
    store.close()
    # A rate per US$ of GDP in its own unit ("1.52"), not as money ("$2").
    row = table.set_index("Component").loc[catalog.indicators["SR.USPTO.GDP"].name]
    assert row["2023 value from"] == "2022" and row["Raw value 2023"] == f"{per_gdp[pd_year(2022)]:.2f}"
    moved = china[pd_year(2023)] - china[pd_year(2022)]
    assert sum(float(v) for v in table["Change 2022 to 2023"]) == pytest.approx(moved, abs=0.01 * len(table))


def pd_year(year: int):  # noqa: ANN201
    import pandas as pd

    return pd.Timestamp(year=year, month=1, day=1)


def compare_spec(at: AppTest) -> dict:
    import json

    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_compare_latest_values_show_every_economy_and_the_year_apart(monkeypatch, rich_url):
    import json

    from autarky.dashboard.formatting import format_value

    codes = ["NCSES.USPTO.SEMI", "IP.PAT.RESD", "GB.XPD.RSDV.GD.ZS"]
    at = open_app(monkeypatch, rich_url, "compare", {"indicators": ",".join(codes), "peers": "USA,TWN,IND"})
    [latest] = at.dataframe
    table = latest.value.set_index("Indicator")
    assert list(table.columns) == ["Year", "China", "United States", "Taiwan", "India"]
    store = Store(rich_url)
    obs = store.observations(indicators=codes, countries=["CHN", "USA", "TWN", "IND"])
    store.close()
    last = obs[obs["partner"] == "WLD"].sort_values("period").groupby(["indicator", "country"]).last()
    rows = dict(zip(codes, ["USPTO utility patents granted in…", "Patent applications, residents",
                            "Research and development expenditure…"]))
    assert list(table.index) == list(rows.values())
    for (code, country), row in last.iterrows():
        name = {"CHN": "China", "USA": "United States", "TWN": "Taiwan", "IND": "India"}[country]
        value, year = format_value(row["value"], row["unit"]), str(row["period"].year)
        # The value alone when it is from the row's year; its own year in brackets when it is from another.
        expected = value if year == table.loc[rows[code], "Year"] else f"{value} ({year})"
        assert table.loc[rows[code], name] == expected
    assert table.loc[rows["GB.XPD.RSDV.GD.ZS"], "Year"] == "2023"
    assert table.loc[rows["GB.XPD.RSDV.GD.ZS"], "India"].endswith(" (2020)")  # India's R&D ends in 2020
    assert table.loc[rows["IP.PAT.RESD"], "Taiwan"] == "–"  # the World Bank has no Taiwan rows
    config = json.loads(latest.proto.columns)
    for column in latest.value.columns:  # every column wide enough for its longest text and its label
        longest = max([len(column)] + [len(str(v)) for v in latest.value[column]])
        assert config[column]["width"] >= 7 * longest + 20
    assert config["Indicator"]["pinned"] and config["Indicator"]["help"].startswith("Full names")
    assert any(c.startswith("Sources: ") for c in texts(at, "caption"))
    assert [b.label for b in at.get("download_button")] == ["Download CSV (the values compared)"]


def test_compare_legend_clear_of_the_titles_and_one_year_range(monkeypatch, rich_url):
    codes = ["IP.PAT.RESD", "NCSES.USPTO.SEMI", "GB.XPD.RSDV.GD.ZS"]
    at = open_app(monkeypatch, rich_url, "compare", {"indicators": ",".join(codes), "peers": "USA,TWN,KOR"})
    spec = compare_spec(at)
    # One entry per economy, in the order chosen (Taiwan has no World Bank rows: it first appears in panel 2).
    entries = sorted((t["legendrank"], t["name"]) for t in spec["data"] if t.get("showlegend") and "legendrank" in t)
    assert [name for _, name in entries] == ["China", "United States", "Taiwan", "Korea, Rep."]
    legend = spec["layout"]["legend"]
    titles = [a for a in spec["layout"]["annotations"] if a.get("yref") == "paper" and a.get("xref") == "paper"]
    assert titles and legend["orientation"] == "v" and legend["xanchor"] == "left"
    assert legend["x"] > max(a["x"] for a in titles) and legend["x"] > 1  # right of every panel and its title
    ranges = {tuple(axis["range"]) for name, axis in spec["layout"].items() if name.startswith("xaxis")}
    store = Store(rich_url)
    obs = store.observations(indicators=codes, countries=["CHN", "USA", "TWN", "KOR"])
    store.close()
    obs = obs[obs["partner"] == "WLD"]
    assert ranges == {(f"{obs['period'].min():%Y-%m-%dT00:00:00}", f"{obs['period'].max():%Y-%m-%dT00:00:00}")}


def test_compare_keeps_the_previous_focus_among_the_peers(monkeypatch, rich_url):
    at = open_app(monkeypatch, rich_url, "compare", {"indicators": "IP.PAT.RESD", "peers": "USA,JPN"})
    at.selectbox(key="c_focus").select("USA").run()
    assert at.multiselect(key="c_peers").value == ["CHN", "JPN"]
    assert at.query_params["focus"] == "USA" and at.query_params["peers"] == "CHN,JPN"
    at.selectbox(key="c_focus").select("JPN").run()
    assert at.multiselect(key="c_peers").value == ["USA", "CHN"]
    at.multiselect(key="c_peers").unselect("CHN").run()  # removed by the user: it stays out
    at.toggle(key="c_indexed").set_value(True).run()
    assert at.multiselect(key="c_peers").value == ["USA"]


def test_compare_indicator_tags_are_short_with_the_full_names_in_the_help(monkeypatch, rich_url):
    from autarky.dashboard.formatting import SHORT_LABEL_CHARS

    codes = ["SR.PAT.RESD.SHARE", "GB.XPD.RSDV.GD.ZS", "NCSES.USPTO.SEMI"]
    at = open_app(monkeypatch, rich_url, "compare", {"indicators": ",".join(codes)})
    picker = at.multiselect(key="c_indicators")
    full = page_indicator(rich_url, "SR.PAT.RESD.SHARE")["name"]
    assert len(full) > SHORT_LABEL_CHARS
    assert len(set(picker.options)) == len(picker.options)  # short tags, still told apart
    assert all(len(o.split(" (")[0]) <= SHORT_LABEL_CHARS + 1 for o in picker.options)
    assert picker.format_func("SR.PAT.RESD.SHARE") == "Resident patent share (residents…"
    assert plain(full) in picker.help and picker.proto.wrap
