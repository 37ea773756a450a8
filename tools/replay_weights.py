"""Design aid for BENCHMARKS.md (held-out protocol, rounds 17-18): static combination weights across sets, on fit
caches of `tools/replay_fits.py` (one per set, named SET.pkl; any frequency). Point forecasts only (calibration does
not move them); each set's score is its mean MASE (over series of their mean over origins) divided by its best
standard single model's.

Leave one set out (round 17): for each set in turn, one softmax weight vector over MEMBERS is fitted on all other sets
(Powell, minimising the mean ratio over those sets) and scored on the set left out. Prints each set's ratio and the
weights that scored it, then the worst and mean ratio and the count within 3%.

`--oracle` (round 18): a bound, chosen with hindsight on all the sets given. The convex weights over MEMBERS with the
lowest worst ratio (a linear programme: a weighted forecast's absolute error is convex in the weights), and the
lowest worst ratio of every mean and median over a subset of MEMBERS. No fixed combination of these members scores
below these on these sets. Then that subset choice made honestly: chosen on all sets but one, scored on the one left
out, each set in turn.

    .venv/bin/python tools/replay_weights.py ets,ets_log,dotheta,dotheta_log,theta,arima,naive,snaive,drift SET.pkl...
    .venv/bin/python tools/replay_weights.py --oracle --standard naive,drift,... MEMBERS SET.pkl...
    .venv/bin/python tools/replay_weights.py --show "ets;median(ets,ets_log,arima)" MEMBERS SET.pkl...
    .venv/bin/python tools/replay_weights.py --per-series MEMBERS SET.pkl...        # caches with inner backtests

`--per-series` (round 19): weights that differ by series, from its own inner backtest (PER_SERIES below).
"""
import argparse
import itertools
import pickle
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog, minimize

from autarky.forecast.models import get_model

STANDARD = ("naive", "snaive", "drift", "theta", "dotheta", "ets", "arima")


def points(cache, members):
    """All evaluation points of a set in MASE units: actual (P), members' point forecasts (P x members) and each
    point's weight in the set's mean MASE (P; the mean over series of the mean over origins and horizon steps)."""
    actual, forecasts, weight = [], [], []
    for origins in cache["series"].values():
        for o in origins:
            a, scale = np.asarray(o["actual"]), o["scale"]
            actual.append(a / scale)
            forecasts.append(np.array([(o["outer"].get(m) or o["outer"]["naive"]).mean for m in members]).T / scale)
            weight.append(np.full(len(a), 1.0 / (len(cache["series"]) * len(origins) * len(a))))
    return np.concatenate(actual), np.vstack(forecasts), np.concatenate(weight)


def set_mase(rows, w):
    """The set's mean MASE of the forecast weighted by w."""
    a, f, weight = rows
    return float(weight @ np.abs(a - f @ w))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def leave_one_out(data, best, members):
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


def minimax_weights(data, best, k):
    """min t over convex w and e >= |a - F w|, with each set's weighted sum of e / best <= t."""
    sets = list(data)
    sizes = [len(data[s][0]) for s in sets]
    n = sum(sizes)
    blocks, rhs, ratio_rows = [], [], []
    start = 0
    for s, size in zip(sets, sizes):
        a, f, weight = data[s]
        left, right = sp.csr_matrix((size, start)), sp.csr_matrix((size, n - start - size))
        eye, t = sp.identity(size, format="csr"), sp.csr_matrix((size, 1))
        blocks += [sp.hstack([sp.csr_matrix(-f), left, -eye, right, t]),
                   sp.hstack([sp.csr_matrix(f), left, -eye, right, t])]
        rhs += [-a, a]
        row = np.zeros(k + n + 1)
        row[k + start:k + start + size], row[-1] = weight / best[s], -1.0
        ratio_rows.append(row)
        start += size
    a_ub = sp.vstack(blocks + [sp.csr_matrix(np.array(ratio_rows))]).tocsr()
    b_ub = np.concatenate(rhs + [np.zeros(len(sets))])
    a_eq = np.zeros((1, k + n + 1))
    a_eq[0, :k] = 1.0
    cost = np.zeros(k + n + 1)
    cost[-1] = 1.0
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=(0, None), method="highs")
    if not res.success:
        raise SystemExit(f"linear programme failed: {res.message}")
    return res.x[:k]


def combination_ratios(data, best, how, idx):
    """Each set's ratio for the mean or median of the members at idx."""
    agg = np.mean if how == "mean" else np.median
    return [float(weight @ np.abs(a - agg(f[:, list(idx)], axis=1))) / best[s] for s, (a, f, weight) in data.items()]


def subset_ratios(data, best, k, max_size):
    """(worst ratio, mean ratio, how, member indices, ratios) of every mean and median over a subset of the members."""
    for size in range(1, min(k, max_size) + 1):
        for idx in itertools.combinations(range(k), size):
            for how in ("mean", "median") if size > 2 else ("mean",):
                ratios = combination_ratios(data, best, how, idx)
                yield max(ratios), float(np.mean(ratios)), how, idx, ratios


def print_ratios(name, ratios):
    """One row: each set's ratio, then the worst, the mean and how many are within 3%."""
    print(f"{name}: " + " ".join(f"{r:.3f}" for r in ratios) +
          f", {max(ratios):.3f}, {np.mean(ratios):.3f}, {sum(r <= 1.03 for r in ratios)} of {len(ratios)}")


