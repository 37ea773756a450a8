"""Evaluate every alert rule, record what changed and the emails it calls for in one transaction, then send.

The evaluation itself only reads (states, observations, revisions, runs, forecasts) and renders the emails; the
write transaction that follows takes the alerts lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL),
checks that no other evaluation moved the same states meanwhile (if one did, the evaluation is redone), and writes
the new states, the events and the outbox rows together: a crash leaves either all of them or none.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import pandas as pd
from sqlalchemy import select, text

from autarky.alerts.compose import DEFAULT_DASHBOARD_URL, Notice, Target, compose
from autarky.alerts.kinds import Check, Inputs, period_end
from autarky.alerts.mail import SmtpSettings
from autarky.alerts.models import AlertEvent, Outbox
from autarky.alerts.models import AlertState as StateRow
from autarky.alerts.outbox import Delivery, Message, enqueue, send_due
from autarky.alerts.rules import Rule, load_rules
from autarky.alerts.states import AlertState, Policy, Step, advance
from autarky.alerts.times import as_utc
from autarky.app import App
from autarky.catalog import WORLD, Catalog
from autarky.events.alerting import chart_events_by_key, first_values_band
from autarky.config import Config
from autarky.errors import AutarkyError
from autarky.forecast import read as forecasts
from autarky.models import utcnow
from autarky.store import Store

log = logging.getLogger(__name__)
# PostgreSQL advisory lock that serialises the write step of evaluations ("Auta").
ALERTS_LOCK_ID = 0x41757461
EVALUATION_TRIES = 2


class StateConflict(AutarkyError):
    """Another evaluation changed the same alert states between this one's read and its write."""


@dataclass(frozen=True)
class Outcome:
    """One rule on one target in one evaluation."""

    rule: Rule
    target: Target
    check: Check
    previous: AlertState
    step: Step
    values: pd.Series

    @property
    def moved(self) -> bool:
        return self.step.moved_from(self.previous)


@dataclass
class Evaluation:
    at: dt.datetime
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def moved(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.moved]


@dataclass
class CheckReport:
    evaluation: Evaluation
    messages: list[Message]
    delivery: Delivery | None = None
    dry_run: bool = False


def dashboard_url(config: Config) -> str:
    return str(config.get("dashboard_url") or DEFAULT_DASHBOARD_URL)


# ---------------------------------------------------------------------------- evaluation (reads only)
def evaluate(store: Store, rules: Sequence[Rule], *, now: dt.datetime,
             country_names: Mapping[str, str] | None = None, catalog: Catalog | None = None,
             config: Config | None = None) -> Evaluation:
    """Judge every enabled rule on each of its targets against the stored states; nothing is written."""
    evaluation = Evaluation(at=now)
    rules = [r for r in rules if r.enabled]
    catalogue = store.series() if any(not r.spec.on_source for r in rules) else pd.DataFrame()
    pairs = [(rule, target) for rule in rules
             for target in _targets(rule, catalogue, country_names or {}, evaluation.warnings)]
    values = _values(store, {t.key for r, t in pairs if "values" in r.spec.needs})
    revisions = _revisions(store, {t.key for r, t in pairs if "revisions" in r.spec.needs})
    runs: dict[str, pd.DataFrame] = {}
    states = load_states(store)
    for rule, target in pairs:
        series = values.get(target.key, pd.Series(dtype=float))
        inputs = _inputs(store, rule, target, series, revisions, runs, now)
        if "after_event" in rule.spec.needs:
            inputs = replace(inputs, after_event=_after_event(store, catalog, config, rule, target, catalogue, series))
        previous = states.get((rule.name, target.key), AlertState())
        check = rule.spec.check(rule.params, inputs, previous.active)
        step = advance(previous, check, policy(rule), now)
        evaluation.outcomes.append(Outcome(rule, target, check, previous, step, series))
    return evaluation


def policy(rule: Rule) -> Policy:
    return Policy(hold=rule.hold, repeat_after=rule.repeat_after, repeat_max=rule.repeat_max,
                  notify_resolved=rule.notify_resolved, event=not rule.spec.lasting)


