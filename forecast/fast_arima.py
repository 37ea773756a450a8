"""ARIMA(0,2,1) by exact maximum likelihood in numpy: the annual local linear trend, without statsforecast's overhead.

The second differences w_t of y follow an MA(1), w_t = e_t + theta e_{t-1}. Its exact Gaussian likelihood comes from
the innovations algorithm (Brockwell and Davis, section 5.2): one-step predictions w^_t with mean squared errors
sigma^2 v_{t-1}, where v_0 = 1 + theta^2 and v_t = 1 + theta^2 - theta^2 / v_{t-1}. With sigma^2 concentrated out
(sigma^2 = S / N, S the sum of (w_t - w^_t)^2 / v_{t-1}), theta minimises N log(S / N) + sum log v_{t-1}, searched on
[-1, 1] (the likelihood is the same at theta and 1/theta, so the invertible side is enough).

Forecast: w^_{N+1} = theta (w_N - w^_N) / v_{N-1}, later second differences 0, so y^_{N+h} = y_N + h (dy_N + w^_{N+1}).
Variance at step h: sigma^2 (sum_{j<h} psi_j^2 + h^2 (v_N - 1)), with psi_j = (j + 1) + theta j the weights of the
innovations and the second term the uncertainty left in the last innovation e_N (exact for a finite history).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

from autarky.forecast.interface import Z80, Z95

THETA_BOUND = 0.9999
# Bounded search tolerance on theta: far finer than what changes a forecast.
XATOL = 1e-5


def _innovations(w: np.ndarray, theta: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Innovations e_t = w_t - w^_t, their variance ratios v_{t-1} (one per point), and v_N (after the last)."""
    n = len(w)
    t2 = theta * theta
    v = np.empty(n + 1)
    v[0] = 1.0 + t2
    for i in range(1, n + 1):
        v[i] = 1.0 + t2 - t2 / v[i - 1]
    e = np.empty(n)
    pred = 0.0
    for i in range(n):
        e[i] = w[i] - pred
        pred = theta * e[i] / v[i]
    return e, v[:n], float(v[n])


def _objective(theta: float, w: np.ndarray) -> float:
    e, v, _ = _innovations(w, theta)
    s = float(np.sum(e * e / v))
    if s <= 0.0:
        return -math.inf
    return len(w) * math.log(s / len(w)) + float(np.sum(np.log(v)))


def fit_theta(w: np.ndarray) -> float:
    """The exact-ML MA(1) coefficient of w (0 when w is constant: nothing to estimate)."""
    if len(w) < 2 or not np.any(w):
        return 0.0
    result = minimize_scalar(_objective, bounds=(-THETA_BOUND, THETA_BOUND), args=(w,), method="bounded",
                             options={"xatol": XATOL})
    return float(result.x)


def arima021(y: np.ndarray, h: int) -> dict[str, np.ndarray]:
    """Point forecast and 80%/95% bands of ARIMA(0,2,1) fitted by exact ML; keys as statsforecast's `forecast`."""
    y = np.asarray(y, dtype=float)
    if len(y) < 4:
        raise ValueError(f"ARIMA(0,2,1) needs at least 4 points, got {len(y)}")
    w = np.diff(y, n=2)
    theta = fit_theta(w)
    e, v, v_next = _innovations(w, theta)
    sigma2 = float(np.sum(e * e / v)) / len(w)
    w_next = theta * e[-1] / v[-1]
    steps = np.arange(1, h + 1, dtype=float)
    mean = y[-1] + steps * ((y[-1] - y[-2]) + w_next)
    j = np.arange(h, dtype=float)
    psi = (j + 1.0) + theta * j
    sd = np.sqrt(sigma2 * (np.cumsum(psi * psi) + steps * steps * max(v_next - 1.0, 0.0)))
    return {"mean": mean, "lo-80": mean - Z80 * sd, "hi-80": mean + Z80 * sd, "lo-95": mean - Z95 * sd,
            "hi-95": mean + Z95 * sd, "theta": theta, "sigma2": sigma2}
