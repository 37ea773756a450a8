"""Design aid for BENCHMARKS.md (held-out protocol, round 20): one linear model for every annual series (a global
model), trained on the store's annual series and scored on held-out annual sets. Tried, not adopted.

Features of a history y (scale s: the mean absolute one-step change, the MASE denominator): the last six values as
(y[t-i] - y[t]) / s, i = 1..5, the mean change over the whole history and over its later half in units of s, and a
constant; all clipped to +-30. One model per step ahead h = 1..6 predicts (y[t+h] - y[t]) / s, fitted by least
absolute deviations (iteratively reweighted least squares) or least squares, each training series weighing the same,
optionally mirrored (-y added, so the model has no sign of its own). Training: the bundled store's annual series of
at least 8 points (`autarky bench export-series`), CSET's and the derived metrics left out. Scoring: the point forecasts
at the outer origins of `tools/replay_fits.py` caches (horizon 6, 3 origins), ratio to each set's best standard single
model, alone and as a fifth member of the annual default's median.

    .venv/bin/python tools/trial_global_linear.py [--leave-one-set-out] store_annual.csv SET.csv:CACHE.pkl ...

With --leave-one-set-out, each set is scored by models trained on the store and every other set given.
"""
import sys

import numpy as np

from autarky.forecast.backtest import make_plan
from autarky.forecast.bench import BenchInputError, infer_frequency, read_long_csv
from autarky.forecast.engine import MIN_OBS, regular_series

LAGS, HORIZON, ORIGINS, CLIP = 6, 6, 3, 30.0
STANDARD = "naive,drift,theta,dotheta,ets,holt,damped,arima021,arima021_ml,arima_ml,arima_ml2,arima,ces".split(",")
DEFAULT = ["dotheta", "arima_ml2", "damped_log", "arima_ml2_log"]


def features(y: np.ndarray) -> tuple[np.ndarray | None, float]:
    scale = float(np.mean(np.abs(np.diff(y)))) if len(y) > 1 else 0.0
    if not scale > 0:
        return None, scale
    last = y[-LAGS:]
    last = np.concatenate([np.full(LAGS - len(last), last[0]), last])
    half = y[len(y) // 2:]
    trend = [(y[-1] - y[0]) / ((len(y) - 1) * scale), (half[-1] - half[0]) / (max(len(half) - 1, 1) * scale)]
    return np.clip(np.concatenate([(last[:-1] - y[-1]) / scale, trend, [1.0]]), -CLIP, CLIP), scale


def least(x, t, w, absolute: bool, iterations: int = 60) -> np.ndarray:
    def solve(weights):
        root = np.sqrt(weights)
        return np.linalg.lstsq(x * root[:, None], t * root, rcond=None)[0]
    beta = solve(w)
    for _ in range(iterations if absolute else 0):
        beta = solve(w / np.maximum(np.abs(t - x @ beta), 1e-3))
    return beta


def train(series: list[np.ndarray], absolute: bool) -> np.ndarray:
    coefs = []
    for h in range(1, HORIZON + 1):
        x, t, w = [], [], []
        for y in series:
            rows = [(f, np.clip((y[c + h - 1] - y[c - 1]) / s, -CLIP, CLIP))
                    for c in range(MIN_OBS, len(y) - h + 1) for f, s in [features(y[:c])] if f is not None]
            x += [f for f, _ in rows]
            t += [target for _, target in rows]
            w += [1.0 / max(len(rows), 1)] * len(rows)
        coefs.append(least(np.array(x), np.array(t), np.array(w), absolute))
    return np.array(coefs)


def forecast(coefs: np.ndarray, y: np.ndarray) -> np.ndarray:
    f, scale = features(y)
    return np.full(HORIZON, y[-1]) if f is None else y[-1] + scale * (coefs @ f)


def _frequency(uid, periods, values) -> str | None:
    try:
        return infer_frequency({uid: (periods, values)})
    except BenchInputError:              # dates further apart than a year, or irregular
        return None


def annual_histories(path: str, leave_out: tuple[str, ...] = ("cset", "derived")) -> list[np.ndarray]:
    out = []
    for uid, (periods, values) in read_long_csv(path).items():
        if uid.split(":")[0] in leave_out or len(values) < 8 or _frequency(uid, periods, values) != "A":
            continue
        y = np.asarray(regular_series(periods, values, "A")[1], dtype=float)
        y = y[~np.isnan(y)]
        if len(y) >= 8:
            out.append(y)
    return out


def set_ratios(set_csv: str, cache_path: str, variants: dict[str, np.ndarray]) -> dict[str, float]:
    """Each variant's ratio, alone and as the default's fifth member, and the default's: the variants' forecasts at
    the cache's origins (clipped to the series' bounds, as members are) join the cache and are scored by
    `replay_weights.py`."""
    import pickle
    from types import SimpleNamespace

    from replay_weights import combination_ratios, points, set_mase
    cache, series = pickle.load(open(cache_path, "rb")), read_long_csv(set_csv)
    for uid, origins in cache["series"].items():
        _, y, _, _ = regular_series(*series[uid], "A")
        plan = make_plan(len(y), HORIZON, ORIGINS, 1, min_train=MIN_OBS)
        for cut, o in zip(plan.cutoffs, origins):
            lower, upper = o["bounds"]
            lo, hi = -np.inf if lower is None else lower, np.inf if upper is None else upper
            o["outer"] |= {k: SimpleNamespace(mean=np.clip(forecast(c, np.asarray(y[:cut], dtype=float)), lo, hi))
                           for k, c in variants.items()}
    members = STANDARD + DEFAULT + list(variants)
    data = {set_csv: points(cache, members)}
    best = {set_csv: min(set_mase(points(cache, [m]), np.ones(1)) for m in STANDARD)}
    index = lambda names: [members.index(m) for m in names]
    ratio = lambda names: combination_ratios(data, best, "median", index(names))[0]
    return {"default": ratio(DEFAULT), **{k: ratio([k]) for k in variants},
            **{f"default+{k}": ratio(DEFAULT + [k]) for k in variants}}


def variants_from(histories: list[np.ndarray]) -> dict[str, np.ndarray]:
    mirrored = histories + [-y for y in histories]
    return {"lad": train(histories, True), "ols": train(histories, False),
            "lad_mirror": train(mirrored, True), "ols_mirror": train(mirrored, False)}


def main() -> None:
    loso = "--leave-one-set-out" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--leave-one-set-out"]
    store, sets = args[0], [a.split(":") for a in args[1:]]
    histories = annual_histories(store)
    print(f"trained on {len(histories)} store series, {sum(map(len, histories))} values"
          + (" and the other sets' series" if loso else ""))
    if loso:
        own = {csv: annual_histories(csv, leave_out=()) for csv, _ in sets}
        ratios = {csv: set_ratios(csv, cache, variants_from(histories + [y for other, ys in own.items()
                                                                         if other != csv for y in ys]))
                  for csv, cache in sets}
    else:
        variants = variants_from(histories)
        ratios = {csv: set_ratios(csv, cache, variants) for csv, cache in sets}
    names = list(ratios[sets[0][0]])
    print("model: " + " ".join(csv.rsplit("/", 1)[-1].removesuffix(".csv") for csv, _ in sets) + ", worst, mean")
    for m in names:
        row = [ratios[csv][m] for csv, _ in sets]
        print(f"{m}: " + " ".join(f"{r:.3f}" for r in row) + f", {max(row):.3f}, {np.mean(row):.3f}")


if __name__ == "__main__":
    main()
