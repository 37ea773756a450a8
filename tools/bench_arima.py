"""Time the numpy ARIMA order search (`forecast/fast_arima.py`, `arima_search` with two terms) and, given an earlier
version of that file, check that it finds what the earlier one found (BENCHMARKS.md, round 19).

Cases: every series of the long CSVs given, cut to its first 5, 8 and 12 values and whole, on the levels and, where
every value is positive, on logarithms. Prints the mean time per search of each version (best of 2 passes) and how far
their forecasts differ: the orders chosen, the point forecasts and the 95% band widths.

    git show REV:forecast/fast_arima.py > /tmp/reference_arima.py
    OPENBLAS_NUM_THREADS=1 .venv/bin/python tools/bench_arima.py --reference /tmp/reference_arima.py SET.csv...
"""
import argparse
import importlib.util
import time
import warnings

import numpy as np
import pandas as pd

from autarky.forecast import fast_arima

CUTS = (5, 8, 12)
HORIZON = 6


def cases(paths: list[str]) -> list[np.ndarray]:
    out = []
    for path in paths:
        for _, part in pd.read_csv(path).groupby("unique_id"):
            y = part["y"].to_numpy(float)
            for cut in (*[c for c in CUTS if c < len(y)], len(y)):
                out.append(y[:cut])
                if (y[:cut] > 0).all():
                    out.append(np.log(y[:cut]))
    return out


def searches(module, ys: list[np.ndarray]) -> tuple[float, list]:
    """The best of two passes' seconds, and each case's forecast (or the error's text)."""
    best, results = np.inf, []
    for _ in range(2):
        results, start = [], time.perf_counter()
        for y in ys:
            try:
                results.append(module.arima_search(y, HORIZON, max_terms=2))
            except ValueError as error:
                results.append(str(error))
        best = min(best, time.perf_counter() - start)
    return best, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", help="an earlier forecast/fast_arima.py to compare with")
    parser.add_argument("csv", nargs="+")
    args = parser.parse_args()
    ys = cases(args.csv)
    warnings.simplefilter("ignore")
    seconds, ours = searches(fast_arima, ys)
    print(f"{len(ys)} searches: {seconds / len(ys) * 1e3:.3f} ms each")
    if not args.reference:
        return
    spec = importlib.util.spec_from_file_location("reference_arima", args.reference)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    ref_seconds, theirs = searches(reference, ys)
    print(f"reference: {ref_seconds / len(ys) * 1e3:.3f} ms each ({ref_seconds / seconds:.2f}x)")
    errors = sum(isinstance(a, str) != isinstance(b, str) for a, b in zip(ours, theirs))
    pairs = [(a, b) for a, b in zip(ours, theirs) if not isinstance(a, str) and not isinstance(b, str)]
    orders = sum(a["order"] != b["order"] or a["with_mean"] != b["with_mean"] for a, b in pairs)
    scale = [np.abs(b["hi-95"] - b["lo-95"]).max() or 1.0 for a, b in pairs]     # 1 where the bands have no width
    point = np.array([np.abs(a["mean"] - b["mean"]).max() / s for (a, b), s in zip(pairs, scale)])
    width = np.array([np.abs((a["hi-95"] - a["lo-95"]) - (b["hi-95"] - b["lo-95"])).max() / s
                      for (a, b), s in zip(pairs, scale)])
    print(f"errors raised differently: {errors}; orders chosen differently: {orders} of {len(pairs)}; identical "
          f"forecasts: {int((point == 0).sum())}")
    print(f"point forecast difference, in 95% band widths: max {point.max():.2e}, 99th percentile "
          f"{np.quantile(point, 0.99):.2e}; band width difference: max {width.max():.2e}, 99th percentile "
          f"{np.quantile(width, 0.99):.2e}")


if __name__ == "__main__":
    main()
