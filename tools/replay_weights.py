"""Design aid for BENCHMARKS.md (held-out protocol, round 17): static combination weights learned across sets, judged
leave-one-set-out, on fit caches of `tools/replay_fits.py` (one per set, named SET.pkl; any frequency).

For each set in turn, one softmax weight vector over MEMBERS is fitted on all other sets (Powell, minimising the mean
over those sets of the weighted point forecast's MASE divided by the set's best standard single model) and scored on
the set left out. Point forecasts only (calibration does not move them). Prints each set's ratio and the weights that
scored it, then the worst and mean ratio and the count within 3%.

    .venv/bin/python tools/replay_weights.py ets,ets_log,dotheta,dotheta_log,theta,arima,naive,snaive,drift SET.pkl...
"""
import pickle
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from autarky.forecast.backtest import mase

STANDARD = ("naive", "snaive", "drift", "theta", "dotheta", "ets", "arima")


def points(cache, members):
    """Per series, per evaluation origin: (actual, naive scale, members' point forecasts as rows)."""
    return [[(np.asarray(o["actual"]), o["scale"],
              np.array([(o["outer"].get(m) or o["outer"]["naive"]).mean for m in members])) for o in origins]
            for origins in cache["series"].values()]


def set_mase(rows, w):
    """The set's mean MASE (over series of their mean over origins) of the forecast weighted by w."""
    return np.mean([np.mean([mase(a, w @ f, scale) for a, scale, f in series]) for series in rows])


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def main():
    members, paths = sys.argv[1].split(","), sys.argv[2:]
    caches = {Path(p).stem: pickle.load(open(p, "rb")) for p in paths}
    data = {s: points(cache, members) for s, cache in caches.items()}
    best = {s: min(set_mase(points(cache, [n]), np.ones(1)) for n in STANDARD) for s, cache in caches.items()}

    def fit(train):
        loss = lambda z: np.mean([set_mase(data[s], softmax(z)) / best[s] for s in train])
        return softmax(minimize(loss, np.zeros(len(members)), method="Powell",
                                options={"maxiter": 20000, "xtol": 1e-3, "ftol": 1e-6}).x)

    ratios = []
    for s in data:
        w = fit([t for t in data if t != s])
        ratios.append(set_mase(data[s], w) / best[s])
        print(f"{s}: {ratios[-1]:.3f}  " + " ".join(f"{m} {x:.2f}" for m, x in zip(members, w) if x >= 0.05))
    print(f"left out in turn: worst {max(ratios):.3f}, mean {np.mean(ratios):.3f}, "
          f"within 3% on {sum(r <= 1.03 for r in ratios)} of {len(ratios)}")


if __name__ == "__main__":
    main()
