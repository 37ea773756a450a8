"""Policy events on the charts: relevance to the chart, marker traces, plain-text titles, the explorer's toggle and
impact (AppTest), on Korea's real HS 8542 exports to China."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from autarky.app import App
from autarky.app import load_catalog
from autarky.dashboard.events import TRACE_NAME, add_event_markers, chart_events, events_table, plain
from autarky.events.cli import load_events
from autarky.events.source import bundled_events, parse_event
from tests.support.events import INDICATOR, INDICATOR_TOML, KEY, store_chip_series

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def _catalog():
    import tomllib

    return load_catalog(extra=tomllib.loads(INDICATOR_TOML))


def test_chart_events_are_the_relevant_ones_within_the_dates():
    periods = pd.Series(pd.date_range("2016-01-01", "2023-05-01", freq="MS"))
    shown = chart_events(bundled_events(), _catalog().indicator(INDICATOR), periods)
    dates = [e.date for e in shown]
    assert dt.date(2022, 10, 7) in dates and dt.date(2023, 5, 21) in dates
    assert dt.date(2023, 5, 23) not in dates            # Japan's tool controls name HS 848620 only
    assert min(dates) >= dt.date(2016, 1, 1) and max(dates) == dt.date(2023, 5, 21)  # within the last month
    assert chart_events(bundled_events(), _catalog().indicator("NY.GDP.MKTP.CD"), periods) == []
    assert chart_events(bundled_events(), None, periods) == []


def test_markers_are_one_trace_with_plain_titles_and_source_links():
    event = parse_event({"date": "2020-05-15", "actor": "USA", "kind": "export_control",
                         "title": "<b>FDP</b> rule & <a href='x'>link</a>", "affects": "semiconductors",
                         "source_url": "https://example.org/rule"}, "test")
    fig = go.Figure(go.Scatter(x=[pd.Timestamp("2020-01-01")], y=[1.0]))
    add_event_markers(fig, [event, *bundled_events()[:2]], 5.0)
    markers = [t for t in fig.data if t.name == TRACE_NAME]
    assert len(markers) == 1 and list(markers[0].y) == [5.0] * 3
    assert markers[0].text[0] == "2020-05-15 USA: &lt;b&gt;FDP&lt;/b&gt; rule &amp; &lt;a href='x'&gt;link&lt;/a&gt;"
    assert markers[0].customdata[0] == "https://example.org/rule"
    assert len(fig.layout.shapes) == 3
    assert plain("a < b") == "a &lt; b"
    table = events_table([event])
    assert table.iloc[0]["title"] == event.title and table.iloc[0]["source"] == "https://example.org/rule"
    assert len(add_event_markers(go.Figure(), [], 1.0).data) == 0


@pytest.fixture
def chip_app(tmp_path, monkeypatch):
    (tmp_path / "autarky.toml").write_text(INDICATOR_TOML, encoding="utf-8")
    monkeypatch.setenv("AUTARKY_CONFIG", str(tmp_path / "autarky.toml"))
    monkeypatch.setenv("AUTARKY_DATABASE_URL", f"sqlite:///{tmp_path / 'chips.db'}")
    app = App()
    app.store.upgrade()
    app.store.register_sources(app.catalog)
    store_chip_series(app.store)
    load_events(app)
    app.close()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _explorer(query: dict) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("views/explorer.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _trace_names(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [trace.get("name") for trace in spec["data"]]


def test_explorer_draws_markers_by_default_and_the_toggle_hides_them(chip_app):
    at = _explorer({"indicator": INDICATOR, "countries": "KOR"})
    assert at.toggle(key="x_events").value is True
    assert TRACE_NAME in _trace_names(at)
    assert any("policy events relevant to this indicator" in c.value for c in at.caption)
    at.toggle(key="x_events").set_value(False).run()
    assert not at.exception
    assert TRACE_NAME not in _trace_names(at)


def test_explorer_shows_the_impact_of_the_selected_event(chip_app):
    uid = next(e.uid for e in bundled_events() if e.date == dt.date(2022, 10, 7))
    at = _explorer({"indicator": INDICATOR, "countries": "KOR", "event": uid})
    assert at.selectbox(key="x_event").value == uid
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Gap against the pre-event forecast"].startswith("-")
    assert "of" in metrics["Placebo rank (1 = lowest)"]
    report = "\n".join(t.value for t in at.text)
    assert "Before/after comparison, not proof of cause" in report and KEY in report


def test_compare_grid_marks_each_panels_events_with_one_legend_entry():
    from autarky.dashboard.charts import compare_grid

    periods = pd.date_range("2016-01-01", "2023-05-01", freq="MS")
    frame = pd.DataFrame({"series_key": KEY, "country": "KOR", "period": periods, "value": range(len(periods)),
                          "frequency": "M"})
    events = chart_events(bundled_events(), _catalog().indicator(INDICATOR), frame["period"])
    fig = compare_grid({"A": frame, "B": frame}, {"A": "a", "B": "b"}, {"A": "x", "B": "x"}, {KEY: "Korea"},
                       focus="KOR", order=["KOR"], events={"A": events, "B": events[:2]})
    markers = [t for t in fig.data if t.name == TRACE_NAME]
    assert [len(t.x) for t in markers] == [len(events), 2]
    assert [t.showlegend for t in markers] == [True, False]
    assert {t.xaxis for t in markers} == {"x", "x2"}


def test_overview_cards_name_the_latest_relevant_event(monkeypatch, tmp_path, catalog):
    from tests.support.dashboard import load_bundled

    url = f"sqlite:///{tmp_path / 'snapshot.db'}"
    monkeypatch.setenv("AUTARKY_DATABASE_URL", url)
    app = App()
    app.store.upgrade()
    load_bundled(app.store, catalog)
    load_events(app)
    app.close()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    # Headline indicators in the computing_ai sector: the latest event tagged ai or advanced_computing is 2025-12-08.
    assert any("latest policy event 2025-12-08 (USA)" in c for c in captions), captions
    st.cache_data.clear()
    st.cache_resource.clear()
