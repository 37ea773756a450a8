"""Rule kinds and the state machine as pure functions: inputs and previous state in, new state and notice out."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from autarky.alerts.kinds import (Change, Check, Crossing, Inputs, OutsideBand, RevisionSize, Staleness, Threshold,
                                  check_change, check_crossing, check_outside_band, check_revision, check_staleness,
                                  check_threshold, format_number)
from autarky.alerts.states import (CLEARED, FIRED, FIRING, OK, PENDING, REPEAT, RESOLVED, AlertState, Policy,
                                   advance, next_reminder)

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
# China, R&D expenditure % of GDP (WDI GB.XPD.RSDV.GD.ZS, bundled snapshot)
CHINA_RD = {2018: 2.10232, 2019: 2.20144, 2020: 2.35712, 2021: 2.38165, 2022: 2.4945, 2023: 2.57729}


def annual(values: dict[int, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex([pd.Timestamp(y, 1, 1) for y in values]))


def test_threshold_above_with_hysteresis():
    rule = Threshold(level=2.5, above=True, recover=2.45)
    fired = check_threshold(rule, Inputs(values=annual(CHINA_RD)), active=False)
    assert fired.holds and fired.value == 2.57729 and fired.period == dt.date(2023, 1, 1)
    assert fired.summary == "2.577 in 2023 is above 2.5; recovers below 2.45"
    assert fired.marks == {"level": 2.5, "recovery": 2.45}
    dip = annual({**CHINA_RD, 2024: 2.47})
    assert check_threshold(rule, Inputs(values=dip), active=True).holds  # between the levels: stays firing
    assert not check_threshold(rule, Inputs(values=dip), active=False).holds  # ... but would not fire anew
    assert not check_threshold(rule, Inputs(values=annual({**CHINA_RD, 2024: 2.44})), active=True).holds
    assert check_threshold(rule, Inputs(), active=False).holds is None


def test_threshold_below():
    rule = Threshold(level=2.3, above=False, recover=2.35)
    assert not check_threshold(rule, Inputs(values=annual(CHINA_RD)), active=False).holds
    low = annual({2018: 2.10232})
    assert check_threshold(rule, Inputs(values=low), active=False).holds
    assert check_threshold(rule, Inputs(values=annual({2019: 2.33})), active=True).holds
    assert not check_threshold(rule, Inputs(values=annual({2019: 2.36})), active=True).holds


def test_change_period_on_period_and_year_on_year():
    check = check_change(Change(pct=3, over="period", direction="any"), Inputs(values=annual(CHINA_RD)), False)
    assert check.holds and check.value == pytest.approx((2.57729 - 2.4945) / 2.4945 * 100)
    assert check.summary == "2.577 in 2023, +3.3% from 2.494 in 2022 (beyond 3%)"
    assert not check_change(Change(pct=3, over="period", direction="down"), Inputs(values=annual(CHINA_RD)),
                            False).holds
    # Monthly: year on year compares with the same month a year earlier, not the month before.
    months = pd.date_range("2023-01-01", "2024-03-01", freq="MS")
    monthly = pd.Series([100.0] * 12 + [100.0, 100.0, 80.0], index=months)
    yoy = check_change(Change(pct=10, over="year", direction="down"), Inputs(values=monthly, frequency="M"), False)
    assert yoy.holds and yoy.value == pytest.approx(-20.0) and "2024-03" in yoy.summary and "2023-03" in yoy.summary
    gap = annual({2019: 2.20144, 2021: 2.38165})
    missing = check_change(Change(pct=3, over="period", direction="any"), Inputs(values=gap), False)
    assert missing.holds is None and missing.summary == "no value for 2020 to compare 2021 with"
    zero = check_change(Change(pct=3, over="period", direction="any"), Inputs(values=annual({2020: 0, 2021: 5})),
                        False)
    assert zero.holds is None and "zero" in zero.summary


def test_forecast_crossing_with_recovery_probability():
    rule = Crossing(level=0.95, by=dt.date(2030, 12, 31), above=True, p=0.5, recover_p=0.4)
    fired = check_crossing(rule, Inputs(probability=0.55, forecast_run=7), active=False)
    assert fired.holds and fired.token == "run 7=0.55" and "= 55%" in fired.summary
    assert check_crossing(rule, Inputs(probability=0.45, forecast_run=8), active=True).holds
    assert not check_crossing(rule, Inputs(probability=0.45, forecast_run=8), active=False).holds
    assert not check_crossing(rule, Inputs(probability=0.35, forecast_run=9), active=True).holds
    assert check_crossing(rule, Inputs(), active=False).holds is None


def test_outside_band():
    values = annual(CHINA_RD)
    band = {"run_id": 3, "model": "theta", "yhat": 2.55, "lo80": 2.52, "hi80": 2.58, "lo95": 2.50, "hi95": 2.60}
    inside = check_outside_band(OutsideBand(95), Inputs(values=values, band=band), False)
    assert inside.holds is False and "inside the 95% interval 2.5 to 2.6" in inside.summary
    assert check_outside_band(OutsideBand(80), Inputs(values=values, band={**band, "hi80": 2.57}), False).holds
    assert check_outside_band(OutsideBand(95), Inputs(values=values), False).holds is None


def test_revision_reads_the_newest_batch():
    revisions = pd.DataFrame({
        "period": [dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2019, 1, 1)],
        "old_value": [2.35712, 2.38165, 2.20144], "new_value": [2.25, 2.40, 2.5],
        "revised_at": [NOW, NOW, NOW - dt.timedelta(days=30)]})
    check = check_revision(RevisionSize(pct=3), Inputs(values=annual(CHINA_RD), revisions=revisions), False)
    assert check.holds and check.value == pytest.approx((2.25 - 2.35712) / 2.35712 * 100)
    assert check.summary == "2 value(s) revised on 2026-03-01, 1 by more than 3%: 2020: 2.357 -> 2.25 (-4.5%)"
    small = check_revision(RevisionSize(pct=5), Inputs(values=annual(CHINA_RD), revisions=revisions), False)
    assert small.holds is False  # the 2019 revision (+11%) belongs to an older batch
    assert check_revision(RevisionSize(pct=3), Inputs(values=annual(CHINA_RD)), False).holds is False


def _runs(*rows):
    return pd.DataFrame([dict(id=i, source="comtrade", started_at=at, finished_at=at, status=status,
                              inserted=inserted, updated=0, unchanged=0, rejected=0, error=error)
                         for i, (at, status, inserted, error) in enumerate(rows)])


def test_staleness_by_age_and_by_failures():
    rule = Staleness(source="comtrade", days=60, failures=3)
    fresh = _runs((NOW - dt.timedelta(days=10), "ok", 5, None))
    assert check_staleness(rule, Inputs(runs=fresh, now=NOW), False).holds is False
    old = _runs((NOW - dt.timedelta(days=5), "ok", 0, None), (NOW - dt.timedelta(days=61), "ok", 12, None))
    stale = check_staleness(rule, Inputs(runs=old, now=NOW), False)
    assert stale.holds and stale.value == 61 and "last new data 61 days ago (2025-12-30)" in stale.summary
    failing = _runs(*[(NOW - dt.timedelta(days=d), "failed", 0, "HTTP 401") for d in (1, 2, 3)],
                    (NOW - dt.timedelta(days=4), "ok", 3, None))
    check = check_staleness(rule, Inputs(runs=failing, now=NOW), False)
    assert check.holds and "3 failed run(s) in a row, last error: HTTP 401" in check.summary
    assert check_staleness(rule, Inputs(runs=_runs(), now=NOW), False).holds is None


def test_format_number():
    assert format_number(1426644) == "1,426,644"
    assert format_number(0.899699) == "0.8997"
    assert format_number(None) == "n/a"


def _check(holds, token="t1", value=1.0):
    return Check(holds, "summary", value, token)


def test_state_machine_pending_firing_resolved():
    policy = Policy(hold=2, notify_resolved=True)
    step = advance(AlertState(), _check(True, "a"), policy, NOW)
    assert step.state.state == PENDING and step.state.pending_count == 1 and step.notice is None
    same = advance(step.state, _check(True, "a"), policy, NOW)
    assert same.state.state == PENDING and same.state.pending_count == 1
    fired = advance(same.state, _check(True, "b"), policy, NOW)
    assert fired.state.state == FIRING and fired.notice == FIRED and fired.state.notify_count == 1
    resolved = advance(fired.state, _check(False, "c"), policy, NOW)
    assert resolved.state.state == RESOLVED and resolved.notice == CLEARED
    silent = advance(fired.state, _check(False, "c"), Policy(notify_resolved=False), NOW)
    assert silent.state.state == RESOLVED and silent.notice is None
    unknown = advance(fired.state, _check(None, "d"), policy, NOW)
    assert unknown.state == fired.state and unknown.notice is None
    back = advance(step.state, _check(False, "z"), policy, NOW)
    assert back.state.state == OK and back.notice is None


def test_reminders_double_up_to_the_cap():
    policy = Policy(repeat_after=dt.timedelta(days=1), repeat_max=dt.timedelta(days=3))
    state = advance(AlertState(), _check(True), policy, NOW).state
    due = []
    for notice_count in range(1, 5):
        due.append(next_reminder(state, policy) - state.last_notified_at)
        state = advance(state, _check(True), policy, next_reminder(state, policy)).state
        assert state.notify_count == notice_count + 1
    assert due == [dt.timedelta(days=d) for d in (1, 2, 3, 3)]
    assert advance(state, _check(True), policy, state.last_notified_at + dt.timedelta(hours=1)).notice is None
    assert next_reminder(state, Policy(repeat_after=None)) is None


def test_event_kinds_report_each_new_input_once():
    policy = Policy(event=True, notify_resolved=False)
    first = advance(AlertState(), _check(True, "2022"), policy, NOW)
    again = advance(first.state, _check(True, "2022"), policy, NOW + dt.timedelta(days=1))
    assert first.notice == FIRED and again.notice is None
    later = advance(again.state, _check(True, "2023"), policy, NOW + dt.timedelta(days=2))
    assert later.notice == FIRED and later.state.since == NOW + dt.timedelta(days=2)
    assert later.notice != REPEAT