def show(data, best, members, names):
    """Each named model's ratio per set (a member, or a mean or median of members)."""
    print("model: " + " ".join(data) + ", worst, mean, within 3%")
    for name in names:
        model = get_model(name)
        how, parts = (model.how, model.members) if model.is_combination else ("mean", (name,))
        ratios = combination_ratios(data, best, how, [members.index(m) for m in parts])
        print_ratios(name, ratios)


# Per-series weights from each series' own inner backtest MASE of the members (round 19): w proportional to 1/MASE or
# 1/MASE^2, or the mean of the two lowest, or the lowest alone (a per-series choice); a member without a score gets none.
PER_SERIES = {"1/MASE": lambda e: 1.0 / e, "1/MASE^2": lambda e: 1.0 / e ** 2,
              "best two": lambda e: (e <= np.sort(e)[min(1, len(e) - 1)]).astype(float),
              "best one": lambda e: (e == e.min()).astype(float)}


def backtest_weights(cache, members, rule):
    """Each evaluation point's member weights (P x members, rows as `points`), from its series' inner backtest at
    that origin; equal weights where no member has a score."""
    rows = []
    for origins in cache["series"].values():
        for o in origins:
            e = np.array([o["scores"][m].mase if m in o["scores"] and o["scores"][m].ok else np.nan for m in members])
            w = np.zeros(len(members))
            ok = np.isfinite(e)
            if ok.any():
                w[ok] = rule(np.maximum(e[ok], 1e-9))
            else:
                w[:] = 1.0
            rows.append(np.tile(w / w.sum(), (len(o["actual"]), 1)))
    return np.vstack(rows)


def per_series(caches, data, best, members):
    """Each per-series rule's ratio per set (caches with inner backtests: `replay_fits.py` without `outer`)."""
    print("rule: " + " ".join(data) + ", worst, mean, within 3%")
    for name, rule in PER_SERIES.items():
        ratios = []
        for s, (a, f, weight) in data.items():
            w = backtest_weights(caches[s], members, rule)
            ratios.append(float(weight @ np.abs(a - (f * w).sum(axis=1))) / best[s])
        print_ratios(name, ratios)


def oracle(data, best, members, max_size):
    w = minimax_weights(data, best, len(members))
    ratios = {s: set_mase(data[s], w) / best[s] for s in data}
    print("minimax convex weights, with hindsight: worst %.3f, mean %.3f, within 3%% on %d of %d" % (
        max(ratios.values()), np.mean(list(ratios.values())), sum(r <= 1.03 for r in ratios.values()), len(data)))
    print("  weights: " + " ".join(f"{m} {x:.3f}" for m, x in zip(members, w) if x >= 0.0005))
    print("  per set: " + " ".join(f"{s} {r:.3f}" for s, r in ratios.items()))
    subsets = list(subset_ratios(data, best, len(members), max_size))
    name = lambda r: f"{r[2]}({','.join(members[i] for i in r[3])})"
    print(f"means and medians over subsets of at most {max_size} members ({len(subsets)}), the five with the lowest "
          "worst ratio:")
    for r in sorted(subsets, key=lambda r: r[:2])[:5]:
        print(f"  {name(r)}: worst {r[0]:.3f}, mean {r[1]:.3f}, within 3% on {sum(x <= 1.03 for x in r[4])}")
    most = max(subsets, key=lambda r: (sum(x <= 1.03 for x in r[4]), -r[0]))
    print(f"  most sets within 3%: {sum(x <= 1.03 for x in most[4])} of {len(data)}, {name(most)}")
    # The same choice made without the set it is scored on: an honest figure for choosing among the subsets.
    table = np.array([r[4] for r in subsets])
    left_out = []
    for j, s in enumerate(data):
        others = np.delete(table, j, axis=1)
        pick = min(range(len(subsets)), key=lambda i: (others[i].max(), others[i].mean()))
        left_out.append(table[pick, j])
        print(f"  {s}: {table[pick, j]:.3f} by {name(subsets[pick])}, chosen on the other sets")
    print(f"  the subset with the lowest worst ratio, chosen leaving each set out in turn: worst {max(left_out):.3f}, "
          f"mean {np.mean(left_out):.3f}, within 3% on {sum(r <= 1.03 for r in left_out)} of {len(left_out)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members")
    parser.add_argument("caches", nargs="+")
    parser.add_argument("--standard", default=",".join(STANDARD), help="the single models a set's best is taken among")
    parser.add_argument("--oracle", action="store_true", help="the hindsight bound in place of leave one set out")
    parser.add_argument("--show", help="models (';'-separated: members, means and medians of them) whose ratio per "
                                           "set to print in place of the weights")
    parser.add_argument("--max-size", type=int, default=99, help="--oracle: the largest subset tried")
    parser.add_argument("--per-series", action="store_true", help="weights per series from its inner backtest")
    args = parser.parse_args()
    members = args.members.split(",")
    caches = {Path(p).stem: pickle.load(open(p, "rb")) for p in args.caches}
    data = {s: points(cache, members) for s, cache in caches.items()}
    best = {s: min(set_mase(points(cache, [n]), np.ones(1)) for n in args.standard.split(","))
            for s, cache in caches.items()}
    if args.show:
        show(data, best, members, args.show.split(";"))
    elif args.per_series:
        per_series(caches, data, best, members)
    elif args.oracle:
        oracle(data, best, members, args.max_size)
    else:
        leave_one_out(data, best, members)


if __name__ == "__main__":
    main()