def _targets(rule: Rule, catalogue: pd.DataFrame, country_names: Mapping[str, str],
             warnings: list[str]) -> list[Target]:
    if rule.spec.on_source:
        source = rule.params.source
        return [Target(key=f"source:{source}", name=f"collector {source}", source=source)]
    if rule.series:
        rows = catalogue[catalogue["key"].isin(rule.series)]
        missing = [k for k in rule.series if k not in set(rows["key"])]
        if missing:
            warnings.append(f"rule {rule.name}: series {', '.join(missing)} not stored (yet)")
    else:
        rows = catalogue[(catalogue["indicator"] == rule.indicator) & catalogue["partner"].isin(rule.partners)]
        if rule.countries:
            rows = rows[rows["country"].isin(rule.countries)]
        if rows.empty:
            where = f" for {', '.join(rule.countries)}" if rule.countries else ""
            where += "" if rule.partners == (WORLD,) else f" with {', '.join(rule.partners)}"
            warnings.append(f"rule {rule.name}: no stored series of indicator {rule.indicator}{where}")
    return [Target(key=r.key, name=r.name or "", country=r.country, country_name=country_names.get(r.country, ""),
                   unit=r.unit or "", frequency=r.frequency or "A",
                   partner="" if r.partner == WORLD else r.partner,
                   partner_name="" if r.partner == WORLD else country_names.get(r.partner, ""))
            for r in rows.itertuples()]


def _values(store: Store, keys: set[str]) -> dict[str, pd.Series]:
    if not keys:
        return {}
    frame = store.observations(keys=sorted(keys))
    return {key: pd.Series(group["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(group["period"]))
            for key, group in frame.groupby("series_key")}


def _revisions(store: Store, keys: set[str]) -> dict[str, pd.DataFrame]:
    if not keys:
        return {}
    return {key: group for key, group in store.revisions(keys=sorted(keys)).groupby("series_key")}


def _inputs(store: Store, rule: Rule, target: Target, series: pd.Series, revisions: Mapping[str, pd.DataFrame],
            runs: dict[str, pd.DataFrame], now: dt.datetime) -> Inputs:
    """What the rule's kind needs for this target, loaded through the store and the forecasts read API."""
    needs, p = rule.spec.needs, rule.params
    extra: dict = {}
    if "revisions" in needs:
        extra["revisions"] = revisions.get(target.key)
    if "runs" in needs:
        if p.source not in runs:
            runs[p.source] = store.runs(source=p.source)
        extra["runs"] = runs[p.source]
    if "probability" in needs:
        extra["probability"] = forecasts.crossing_probability(store, target.key, p.level, p.by, p.above)
        latest = forecasts.latest_runs(store, [target.key])
        extra["forecast_run"] = int(latest["run_id"].iloc[0]) if not latest.empty else None
    if "band" in needs and not series.empty:
        start = series.index[-1].date()
        extra["band"] = forecasts.forecast_before(store, target.key, start, period_end(start, target.frequency))
    return Inputs(values=series, frequency=target.frequency, now=now, **extra)


def _after_event(store: Store, catalog: Catalog | None, config: Config | None, rule: Rule, target: Target,
                 catalogue: pd.DataFrame, series: pd.Series) -> dict | None:
    row = catalogue[catalogue["key"] == target.key]
    if row.empty:
        return None
    return first_values_band(store, catalog, config, target.key, str(row["indicator"].iloc[0]), target.country,
                             target.frequency, series, rule.params.periods)


def load_states(store: Store) -> dict[tuple[str, str], AlertState]:
    with store.reading() as session:
        return {(row.rule, row.series_key): _state(row) for row in session.scalars(select(StateRow))}


def _state(row: StateRow) -> AlertState:
    details = row.details or {}
    return AlertState(state=row.state, since=as_utc(row.since), pending_count=row.pending_count,
                      last_value=row.last_value, last_notified_at=as_utc(row.last_notified_at),
                      notify_count=row.notify_count, token=details.get("token"), summary=details.get("summary", ""))


def notices(store: Store, evaluation: Evaluation, catalog: Catalog | None = None) -> list[Notice]:
    """The notices an evaluation calls for, with each series' newest forecast and relevant events for the charts."""
    due = [o for o in evaluation.outcomes if o.step.notice]
    keys = sorted({o.target.key for o in due if not o.target.source})
    points = forecasts.forecast_points(store, keys) if keys else pd.DataFrame(columns=forecasts.POINT_COLUMNS)
    by_key = {key: group for key, group in points.groupby("series_key")}
    indicators = dict(zip(*[store.series(keys=keys)[c] for c in ("key", "indicator")])) if keys and catalog else {}
    events = chart_events_by_key(store, catalog, indicators)
    return [Notice(kind=o.step.notice, rule=o.rule, target=o.target, check=o.check, state=o.step.state,
                   values=o.values, forecast=by_key.get(o.target.key), events=events.get(o.target.key, ()))
            for o in due]


# ---------------------------------------------------------------------------- recording (one transaction)
def _fingerprint(state: AlertState) -> tuple:
    return state.state, state.pending_count, state.notify_count, state.token


def record(store: Store, evaluation: Evaluation, messages: Sequence[Message]) -> None:
    """Write new states, events and outbox messages together; StateConflict if another evaluation got there first."""
    with store.writing() as session:
        if store.engine.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ALERTS_LOCK_ID})
        names = sorted({o.rule.name for o in evaluation.outcomes})
        rows = {(r.rule, r.series_key): r for r in session.scalars(select(StateRow).where(StateRow.rule.in_(names)))}
        for o in evaluation.outcomes:
            row = rows.get((o.rule.name, o.target.key))
            if _fingerprint(_state(row) if row else AlertState()) != _fingerprint(o.previous):
                raise StateConflict(f"alert {o.rule.name} on {o.target.key} changed during this evaluation")
            if row is None:
                row = StateRow(rule=o.rule.name, series_key=o.target.key)
                session.add(row)
            new = o.step.state
            row.state, row.since = new.state, new.since or evaluation.at
            row.pending_count, row.last_value, row.notify_count = new.pending_count, new.last_value, new.notify_count
            row.last_notified_at, row.last_evaluated_at = new.last_notified_at, evaluation.at
            row.details = {"token": new.token, "summary": new.summary, "kind": o.rule.kind,
                           "condition": o.rule.condition,
                           "period": o.check.period.isoformat() if o.check.period else None}
            if o.moved:
                session.add(AlertEvent(rule=o.rule.name, series_key=o.target.key, at=evaluation.at,
                                       from_state=o.previous.state, to_state=new.state, severity=o.rule.severity,
                                       value=o.check.value, message=_event_message(o)))
        enqueue(session, messages, evaluation.at)


