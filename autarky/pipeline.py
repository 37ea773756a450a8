"""Collect, then propagate: the one place that runs the collectors and then the downstream chain on what changed.

The downstream chain is metrics, then forecasts, then alerts. Each stage is an entry function
`(app: App, changed: frozenset[str]) -> frozenset[str]`: it receives the keys of the series whose data changed and
returns the keys it changed itself (metrics return the derived series they rewrote), which are added for the next
stage. The work waiting for the chain is the table pending_downstream: a collected batch marks the series it changed
in its own transaction (so a killed collect loses no marks), and the chain clears the marks it ran on.
"""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Sequence

from autarky.app import App
from autarky.collectors.registry import Registry
from autarky.collectors.runner import SourceResult, collect

log = logging.getLogger("autarky.pipeline")

Stage = Callable[[App, frozenset[str]], frozenset[str]]


# Each stage is imported when it first runs (the forecast stage pulls in the model libraries).
def metrics_stage(app: App, changed: frozenset[str]) -> frozenset[str]:
    from autarky.metrics.runner import run_after_change
    return run_after_change(app, changed)


def forecast_stage(app: App, changed: frozenset[str]) -> frozenset[str]:
    from autarky.forecast.runner import run_after_change
    return run_after_change(app, changed)


def alerts_stage(app: App, changed: frozenset[str]) -> frozenset[str]:
    from autarky.alerts.engine import run_after_change
    return run_after_change(app, changed)


# (stage name, stage function), in the order data flows.
DOWNSTREAM: list[tuple[str, Stage]] = [("metrics", metrics_stage), ("forecast", forecast_stage),
                                       ("alerts", alerts_stage)]


@dataclass
class PipelineResult:
    changed: frozenset[str]
    by_stage: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class CollectOutcome:
    """What a collect-and-propagate did: one result per source, and the downstream chain's (None: it did not run)."""

    results: list[SourceResult]
    downstream: PipelineResult | None = None

    @property
    def changed(self) -> frozenset[str]:
        return frozenset(key for result in self.results for key in result.changed)

    @property
    def failed(self) -> list[str]:
        return [result.name for result in self.results if result.failed]


def run_downstream(app: App, changed: frozenset[str], *, stages: list[str] | None = None,
                   progress: Callable[[str], None] | None = None) -> PipelineResult:
    """Run every downstream stage (or the named ones) in order, feeding each the keys changed so far."""
    result = PipelineResult(changed=frozenset(changed))
    for name, stage in DOWNSTREAM:
        if stages is not None and name not in stages:
            continue
        if progress:
            progress(name)
        produced = frozenset(stage(app, result.changed))
        result.by_stage[name] = produced
        result.changed = result.changed | produced
    return result


def propagate(app: App, *, progress: Callable[[str], None] | None = None) -> PipelineResult | None:
    """Run the downstream chain on every pending series (this collect's and any left by a stop, a failing stage or
    a killed process); their marks are cleared only once the chain has run. None when nothing is pending."""
    marks = app.store.pending_downstream()
    if not marks:
        return None
    outcome = run_downstream(app, frozenset(marks), progress=progress)
    app.store.clear_pending(marks)
    return outcome


def _log_result(result: SourceResult) -> None:
    log.info("%s", result.summary())
    for error in result.errors:
        log.error("%s failed: %s", result.name, error)


def collect_and_propagate(app: App, sources: Sequence[str] = (), indicators: Sequence[str] = (),
                          countries: Sequence[str] = (), since: int | None = None, *, downstream: bool = True,
                          registry: Registry | None = None, prepare: bool = True,
                          progress: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None,
                          report: Callable[[SourceResult], None] = _log_result,
                          stage_progress: Callable[[str], None] | None = None,
                          stop: threading.Event | None = None,
                          lock: threading.Lock | None = None) -> CollectOutcome:
    """Collect (every source on its own, each batch marking what it changed), report each source's result, then
    run the downstream chain on everything pending, unless `downstream` is false or `stop` is set (the marks
    wait for the next run). `lock` keeps two chains of one process from running at once."""
    results = collect(app, sources, indicators, countries, since, registry=registry, prepare=prepare,
                      progress=progress, warn=warn, stop=stop)
    for result in results:
        report(result)
    outcome = CollectOutcome(results)
    if downstream and not (stop is not None and stop.is_set()):
        with lock or nullcontext():
            outcome.downstream = propagate(app, progress=stage_progress)
    return outcome
