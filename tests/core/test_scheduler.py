"""The scheduler: one per database (real processes), the run-after-collect chain (a real BackgroundScheduler)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from autarky import pipeline, scheduler
from autarky.errors import ConfigError
from autarky.models import utcnow
from autarky.scheduler_lock import SchedulerBusy, SchedulerLock
from autarky.scheduler_models import SchedulerJob, SchedulerLock as LockRow
from autarky.store import ObservationIn, Store
from tests.support import collectors as collectors_support
from tests.support.collectors import FAST, WorldBankReplay, make_app

GDP = "NY.GDP.MKTP.CD"
OTHERS_OFF = {name: {"enabled": False} for name in ("comtrade", "oecd", "census", "patentsview", "files")}


def wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def lock_holder(database_url):
    store = Store(database_url)
    try:
        with store.reading() as session:
            return session.get(LockRow, "scheduler")
    except Exception:  # noqa: BLE001 - the schema may not exist yet while the first process starts
        return None
    finally:
        store.close()


def start_process(env):
    return subprocess.Popen([sys.executable, "-m", "autarky", "schedule", *env.pop("_args", [])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_a_second_scheduler_on_the_same_database_exits_at_once(database_url, tmp_path):
    env = {"AUTARKY_DATABASE_URL": database_url, "AUTARKY_SCHEDULER__HEARTBEAT_SECONDS": "0.5"}
    first = start_process(dict(env))
    try:
        holder = wait_for(lambda: lock_holder(database_url), what="the first scheduler's lock")
        assert holder.pid == first.pid
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "autarky", "schedule"], capture_output=True, text=True,
                                env={**os.environ, **env}, timeout=60)
        assert second.returncode == 1
        assert "error: another scheduler runs on this database" in second.stderr
        assert f"pid {first.pid}" in second.stderr and "since " in second.stderr
        assert time.monotonic() - started < 30  # at once: it does not wait for the lock
        assert first.poll() is None  # the first one is unaffected
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "scheduler stopped" in err
    assert lock_holder(database_url) is None  # released on a clean stop
    store = Store(database_url)
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(SchedulerJob)) == 6  # jobs kept in the database
    store.close()


def test_a_silent_lock_is_taken_over_and_its_old_holder_notices(store):
    old = SchedulerLock(store, stale_after=60)
    old.acquire()
    with pytest.raises(SchedulerBusy, match=f"pid {old.pid} on host {old.host}"):
        SchedulerLock(store, stale_after=60).acquire()
    with store.writing() as session:
        session.get(LockRow, "scheduler").heartbeat_at = utcnow() - dt.timedelta(minutes=10)
    new = SchedulerLock(store, stale_after=60)
    new.acquire()
    assert new.took_over and "silent for" in new.took_over
    assert not old.heartbeat()  # the old holder learns it lost the lock
    assert new.heartbeat()
    new.release()
    assert new.holder() is None


@pytest.fixture
def probe(monkeypatch):
    monkeypatch.setattr(pipeline, "DOWNSTREAM", [("probe", collectors_support.record_downstream)])
    collectors_support.DOWNSTREAM_CALLS.clear()
    yield collectors_support.DOWNSTREAM_CALLS
    collectors_support.DOWNSTREAM_CALLS.clear()
    collectors_support.FAIL_NEXT_DOWNSTREAM.clear()


def test_a_scheduled_collection_runs_the_downstream_chain_on_what_changed(tmp_path, database_url, httpserver, probe):
    replay = WorldBankReplay(httpserver)
    app = make_app(tmp_path, database_url, collectors={
        "worldbank": {"base_url": replay.base_url, "indicators": [GDP], "countries": ["CHN", "JPN", "USA"], **FAST},
        **OTHERS_OFF})
    app.store.upgrade()
    app.store.register_catalog(app.catalog, [app.catalog.indicator("IP.PAT.RESD")])
    app.store.write_observations([ObservationIn("wb:IP.PAT.RESD:CHN", 2021, 1426644)])  # unrelated, unchanged
    running = scheduler.start(app, run_now=True)
    runtime = scheduler._runtime
    try:
        wait_for(lambda: runtime.completed, what="the scheduled job")
        keys = {f"wb:{GDP}:{c}" for c in ("CHN", "JPN", "USA")}
        assert runtime.completed[0]["changed"] == sorted(keys) and runtime.completed[0]["failed"] == []
        assert probe == [frozenset(keys)]  # the affected series only, once
        assert set(app.store.pending_downstream()) == frozenset()
        assert len(app.store.observations(indicators=[GDP])) == 195
        with app.store.reading() as session:
            assert {job.id for job in session.scalars(select(SchedulerJob))} == {"collect:worldbank"}

        running.get_job("collect:worldbank").modify(next_run_time=dt.datetime.now(dt.timezone.utc))
        wait_for(lambda: len(runtime.completed) == 2, what="the second scheduled job")
        assert runtime.completed[1]["changed"] == []  # lastupdated unchanged: nothing stored
        assert probe == [frozenset(keys)]  # so the chain did not run again
    finally:
        scheduler.stop_scheduler(running)
        app.close()


def test_sigterm_lets_the_batch_in_flight_finish_and_stops_before_the_next(tmp_path, sqlite_store, httpserver):
    replay = WorldBankReplay(httpserver, page_size=20, delay=0.1)  # 195 rows: 10 slow pages
    url = str(sqlite_store.engine.url)
    env = {"AUTARKY_DATABASE_URL": url, "AUTARKY_COLLECTORS__WORLDBANK__BASE_URL": replay.base_url,
           "AUTARKY_COLLECTORS__WORLDBANK__INDICATORS": f'["{GDP}", "IP.PAT.RESD"]',
           "AUTARKY_COLLECTORS__WORLDBANK__COUNTRIES": '["CHN", "JPN", "USA"]',
           **{f"AUTARKY_COLLECTORS__{name.upper()}__ENABLED": "false" for name in OTHERS_OFF}, "_args": ["--run-now"]}
    process = start_process(env)
    try:
        wait_for(lambda: replay.requests, what="the first request")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert {r["code"] for r in replay.requests} == {GDP}  # the second indicator was never asked
    store = Store(url)
    assert len(store.observations(indicators=[GDP])) == 195  # the batch in flight was finished whole
    run = store.runs().iloc[0]
    assert run["status"] == "failed" and "stopped before task 2 of 2" in run["error"]
    assert "running" not in set(store.runs()["status"])
    assert lock_holder(url) is None
    # Stopping skipped the downstream chain; the changed series wait for the next job instead of being lost.
    assert set(store.pending_downstream()) == {f"wb:{GDP}:{c}" for c in ("CHN", "JPN", "USA")}
    store.close()


def test_series_stay_pending_until_the_downstream_chain_has_run_on_them(sqlite_store, tmp_path, probe):
    app = make_app(tmp_path, str(sqlite_store.engine.url))
    collectors_support.FAIL_NEXT_DOWNSTREAM.set()
    app.store.mark_pending({"wb:A:CHN", "wb:B:CHN"})
    with pytest.raises(RuntimeError, match="downstream stage crashed"):
        pipeline.propagate(app)
    assert set(app.store.pending_downstream()) == {"wb:A:CHN", "wb:B:CHN"}
    app.store.mark_pending({"wb:C:CHN"})  # the next collection changed only C
    outcome = pipeline.propagate(app)
    assert outcome.changed == {"wb:A:CHN", "wb:B:CHN", "wb:C:CHN"}
    assert probe[-1] == {"wb:A:CHN", "wb:B:CHN", "wb:C:CHN"}
    assert set(app.store.pending_downstream()) == set()
    assert pipeline.propagate(app) is None  # nothing changed, nothing pending: no chain
    app.close()


def test_a_series_marked_again_while_the_chain_runs_stays_pending(sqlite_store, tmp_path, monkeypatch):
    """A batch committed while the chain runs on its series keeps its newer mark for the next chain."""
    app = make_app(tmp_path, str(sqlite_store.engine.url))
    app.store.mark_pending({"wb:A:CHN", "wb:B:CHN"})

    def stage(app_, changed):
        time.sleep(0.01)
        app_.store.mark_pending({"wb:B:CHN"})  # as a concurrent collect would
        return frozenset()

    monkeypatch.setattr(pipeline, "DOWNSTREAM", [("probe", stage)])
    assert pipeline.propagate(app).changed == {"wb:A:CHN", "wb:B:CHN"}
    assert set(app.store.pending_downstream()) == {"wb:B:CHN"}
    app.close()


def test_jobs_come_from_config_with_defaults(tmp_path, sqlite_store):
    app = make_app(tmp_path, str(sqlite_store.engine.url),
                   collectors={"worldbank": {"cron": "15 4 * * 2"}, "files": {"enabled": False}})
    specs = {spec.name: spec.cron for spec in scheduler.job_specs(app)}
    assert specs == {"worldbank": "15 4 * * 2", "comtrade": "0 4 5 * *", "oecd": "0 5 10 * *",
                     "census": "0 6 8 * *", "patentsview": "0 7 * * 3"}
    bad = make_app(tmp_path, str(sqlite_store.engine.url), collectors={"oecd": {"cron": "every monday"}})
    with pytest.raises(ConfigError, match=r"\[collectors.oecd\] cron 'every monday'"):
        scheduler.job_specs(bad)


def test_schedule_list_prints_the_next_runs(sqlite_store):
    proc = subprocess.run([sys.executable, "-m", "autarky", "schedule", "--list"], capture_output=True, text=True,
                          env={**os.environ, "AUTARKY_DATABASE_URL": str(sqlite_store.engine.url)}, timeout=60)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["worldbank", "comtrade", "oecd", "census", "patentsview", "files"]
    assert all(" next 20" in line and line.endswith("UTC") for line in lines)


def test_a_run_missed_while_no_scheduler_ran_happens_at_the_next_start(tmp_path, sqlite_store, httpserver, probe):
    replay = WorldBankReplay(httpserver)
    app = make_app(tmp_path, str(sqlite_store.engine.url), collectors={
        "worldbank": {"base_url": replay.base_url, "indicators": [GDP], "countries": ["JPN"], **FAST},
        **OTHERS_OFF})
    app.store.upgrade()
    first = scheduler.start(app)
    first.pause()
    missed = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    first.modify_job("collect:worldbank", next_run_time=missed)  # as if the scheduler had been down at 03:00
    scheduler.stop_scheduler(first)
    assert replay.requests == []
    second = scheduler.start(app)  # within misfire_grace_time (1 h): runs once at start
    try:
        wait_for(lambda: scheduler._runtime.completed, what="the missed run")
        assert scheduler._runtime.completed[0]["changed"] == [f"wb:{GDP}:JPN"]
        assert second.get_job("collect:worldbank").next_run_time > dt.datetime.now(dt.timezone.utc)
    finally:
        scheduler.stop_scheduler(second)
        app.close()
