"""Design aid for BENCHMARKS.md (held-out protocol, round 12): combination weights learned across many series, judged
leave-one-set-out. Tried, not adopted.

Step 1 fits 10 single models at every evaluation origin of each annual set (horizon 6, 3 origins 1 apart, as the bench)
and caches the point forecasts. Step 2 learns weights on all sets but one and scores the one left out, for each set in
turn: static weights (one softmax vector for every series), and weights that depend on features of each series'
history (softmax of a linear function of: log length, KPSS differencing order, linearity of the last 20 points,
curvature, lag-1 autocorrelation and spread of the changes, drift t statistic, recent change of slope), fitted by
minimising the mean MASE of the weighted forecast with an L2 penalty `lam` (Adam, 1,500 steps). One row per penalty
in LAMS shows what choosing it after seeing every set would give; `--nested` adds a row where it is chosen inside each
fold by leave-one-set-out on the other eight. Ratios are to the best of the 10 single models on the set left out.

    .venv/bin/python tools/trial_learned_weights.py fits CACHE.pkl a_design.csv a_confirm.csv ...
    .venv/bin/python tools/trial_learned_weights.py score CACHE.pkl [--nested]
"""
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

SINGLES = ["naive", "drift", "theta", "ets", "holt", "damped", "arima021_ml", "arima_ml2", "ces", "dotheta"]
DEFAULT = ["arima_ml2", "arima021_ml", "ets", "ces"]
HORIZON, ORIGINS, LAMS, STEPS = 6, 3, (1e-3, 1e-2, 1e-1, 1.0), 1500


def fits(out: str, paths: list[str]) -> None:
    from autarky.app import App
    from autarky.forecast.backtest import make_plan, naive_scale
    from autarky.forecast.bench import read_long_csv
    from autarky.forecast.engine import MIN_OBS, regular_series
    from autarky.forecast.models import get_model, member_forecast
    from autarky.forecast.runner import series_context
    catalog, cache = App().catalog, {}
    for path in paths:
        rows = []
        for uid, (periods, values) in read_long_csv(path).items():
            ctx = series_context(catalog, uid, "A")
            dates, y, _, _ = regular_series(periods, values, "A")
            plan = make_plan(len(y), HORIZON, ORIGINS, 1, min_train=MIN_OBS)
            if plan is None or plan.horizon != HORIZON or plan.origins != ORIGINS:
                continue
            for cut in plan.cutoffs:
                f = {m: member_forecast(get_model(m), y[:cut], dates[0], HORIZON, ctx, 0) for m in SINGLES}
                naive = f["naive"].mean
                rows.append((uid, y[:cut], y[cut:cut + HORIZON], naive_scale(y[:cut], 1),
                             np.stack([f[m].mean if f[m] is not None else naive for m in SINGLES])))
        cache[Path(path).stem] = rows
        print(f"{path}: {len(rows)} series-origins", file=sys.stderr)
    pickle.dump(cache, open(out, "wb"))


def features(y: np.ndarray) -> np.ndarray:
    from statsforecast.arima import ndiffs
    n, dy = len(y), np.diff(y)
    s = np.mean(np.abs(dy)) or 1.0
    k = min(n, 20)
    design = np.column_stack([np.ones(k), np.arange(k)])
    coef, *_ = np.linalg.lstsq(design, y[-k:], rcond=None)
    linearity = 1 - (y[-k:] - design @ coef).var() / (y[-k:].var() or 1.0)
    curvature = np.clip(np.diff(y, 2)[-10:].mean() / s, -3, 3) if n > 3 else 0.0
    acf1 = np.corrcoef(dy[:-1], dy[1:])[0, 1] if n > 4 and dy[:-1].std() > 0 and dy[1:].std() > 0 else 0.0
    drift_t = np.clip(dy.mean() / (dy.std() / np.sqrt(len(dy)) + 1e-12), -10, 10) / 5
    recent = np.clip((dy[-5:].mean() - dy.mean()) / s, -3, 3)
    try:
        d = int(ndiffs(y, max_d=2))
    except Exception:  # noqa: BLE001 - a feature, not a forecast
        d = 1
    return np.array([np.log(n), d, linearity, curvature, np.nan_to_num(acf1), dy.std() / s, drift_t, recent])


