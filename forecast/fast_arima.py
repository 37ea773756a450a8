"""ARIMA models by exact maximum likelihood in numpy, without statsforecast's overhead: ARIMA(0,2,1), the annual local
linear trend (`arima021`, below), and a small auto.arima-style order search (`arima_search`, further down).

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
from autarky.forecast.interface import normal_bands

THETA_BOUND = 0.9999
# Bounded search tolerance on theta: far finer than what changes a forecast.
XATOL = 1e-5
GRADIENT_STEP = float(np.sqrt(np.finfo(float).eps))


def _innovations(w: np.ndarray, theta: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Innovations e_t = w_t - w^_t, their variance ratios v_{t-1} (one per point), and v_N (after the last): the
    ARMA(1,1) recursion below with phi = 0."""
    e, _, v, v_next = _arma11_parts(w, 0.0, theta)
    return e, v, v_next


def _objective(theta: float, w: np.ndarray) -> float:
    return _arma11_objective(w.tolist(), 0.0, float(theta), False)


def fit_theta(w: np.ndarray) -> float:
    """The exact-ML MA(1) coefficient of w (0 when w is constant: nothing to estimate)."""
    from scipy.optimize import minimize_scalar     # here, not at import: the dashboard reads the model registry
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
    return {**normal_bands(mean, sd), "theta": theta, "sigma2": sigma2}


# --------------------------------------------------------------------------- a small order search (`arima_ml`)
# auto.arima's choices on the annual design sets were mostly random walks, with or without drift, and ARIMA(0,1,1)
# and (0,2,1) (BENCHMARKS.md, round 4): low orders. This search covers them at the cost of a few exact-ML fits: d by
# the KPSS tests as auto.arima chooses it, then on the differences an AR(1), an MA(1) or neither (and, with
# max_terms=2, an AR(2) or an ARMA(1,1) as well), with a mean (a drift, for d = 1) or without, the lowest AICc kept.
# Each likelihood is exact: the innovations of an ARMA(1,1) (Brockwell and Davis, example 5.2.5; AR(1) and MA(1) are
# its special cases) and of an AR(2); the mean is estimated by GLS from the innovations of a column of ones.
MAX_D = 2
COEF_BOUND = 0.99


