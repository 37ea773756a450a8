"""Calibrated bands: scale a model's 80% and 95% bands by how wide they had to be in its own backtest.

Split-conformal in spirit: the backtest origins are the calibration set. Each scored point gives its error as a
multiple of the band's half-width on the error's side (`ModelScore.ratios80/95`); the factor for a level is the
empirical quantile of those multiples at that level (the next higher point, as conformal prediction uses), so that
the scaled band would have covered that share of the backtest. Too few points: bands unchanged. Sample paths are
then drawn from the scaled bands, so crossing probabilities follow the calibrated bands.

A backtest that says the bands were too wide narrows them only by the square root of its factor
(`NARROWING_POWER`). The backtest's origins overlap (3 windows of up to 18 months, 6 apart), so its points are few
independent errors, and a calm stretch in them is weak evidence for a calm future. Settled on the held-out protocol's
design sets (BENCHMARKS.md): on Korea's chip exports to China the full factor narrowed the 95% bands to 0.89 coverage
(80%: 0.61), the damped one to 0.94 (0.76).

One that says they were too narrow widens them in full on monthly and quarterly data, and by the square root on annual
data (`widen_power`, per frequency in forecast/engine.py). An annual backtest has 18 points (3 origins 1 year apart,
6 years each), and the conformal 95% quantile of 18 points is their largest: in full, it widened the annual default's
95% bands to 0.98-0.99 coverage on two of the four annual design sets (BENCHMARKS.md, round 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autarky.forecast.backtest import ModelScore
from autarky.forecast.interface import Forecast, with_paths

MIN_POINTS = 6
# Factors are kept within these bounds: a backtest of a few points must not shrink a band to nothing.
FACTOR_RANGE = (0.5, 6.0)
# A factor below 1 (narrower bands) is applied as factor ** NARROWING_POWER: half of the narrowing, on a log scale.
NARROWING_POWER = 0.5


@dataclass(frozen=True)
class Calibration:
    factor80: float = 1.0
    factor95: float = 1.0
    points: int = 0

    def as_dict(self) -> dict[str, float]:
        return {"factor80": round(self.factor80, 4), "factor95": round(self.factor95, 4), "points": self.points}


def factor(ratios: list[float], level: float) -> float:
    """The conformal quantile of the ratios at `level` (0-1), within FACTOR_RANGE; 1 with too few points."""
    values = np.sort(np.asarray([r for r in ratios if np.isfinite(r)], dtype=float))
    if len(values) < MIN_POINTS:
        return 1.0
    rank = min(len(values), int(np.ceil(level * (len(values) + 1)))) - 1
    return float(np.clip(values[rank], *FACTOR_RANGE))


def damped(k: float, widen_power: float = 1.0) -> float:
    """The factor as applied: to the power widen_power when it widens the bands, NARROWING_POWER when it narrows
    them."""
    return k ** widen_power if k >= 1.0 else k ** NARROWING_POWER


def calibration(score: ModelScore | None, widen_power: float = 1.0) -> Calibration:
    """The factors from one model's backtest scores (none: unchanged bands)."""
    if score is None or not score.ok:
        return Calibration()
    f80 = damped(factor(score.ratios80, 0.80), widen_power)
    f95 = damped(factor(score.ratios95, 0.95), widen_power)
    return Calibration(f80, max(f95, f80), min(len(score.ratios80), len(score.ratios95)))


def calibrated(fc: Forecast, cal: Calibration, n_paths: int, seed: int) -> Forecast:
    """The forecast with each band's distance from the point scaled by its factor, and paths drawn from those bands."""
    def scale(bound: np.ndarray, k: float) -> np.ndarray:
        return fc.mean + k * (bound - fc.mean)
    lo80, hi80 = scale(fc.lo80, cal.factor80), scale(fc.hi80, cal.factor80)
    lo95 = np.minimum(scale(fc.lo95, cal.factor95), lo80)
    hi95 = np.maximum(scale(fc.hi95, cal.factor95), hi80)
    return with_paths(fc.mean, lo80, hi80, lo95, hi95, n_paths, seed)