def _softmax(z: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    z = np.where(allowed, z, -1e9)
    w = np.exp(z - z.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True)


def train(data, members, use_features, lam):
    """A function from feature rows to weights, fitted on data = (X, F, A, S)."""
    X, F, A, S = data
    allowed = np.isin(np.arange(len(SINGLES)), [SINGLES.index(m) for m in members])
    design = np.column_stack([np.ones(len(X)), X]) if use_features else np.ones((len(X), 1))
    mu, sd = design.mean(0), design.std(0)
    mu[0], sd[0] = 0.0, 1.0
    sd[sd == 0] = 1.0
    Xn = (design - mu) / sd
    B, m1, m2 = np.zeros((Xn.shape[1], len(SINGLES))), 0.0, 0.0
    for step in range(1, STEPS + 1):
        W = _softmax(Xn @ B, allowed)
        combined = np.einsum("nk,nkh->nh", W, F)
        g_w = np.einsum("nh,nkh->nk", np.sign(combined - A) / A.shape[1] / S[:, None] / len(A), F)
        g = Xn.T @ (W * (g_w - (g_w * W).sum(axis=1, keepdims=True)))
        g[1:] += lam * B[1:]
        m1, m2 = 0.9 * m1 + 0.1 * g, 0.999 * m2 + 0.001 * g * g
        B -= 0.05 * (m1 / (1 - 0.9 ** step)) / (np.sqrt(m2 / (1 - 0.999 ** step)) + 1e-8)

    def weights(Xt):
        d = np.column_stack([np.ones(len(Xt)), Xt]) if use_features else np.ones((len(Xt), 1))
        return _softmax(((d - mu) / sd) @ B, allowed)
    return weights


def set_mase(rows, W) -> float:
    """Mean over series of the mean over origins of MASE, as the bench reports it."""
    per = {}
    for (uid, _, actual, scale, F), w in zip(rows, W):
        per.setdefault(uid, []).append(np.mean(np.abs(w @ F - actual)) / scale)
    return float(np.mean([np.mean(v) for v in per.values()]))


def score(cache_path: str, nested: bool) -> None:
    warnings.simplefilter("ignore")
    cache = pickle.load(open(cache_path, "rb"))
    sets = list(cache)
    arrays = {s: (np.array([features(r[1]) for r in rows]), np.array([r[4] for r in rows]),
                  np.array([r[2] for r in rows]), np.array([r[3] for r in rows])) for s, rows in cache.items()}
    eye = np.eye(len(SINGLES))
    best = {s: min(set_mase(cache[s], np.tile(eye[k], (len(cache[s]), 1))) for k in range(len(SINGLES))) for s in sets}

    def pooled(names):
        return tuple(np.concatenate([arrays[s][i] for s in names]) for i in range(4))

    def ratio(held, names, members, use, lam):
        w = train(pooled(names), members, use, lam)
        return set_mase(cache[held], w(arrays[held][0])) / best[held]

    default = np.zeros(len(SINGLES))
    default[[SINGLES.index(m) for m in DEFAULT]] = 1 / len(DEFAULT)
    rows = {"the default, equal weights": [set_mase(cache[s], np.tile(default, (len(cache[s]), 1))) / best[s]
                                           for s in sets]}
    variants = [("static, all 10", SINGLES, False, 1e-2), ("static, the default's 4", DEFAULT, False, 1e-2),
                ("by features, all 10", SINGLES, True, 1e-2)]
    variants += [(f"by features, the default's 4 + damped, lam {lam:g}", DEFAULT + ["damped"], True, lam) for lam in LAMS]
    for label, members, use, lam in variants:
        rows[label] = [ratio(held, [s for s in sets if s != held], members, use, lam) for held in sets]
    if nested:
        members, out = DEFAULT + ["damped"], []
        for held in sets:
            inner = [s for s in sets if s != held]
            lam = min(LAMS, key=lambda v: np.mean([ratio(x, [s for s in inner if s != x], members, True, v)
                                                   for x in inner]))
            out.append(ratio(held, inner, members, True, lam))
        rows["by features, the default's 4 + damped, lam chosen inside each fold"] = out
    print("| weights | " + " | ".join(f"`{s}`" for s in sets) + " | worst | mean | at most 1 |")
    print("|---|" + "---:|" * (len(sets) + 3))
    for label, r in rows.items():
        print(f"| {label} | " + " | ".join(f"{x:.3f}" for x in r) +
              f" | {max(r):.3f} | {np.mean(r):.3f} | {sum(x <= 1 for x in r)} |")


if __name__ == "__main__":
    if sys.argv[1] == "fits":
        fits(sys.argv[2], sys.argv[3:])
    else:
        score(sys.argv[2], "--nested" in sys.argv)