def _event_message(outcome: Outcome) -> str:
    notice = f"{outcome.step.notice} notice; " if outcome.step.notice and outcome.rule.recipients else ""
    return f"{notice}{outcome.check.summary}"


# ---------------------------------------------------------------------------- entry points
def check(app: App, *, now: dt.datetime | None = None, dry_run: bool = False, force: bool = True) -> CheckReport:
    """Evaluate, record and send. `force` sends every queued message now (a run by hand); the pipeline waits out
    the backoff. A dry run writes and sends nothing and renders no charts."""
    rules = load_rules(app.config)
    settings = SmtpSettings.from_env()  # a bad SMTP setting fails here, before anything is written
    now = now or utcnow()
    for attempt in range(1, EVALUATION_TRIES + 1):
        evaluation = evaluate(app.store, rules, now=now, country_names=app.catalog.countries, catalog=app.catalog,
                              config=app.config)
        messages = compose(notices(app.store, evaluation, app.catalog), now=now, dashboard_url=dashboard_url(app.config),
                           charts=not dry_run)
        if dry_run:
            return CheckReport(evaluation, messages, dry_run=True)
        try:
            record(app.store, evaluation, messages)
            break
        except StateConflict:
            if attempt == EVALUATION_TRIES:
                raise
            log.info("alert states changed during the evaluation; evaluating again")
    return CheckReport(evaluation, messages, send_due(app.store, settings, now=now, force=force))


def run_after_change(app: App, changed: frozenset[str]) -> frozenset[str]:
    """Pipeline stage (last): evaluate the rules after new data or forecasts, send what is due. Produces no series."""
    if not load_rules(app.config) and not _has_unsent(app.store):
        return frozenset()
    report = check(app, force=False)
    for warning in report.evaluation.warnings:
        log.warning(warning)
    delivery = report.delivery
    if delivery is not None and delivery.failed:
        log.warning("alerts: %d message(s) could not be sent and stay queued: %s", len(delivery.failed),
                    delivery.failed[0][1])
    log.info("alerts: %d change(s), %d message(s) queued, %d sent (%d series changed upstream)",
             len(report.evaluation.moved), len(report.messages), len(delivery.sent) if delivery else 0, len(changed))
    return frozenset()


def _has_unsent(store: Store) -> bool:
    with store.reading() as session:
        return session.scalar(select(Outbox.id).where(Outbox.status != "sent").limit(1)) is not None


def recent_events(store: Store, limit: int = 20) -> pd.DataFrame:
    columns = ["at", "rule", "series_key", "from_state", "to_state", "severity", "value", "message"]
    with store.reading() as session:
        rows = session.scalars(select(AlertEvent).order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
                               .limit(limit)).all()
    frame = pd.DataFrame([{c: getattr(r, c) for c in columns} for r in rows], columns=columns)
    frame["at"] = [as_utc(v) for v in frame["at"]]
    return frame
