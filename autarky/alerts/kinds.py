"""Rule kinds: pure functions of one target's inputs (and whether its alert is active) to a Check.

No clock, no database, no network: the engine loads the inputs a kind needs and passes the time in `Inputs.now`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

import pandas as pd

from autarky.alerts.times import as_utc
from autarky.periods import ANNUAL, format_period, frequency_of

if TYPE_CHECKING:
    from autarky.alerts.rules import RuleTable

INTERVALS = (80, 95)


@dataclass(frozen=True)
class Inputs:
    """What a kind may look at for one target; the engine fills in what the kind `needs`."""

    values: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # value by period (Timestamp)
    frequency: str = "A"
    revisions: pd.DataFrame | None = None  # this series' revisions: period, old_value, new_value, revised_at
    runs: pd.DataFrame | None = None  # this source's collection runs, newest first
    probability: float | None = None  # P(crossing) from the newest forecast
    forecast_run: int | None = None  # id of the forecast run the probability comes from
    band: Mapping[str, Any] | None = None  # the forecast point for the latest period, made before it arrived
    # The latest relevant policy event and the band forecast from the data before it for the values since
    # (autarky.events.alerting.first_values_band).
    after_event: Mapping[str, Any] | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True)
class Check:
    """What a kind saw: whether the alert condition holds (None: nothing to judge), on which input, in words."""

    holds: bool | None
    summary: str
    value: float | None = None
    token: str = ""  # names the input judged; a new token is a new evaluation for `hold` and for event kinds
    period: dt.date | None = None
    marks: Mapping[str, float] = field(default_factory=dict)  # levels to draw on the chart


@dataclass(frozen=True)
class Kind:
    name: str
    fields: frozenset[str]
    parse: Callable[["RuleTable"], Any]
    check: Callable[[Any, Inputs, bool], Check]
    needs: frozenset[str]
    lasting: bool  # True: the condition is a lasting level (reminders make sense); False: each input is an event
    on_source: bool = False  # True: the target is a collector, not a series


def format_number(value: float | None) -> str:
    """Readable figures: 1,426,644 for large numbers, 4 significant digits otherwise."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def format_pct(value: float) -> str:
    return f"{value:+.1f}%" if math.isfinite(value) else ("+inf%" if value > 0 else "-inf%")


def period_end(period: dt.date, frequency: str) -> dt.date:
    """The first day after the period that starts at `period`."""
    return frequency_of(frequency).end(period)


def _latest(values: pd.Series) -> tuple[dt.date, float]:
    return values.index[-1].date(), float(values.iloc[-1])


def _token(period: dt.date, value: float) -> str:
    return f"{period.isoformat()}={value!r}"


# ---------------------------------------------------------------------------- threshold
@dataclass(frozen=True)
class Threshold:
    level: float
    above: bool
    recover: float

    def describe(self) -> str:
        side, back = ("above", "below") if self.above else ("below", "above")
        hysteresis = f"; recovers {back} {format_number(self.recover)}" if self.recover != self.level else ""
        return f"{side} {format_number(self.level)}{hysteresis}"

    def chart_levels(self) -> tuple[tuple[str, float], ...]:
        """(what, level) worth drawing on a chart of a watched series."""
        return (("above" if self.above else "below", self.level),)


def parse_threshold(t: "RuleTable") -> Threshold:
    above, below = t.number("above", None), t.number("below", None)
    if (above is None) == (below is None):
        raise t.fail("above", "give exactly one of 'above' or 'below'")
    level = above if above is not None else below
    recover = t.number("recover", level)
    if above is not None and recover > level:
        raise t.fail("recover", f"must be at or below 'above' ({format_number(level)}) for hysteresis")
    if below is not None and recover < level:
        raise t.fail("recover", f"must be at or above 'below' ({format_number(level)}) for hysteresis")
    return Threshold(level=level, above=above is not None, recover=recover)


def check_threshold(p: Threshold, inputs: Inputs, active: bool) -> Check:
    """Fires when the latest value passes the level; once active, holds until the value passes the recovery level."""
    if inputs.values.empty:
        return Check(None, "no data")
    period, value = _latest(inputs.values)
    if p.above:
        holds = value >= p.recover if active else value > p.level
    else:
        holds = value <= p.recover if active else value < p.level
    verb = "is" if holds else "is no longer"
    summary = f"{format_number(value)} in {format_period(period, inputs.frequency)} {verb} {p.describe()}"
    marks = {"level": p.level} | ({"recovery": p.recover} if p.recover != p.level else {})
    return Check(holds, summary, value, _token(period, value), period, marks)


