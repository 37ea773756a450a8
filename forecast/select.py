"""Choose the model for a series from its backtest, with a robust default: a combination that a single model must
clearly and consistently beat before it replaces it.

Why not simply the lowest backtest MASE: with three origins the backtest of one series is a noisy witness, and on
real annual data the per-series winner did worse out of sample than a fixed combination (BENCHMARKS.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from autarky.forecast.backtest import ModelScore
from autarky.forecast.models import get_model

# Scores within this fraction of the best count as a tie (used when the default could not be scored).
TIE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Choice:
    model: str
    reason: str


def choose(scores: Mapping[str, ModelScore], default: str, switch_margin: float, fallback: str,
           tolerance: float = TIE_TOLERANCE) -> Choice:
    """Keep `default` unless another model beats it at every origin and on average by more than `switch_margin`.

    switch_margin is a fraction of the default's mean MASE (0.2: at least 20% lower); 1 or more never switches.
    When the default could not be scored: the simplest model within `tolerance` of the lowest mean MASE.
    `fallback` when nothing could be scored.
    """
    usable = {name: s for name, s in scores.items() if s.ok}
    if not usable:
        return Choice(fallback, f"no model could be backtested; using {fallback}")
    if default in usable:
        base = usable[default]
        rivals = [s for name, s in usable.items() if name != default]
        if not rivals or switch_margin >= 1:
            return Choice(default, f"default model (backtest MASE {base.mase:.3f} over {base.origins} origins)")
        rival = min(rivals, key=lambda s: (s.mase, get_model(s.model).complexity))
        consistent = all(r < b for r, b in zip(rival.per_origin_mase, base.per_origin_mase))
        if consistent and rival.mase < base.mase * (1.0 - switch_margin):
            return Choice(rival.model, f"beat the default {default} at every backtest origin "
                                       f"(MASE {rival.mase:.3f} against {base.mase:.3f})")
        return Choice(default, f"default model; no rival beat it clearly at every origin "
                               f"(MASE {base.mase:.3f}, best rival {rival.model} {rival.mase:.3f})")
    best = min(usable.values(), key=lambda s: (s.mase, get_model(s.model).complexity))
    limit = best.mase * (1.0 + tolerance)
    tied = [s for s in usable.values() if s.mase <= limit or math.isclose(s.mase, best.mase)]
    chosen = min(tied, key=lambda s: (get_model(s.model).complexity, s.mase))
    return Choice(chosen.model, f"default {default} could not be backtested; simplest within {tolerance:.0%} "
                                f"of the lowest backtest MASE ({chosen.mase:.3f}, best {best.mase:.3f})")
