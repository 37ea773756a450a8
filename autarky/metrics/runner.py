"""Recompute derived metrics and the index: everything, or only what depends on the series that changed.

Values go through Store.write_observations in one batch, so revisions are recorded and an unchanged value writes
nothing; the index contributions follow in a second transaction. Each run is logged as collection run `metrics`,
which is also how `autarky metrics` knows what changed since the last successful run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Iterable

from autarky.app import App
from autarky.catalog import Catalog, series_key
from autarky.metrics import chokepoints
from autarky.metrics.compute import Tally, Values, combine_vintages, evaluate_series
from autarky.metrics.contributions import write_contributions
from autarky.metrics.definitions import DERIVED_SOURCE, Definitions, definitions_for
from autarky.metrics.index import IndexSpec, compute_index
from autarky.store import BatchResult, ObservationIn, SeriesSpec, Store

METRICS_RUN = "metrics"


@dataclass
class Plan:
    """What to recompute: countries per metric code, whether the index (always all economies) is due, and whether
    the supply-chain chokepoint flags are (after a change of a CSET share)."""

    targets: dict[str, list[str]] = field(default_factory=dict)
    index: bool = False
    chokepoints: bool = False

    @property
    def empty(self) -> bool:
        return not self.targets and not self.index and not self.chokepoints


@dataclass
class MetricsReport:
    """What one recompute did: per-metric tallies, the store's batch result, index contributions written."""

    scope: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    written: BatchResult = field(default_factory=BatchResult)
    contributions_written: int = 0
    contributions_deleted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> frozenset[str]:
        return self.written.changed_series

    def summary(self) -> str:
        w = self.written
        return (f"metrics ({self.scope}): {w.inserted} inserted, {w.updated} updated, {w.unchanged} unchanged; "
                f"index contributions: {self.contributions_written} written, {self.contributions_deleted} removed")

    def lines(self) -> list[str]:
        """Per metric: values computed, values missing by reason (with an example), stale values kept."""
        if not self.tallies:
            return [f"metrics ({self.scope}): nothing to recompute"]
        out, idle = [self.summary()], []
        for code, tally in self.tallies.items():
            missing = sum(tally.missing.values())
            if not tally.values and not missing and not tally.stale:
                idle.append(code)
                continue
            out.append(f"  {code:24s} {tally.values:6d} values, {missing:5d} missing")
            for kind, count in tally.missing.most_common():
                out.append(f"      {kind}: {count} (e.g. {tally.examples[kind]})")
            if tally.stale:
                out.append(f"      stale: {tally.stale} stored values can no longer be computed and are kept as "
                           f"stored (e.g. {tally.examples['stale']})")
        if idle:
            out.append(f"  no input data yet for {len(idle)}: {', '.join(idle)}")
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def run_after_change(app: App, changed: frozenset[str]) -> frozenset[str]:
    """Pipeline stage: recompute what depends on `changed`; returns the derived series keys whose values changed."""
    if not changed:
        return frozenset()
    return recompute(app, frozenset(changed)).changed


def recompute_since_last_run(app: App) -> MetricsReport:
    """Recompute what depends on the series stored or revised since the last successful metrics run (else all)."""
    since = last_run_start(app.store)
    if since is None:
        return recompute(app, None)
    changed = frozenset(k for k in app.store.changed_since(since) if not k.startswith(f"{DERIVED_SOURCE}:"))
    return recompute(app, changed, scope=f"changed since {since:%Y-%m-%d %H:%M:%S} UTC: {len(changed)} series")


def last_run_start(store: Store) -> dt.datetime | None:
    runs = store.runs(source=METRICS_RUN)
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        return None
    started = ok["started_at"].iloc[0].to_pydatetime()
    return started if started.tzinfo else started.replace(tzinfo=dt.timezone.utc)


