"""Run collectors now: resolve what to collect, then per source plan, fetch, validate, store and move cursors."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from autarky.app import App
from autarky.catalog import Catalog, Indicator
from autarky.errors import AutarkyError, BatchRejected
from autarky.store import BatchResult, SeriesSpec
from autarky.collectors.base import Asked, Collector, Context, Selection
from autarky.collectors.http import scrub
from autarky.collectors.errors import SelectionError, SourceError, SourceUnavailable
from autarky.collectors.registry import Registry, UnknownCollector, default_registry
from autarky.collectors.settings import collector_settings
from autarky.collectors.state import Cursors
from autarky.collectors.validate import DEFAULT_MAX_JUMP, EARLIEST_YEAR, check_jumps, validate_batch

log = logging.getLogger("autarky.collectors")


@dataclass
class SourceResult:
    """What one source run did: counts, errors (the run failed if any), warnings, the series it changed."""

    name: str
    source: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    tasks: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        return (f"{self.name}: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.rejected} rejected ({self.tasks} tasks, {self.requests} requests)")


def resolve(catalog: Catalog, registry: Registry, sources: Sequence[str] = (), indicators: Sequence[str] = (),
            countries: Sequence[str] = (), since: int | None = None,
            this_year: int | None = None) -> dict[type[Collector], Selection]:
    """What each chosen collector should collect; anything unknown raises SelectionError naming it."""
    this_year = this_year or time.gmtime().tm_year
    if since is not None and not EARLIEST_YEAR <= since <= this_year:
        raise SelectionError(f"--since {since}: must be a year from {EARLIEST_YEAR} to {this_year}")
    try:
        chosen = [registry.get(name) for name in dict.fromkeys(sources)]
    except UnknownCollector as exc:
        raise SelectionError(str(exc)) from None
    named = [_catalog_indicator(catalog, registry, code, chosen) for code in dict.fromkeys(indicators)]
    if not chosen:
        chosen = list(dict.fromkeys(registry.for_source(ind.source) for ind in named)) if named else list(registry)
    known_countries = set(catalog.countries) | {c for ind in catalog.indicators.values() for c in ind.countries}
    wanted = list(dict.fromkeys(c.upper() for c in countries))
    for country in wanted:
        if country not in known_countries:
            raise SelectionError(f"unknown country {country!r}: not in the catalog "
                                 f"(known: {', '.join(sorted(known_countries))})")
    plan: dict[type[Collector], Selection] = {}
    covered: set[str] = set()
    for cls in chosen:
        pool = [ind for ind in named if ind.source == cls.source] if named else catalog.by_source(cls.source)
        by_code = {}
        for ind in pool:
            keep = tuple(c for c in ind.countries if not wanted or c in wanted)
            if not keep and ind in named:
                raise SelectionError(f"indicator {ind.code} has no series for {', '.join(wanted)} "
                                     f"(its countries: {', '.join(ind.countries)})")
            if keep:
                by_code[ind.code] = keep
                covered.update(keep)
        selected = tuple(ind for ind in pool if ind.code in by_code)
        if selected or not cls.selects_from_catalog:
            plan[cls] = Selection(selected, by_code, since, narrowed=bool(named or wanted))
    missing = [c for c in wanted if c not in covered]
    if missing:
        raise SelectionError(f"country {', '.join(missing)}: no selected indicator has a series for it")
    return plan


def _catalog_indicator(catalog: Catalog, registry: Registry, code: str, chosen: list[type[Collector]]) -> Indicator:
    indicator = catalog.indicators.get(code)
    if indicator is None:
        raise SelectionError(f"unknown indicator {code!r}: not in the catalog "
                             "(autarky/data/catalog.toml, or [[indicator]] in your autarky.toml)")
    cls = registry.for_source(indicator.source)
    if cls is None:
        raise SelectionError(f"indicator {code} comes from source {indicator.source!r}, which no collector serves "
                             "(its data are bundled: `autarky init` loads them)")
    if chosen and cls not in chosen:
        raise SelectionError(f"indicator {code} is collected by {cls.name}, not by "
                             f"{', '.join(c.name for c in chosen)}")
    return indicator


def collect(app: App, sources: Sequence[str] = (), indicators: Sequence[str] = (), countries: Sequence[str] = (),
            since: int | None = None, *, registry: Registry | None = None, prepare: bool = True,
            progress: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None,
            stop: threading.Event | None = None, sleep: Callable[[float], None] = time.sleep) -> list[SourceResult]:
    """Collect now; every source runs (and is logged) on its own, so one failing never stops the others."""
    registry = registry or default_registry()
    plan = resolve(app.catalog, registry, sources, indicators, countries, since)
    if prepare:  # the scheduler upgrades once at start, not in every job
        app.store.upgrade()
    for line in app.store.mark_interrupted_runs():
        (warn or log.warning)(line)
    app.store.register_sources(app.catalog)
    stop = stop or threading.Event()
    return [run_source(app, cls, selection, progress=progress or log.info, warn=warn or log.warning, stop=stop,
                       sleep=sleep) for cls, selection in plan.items()]


def run_source(app: App, cls: type[Collector], selection: Selection, *, progress: Callable[[str], None],
               warn: Callable[[str], None], stop: threading.Event,
               sleep: Callable[[float], None] = time.sleep) -> SourceResult:
    """One source, one collection_run row: each task's batch validated and stored in its own transaction."""
    result = SourceResult(cls.name, cls.source)
    store, catalog = app.store, app.catalog

    def warned(message: str) -> None:
        message = scrub(message, [collector.ctx.settings.api_key or ""] if collector is not None else [])
        result.warnings.append(message)
        warn(message)

    run_id = store.start_run(cls.source)
    collector: Collector | None = None
    try:
        settings = collector_settings(app.config, cls.name, cls.defaults)
        collector = cls(Context(catalog, settings, Cursors(store, cls.source), warn=warned, sleep=sleep))
        tasks = collector.plan(selection)
        for number, task in enumerate(tasks, start=1):
            if stop.is_set():
                result.errors.append(f"stopped before task {number} of {len(tasks)}")
                break
            result.tasks += 1
            progress(f"{cls.name} [{number}/{len(tasks)}] {task.label}")
            try:
                _store_task(collector, task, result, run_id, progress)
            except SourceUnavailable as exc:
                result.errors.append(str(exc))
                break
            except (SourceError, BatchRejected) as exc:
                result.errors.append(str(exc))
    except AutarkyError as exc:
        result.errors.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in one collector must not stop the other sources
        log.exception("%s: unexpected error", cls.name)
        result.errors.append(f"{cls.name}: unexpected {type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        result.errors.append("interrupted; the batch in flight was rolled back")
        raise
    finally:
        if collector is not None:
            result.requests = collector.requests
            collector.close()
            secrets = [collector.ctx.settings.api_key or ""]
            result.errors = [scrub(e, secrets) for e in result.errors]
            result.warnings = [scrub(w, secrets) for w in result.warnings]
        counts = BatchResult(result.inserted, result.updated, result.unchanged)
        store.finish_run(run_id, counts, error="; ".join(result.errors) or None, rejected=result.rejected)
    return result


def _store_task(collector: Collector, task, result: SourceResult, run_id: int,  # noqa: ANN001
                progress: Callable[[str], None]) -> None:
    ctx, store = collector.ctx, collector.ctx.cursors.store
    batch = collector.fetch(task)
    label = f"{collector.name} {task.label}"
    asked = Asked(frozenset(task.keys()), batch.first, batch.last) if task.countries else None
    try:
        observations = validate_batch(batch.records, source_name=collector.name, source_code=collector.source,
                                      catalog=ctx.catalog, expected_unit=collector.expected_unit, today=ctx.today,
                                      label=task.label, asked=asked, text_numbers=collector.text_numbers)
        check_jumps(observations, stored_values(store, {o.series_key for o in observations}),
                    source_name=collector.name, label=task.label,
                    max_jump=ctx.settings.number_option("max_jump", DEFAULT_MAX_JUMP))
    except BatchRejected:
        result.rejected += len(batch.records)
        raise
    if observations:
        triples = dict.fromkeys(r.key_parts for r in batch.records)
        store.register_series([SeriesSpec.for_indicator(ctx.catalog.indicator(code), country, partner)
                               for code, country, partner in triples])
        try:
            written = store.write_observations(observations, source=label, run_id=run_id, pending=True)
        except BatchRejected:
            result.rejected += len(observations)
            raise
        result.inserted += written.inserted
        result.updated += written.updated
        result.unchanged += written.unchanged
        result.changed |= written.changed_series
    ctx.cursors.set_many(batch.cursors)
    store.heartbeat_run(run_id)
    if batch.note:
        progress(f"{label}: {batch.note}")


def stored_values(store, keys: set[str]) -> dict[str, dict]:  # noqa: ANN001
    """{series key: {period: value}} of what is stored for these series."""
    if not keys:
        return {}
    frame = store.observations(keys=sorted(keys))
    values: dict[str, dict] = {}
    for row in frame.itertuples():
        values.setdefault(row.series_key, {})[row.period.date()] = float(row.value)
    return values
