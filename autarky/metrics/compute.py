"""Evaluate derived metrics over stored values: a value per period, or the reason there is none."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from autarky.metrics.definitions import MetricDef
from autarky.metrics.formula import MISSING_INPUT, Missing, Ref, evaluate, shift

OUT_OF_RANGE = "outside plausible range"
VINTAGE_LENGTH = 64  # observation.vintage column width

Point = tuple[float, "str | None"]  # value, vintage
Values = dict[str, dict[dt.date, Point]]  # series key -> period -> point


@dataclass
class Tally:
    """What one metric produced: values computed, and missing ones counted by reason with an example each."""

    values: int = 0
    missing: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    stale: int = 0

    def miss(self, kind: str, example: str) -> None:
        self.missing[kind] += 1
        self.examples.setdefault(kind, example)

    def keep_stale(self, key: str, periods: set[dt.date]) -> None:
        """Stored values the inputs no longer give: the store never deletes, so they stay and are reported."""
        if periods:
            self.stale += len(periods)
            self.examples.setdefault("stale", f"{key} {min(periods).isoformat()}")


def combine_vintages(vintages: Iterable[str | None]) -> str | None:
    """The inputs' vintages joined with '+', or their count when they do not fit the column."""
    unique = sorted({v for v in vintages if v})
    if not unique:
        return None
    joined = "+".join(unique)
    return joined if len(joined) <= VINTAGE_LENGTH else f"{len(unique)} input vintages"


def evaluate_series(metric: MetricDef, country: str, values: Values, tally: Tally) -> dict[dt.date, Point]:
    """The metric for one country at every period its own inputs cover; a missing value is tallied, not stored."""
    keys = {ref: metric.ref_key(ref, country) for ref in metric.refs()}
    local = [key for ref, key in keys.items() if not (ref.country or ref.lag or ref.partner)] or list(keys.values())
    periods = sorted({period for key in local for period in values.get(key, {})})
    bounds = metric.indicator.min, metric.indicator.max
    frequency = metric.indicator.frequency
    out: dict[dt.date, Point] = {}
    for period in periods:
        used: list[str | None] = []

        def lookup(ref: Ref) -> float:
            at = shift(period, ref.lag, frequency) if ref.lag else period
            point = values.get(keys[ref], {}).get(at)
            if point is None:
                raise Missing(MISSING_INPUT, keys[ref] + (f" {at.isoformat()}" if ref.lag else ""))
            used.append(point[1])
            return point[0]

        try:
            value = evaluate(metric.expr, lookup)
            if (bounds[0] is not None and value < bounds[0]) or (bounds[1] is not None and value > bounds[1]):
                raise Missing(OUT_OF_RANGE, f"{value:.6g} not in [{bounds[0]}, {bounds[1]}]")
        except Missing as missing:
            tally.miss(missing.kind, f"{metric.key(country)} {period.isoformat()}: {missing.detail}")
            continue
        out[period] = (value, combine_vintages(used))
        tally.values += 1
    return out
