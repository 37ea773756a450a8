"""Test data for the dashboard, built from the real bundled snapshot.

The stages that write derived series, forecasts and alerts are separate packages; these helpers write the same
core tables the way those stages do, from the real bundled observations, so every page can be shown with content:
- derived resident patent share = RESD / (RESD + NRES), the definition in DESIGN.md section 5;
- a test index: the mean of two min-max normalised components (marked as a fixture in its formula);
- forecasts from a random walk with drift (the simplest honest baseline), with sample paths and a one-origin backtest;
- alert states and events for rules on real series.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from autarky.app import App
from autarky.catalog import Catalog, Indicator
from autarky.config import Config
from autarky.alerts.models import AlertEvent, AlertState
from autarky.forecast.tables import BacktestScore, ForecastPoint, ForecastRun
from autarky.metrics.chokepoints import share_keys
from autarky.metrics.runner import recompute
from autarky.models import Series
from autarky.snapshot import load_snapshot
from autarky.store import ObservationIn, SeriesSpec, Store

SHARE = Indicator(code="SR.PAT.RESD.SHARE", name="Resident patent share", category="patent", source="derived",
                  unit="share", frequency="A", direction=1, formula="IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES)",
                  inputs=("IP.PAT.RESD", "IP.PAT.NRES"))
INDEX = Indicator(code="SR.INDEX", name="Self-Reliance Index", category="composite", source="derived",
                  unit="index", frequency="A", direction=1,
                  formula="test fixture: mean of min-max normalised SR.PAT.RESD.SHARE and GB.XPD.RSDV.GD.ZS",
                  inputs=("SR.PAT.RESD.SHARE", "GB.XPD.RSDV.GD.ZS"))
INDEX_COUNTRIES = ("CHN", "USA", "JPN", "KOR", "DEU")


def load_bundled(store: Store, catalog: Catalog) -> None:
    """What `autarky init` does: schema, then the bundled snapshot (without the derived metrics)."""
    store.upgrade()
    load_snapshot(store, catalog)


def store_chokepoints(store: Store, catalog: Catalog, config: Config | None = None) -> None:
    """The metrics stage's chokepoint flags from the stored CSET shares (`autarky init` computes them with the other
    metrics), computed the production way: a metrics run after a change of the shares."""
    app = App(_store=store)
    app.config, app.catalog = config or Config(), catalog  # cached properties: set, not loaded from a file
    recompute(app, frozenset(share_keys(catalog)))


def _store_derived(store: Store, indicator: Indicator, frame: pd.DataFrame) -> list[str]:
    """Register and write one derived indicator from a frame of country, period, value."""
    countries = sorted(frame["country"].unique())
    specs = [SeriesSpec.for_indicator(indicator, c) for c in countries]
    store.register_series(specs)
    rows = [ObservationIn(f"derived:{indicator.code}:{r.country}", r.period.date(), float(r.value), "test")
            for r in frame.itertuples()]
    store.write_observations(rows, source="derived")
    return [s.key for s in specs]


def store_resident_share(store: Store) -> list[str]:
    """derived:SR.PAT.RESD.SHARE:<ISO3> for every country and year with both inputs."""
    obs = store.observations(indicators=["IP.PAT.RESD", "IP.PAT.NRES"])
    wide = obs.pivot_table(index=["country", "period"], columns="indicator", values="value").dropna()
    wide = wide[(wide["IP.PAT.RESD"] + wide["IP.PAT.NRES"]) > 0]
    share = (wide["IP.PAT.RESD"] / (wide["IP.PAT.RESD"] + wide["IP.PAT.NRES"])).rename("value").reset_index()
    return _store_derived(store, SHARE, share)


def store_index(store: Store) -> list[str]:
    """derived:SR.INDEX:<ISO3>: a fixture index on a 0-100 scale from two normalised components."""
    obs = store.observations(indicators=["SR.PAT.RESD.SHARE", "GB.XPD.RSDV.GD.ZS"], countries=list(INDEX_COUNTRIES))
    wide = obs.pivot_table(index=["country", "period"], columns="indicator", values="value").dropna()
    normalised = (wide - wide.min()) / (wide.max() - wide.min())
    index = (normalised.mean(axis=1) * 100).rename("value").reset_index()
    return _store_derived(store, INDEX, index)


def drift_forecast(values: np.ndarray, horizon: int, paths: int, rng: np.random.Generator) -> dict:
    """Random walk with drift: point forecast, sample paths and 80%/95% bands from the paths."""
    steps = np.diff(values)
    drift = steps.mean() if len(steps) else 0.0
    sigma = steps.std(ddof=1) if len(steps) > 2 else abs(values[-1]) * 0.05 + 1e-9
    samples = values[-1] + np.cumsum(drift + sigma * rng.standard_normal((paths, horizon)), axis=1)
    return dict(yhat=values[-1] + drift * np.arange(1, horizon + 1), samples=samples,
                lo80=np.quantile(samples, 0.10, axis=0), hi80=np.quantile(samples, 0.90, axis=0),
                lo95=np.quantile(samples, 0.025, axis=0), hi95=np.quantile(samples, 0.975, axis=0))


def _holdout_mase(values: np.ndarray, horizon: int, use_drift: bool) -> float | None:
    """MASE of naive or drift on the last `horizon` points, scaled by the in-sample naive error."""
    train, test = values[:-horizon], values[-horizon:]
    if len(train) < 3:
        return None
    drift = np.diff(train).mean() if use_drift else 0.0
    forecast = train[-1] + drift * np.arange(1, horizon + 1)
    scale = np.abs(np.diff(train)).mean()
    return float(np.abs(test - forecast).mean() / scale) if scale else None


def store_drift_forecasts(store: Store, keys: list[str], horizon: int = 6, paths: int = 200,
                          seed: int = 0) -> None:
    """A forecast run (model rw_drift) with points, sample paths and backtest scores for each series."""
    rng = np.random.default_rng(seed)
    obs = store.observations(keys=keys)
    with store.writing() as session:
        ids = dict(session.execute(select(Series.key, Series.id).where(Series.key.in_(keys))).all())
        for key, group in obs.groupby("series_key"):
            values = group["value"].to_numpy(dtype=float)
            last = group["period"].iloc[-1]
            fc = drift_forecast(values, horizon, paths, rng)
            run = ForecastRun(series_id=ids[key], status="ok", model="rw_drift", n_obs=len(values),
                              horizon=horizon, last_period=last.date(), samples=fc["samples"].round(6).tolist())
            session.add(run)
            session.flush()
            for step in range(horizon):
                session.add(ForecastPoint(run_id=run.id, ds=dt.date(last.year + step + 1, 1, 1),
                                          yhat=float(fc["yhat"][step]), lo80=float(fc["lo80"][step]),
                                          hi80=float(fc["hi80"][step]), lo95=float(fc["lo95"][step]),
                                          hi95=float(fc["hi95"][step])))
            for model, use_drift in (("rw_drift", True), ("naive", False)):
                session.add(BacktestScore(run_id=run.id, model=model, horizon=horizon, origins=1,
                                          mase=_holdout_mase(values, horizon, use_drift), chosen=use_drift))


def store_alerts(store: Store) -> None:
    """Alert states (firing, pending, resolved) and their events on real series."""
    now = dt.datetime.now(dt.timezone.utc)
    rows = [("chn-resident-share", "derived:SR.PAT.RESD.SHARE:CHN", "firing", 0.8997),
            ("rd-gap", "wb:GB.XPD.RSDV.GD.ZS:CHN", "pending", 2.58),
            ("semi-patents", "ncses:NCSES.USPTO.SEMI:CHN", "resolved", 2165.0)]
    with store.writing() as session:
        for number, (rule, key, state, value) in enumerate(rows):
            at = now - dt.timedelta(days=number + 1)
            session.add(AlertState(rule=rule, series_key=key, state=state, since=at, last_value=value,
                                   last_evaluated_at=now))
            session.add(AlertEvent(rule=rule, series_key=key, at=at, from_state="ok", to_state=state,
                                   severity="warning", value=value, message=f"{rule} is {state}"))
