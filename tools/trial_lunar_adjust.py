"""Design aid for BENCHMARKS.md (held-out protocol, round 10): does removing the Lunar New Year's moving effect before
fitting help monthly forecasts? Tried, not adopted.

For every series and evaluation origin of a long CSV: on the training data, regress the 12-month change of log y on
the 12-month change of the Lunar New Year regressor (the share of the shutdown, 7 days before to 14 after, in each
month: `prophet_model.lunar_new_year_share`, minus its 1990-2059 mean for the calendar month, so the average effect
stays in the seasonal pattern); where |t| >= T, divide the series by exp(beta * x), forecast, and multiply the
forecast (point and bands) back by exp(beta * x) of the forecast months. Prints MASE and coverage of each model with
and without the adjustment, and how many origins were adjusted. No calibration: the question is the point forecast.

    .venv/bin/python tools/trial_lunar_adjust.py SET.csv HORIZON ORIGINS "model;model;..." [T]
"""
import sys
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from autarky.forecast.backtest import coverage, make_plan, mase, naive_scale
from autarky.forecast.bench import read_long_csv
from autarky.forecast.engine import regular_series
from autarky.forecast.interface import SeriesContext
from autarky.forecast.models import get_model
from autarky.forecast.prophet_model import lunar_new_year_share

STEP = 6


@lru_cache(maxsize=1)
def _month_means() -> np.ndarray:
    ds = pd.date_range("1990-01-01", "2059-12-01", freq="MS")
    x = lunar_new_year_share(ds)
    return np.array([x[ds.month == m].mean() for m in range(1, 13)])


def regressor(ds) -> np.ndarray:
    ds = pd.DatetimeIndex(ds)
    return lunar_new_year_share(ds) - _month_means()[ds.month - 1]


def estimate(y: np.ndarray, ds) -> tuple[float, float]:
    """beta and its t statistic: 12-month change of log y on that of the regressor, with an intercept (OLS)."""
    ly, x = np.log(y), regressor(ds)
    d, dx = ly[12:] - ly[:-12], x[12:] - x[:-12]
    design = np.column_stack([np.ones(len(d)), dx])
    coef, *_ = np.linalg.lstsq(design, d, rcond=None)
    resid = d - design @ coef
    cov = resid @ resid / (len(d) - 2) * np.linalg.inv(design.T @ design)
    return float(coef[1]), float(coef[1] / np.sqrt(cov[1, 1]))


def main() -> None:
    warnings.simplefilter("ignore")
    path, horizon, windows, models = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(";")
    t_min = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
    ctx, results, adjusted, total = SeriesContext(frequency="M"), {}, 0, 0
    for uid, (periods, values) in read_long_csv(path).items():
        dates, y, _, _ = regular_series(periods, values, "M")
        plan = make_plan(len(y), horizon, windows, STEP, min_train=6)
        if plan is None or plan.horizon != horizon or plan.origins != windows:
            continue
        future = pd.date_range(dates[0], periods=len(y) + horizon, freq="MS")
        for cut in plan.cutoffs:
            train, actual, scale = y[:cut], y[cut:cut + horizon], naive_scale(y[:cut], 12)
            beta, t = estimate(train, dates[:cut]) if train.min() > 0 else (0.0, 0.0)
            use = abs(t) >= t_min
            adjusted, total = adjusted + use, total + 1
            back = np.exp(beta * regressor(future[cut:cut + horizon])) if use else np.ones(horizon)
            plain = train * np.exp(-beta * regressor(dates[:cut])) if use else train
            for name in models:
                for tag, series, k in ((name, train, 1.0), (name + "+lunar", plain, back)):
                    f = get_model(name).forecast(series, dates[0], horizon, ctx)
                    results.setdefault(tag, {}).setdefault(uid, []).append(
                        (mase(actual, f.mean * k, scale), coverage(actual, f.lo80 * k, f.hi80 * k),
                         coverage(actual, f.lo95 * k, f.hi95 * k)))
    rows = sorted(tuple(np.mean([np.mean([r[i] for r in v]) for v in per.values()]) for i in range(3)) + (tag,)
                  for tag, per in results.items())
    for m, c80, c95, tag in rows:
        print(f"{tag:24s} MASE {m:6.3f}  cov80 {c80:4.2f}  cov95 {c95:4.2f}")
    print(f"adjusted at {adjusted} of {total} origins (|t| >= {t_min})")


if __name__ == "__main__":
    main()