# ---------------------------------------------------------------------------- change
@dataclass(frozen=True)
class Change:
    pct: float
    over: str  # period | year
    direction: str  # up | down | any

    def describe(self) -> str:
        way = {"up": "a rise", "down": "a fall", "any": "a change"}[self.direction]
        base = "the period before" if self.over == "period" else "a year earlier"
        return f"{way} of more than {format_number(self.pct)}% from {base}"


def parse_change(t: "RuleTable") -> Change:
    return Change(pct=t.number("pct", minimum=0, exclusive=True), over=t.choice("over", ("period", "year"), "period"),
                  direction=t.choice("direction", ("any", "up", "down"), "any"))


def check_change(p: Change, inputs: Inputs, active: bool) -> Check:  # noqa: ARG001 - an event kind
    """Holds when the latest value moved more than `pct` percent from the period (or year) before it."""
    if inputs.values.empty:
        return Check(None, "no data")
    period, value = _latest(inputs.values)
    earlier = pd.Timestamp((frequency_of(inputs.frequency) if p.over == "period" else ANNUAL).shift(period, -1))
    label = format_period(period, inputs.frequency)
    if earlier not in inputs.values.index:
        return Check(None, f"no value for {format_period(earlier.date(), inputs.frequency)} to compare {label} with",
                     value, _token(period, value), period)
    before = float(inputs.values[earlier])
    if before == 0:
        return Check(None, f"the value for {format_period(earlier.date(), inputs.frequency)} is zero; no percentage change",
                     value, _token(period, value), period)
    pct = (value - before) / abs(before) * 100
    holds = {"any": abs(pct) > p.pct, "up": pct > p.pct, "down": pct < -p.pct}[p.direction]
    summary = (f"{format_number(value)} in {label}, {format_pct(pct)} from {format_number(before)} in "
               f"{format_period(earlier.date(), inputs.frequency)} ({'beyond' if holds else 'within'} "
               f"{format_number(p.pct)}%)")
    return Check(holds, summary, pct, _token(period, value), period)


# ---------------------------------------------------------------------------- forecast crossing
@dataclass(frozen=True)
class Crossing:
    level: float
    by: dt.date
    above: bool
    p: float
    recover_p: float

    def describe(self) -> str:
        side = "≥" if self.above else "≤"
        hysteresis = f"; recovers below {self.recover_p:.0%}" if self.recover_p != self.p else ""
        return f"P(value {side} {format_number(self.level)} by {self.by.isoformat()}) at least {self.p:.0%}{hysteresis}"

    def chart_levels(self) -> tuple[tuple[str, float], ...]:
        return (("level", self.level),)


def parse_crossing(t: "RuleTable") -> Crossing:
    p = t.number("p", minimum=0, maximum=1, exclusive=True)
    recover_p = t.number("recover_p", p, minimum=0, maximum=1)
    if recover_p > p:
        raise t.fail("recover_p", f"must be at or below 'p' ({p}) for hysteresis")
    return Crossing(level=t.number("level"), by=t.date("by"), p=p, recover_p=recover_p,
                    above=t.choice("direction", ("above", "below"), "above") == "above")


def check_crossing(p: Crossing, inputs: Inputs, active: bool) -> Check:
    """Holds when the newest forecast gives the crossing a probability of at least p (then until below recover_p)."""
    if inputs.probability is None:
        return Check(None, f"no forecast with sample paths reaching {p.by.isoformat()}")
    prob = inputs.probability
    holds = prob >= p.recover_p if active else prob >= p.p
    side = "≥" if p.above else "≤"
    summary = (f"P(value {side} {format_number(p.level)} by {p.by.isoformat()}) = {prob:.0%} "
               f"({'at least' if holds else 'below'} {(p.recover_p if active else p.p):.0%}, forecast run "
               f"{inputs.forecast_run})")
    return Check(holds, summary, prob, f"run {inputs.forecast_run}={prob!r}", None, {"level": p.level})


# ---------------------------------------------------------------------------- outside band
@dataclass(frozen=True)
class OutsideBand:
    interval: int

    def describe(self) -> str:
        return f"a new value outside the {self.interval}% interval of the forecast made before it"


