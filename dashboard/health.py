"""Data health: per source what is stored, the last run and its outcome, and freshness against the cadence."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from autarky.collectors.patentsview import KEY_ENV as PATENTSVIEW_KEY_ENV
from autarky.dashboard.formatting import period_label

# Collectors log their runs under the catalog's source code; bundled-snapshot loads as "snapshot:<code>".
SNAPSHOT_PREFIX = "snapshot:"


def run_source(name: str) -> tuple[str, bool]:
    """The catalog source a collection run belongs to, and whether it was a bundled-snapshot load."""
    snapshot = name.startswith(SNAPSHOT_PREFIX)
    return (name[len(SNAPSHOT_PREFIX):] if snapshot else name), snapshot


def source_health(series: pd.DataFrame, updates: pd.DataFrame, runs: pd.DataFrame, names: dict[str, str],
                  cadence_days: dict[str, int], now: dt.datetime) -> pd.DataFrame:
    """Per source: what is stored, the last run and its outcome, and freshness against the expected cadence."""
    runs = runs.assign(code=[run_source(n)[0] for n in runs["source"]],
                       snapshot=[run_source(n)[1] for n in runs["source"]])
    codes = sorted(set(series.loc[series["observations"] > 0, "source"]) | set(runs["code"]))
    rows = []
    for code in codes:
        mine = series[(series["source"] == code) & (series["observations"] > 0)]
        mine_runs = runs[runs["code"] == code].sort_values("started_at", ascending=False)
        last = mine_runs.iloc[0] if len(mine_runs) else None
        collected = mine_runs[(mine_runs["status"] == "ok") & ~mine_runs["snapshot"]]
        last_ok = collected.iloc[0]["finished_at"] if len(collected) else None
        last_update = updates.loc[updates["source"] == code, "last_update"].max() if len(updates) else None
        rows.append({
            "source": code, "freshness": _freshness(code, last_ok, mine_runs, cadence_days, now),
            "last collected": last_ok, "last run": None if last is None else last["started_at"],
            "outcome": "" if last is None else _outcome(last),
            "expected every": f"{cadence_days[code]} days" if code in cadence_days else "–",
            "series": len(mine), "observations": int(mine["observations"].sum()),
            "latest period": _latest_period(mine), "last new data": last_update, "name": names.get(code, code)})
    return pd.DataFrame(rows)


def _latest_period(series: pd.DataFrame) -> str:
    if series.empty:
        return "–"
    newest = series.loc[pd.to_datetime(series["last_period"]).idxmax()]
    return period_label(newest["last_period"], newest["frequency"])


def _outcome(run: pd.Series) -> str:
    text = f"{run['status']}: +{run['inserted']} ~{run['updated']} ={run['unchanged']} x{run['rejected']}"
    return text + (f" ({run['error']})" if run["error"] else "")


def _freshness(code: str, last_ok, runs: pd.DataFrame, cadence_days: dict[str, int],
               now: dt.datetime) -> str:  # noqa: ANN001
    if code == "derived":
        return "computed from its inputs"
    if last_ok is None or pd.isna(last_ok):
        return "bundled snapshot only: never collected" if runs["snapshot"].any() else "never collected"
    if code not in cadence_days:
        return "no expected cadence"
    finished = pd.Timestamp(last_ok)
    finished = finished.tz_localize("UTC") if finished.tzinfo is None else finished
    age = (pd.Timestamp(now) - finished).total_seconds() / 86400
    cadence = cadence_days[code]
    if age <= cadence:
        return f"fresh ({age:.0f} d old)"
    return f"{'due' if age <= 2 * cadence else 'STALE'} ({age:.0f} d since last collection)"


# Sources that collect nothing without a key, and the environment variable holding it.
KEYED_SOURCES = {"patentsview": PATENTSVIEW_KEY_ENV}


def keys_missing(catalog, environ) -> list[str]:  # noqa: ANN001 - a Catalog and os.environ
    """One plain sentence per keyed source whose key is not set here, naming its series and how to set the key."""
    lines = []
    for source, variable in KEYED_SOURCES.items():
        codes = sorted(code for code, ind in catalog.indicators.items() if ind.source == source)
        if codes and not environ.get(variable):
            lines.append(f"Source {source} needs an API key for the series {', '.join(codes)}: set {variable} in "
                         f"the environment of `autarky collect` and `autarky schedule` (never in a file); without "
                         f"it the source fails at once and collects nothing.")
    return lines
