"""Replay the production choice and calibration on a fit cache of `tools/replay_fits.py` for many settings.

    .venv/bin/python tools/replay_choice.py OUT.pkl '[["dotheta", ["snaive","drift"], 1.0, "full"], ...]'

Each setting: default, other candidates, switch margin, calibration (`none`; `full`: the factors as computed;
`asymP`: a narrowing factor k applied as k**P, a widening one in full; `powP`: every factor as k**P;
`floorF`: factors at least F; `sharedP`: both bands scaled by the 80% factor, narrowing as asymP). Prints mean MASE,
80% and 95% coverage per setting and per fixed model.
"""
import json
import pickle
import sys
import numpy as np
from autarky.forecast.select import choose
from autarky.forecast.calibrate import Calibration, calibrated, factor
from autarky.forecast.backtest import mase, coverage

def raw_calibration(score):
    """The conformal factors before production's damping of narrowing ones (so every rule starts from the same)."""
    if score is None or not score.ok:
        return Calibration()
    f80, f95 = factor(score.ratios80, 0.80), factor(score.ratios95, 0.95)
    return Calibration(f80, max(f95, f80), min(len(score.ratios80), len(score.ratios95)))


def narrowed(k, p):
    """A widening factor in full, a narrowing one to the power p."""
    return k if k >= 1 else k ** p


def run(cache, default, cands, margin, calmode):
    per_series, chosen = [], {}
    for uid, origins in cache["series"].items():
        rows = []
        for o in origins:
            allowed = [default, *cands, *o["holiday"]]
            sc = {k: v for k, v in o["scores"].items() if k in allowed}
            ch = choose(sc, default, margin, "drift", cache["tolerance"])
            f = o["outer"].get(ch.model) or o["outer"]["naive"]
            chosen[ch.model] = chosen.get(ch.model, 0) + 1
            if calmode != "none":
                cal = raw_calibration(sc.get(ch.model))
                if calmode.startswith("floor"):
                    lo = float(calmode[5:])
                    cal = Calibration(max(cal.factor80, lo), max(cal.factor95, lo), cal.points)
                if calmode.startswith("pow"):
                    p = float(calmode[3:])
                    cal = Calibration(cal.factor80 ** p, cal.factor95 ** p, cal.points)
                if calmode.startswith("shared"):      # both bands by the 80% factor, narrowing as asymP
                    k80 = narrowed(cal.factor80, float(calmode[6:]))
                    cal = Calibration(k80, k80, cal.points)
                if calmode.startswith("asym"):
                    p = float(calmode[4:])
                    k80 = narrowed(cal.factor80, p)
                    cal = Calibration(k80, max(narrowed(cal.factor95, p), k80), cal.points)
                f = calibrated(f, cal, 0, o["seed"]).clipped(*o["bounds"])
            a = o["actual"]
            rows.append((mase(a, f.mean, o["scale"]), coverage(a, f.lo80, f.hi80), coverage(a, f.lo95, f.hi95)))
        per_series.append(rows)
    m = np.nanmean([np.nanmean([r[0] for r in s]) for s in per_series])
    c80 = np.mean([np.mean([r[1] for r in s]) for s in per_series]); c95 = np.mean([np.mean([r[2] for r in s]) for s in per_series])
    return m, c80, c95, chosen

if __name__ == "__main__":
    cache = pickle.load(open(sys.argv[1], "rb"))
    configs = json.loads(sys.argv[2])
    names = sorted({n for o in next(iter(cache["series"].values())) for n in o["outer"]})
    print(sys.argv[1], len(cache["series"]), "series")
    out = []
    for n in names:
        m, c80, c95, _ = run(cache, n, [], 1.0, "none")
        out.append((m, c80, c95, f"[fixed] {n}", ""))
    for d, c, mg, cm in configs:
        m, c80, c95, ch = run(cache, d, c, mg, cm)
        out.append((m, c80, c95, f"{d} margin={mg} cal={cm}", str(ch) if mg < 1 else ""))
    for r in sorted(out):
        print(f"{r[0]:7.3f} {r[1]:6.3f} {r[2]:6.3f}  {r[3]}  {r[4]}")