def parse_outside_band(t: "RuleTable") -> OutsideBand:
    interval = t.integer("interval", 95)
    if interval not in INTERVALS:
        raise t.fail("interval", f"must be 80 or 95, got {interval}")
    return OutsideBand(interval=interval)


def check_outside_band(p: OutsideBand, inputs: Inputs, active: bool) -> Check:  # noqa: ARG001 - an event kind
    """Holds when the latest value lies outside the interval forecast for its period before it was known."""
    if inputs.values.empty:
        return Check(None, "no data")
    period, value = _latest(inputs.values)
    label = format_period(period, inputs.frequency)
    if inputs.band is None:
        return Check(None, f"no forecast for {label} made before it arrived", value, _token(period, value), period)
    lo, hi = float(inputs.band[f"lo{p.interval}"]), float(inputs.band[f"hi{p.interval}"])
    holds = not lo <= value <= hi
    summary = (f"{format_number(value)} in {label} is {'outside' if holds else 'inside'} the {p.interval}% interval "
               f"{format_number(lo)} to {format_number(hi)} forecast before it (model {inputs.band.get('model')}, "
               f"run {inputs.band.get('run_id')}, predicted {format_number(float(inputs.band['yhat']))})")
    return Check(holds, summary, value, _token(period, value), period, {"band_lo": lo, "band_hi": hi})


# ---------------------------------------------------------------------------- after a policy event
@dataclass(frozen=True)
class AfterEvent:
    interval: int
    periods: int

    def describe(self) -> str:
        return (f"one of the first {self.periods} values after a relevant policy event outside the {self.interval}% "
                "interval of the forecast made from the data before the event")


def parse_after_event(t: "RuleTable") -> AfterEvent:
    interval = t.integer("interval", 95)
    if interval not in INTERVALS:
        raise t.fail("interval", f"must be 80 or 95, got {interval}")
    return AfterEvent(interval=interval, periods=t.integer("periods", 3, minimum=1))


def check_after_event(p: AfterEvent, inputs: Inputs, active: bool) -> Check:  # noqa: ARG001 - an event kind
    """Holds when a value since the latest relevant event lies outside the pre-event forecast's interval."""
    if inputs.values.empty:
        return Check(None, "no data")
    period, value = _latest(inputs.values)
    found = inputs.after_event
    if not found:
        return Check(None, f"no relevant policy event within the last {p.periods} periods", value,
                     _token(period, value), period)
    event, lo, hi = found["event"], found[f"lo{p.interval}"], found[f"hi{p.interval}"]
    outside = [(d, a, low, high) for d, a, low, high in zip(found["dates"], found["actual"], lo, hi)
               if not low <= a <= high]
    detail = "; ".join(f"{format_number(a)} in {format_period(d.date(), inputs.frequency)} (interval "
                       f"{format_number(low)} to {format_number(high)})" for d, a, low, high in outside)
    seen = len(found["actual"])
    summary = (f"after the {event.actor} event of {event.date.isoformat()} ({event.title[:120]}): "
               + (f"{len(outside)} of the first {seen} value(s) outside the {p.interval}% interval forecast from "
                  f"the data before it: {detail}" if outside else
                  f"the first {seen} value(s) inside the {p.interval}% interval forecast from the data before it")
               + f" (model {found['model']}; a before/after comparison, not proof of cause)")
    return Check(bool(outside), summary, value, f"{event.uid}:{_token(period, value)}", period,
                 {"band_lo": float(lo[-1]), "band_hi": float(hi[-1])})


# ---------------------------------------------------------------------------- revision
@dataclass(frozen=True)
class RevisionSize:
    pct: float

    def describe(self) -> str:
        return f"a past value revised by more than {format_number(self.pct)}%"


def parse_revision(t: "RuleTable") -> RevisionSize:
    return RevisionSize(pct=t.number("pct", minimum=0, exclusive=True))


