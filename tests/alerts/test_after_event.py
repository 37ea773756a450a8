"""The after_event kind on Korea's real HS 8542 exports to China: the first values after the October 2022 US rules
against the band forecast from the data before them, through the engine and the email (with the event on its chart)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from autarky.alerts import engine
from autarky.alerts.kinds import AfterEvent, Inputs, check_after_event
from autarky.events.source import bundled_events
from autarky.events.store import sync_events
from tests.support.alerts import T0, make_app, rule, write_config
from tests.support.events import INDICATOR, INDICATOR_TOML, store_chip_series

RULE = rule("Chips after an export control", "after_event", indicator=INDICATOR, countries=["KOR"], interval=95,
            periods=3)


def _run(store, catalog, database_url, tmp_path, until):
    store.register_sources(catalog)
    store_chip_series(store, until=until)
    sync_events(store, bundled_events())
    app = make_app(write_config(tmp_path, database_url, RULE, extra=INDICATOR_TOML))
    try:
        return engine.check(app, now=T0)
    finally:
        app.close()


def test_first_values_after_the_event_outside_the_pre_event_band_fire(store, catalog, smtp, database_url, tmp_path):
    report = _run(store, catalog, database_url, tmp_path, "2022-11")
    check = report.evaluation.outcomes[0].check
    assert check.holds is True
    assert "after the USA event of 2022-10-07" in check.summary and "outside the 95% interval" in check.summary
    assert "not proof of cause" in check.summary
    assert check.token.startswith(next(e.uid for e in bundled_events() if e.date == dt.date(2022, 10, 7)))
    [message] = smtp.received
    assert "2022-10-07" in message.parts["text/plain"]
    assert any(part.get_content_type() == "image/png" for part in message.message.walk())


def test_no_relevant_event_in_the_last_periods_judges_nothing(store, catalog, smtp, database_url, tmp_path):
    report = _run(store, catalog, database_url, tmp_path, "2022-07")
    check = report.evaluation.outcomes[0].check
    assert check.holds is None and "no relevant policy event within the last 3 periods" in check.summary
    assert smtp.received == []


def test_inside_the_band_does_not_hold():
    event = bundled_events()[0]
    dates = [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-01")]
    found = {"event": event, "dates": dates, "actual": [10.0, 11.0], "yhat": [10.0, 10.5], "lo95": [8.0, 8.0],
             "hi95": [12.0, 13.0], "lo80": [9.0, 9.0], "hi80": [11.0, 12.0], "model": "ets"}
    inputs = Inputs(values=pd.Series([10.0, 11.0], index=pd.DatetimeIndex(dates)), frequency="M", after_event=found)
    check = check_after_event(AfterEvent(95, 3), inputs, False)
    assert check.holds is False and "inside the 95% interval" in check.summary
    assert check.marks == {"band_lo": 8.0, "band_hi": 13.0}
    outside = check_after_event(AfterEvent(80, 3), inputs, False)
    assert outside.holds is False  # 11 lies inside the 80% band 9-12 as well


def test_email_chart_draws_the_events_within_its_history():
    from autarky.alerts.chart import render_chart

    values = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2022-08-01", periods=3, freq="MS"))
    plain = render_chart(values, title="t")
    marked = render_chart(values, title="t", events=[(dt.date(2022, 10, 7), "USA 2022-10")])
    outside = render_chart(values, title="t", events=[(dt.date(2015, 1, 1), "CHN 2015-01")])
    assert marked[:8] == b"\x89PNG\r\n\x1a\n" and marked != plain
    assert outside == plain
