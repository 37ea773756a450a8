"""Design aid for BENCHMARKS.md (held-out protocol, round 7): a choice pooled across the series of a set, replayed.

On fit caches of `tools/replay_fits.py` (one per set, named SET.pkl). At each evaluation origin, every candidate's
inner-backtest MASE is pooled over the set's series (`mean`: the mean MASE; `geo`: the geometric mean of its ratio to
the default's), and the lowest is used for every series if it beats the default's pooled score by more than the margin
(a series without a forecast of the pick keeps the default). Bands are calibrated from the used model's own backtest,
as production does. Prints, per setting, each set's mean MASE, its ratio to the best single model given for the set,
and the 95% coverage; then, for the default, a paired bootstrap over series of that ratio against the best single
model of the cache.

    .venv/bin/python tools/replay_pooled.py SETTINGS.json BEST.json SET.pkl...

SETTINGS.json: [[label, [candidates], "mean" | "geo", margin], ...], the default first among the candidates of each.
BEST.json: {set: [model, MASE]}, the best single model of each set's bench run (it may be one the cache lacks).
"""
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from autarky.forecast.backtest import coverage, mase
from autarky.forecast.calibrate import calibrated, calibration
from autarky.forecast.engine import DEFAULT_WIDEN_POWER

BOOTSTRAP, SEED = 2000, 15


def pooled_score(origins, name, default, how):
    """The candidate's inner-backtest MASE pooled over series (nan when more than a tenth could not score it)."""
    values = []
    for o in origins:
        s, d = o["scores"].get(name), o["scores"].get(default)
        if s is None or not s.ok or d is None or not d.ok:
            values.append(np.nan)
        else:
            values.append(s.mase if how == "mean" else np.log(max(s.mase, 1e-9) / max(d.mase, 1e-9)))
    values = np.asarray(values)
    return np.nan if np.isnan(values).mean() > 0.1 else float(np.nanmean(values))


def pick(origins, candidates, how, margin):
    default = candidates[0]
    if len(candidates) == 1:      # a candidate alone is a fixed model, scored or not by the inner backtest
        return default
    table = {c: pooled_score(origins, c, default, how) for c in candidates}
    table = {c: v for c, v in table.items() if np.isfinite(v)}
    best = min(table, key=table.get)
    base = table[default]
    beats = table[best] < (base * (1 - margin) if how == "mean" else base + np.log(1 - margin))
    return best if beats else default


def scored(o, name, widen_power):
    """(MASE, 80% and 95% coverage) of the model's calibrated forecast at one origin; the default where it has none."""
    f = o["outer"].get(name) or o["outer"]["naive"]
    f = calibrated(f, calibration(o["scores"].get(name), widen_power), 0, o["seed"]).clipped(*o["bounds"])
    a = o["actual"]
    return mase(a, f.mean, o["scale"]), coverage(a, f.lo80, f.hi80), coverage(a, f.lo95, f.hi95)


def per_series(cache, candidates, how, margin):
    """Each series' mean MASE and 95% coverage over the evaluation origins, with the pooled pick at each."""
    series = list(cache["series"].values())
    rows = [[] for _ in series]
    for k in range(len(series[0])):
        origins = [s[k] for s in series]
        name = pick(origins, candidates, how, margin)
        for row, o in zip(rows, origins):
            row.append(scored(o, name if o["outer"].get(name) is not None else candidates[0],
                              DEFAULT_WIDEN_POWER[cache["freq"]]))
    return np.array([np.nanmean([r[0] for r in row]) for row in rows]), np.mean([np.mean([r[2] for r in row])
                                                                               for row in rows])


def fixed(cache, name):
    """Each series' mean MASE of one model's point forecasts."""
    return np.array([np.nanmean([mase(o["actual"], (o["outer"].get(name) or o["outer"]["naive"]).mean, o["scale"])
                                 for o in origins]) for origins in cache["series"].values()])


def bootstrap(ours, theirs):
    """The 2.5%, 50% and 97.5% points of mean(ours) / mean(theirs) over series resampled with replacement."""
    rng = np.random.default_rng(SEED)
    draws = rng.integers(0, len(ours), size=(BOOTSTRAP, len(ours)))
    ratios = np.nanmean(ours[draws], axis=1) / np.nanmean(theirs[draws], axis=1)
    return np.percentile(ratios, [2.5, 50, 97.5])


def main():
    settings, best = json.loads(Path(sys.argv[1]).read_text()), json.loads(Path(sys.argv[2]).read_text())
    caches = {Path(p).stem: pickle.load(open(p, "rb")) for p in sys.argv[3:]}
    print("| setting | " + " | ".join(f"`{s}`" for s in caches) + " | worst | mean |")
    print("|---|" + "---:|" * (len(caches) + 2))
    for label, candidates, how, margin in settings:
        cells, ratios = [], []
        for name, cache in caches.items():
            m, c95 = per_series(cache, candidates, how, margin)
            ratios.append(np.nanmean(m) / best[name][1])
            cells.append(f"{np.nanmean(m):.3f} ({ratios[-1]:.3f}, {c95:.2f})")
        print(f"| {label} | " + " | ".join(cells) + f" | {max(ratios):.3f} | {np.mean(ratios):.3f} |")
    default = settings[0][1][0]
    print(f"\nbootstrap over series ({BOOTSTRAP} draws) of {default} / the cache's best single model:")
    for name, cache in caches.items():
        singles = [n for n in next(iter(cache["series"].values()))[0]["outer"] if "(" not in n]
        single = min(singles, key=lambda n: np.nanmean(fixed(cache, n)))
        lo, mid, hi = bootstrap(fixed(cache, default), fixed(cache, single))
        print(f"  {name}: {len(cache['series'])} series, against {single}: {mid:.3f} [{lo:.3f}, {hi:.3f}]")


if __name__ == "__main__":
    main()
