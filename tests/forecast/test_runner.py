"""The refresh: stored runs with bands, scores and samples; unchanged data refits nothing; short series skipped."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from click.testing import CliRunner

from autarky.forecast import read as forecasts
from autarky.app import App
from autarky.cli import cli
from autarky.pipeline import run_downstream
from autarky.store import ObservationIn
from autarky.forecast.runner import ForecastError, refresh, run_after_change
from tests.support.forecast_data import FAST_CONFIG, load_series

PAIRS = [("IP.PAT.RESD", "CHN"), ("TX.VAL.TECH.MF.ZS", "KOR"), ("NCSES.USPTO.SEMI", "TWN")]


@pytest.fixture
def loaded(store, catalog):
    keys = load_series(store, catalog, PAIRS, first=1995)
    return store, keys


def test_refresh_stores_points_scores_and_samples(loaded, catalog):
    store, keys = loaded
    result = refresh(store, catalog, FAST_CONFIG)
    assert result.count("ok") == 3 and result.unchanged == 0
    runs = forecasts.latest_runs(store)
    assert set(runs["status"]) == {"ok"} and set(runs["model"]) == {"mean(naive,drift)"}
    points = forecasts.forecast_points(store, ["wb:IP.PAT.RESD:CHN"])
    assert list(points["ds"].dt.year) == [2022, 2023, 2024, 2025, 2026, 2027]   # the data end in 2021
    assert (points["lo95"] <= points["lo80"]).all() and (points["lo80"] <= points["yhat"]).all()
    assert (points["yhat"] <= points["hi80"]).all() and (points["hi80"] <= points["hi95"]).all()
    scores = forecasts.backtest_scores(store, ["wb:IP.PAT.RESD:CHN"])
    assert set(scores["model"]) == {"mean(naive,drift)", "naive", "drift"} and scores["chosen"].sum() == 1
    assert (scores["origins"] == 3).all() and (scores["horizon"] == 6).all()
    dates, samples = forecasts.run_samples(store, "wb:IP.PAT.RESD:CHN")
    assert samples.shape == (FAST_CONFIG["samples"], 6) and len(dates) == 6
    share = forecasts.forecast_points(store, ["wb:TX.VAL.TECH.MF.ZS:KOR"])
    assert share["hi95"].max() <= 100 and share["lo95"].min() >= 0


def test_settings_keep_the_credible_horizon(loaded, catalog):
    store, _ = loaded
    refresh(store, catalog, FAST_CONFIG, keys=["ncses:NCSES.USPTO.SEMI:TWN"])
    from autarky.forecast.tables import ForecastRun
    with store.reading() as session:
        run = session.query(ForecastRun).one()
    # 1998-2022 gives 25 points: a third of the history is 8 years, beyond the 6-year horizon.
    assert run.settings["credible_steps"] == 6 and run.settings["credible_until"] == "2028-01-01"
    assert run.settings["backtest"] == {"horizon": 6, "origins": 3}
    assert run.data_hash and run.config_hash and run.n_obs == 25


def test_unchanged_data_refits_nothing_and_force_refits(loaded, catalog):
    store, keys = loaded
    refresh(store, catalog, FAST_CONFIG)
    first = forecasts.latest_runs(store)
    again = refresh(store, catalog, FAST_CONFIG)
    assert again.refreshed == {} and again.unchanged == 3
    assert list(forecasts.latest_runs(store)["run_id"]) == list(first["run_id"])
    forced = refresh(store, catalog, FAST_CONFIG, force=True)
    assert forced.count("ok") == 3
    assert set(forecasts.latest_runs(store)["run_id"]).isdisjoint(first["run_id"])


def test_a_revision_or_a_setting_refits_only_what_it_touches(loaded, catalog):
    store, keys = loaded
    refresh(store, catalog, FAST_CONFIG)
    store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, 1500000)])   # revised 2021 value
    result = refresh(store, catalog, FAST_CONFIG)
    assert list(result.refreshed) == ["wb:IP.PAT.RESD:CHN"] and result.unchanged == 2
    changed_settings = {**FAST_CONFIG, "samples": 30}
    assert refresh(store, catalog, changed_settings).count("ok") == 3


def test_short_series_are_skipped_with_their_reason(store, catalog):
    short = load_series(store, catalog, [("GB.XPD.RSDV.GD.ZS", "CHN")], first=2019)   # 2019-2023: 5 points
    # World researchers per million: 2000, 2005, 2010, 2015, 2018, 2020 - three points since the last long gap.
    sparse = load_series(store, catalog, [("SP.POP.SCIE.RD.P6", "WLD")])
    result = refresh(store, catalog, FAST_CONFIG)
    assert result.refreshed == {short[0]: "skipped", sparse[0]: "skipped"}
    reasons = dict(zip(*forecasts.latest_runs(store)[["series_key", "reason"]].to_dict("list").values()))
    assert reasons[short[0]] == "only 5 observations; at least 6 are needed"
    assert reasons[sparse[0]] == ("only 3 observations since the last gap longer than 2 periods; "
                                  "at least 6 are needed")
    assert forecasts.forecast_points(store, short + sparse).empty
    assert refresh(store, catalog, FAST_CONFIG).unchanged == 2   # a skipped series is not retried either


def test_crossing_probability_from_a_stored_forecast(loaded, catalog):
    store, _ = loaded
    refresh(store, catalog, FAST_CONFIG, keys=["wb:TX.VAL.TECH.MF.ZS:KOR"])
    key = "wb:TX.VAL.TECH.MF.ZS:KOR"
    dates, samples = forecasts.run_samples(store, key)
    points = forecasts.forecast_points(store, [key])
    by = dates[-1]
    assert forecasts.crossing_probability(store, key, samples.min() - 1, by, above=True) == 1.0
    assert forecasts.crossing_probability(store, key, samples.max() + 1, by, above=True) == 0.0
    middle = float(points["yhat"].iloc[-1])
    p = forecasts.crossing_probability(store, key, middle, by, above=True)
    assert 0.3 < p < 1.0
    assert p == pytest.approx(float((samples >= middle).any(axis=1).mean()))
    assert forecasts.crossing_probability(store, key, middle, dt.date(2000, 1, 1)) is None


def test_dask_local_cluster_gives_the_local_results(sqlite_store, catalog, tmp_path):
    from distributed import LocalCluster
    keys = load_series(sqlite_store, catalog, PAIRS, first=1995)
    refresh(sqlite_store, catalog, FAST_CONFIG)
    local = forecasts.forecast_points(sqlite_store, keys)
    local_samples = forecasts.run_samples(sqlite_store, keys[0])[1]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        result = refresh(sqlite_store, catalog, FAST_CONFIG, force=True, executor="dask",
                         address=cluster.scheduler_address)
    assert result.count("ok") == 3
    remote = forecasts.forecast_points(sqlite_store, keys)
    np.testing.assert_allclose(remote[["yhat", "lo80", "hi80", "lo95", "hi95"]].to_numpy(),
                               local[["yhat", "lo80", "hi80", "lo95", "hi95"]].to_numpy())
    np.testing.assert_allclose(forecasts.run_samples(sqlite_store, keys[0])[1], local_samples)


def test_dask_without_an_address_is_a_clear_error(loaded, catalog):
    store, _ = loaded
    with pytest.raises(ForecastError.__mro__[1], match="--executor dask needs --address"):
        refresh(store, catalog, FAST_CONFIG, executor="dask")


def test_forecast_command_and_pipeline_stage(tmp_path, catalog, monkeypatch):
    monkeypatch.setenv("AUTARKY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("AUTARKY_FORECAST__SAMPLES", "30")
    monkeypatch.setenv("AUTARKY_FORECAST__DEFAULT__ANNUAL", "mean(naive,drift)")
    monkeypatch.setenv("AUTARKY_FORECAST__CANDIDATES__ANNUAL", '["naive", "drift"]')
    app = App()
    app.store.upgrade()
    keys = load_series(app.store, catalog, PAIRS[:2], first=2000)
    runner = CliRunner()
    first = runner.invoke(cli, ["forecast", "--series", keys[0]])
    assert first.exit_code == 0, first.output
    assert "1 series: 1 forecast, 0 skipped, 0 failed, 0 unchanged" in first.output
    again = runner.invoke(cli, ["forecast"])
    assert "2 series: 1 forecast, 0 skipped, 0 failed, 1 unchanged" in again.output
    unknown = runner.invoke(cli, ["forecast", "--series", "wb:NOPE:CHN"])
    assert unknown.exit_code != 0 and "unknown series wb:NOPE:CHN" in str(unknown.exception)
    # The pipeline stage refreshes what changed and hands on the keys it forecast.
    app.store.write_observations([ObservationIn(keys[1], 2023, 40.0)])
    produced = run_downstream(app, frozenset({keys[1]}), stages=["forecast"])
    assert produced.by_stage["forecast"] == frozenset({keys[1]})
    assert run_after_change(app, frozenset()) == frozenset()
    app.close()
