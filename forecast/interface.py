"""What every model shares: the series context, the forecast (bands and sample paths), paths drawn from bands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autarky.periods import frequency_of

LEVELS = (80, 95)
Z95 = 1.959963984540054   # standard normal quantile at 0.975
# Bounds up to this are shares or percentages (0-1, 0-100).
SHARE_MAX = 100.0
# A seasonal model needs this many full seasons of history; below it the model runs without seasonality.
MIN_SEASONS = 2


@dataclass(frozen=True)
class SeriesContext:
    """What a model needs to know about a series besides its values: frequency, plausible range, holidays."""

    frequency: str = "A"
    lower: float | None = None
    upper: float | None = None
    lunar_new_year: bool = False

    @property
    def season_length(self) -> int:
        return frequency_of(self.frequency).season_length

    @property
    def bounded_share(self) -> bool:
        return self.lower is not None and self.upper is not None and self.upper <= SHARE_MAX

    def seasonality(self, n: int) -> int:
        """The season length to fit with n points: 1 when the history is too short for seasonality."""
        m = self.season_length
        return m if m > 1 and n >= MIN_SEASONS * m + 1 else 1


@dataclass
class Forecast:
    """Point forecast, 80% and 95% bands, and (when asked for) predictive sample paths (samples x horizon)."""

    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    paths: np.ndarray | None = None

    def clipped(self, lower: float | None, upper: float | None) -> "Forecast":
        """The same forecast with every value inside the plausible range (a monotone map keeps the quantiles)."""
        if lower is None and upper is None:
            return self
        lo = -np.inf if lower is None else lower
        hi = np.inf if upper is None else upper
        paths = None if self.paths is None else np.clip(self.paths, lo, hi)
        return Forecast(*(np.clip(a, lo, hi) for a in (self.mean, self.lo80, self.hi80, self.lo95, self.hi95)),
                        paths=paths)


Z80 = 1.2815515655446004   # standard normal quantile at 0.90


def normal_bands(mean: np.ndarray, sd: np.ndarray) -> dict[str, np.ndarray]:
    """80% and 95% bands of a normal forecast, keyed as statsforecast's `forecast` output."""
    return {"mean": mean, "lo-80": mean - Z80 * sd, "hi-80": mean + Z80 * sd, "lo-95": mean - Z95 * sd,
            "hi-95": mean + Z95 * sd}


def paths_from_bands(mean: np.ndarray, lo95: np.ndarray, hi95: np.ndarray, n_paths: int, seed: int,
                     lo80: np.ndarray | None = None, hi80: np.ndarray | None = None) -> np.ndarray:
    """Paths whose step-h marginals have the bands as quantiles, correlated across steps like a random walk.

    w_h = (e_1 + ... + e_h) / sqrt(h) is standard normal at every step with corr(w_h, w_k) = sqrt(h/k), so a path that
    is high early stays high: first-crossing dates come out right for persistent series. Each w_h is mapped to a value
    by a monotone piecewise-linear map through (-z95, lo95), (-z80, lo80), (0, mean), (z80, hi80), (z95, hi95), linear
    beyond: the paths' 2.5/10/90/97.5% quantiles are the bands, so crossing probabilities agree with the bands
    (without 80% bands, a split normal matched to the 95% band).
    """
    h = len(mean)
    rng = np.random.default_rng(seed)
    w = np.cumsum(rng.standard_normal((n_paths, h)), axis=1) / np.sqrt(np.arange(1, h + 1))
    up95 = np.maximum(hi95 - mean, 0.0)
    down95 = np.maximum(mean - lo95, 0.0)
    if lo80 is None or hi80 is None:
        return mean + np.where(w >= 0, w * up95 / Z95, w * down95 / Z95)
    up80 = np.clip(hi80 - mean, 0.0, up95)
    down80 = np.clip(mean - lo80, 0.0, down95)
    a = np.abs(w)
    inner = a * np.where(w >= 0, up80, down80) / Z80
    outer_up = up80 + (a - Z80) * (up95 - up80) / (Z95 - Z80)
    outer_down = down80 + (a - Z80) * (down95 - down80) / (Z95 - Z80)
    outer = np.where(w >= 0, outer_up, outer_down)
    return mean + np.sign(w) * np.where(a <= Z80, inner, outer)


def with_paths(mean, lo80, hi80, lo95, hi95, n_paths: int, seed: int) -> Forecast:
    arrays = [np.asarray(a, dtype=float) for a in (mean, lo80, hi80, lo95, hi95)]
    paths = paths_from_bands(arrays[0], arrays[3], arrays[4], n_paths, seed, arrays[1], arrays[2]) if n_paths \
        else None
    return Forecast(*arrays, paths=paths)
