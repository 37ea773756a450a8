"""Bootstrapped copies of a series for bagging (Bergmeir, Hyndman and Benítez 2016, "Bagging exponential smoothing
methods using STL decomposition and Box-Cox transformation"; R's forecast::bld.mbb.bootstrap).

The series is transformed (Box-Cox), split into trend and season plus a remainder (STL with a periodic season where
the data are seasonal, else a local linear LOESS trend over 6 points), the remainder resampled in moving blocks (two
seasons long, else at most 8 points), and the sum mapped back. The first copy is the series itself.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def block_size(n: int, season_length: int) -> int:
    """Two seasons where the data are seasonal, else at most 8 points and at most half the series (as R's)."""
    return 2 * season_length if season_length > 1 else max(1, min(8, n // 2))


def decompose(z: np.ndarray, season_length: int) -> tuple[np.ndarray, np.ndarray]:
    """(trend plus season, remainder) of z: robust STL with a periodic season (R's `s.window = "periodic"`: a seasonal
    window of 10n + 1 of degree 0; statsmodels' iterations, 2 inner and 15 outer, where R's robust stl takes 1 and 15)
    where seasonal, else LOESS of degree 1 over 6 points (R's span 6/n)."""
    n = len(z)
    if season_length > 1:
        from statsmodels.tsa.seasonal import STL
        remainder = STL(z, period=season_length, seasonal=10 * n + 1, seasonal_deg=0, robust=True).fit().resid
    else:
        from statsmodels.nonparametric.smoothers_lowess import lowess
        remainder = z - lowess(z, np.arange(n, dtype=float), frac=min(1.0, 6.0 / n), it=0, return_sorted=False)
    remainder = np.asarray(remainder, dtype=float)
    return z - remainder, remainder


def moving_blocks(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A moving block bootstrap of x: blocks of `size` consecutive values from random starts, joined, cut to len(x)
    from a random offset into the first block."""
    n = len(x)
    size = min(size, n)
    starts = rng.integers(0, n - size + 1, size=n // size + 2)
    joined = np.concatenate([x[s:s + size] for s in starts])
    offset = int(rng.integers(0, size))
    return joined[offset:offset + n]


def bootstrap_series(y: np.ndarray, season_length: int, copies: int, rng: np.random.Generator,
                     forward: Callable[[np.ndarray], np.ndarray],
                     backward: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
    """`copies` series: y itself, then copies - 1 bootstrapped ones (forward/backward: the transform and its inverse)."""
    y = np.asarray(y, dtype=float)
    out = [y]
    if copies > 1:
        z = forward(y)
        base, remainder = decompose(z, season_length)
        size = block_size(len(y), season_length)
        out += [np.asarray(backward(base + moving_blocks(remainder, size, rng)), dtype=float)
                for _ in range(copies - 1)]
    return out
