"""The state machine of one rule for one target: ok -> pending -> firing -> resolved, with reminders that slow down.

`advance` is pure: the previous state, what the kind saw, the rule's policy and the time in; the new state and the
notice to send (if any) out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from autarky.alerts.kinds import Check

OK, PENDING, FIRING, RESOLVED = "ok", "pending", "firing", "resolved"
ACTIVE = (PENDING, FIRING)
# Notices
FIRED, REPEAT, CLEARED = "firing", "repeat", "resolved"
REPEAT_FACTOR = 2


@dataclass(frozen=True)
class AlertState:
    """What is remembered between evaluations (one alert_state row)."""

    state: str = OK
    since: dt.datetime | None = None
    pending_count: int = 0
    last_value: float | None = None
    last_notified_at: dt.datetime | None = None
    notify_count: int = 0
    token: str | None = None
    summary: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


@dataclass(frozen=True)
class Policy:
    """How a rule turns conditions into notices."""

    hold: int = 1  # evaluations on new input the condition must hold before firing
    repeat_after: dt.timedelta | None = None  # first reminder for a still-firing alert; None: no reminders
    repeat_max: dt.timedelta = dt.timedelta(days=90)  # reminders slow down (doubling) up to this interval
    notify_resolved: bool = True
    event: bool = False  # each new input that meets the condition is news (change, outside band, revision)


@dataclass(frozen=True)
class Step:
    state: AlertState
    notice: str | None = None  # FIRED | REPEAT | CLEARED

    def moved_from(self, previous: AlertState) -> bool:
        return self.state.state != previous.state or self.notice is not None


def next_reminder(state: AlertState, policy: Policy) -> dt.datetime | None:
    """When a still-firing alert is due for its next reminder: the interval doubles after each notice, up to a cap."""
    if state.state != FIRING or policy.repeat_after is None or state.last_notified_at is None:
        return None
    interval = min(policy.repeat_after * REPEAT_FACTOR ** max(state.notify_count - 1, 0), policy.repeat_max)
    return state.last_notified_at + interval


def advance(prev: AlertState, check: Check, policy: Policy, now: dt.datetime) -> Step:
    """The next state of one alert after one evaluation, and the notice it calls for."""
    if check.holds is None:  # nothing to judge (no data yet, no forecast): keep the state as it is
        return Step(prev)
    new_input = check.token != prev.token
    seen = replace(prev, last_value=check.value, token=check.token, summary=check.summary)
    if not check.holds:
        if prev.state == FIRING:
            return Step(_enter(seen, RESOLVED, now), CLEARED if policy.notify_resolved else None)
        if prev.state == PENDING:
            return Step(_enter(seen, OK, now))
        return Step(seen)
    if prev.state == FIRING:
        if policy.event and new_input:
            return Step(_notified(_enter(seen, FIRING, now), now, first=True), FIRED)
        due = next_reminder(prev, policy)
        if due is not None and now >= due:
            return Step(_notified(seen, now, first=False), REPEAT)
        return Step(seen)
    count = prev.pending_count + (1 if new_input else 0) if prev.state == PENDING else 1
    if count >= policy.hold:
        return Step(_notified(_enter(seen, FIRING, now), now, first=True), FIRED)
    entered = seen if prev.state == PENDING else _enter(seen, PENDING, now)
    return Step(replace(entered, pending_count=count))


def _enter(state: AlertState, name: str, now: dt.datetime) -> AlertState:
    return replace(state, state=name, since=now, pending_count=0)


def _notified(state: AlertState, now: dt.datetime, *, first: bool) -> AlertState:
    return replace(state, last_notified_at=now, notify_count=1 if first else state.notify_count + 1)
