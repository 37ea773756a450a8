"""Choose the model for a series from its backtest: lowest mean MASE, near-ties going to the simpler model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from forecast.backtest import ModelScore
from forecast.models import get_model

# Scores within this fraction of the best count as a tie: with three origins, smaller gaps are noise.
TIE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Choice:
    model: str
    reason: str


def choose(scores: Mapping[str, ModelScore], fallback: str, tolerance: float = TIE_TOLERANCE) -> Choice:
    """The simplest model whose mean MASE is within `tolerance` of the lowest; `fallback` when none scored."""
    usable = {name: s for name, s in scores.items() if s.ok}
    if not usable:
        return Choice(fallback, f"no model could be backtested; using {fallback}")
    best = min(usable.values(), key=lambda s: (s.mase, get_model(s.model).complexity))
    limit = best.mase * (1.0 + tolerance) if best.mase > 0 else 0.0
    tied = [s for s in usable.values() if s.mase <= limit or math.isclose(s.mase, best.mase)]
    chosen = min(tied, key=lambda s: (get_model(s.model).complexity, s.mase))
    if chosen.model == best.model:
        return Choice(chosen.model, f"lowest backtest MASE ({best.mase:.3f} over {best.origins} origins)")
    return Choice(chosen.model, f"simplest within {tolerance:.0%} of the lowest backtest MASE "
                                f"({chosen.mase:.3f} against {best.mase:.3f} for {best.model})")