def recompute(app: App, changed: frozenset[str] | None, scope: str | None = None) -> MetricsReport:
    """Recompute everything (`changed` None) or the dependents of `changed`, logged as one metrics run."""
    definitions = definitions_for(app.catalog, app.config)
    limits = chokepoints.thresholds(app.config.section("metrics", "supply"))
    plan = plan_recompute(definitions, changed, chokepoints.share_keys(app.catalog))
    report = MetricsReport(scope=scope or ("all" if changed is None else f"{len(changed)} changed series"))
    if plan.empty:
        return report
    run_id = app.store.start_run(METRICS_RUN)
    try:
        _execute(app.store, app.catalog, definitions, plan, run_id, report, limits)
    except Exception as exc:
        app.store.finish_run(run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    app.store.finish_run(run_id, report.written)
    return report


def plan_recompute(definitions: Definitions, changed: frozenset[str] | None,
                   share_keys: Iterable[str] = ()) -> Plan:
    """The metrics and countries whose inputs are among `changed` (or derived from them), in dependency order;
    the chokepoint flags when one of `share_keys` (the CSET shares) changed."""
    shares = set(share_keys)
    plan = Plan(chokepoints=bool(shares) and (changed is None or bool(shares.intersection(changed))))
    dirty = set(changed or ())
    for metric in definitions.metrics:
        countries = [c for c in metric.indicator.countries
                     if changed is None or dirty.intersection(metric.input_keys(c))]
        if countries:
            plan.targets[metric.code] = countries
            dirty.update(metric.key(c) for c in countries)
    index = definitions.index
    plan.index = changed is None or any(index.component_key(code, country) in dirty
                                        for code in index.components for country in index.indicator.countries)
    return plan


def read_values(store: Store, keys: Iterable[str]) -> Values:
    """Stored points of the given series: key -> period -> (value, vintage)."""
    frame = store.observations(keys=sorted(set(keys)))
    values: Values = {}
    for key, period, value, vintage in zip(frame["series_key"], frame["period"], frame["value"], frame["vintage"]):
        values.setdefault(key, {})[period.date()] = (float(value), vintage if isinstance(vintage, str) else None)
    return values


def _needed_keys(definitions: Definitions, plan: Plan) -> set[str]:
    """The stored series a plan reads: inputs and current values of its targets, and the index's components."""
    needed: set[str] = set()
    for code, countries in plan.targets.items():
        metric = definitions.metric(code)
        for country in countries:
            needed.update(metric.input_keys(country), [metric.key(country)])
    if plan.index:
        index = definitions.index
        needed.update(index.component_key(code, c) for code in index.components for c in index.indicator.countries)
        needed.update(spec.key(c) for spec in (index, *index.pillar_specs) for c in spec.indicator.countries)
    return needed


def _execute(store: Store, catalog: Catalog, definitions: Definitions, plan: Plan, run_id: int,
             report: MetricsReport, limits: chokepoints.Thresholds = chokepoints.Thresholds()) -> None:
    values = read_values(store, _needed_keys(definitions, plan))
    results: Values = {}
    specs: list[SeriesSpec] = []
    for metric in definitions.metrics:
        for country in plan.targets.get(metric.code, []):
            tally = report.tallies.setdefault(metric.code, Tally())
            key = metric.key(country)
            computed = evaluate_series(metric, country, values, tally)
            tally.keep_stale(key, set(values.get(key, {})) - set(computed))
            values[key] = computed  # dependents and the index read the new values, not the stored ones
            if computed:
                results[key] = computed
                specs.append(replace(SeriesSpec.for_indicator(metric.indicator, country),
                                     inputs=metric.input_keys(country)))
    if plan.chokepoints:
        _chokepoints(store, catalog, limits, results, specs, report)
    indexes = (definitions.index, *definitions.index.pillar_specs) if plan.index else ()
    contributions = {spec.code: _index(spec, catalog, values, results, specs, report) for spec in indexes}
    if specs:
        store.register_sources(catalog)
        store.register_series(specs)
    rows = [ObservationIn(key, period, value, vintage)
            for key, series in results.items() for period, (value, vintage) in series.items()]
    report.written = store.write_observations(rows, source=METRICS_RUN, run_id=run_id)
    for spec in indexes:
        keys = {country: spec.key(country) for country in spec.indicator.countries}
        written, deleted = write_contributions(store, keys, contributions[spec.code])
        report.contributions_written += written
        report.contributions_deleted += deleted


def _index(index: IndexSpec, catalog: Catalog, values: Values, results: Values, specs: list[SeriesSpec],
           report: MetricsReport) -> dict:
    """Compute the index for every economy into `results`/`specs`; returns its contributions."""
    tally = report.tallies.setdefault(index.code, Tally())
    economies = list(index.indicator.countries)
    raw = {code: {c: {period: point[0] for period, point in values.get(index.component_key(code, c), {}).items()}
                  for c in economies} for code in index.components}
    outcome = compute_index(index, raw, economies)
    report.warnings += outcome.warnings
    for country, missing in outcome.missing.items():
        for period, reason in missing.items():
            tally.miss(reason.kind, f"{index.key(country)} {period.isoformat()}: {reason.detail}")
    for country in economies:
        key, series = index.key(country), outcome.values.get(country, {})
        tally.keep_stale(key, set(values.get(key, {})) - set(series))
        if not series:
            continue
        tally.values += len(series)
        results[key] = {period: (value, combine_vintages(values[c.input_key][c.value_period][1]
                                                         for c in outcome.contributions[(country, period)]))
                        for period, value in series.items()}
        specs.append(replace(SeriesSpec.for_indicator(index.indicator, country),
                             inputs=index.input_keys(country, catalog.indicators)))
    return outcome.contributions


def _chokepoints(store: Store, catalog: Catalog, limits: chokepoints.Thresholds, results: Values,
                 specs: list[SeriesSpec], report: MetricsReport) -> None:
    """The chokepoint flag of every CSET input for China, each year it has shares, into `results`/`specs`."""
    tally = report.tallies.setdefault(chokepoints.CHOKE_PREFIX.rstrip("."), Tally())
    shares = store.observations(keys=chokepoints.share_keys(catalog))
    stored = read_values(store, [series_key(DERIVED_SOURCE, code, chokepoints.FOCUS)
                                 for code in catalog.indicators if code.startswith(chokepoints.CHOKE_PREFIX)])
    for code, by_country in chokepoints.compute_flags(shares, limits).items():
        if code not in catalog.indicators:
            continue
        indicator = catalog.indicators[code]
        for country, series in by_country.items():
            key = series_key(DERIVED_SOURCE, code, country)
            tally.values += len(series)
            tally.keep_stale(key, set(stored.get(key, {})) - set(series))
            results[key] = series
            specs.append(replace(SeriesSpec.for_indicator(indicator, country),
                                 inputs=chokepoints.share_keys(catalog, code)))
