"""The downstream chain after data changed: metrics, then forecasts, then alerts, each on what changed.

Each stage is named by an entry function `module:function` with the signature
`(app: App, changed: frozenset[str]) -> frozenset[str]`: it receives the keys of the series whose data changed and
returns the keys it changed itself (metrics return the derived series they rewrote), which are added for the next
stage. Stages are imported only when run, so the core never imports a stage package at start-up.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from autarky.app import App

# (stage name, "module:function"), in the order data flows.
DOWNSTREAM: list[tuple[str, str]] = [
    ("metrics", "autarky.metrics.runner:run_after_change"),
    ("forecast", "autarky.forecast.runner:run_after_change"),
    ("alerts", "autarky.alerts.engine:run_after_change"),
]


@dataclass
class PipelineResult:
    changed: frozenset[str]
    by_stage: dict[str, frozenset[str]] = field(default_factory=dict)


def load_stage(entry: str) -> Callable[[App, frozenset[str]], frozenset[str]]:
    module_name, _, function = entry.partition(":")
    return getattr(importlib.import_module(module_name), function)


def run_downstream(app: App, changed: frozenset[str], *, stages: list[str] | None = None,
                   progress: Callable[[str], None] | None = None) -> PipelineResult:
    """Run every downstream stage (or the named ones) in order, feeding each the keys changed so far."""
    result = PipelineResult(changed=frozenset(changed))
    for name, entry in DOWNSTREAM:
        if stages is not None and name not in stages:
            continue
        if progress:
            progress(name)
        produced = frozenset(load_stage(entry)(app, result.changed))
        result.by_stage[name] = produced
        result.changed = result.changed | produced
    return result