def _arma11_parts(w: np.ndarray, phi: float, theta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Innovations of w and of ones under ARMA(1,1) (phi, theta), their variance ratios r_0..r_{N-1}, and r_N.

    x^_1 = 0 with r_0 = (1 + 2 phi theta + theta^2) / (1 - phi^2); x^_{t+1} = phi x_t + theta e_t / r_{t-1} with
    r_t = 1 + theta^2 - theta^2 / r_{t-1}: linear in the data, so the innovations of w - mu are e_w - mu e_1.
    """
    r_t = (1.0 + 2.0 * phi * theta + theta * theta) / (1.0 - phi * phi)
    t2 = theta * theta
    e_w, e_1, r = [], [], []
    pred_w = pred_1 = 0.0
    for x in w.tolist():          # plain floats: a tenth of the cost of numpy scalars at these lengths
        a, b = x - pred_w, 1.0 - pred_1
        e_w.append(a)
        e_1.append(b)
        r.append(r_t)
        k = theta / r_t
        pred_w, pred_1 = phi * x + k * a, phi + k * b
        r_t = 1.0 + t2 - t2 / r_t
    return np.array(e_w), np.array(e_1), np.array(r), r_t


def _concentrated(s: float, n: int, det: float) -> float:
    """N log(S / N) + log det: -2 log L less constants with sigma^2 concentrated out (inf where S is not positive)."""
    return math.inf if s <= 0.0 else n * math.log(s / n) + math.log(det)


def _arma11_objective(w: list[float], phi: float, theta: float, with_mean: bool) -> float:
    """N log(S / N) + sum log r_{t-1} of w under ARMA(1,1) (phi, theta), the mean (if any) at its GLS estimate: the
    recursion of `_arma11_parts` in one pass, keeping the weighted sums of the innovations of w and of ones in place
    of arrays (under half the cost; the optimisers call it many times). S = S_ww - S_w1^2 / S_11 with a mean: w should
    then be centred (the GLS mean and S do not change with a shift of w), so that the subtraction loses no digits."""
    r_t = (1.0 + 2.0 * phi * theta + theta * theta) / (1.0 - phi * phi)
    t2 = theta * theta
    pred_w = pred_1 = s_ww = s_w1 = s_11 = 0.0
    det = 1.0
    for x in w:
        a, b = x - pred_w, 1.0 - pred_1
        inv = 1.0 / r_t
        s_ww += a * a * inv
        s_w1 += a * b * inv
        s_11 += b * b * inv
        det *= r_t
        k = theta * inv
        pred_w, pred_1 = phi * x + k * a, phi + k * b
        r_t = 1.0 + t2 - t2 * inv
    s = s_ww - s_w1 * s_w1 / s_11 if with_mean else s_ww
    return _concentrated(s, len(w), det)


def _ar2_parts(w: np.ndarray, phi1: float, phi2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Innovations of w and of ones under a stationary AR(2), their variance ratios, and the ratio after the last."""
    rho1, r0, r1 = _ar2_start(phi1, phi2)

    def innovations(x: np.ndarray) -> np.ndarray:
        e = np.empty(len(x))
        e[0], e[1] = x[0], x[1] - rho1 * x[0]
        e[2:] = x[2:] - phi1 * x[1:-1] - phi2 * x[:-2]
        return e

    v = np.ones(len(w))
    v[0], v[1] = r0, r1
    return innovations(w), innovations(np.ones(len(w))), v, 1.0


def _ar2_start(phi1: float, phi2: float) -> tuple[float, float, float]:
    """A stationary AR(2)'s lag-one autocorrelation and the variance ratios of its first two innovations (the later
    ones are 1)."""
    rho1 = phi1 / (1.0 - phi2)
    r0 = (1.0 - phi2) / ((1.0 + phi2) * ((1.0 - phi2) ** 2 - phi1 * phi1))
    return rho1, r0, r0 * (1.0 - rho1 * rho1)


def _ar2_objective(w: np.ndarray, phi1: float, phi2: float, with_mean: bool) -> float:
    """N log(S / N) + sum log r_{t-1} of w under a stationary AR(2), the mean (if any) at its GLS estimate: the
    innovations of `_ar2_parts` summed without the arrays of ones and ratios (w centred with a mean, as for
    `_arma11_objective`). From the third point on the ratios are 1 and the innovations of ones 1 - phi1 - phi2."""
    rho1, v0, v1 = _ar2_start(phi1, phi2)
    x0, x1 = float(w[0]), float(w[1])
    e1 = x1 - rho1 * x0
    tail = w[2:] - phi1 * w[1:-1] - phi2 * w[:-2]
    s = x0 * x0 / v0 + e1 * e1 / v1 + float(tail @ tail)
    if with_mean:
        g = 1.0 - phi1 - phi2
        s_w1 = x0 / v0 + e1 * (1.0 - rho1) / v1 + g * float(tail.sum())
        s_11 = 1.0 / v0 + (1.0 - rho1) ** 2 / v1 + (len(w) - 2) * g * g
        s -= s_w1 * s_w1 / s_11
    return _concentrated(s, len(w), v0 * v1)


def _ar2_from_pacf(a: float, b: float) -> tuple[float, float]:
    """AR(2) coefficients from partial autocorrelations in (-1, 1): every pair gives a stationary model."""
    return a * (1.0 - b), b


# term: (number of coefficients, coefficients -> (phis, theta), parts)
_TERMS = {
    "none": (0, lambda c: ((), 0.0)),
    "ar1": (1, lambda c: ((c[0],), 0.0)),
    "ma1": (1, lambda c: ((), c[0])),
    "ar2": (2, lambda c: (_ar2_from_pacf(c[0], c[1]), 0.0)),
    "arma11": (2, lambda c: ((c[0],), c[1])),
}


def _parts(w: np.ndarray, phis: tuple[float, ...], theta: float):
    if phis and not theta:         # a pure AR: the vectorised AR(2) innovations (an AR(1) is one with phi2 = 0)
        return _ar2_parts(w, phis[0], phis[1] if len(phis) == 2 else 0.0)
    if not phis and not theta:
        n = len(w)
        return w, np.ones(n), np.ones(n), 1.0
    return _arma11_parts(w, phis[0] if phis else 0.0, theta)


def _profile(w: np.ndarray, phis: tuple[float, ...], theta: float, with_mean: bool):
    """GLS mean (0 without one), residual sum S, innovations, their ratios and r_N."""
    z_w, z_1, v, v_next = _parts(w, phis, theta)
    mean = 0.0
    if with_mean:
        u = z_1 / v
        mean = float(z_w.dot(u) / z_1.dot(u))
    e = z_w - mean * z_1
    return mean, float(e.dot(e / v)), e, v, v_next


def _fit_term(w: np.ndarray, term: str, with_mean: bool, start: tuple[float, ...] = ()) -> dict:
    """Exact-ML fit of one ARMA term (or none) with or without a mean on w: coefficients, mean, sigma2, AICc."""
    from scipy.optimize import minimize, minimize_scalar
    n = len(w)
    size, coefs_of = _TERMS[term]
    shifted = w - w.mean() if with_mean else w      # the objectives below want w centred with a mean
    as_floats = shifted.tolist()

    def objective(c) -> float:
        """The profile likelihood's -2 log L less constants, as `_profile` gives it, summed in one pass."""
        phis, theta = coefs_of(np.atleast_1d(c).tolist())      # plain floats: numpy scalars slow the loop 2x
        if theta or not phis:                         # MA(1), ARMA(1,1)
            return _arma11_objective(as_floats, phis[0] if phis else 0.0, theta, with_mean)
        return _ar2_objective(shifted, phis[0], phis[1] if len(phis) == 2 else 0.0, with_mean)

    c: tuple[float, ...] = ()
    if size == 1:
        c = (float(minimize_scalar(objective, bounds=(-COEF_BOUND, COEF_BOUND), method="bounded",
                                   options={"xatol": XATOL}).x),)
    elif size == 2:
        def unbounded(x):
            return objective(COEF_BOUND * np.tanh(x))

        def with_gradient(x):
            """The objective and its forward-difference gradient, as scipy's own would give them (steps of
            sqrt(eps)), without the per-call overhead of scipy's differencing (half the cost of a fit in scipy 1.17)."""
            f = unbounded(x)
            steps = GRADIENT_STEP * np.maximum(1.0, np.abs(x))
            return f, np.array([(unbounded(x + dx) - f) / step for dx, step in zip(np.diag(steps), steps)])
        x0 = np.arctanh(np.clip(np.asarray(start or (0.0, 0.0), dtype=float), -0.9, 0.9) / COEF_BOUND)
        # As good an optimum as Nelder-Mead's at a quarter of the cost; gtol far below what moves a forecast.
        found = minimize(with_gradient, x0, jac=True, method="L-BFGS-B", options={"gtol": 1e-4})
        c = tuple(float(v) for v in COEF_BOUND * np.tanh(found.x))
    phis, theta = coefs_of(c)
    mean, s, e, v, v_next = _profile(w, phis, theta, with_mean)
    sigma2 = max(s / n, 1e-300)
    loglik = -0.5 * (n * (math.log(2.0 * math.pi * sigma2) + 1.0) + float(np.sum(np.log(v))))
    k = size + with_mean + 1
    aicc = -2.0 * loglik + 2.0 * k + (2.0 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf)
    return {"term": term, "phis": phis, "theta": theta, "mean": mean, "sigma2": sigma2, "aicc": aicc, "e": e,
            "v": v, "v_next": v_next}


def _w_forecast(w: np.ndarray, fit: dict, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forecasts of the differences, the psi weights of the innovations, and the weights of the last innovation's
    estimation error (scaled so that its variance is sigma2 (r_N - 1))."""
    phis, theta, mean = fit["phis"], fit["theta"], fit["mean"]
    x = list(w[-len(phis):] - mean) if phis else []
    ahead, psi, carry = np.empty(h), np.zeros(h), np.zeros(h)
    psi[0] = carry[0] = 1.0
    for j in range(h):
        step = sum(p * x[-1 - i] for i, p in enumerate(phis))
        if j == 0 and theta:
            step += theta * fit["e"][-1] / fit["v"][-1]
        x.append(step)
        ahead[j] = mean + step
        if j:
            psi[j] = (theta if j == 1 else 0.0) + sum(p * psi[j - 1 - i] for i, p in enumerate(phis) if j - 1 - i >= 0)
            carry[j] = sum(p * carry[j - 1 - i] for i, p in enumerate(phis) if j - 1 - i >= 0)
    return ahead, psi, carry


def arima_search(y: np.ndarray, h: int, max_terms: int = 1) -> dict[str, np.ndarray]:
    """Point forecast and 80%/95% bands of the lowest-AICc ARIMA(p,d,q) with p + q <= max_terms (1 or 2; the
    two-term orders AR(2) and ARMA(1,1)), d by the KPSS tests."""
    from statsforecast.arima import ndiffs
    y = np.asarray(y, dtype=float)
    d = min(int(ndiffs(y, max_d=MAX_D)), max(len(y) - 5, 0))
    if len(y) - d < 4:
        raise ValueError(f"ARIMA search needs at least {d + 4} points, got {len(y)}")
    w = np.diff(y, n=d) if d else y
    means = (True,) if d == 0 else (False, True) if d == 1 else (False,)
    fits = [_fit_term(w, term, m) for term in ("none", "ar1", "ma1") for m in means]
    if max_terms >= 2 and len(w) >= 8:
        best = min(fits, key=lambda f: f["aicc"])
        ar1 = min((f for f in fits if f["term"] == "ar1"), key=lambda f: f["aicc"])
        ma1 = min((f for f in fits if f["term"] == "ma1"), key=lambda f: f["aicc"])
        with_mean = best["mean"] != 0.0
        fits += [_fit_term(w, "ar2", with_mean, (ar1["phis"][0], 0.0)),
                 _fit_term(w, "arma11", with_mean, (ar1["phis"][0], ma1["theta"]))]
    fit = min(fits, key=lambda f: f["aicc"])
    ahead, psi, carry = _w_forecast(w, fit, h)
    mean = ahead
    for level in range(d):        # integrate the differences back to levels, the weights with them
        last = np.diff(y, n=d - 1 - level)[-1] if d - 1 - level else y[-1]
        mean, psi, carry = last + np.cumsum(mean), np.cumsum(psi), np.cumsum(carry)
    state = max(fit["v_next"] - 1.0, 0.0) if fit["theta"] else 0.0
    sd = np.sqrt(fit["sigma2"] * (np.cumsum(psi * psi) + carry * carry * state))
    p = len(fit["phis"])
    return {**normal_bands(mean, sd), "order": (p, d, int(bool(fit["theta"]) or fit["term"] in ("ma1", "arma11"))),
            "with_mean": fit["mean"] != 0.0, "sigma2": fit["sigma2"]}
