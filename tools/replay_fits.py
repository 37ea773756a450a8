"""Design aid for BENCHMARKS.md (held-out protocol, round 2): fit once, replay many choice settings.

For every series and evaluation origin of a long CSV, run the production inner backtest (`run_backtest` on the data
before the origin, the frequency's origins and step) of a pool of models, and fit each on that data for the scored
horizon; pickle it all. `tools/replay_choice.py` then replays `choose` and the calibration for any default, switch
margin and calibration rule without refitting. `autarky bench forecast` remains the measurement; this only explores.

    .venv/bin/python tools/replay_fits.py SET.csv HORIZON ORIGINS "model;model;..." OUT.pkl [outer]

With `outer` last, the inner backtests are skipped (empty scores): enough for point forecasts (`replay_weights.py`),
not for the choice or the calibration.
"""
import pickle
import sys
import warnings
warnings.simplefilter("ignore")
from autarky.forecast.bench import read_long_csv, infer_frequency
from autarky.forecast.engine import default_settings, regular_series, SeriesTask, MIN_OBS
from autarky.forecast.backtest import make_plan, run_backtest, naive_scale
from autarky.forecast.models import get_model, member_forecast, combine
from autarky.forecast.runner import series_context
from autarky.app import App
path, horizon, windows, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
outer_only = sys.argv[6:] == ["outer"]
pool = sys.argv[4].split(";")
series = read_long_csv(path); freq = infer_frequency(series); base = default_settings(freq)
catalog = App().catalog
cache = {"freq": freq, "tolerance": base.tolerance, "series": {}}
for uid, (d0, values) in series.items():
    ctx = series_context(catalog, uid, freq)
    dates, y, _, _ = regular_series(d0, values, freq)
    plan = make_plan(len(y), horizon, windows, base.step, min_train=MIN_OBS)
    if plan is None or plan.horizon != horizon or plan.origins != windows:
        continue
    seed = SeriesTask(uid, freq, [], [], ctx, base).seed
    holiday = list(base.holiday_candidates) if ctx.lunar_new_year else []
    origins = []
    for c in plan.cutoffs:
        yt = y[:c]
        inner = make_plan(len(yt), horizon, base.origins, base.step)
        names = [n for n in pool + holiday if len(yt) >= get_model(n).min_obs]
        scores = run_backtest(yt, dates[0], ctx, names, inner, seed) if inner and not outer_only else {}
        outer = {}
        for n in names:
            m = get_model(n)
            if m.is_combination:
                parts = []
                for k in m.members:
                    if k not in outer:
                        outer[k] = member_forecast(get_model(k), yt, dates[0], horizon, ctx, seed)
                    parts.append(outer[k])
                parts = [p for p in parts if p is not None]
                outer[n] = combine(parts, m.how).clipped(ctx.lower, ctx.upper) if parts else None
            elif n not in outer:
                outer[n] = member_forecast(m, yt, dates[0], horizon, ctx, seed)
        if "naive" not in outer:
            outer["naive"] = member_forecast(get_model("naive"), yt, dates[0], horizon, ctx, seed)
        origins.append({"actual": y[c:c + horizon], "scale": naive_scale(yt, ctx.season_length), "scores": scores,
                        "outer": outer, "bounds": (ctx.lower, ctx.upper), "seed": seed, "holiday": holiday})
    cache["series"][uid] = origins
    print(".", end="", file=sys.stderr, flush=True)
pickle.dump(cache, open(out, "wb"))