def check_revision(p: RevisionSize, inputs: Inputs, active: bool) -> Check:  # noqa: ARG001 - an event kind
    """Holds when the newest batch of revisions of the series changed a past value by more than `pct` percent."""
    revisions = inputs.revisions
    if revisions is None or revisions.empty:
        return Check(False, "no revisions", token="no revisions")
    stamps = pd.to_datetime(revisions["revised_at"], utc=True)
    newest = stamps.max()
    batch = revisions[stamps == newest].sort_values("period")
    changes = [(_revision_pct(row.old_value, row.new_value), row) for row in batch.itertuples()]
    big = [(pct, row) for pct, row in changes if abs(pct) > p.pct]
    largest, _ = max(changes, key=lambda item: abs(item[0]))
    shown = big or changes
    detail = "; ".join(f"{format_period(pd.Timestamp(row.period).date(), inputs.frequency)}: {format_number(row.old_value)}"
                       f" -> {format_number(row.new_value)} ({format_pct(pct)})" for pct, row in shown[:5])
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    summary = (f"{len(batch)} value(s) revised on {newest:%Y-%m-%d}, {len(big)} by more than "
               f"{format_number(p.pct)}%: {detail}{more}")
    return Check(bool(big), summary, largest, f"revised {newest.isoformat()}")


def _revision_pct(old: float, new: float) -> float:
    if old == 0:
        return 0.0 if new == 0 else math.copysign(math.inf, new)
    return (new - old) / abs(old) * 100


# ---------------------------------------------------------------------------- staleness
@dataclass(frozen=True)
class Staleness:
    source: str
    days: int | None
    failures: int | None

    def describe(self) -> str:
        parts = []
        if self.days is not None:
            parts.append(f"no new data from {self.source} for {self.days} days")
        if self.failures is not None:
            parts.append(f"{self.failures} failed {self.source} runs in a row")
        return " or ".join(parts)


def parse_staleness(t: "RuleTable") -> Staleness:
    source = t.string("source")
    days, failures = t.integer("days", None, minimum=1), t.integer("failures", None, minimum=1)
    if days is None and failures is None:
        raise t.fail("days", "give 'days' (no new data for N days), 'failures' (K failed runs in a row), or both")
    return Staleness(source=source, days=days, failures=failures)


def check_staleness(p: Staleness, inputs: Inputs, active: bool) -> Check:  # noqa: ARG001 - a level kind
    """Holds when the collector brought no new data for `days`, or its last `failures` runs failed."""
    runs, now = inputs.runs, inputs.now
    if runs is None or runs.empty:
        return Check(None, f"{p.source} has never run")
    finished = runs[runs["status"] != "running"]
    streak = 0
    for status in finished["status"]:
        if status != "failed":
            break
        streak += 1
    fresh = finished[(finished["status"] == "ok") & ((finished["inserted"] + finished["updated"]) > 0)]
    # Without any run that brought data, the data is as old as the first run.
    since = as_utc(runs["started_at"].min() if fresh.empty else fresh["finished_at"].iloc[0])
    age = (now - since).days
    stale = p.days is not None and age >= p.days
    failing = p.failures is not None and streak >= p.failures
    reasons = []
    if p.days is not None:
        what = "no run has brought new data; the first ran" if fresh.empty else "last new data"
        reasons.append(f"{what} {age} days ago ({since:%Y-%m-%d})")
    if p.failures is not None or streak:
        error = finished["error"].iloc[0] if streak and finished["error"].iloc[0] else ""
        reasons.append(f"{streak} failed run(s) in a row" + (f", last error: {error}" if error else ""))
    summary = f"{p.source}: " + "; ".join(reasons)
    # The token is the day, so `hold` reads "stale on N days".
    return Check(stale or failing, summary, float(age if p.days is not None else streak), now.date().isoformat())


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("threshold", frozenset({"above", "below", "recover"}), parse_threshold, check_threshold,
         frozenset({"values"}), lasting=True),
    Kind("change", frozenset({"pct", "over", "direction"}), parse_change, check_change,
         frozenset({"values"}), lasting=False),
    Kind("forecast_crossing", frozenset({"level", "by", "direction", "p", "recover_p"}), parse_crossing,
         check_crossing, frozenset({"values", "probability"}), lasting=True),
    Kind("outside_band", frozenset({"interval"}), parse_outside_band, check_outside_band,
         frozenset({"values", "band"}), lasting=False),
    Kind("after_event", frozenset({"interval", "periods"}), parse_after_event, check_after_event,
         frozenset({"values", "after_event"}), lasting=False),
    Kind("revision", frozenset({"pct"}), parse_revision, check_revision,
         frozenset({"values", "revisions"}), lasting=False),
    Kind("staleness", frozenset({"source", "days", "failures"}), parse_staleness, check_staleness,
         frozenset({"runs"}), lasting=True, on_source=True),
)}
