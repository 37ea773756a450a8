"""Collect and propagate: a collect killed with SIGKILL (a real process) loses no pending-downstream marks, and its
run is marked interrupted by the next command that touches the run log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from autarky.models import CollectionRun
from autarky.store import Store
from tests.support.collectors import WorldBankReplay
from tests.support.serving import run

GDP, PATENTS = "NY.GDP.MKTP.CD", "IP.PAT.RESD"
COUNTRIES = ("CHN", "JPN", "USA")


class StallingReplay(WorldBankReplay):
    """The real World Bank rows, except that any request for the second indicator hangs until released."""

    def __init__(self, httpserver, **kwargs):
        self.release, self.stalled = threading.Event(), threading.Event()
        super().__init__(httpserver, **kwargs)

    def _handle(self, request):
        if request.path.endswith(f"/{PATENTS}"):
            self.stalled.set()
            self.release.wait(60)
        return super()._handle(request)


def _hightech_share(store: Store, year: int) -> dict[str, float]:
    frame = store.observations(indicators=["SR.HTEXP.GDP"], countries=list(COUNTRIES))
    return {row.country: row.value for row in frame.itertuples() if row.period.year == year}


def _gdp(store: Store, year: int) -> dict[str, float]:
    frame = store.observations(indicators=[GDP, "TX.VAL.TECH.CD"], countries=list(COUNTRIES))
    return {(row.indicator, row.country): row.value for row in frame.itertuples() if row.period.year == year}


def test_a_collect_killed_mid_run_keeps_its_marks_and_its_run_is_marked_interrupted(tmp_path, httpserver):
    url = f"sqlite:///{tmp_path / 'autarky.db'}"
    replay = StallingReplay(httpserver)  # the 2025-07-01 release: Japan's GDP differs from the snapshot's
    env = {"AUTARKY_DATABASE_URL": url, "AUTARKY_COLLECTORS__WORLDBANK__BASE_URL": replay.base_url,
           "AUTARKY_COLLECTORS__WORLDBANK__BACKOFF": "0.001", "AUTARKY_COLLECTORS__WORLDBANK__RATE_PER_MINUTE": "0",
           "AUTARKY_COLLECTORS__WORLDBANK__RETRIES": "0"}
    run("init", env=env)
    store = Store(url)
    before = _hightech_share(store, 2022)
    assert set(before) == set(COUNTRIES)

    args = [sys.executable, "-m", "autarky", "collect", "worldbank", "--indicator", f"{GDP},{PATENTS}",
            "--country", ",".join(COUNTRIES)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
    try:
        assert replay.stalled.wait(120), "the collect never asked for the second indicator"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        replay.release.set()
    assert process.returncode == -signal.SIGKILL

    # The GDP batch was committed before the kill, and its marks with it; the derived values are stale.
    gdp_keys = {f"wb:{GDP}:JPN"}
    assert gdp_keys <= set(store.pending_downstream())
    assert _hightech_share(store, 2022) == before
    with store.reading() as session:
        killed = session.scalars(select(CollectionRun)).all()[-1]
    assert (killed.status, killed.pid) == ("running", process.pid)

    # The next command that reads the run log recognises the dead process.
    status = run("status", env=env)
    assert "interrupted" in status.stdout
    assert f"process {process.pid}" in status.stderr
    with store.reading() as session:
        killed = session.get(CollectionRun, killed.id)
    assert killed.status == "interrupted" and killed.finished_at is not None
    assert killed.updated == len(store.revisions()[lambda f: f["run_id"] == killed.id]) > 0

    # A rerun finds GDP unchanged at source, yet the chain runs on the series changed before the kill.
    rerun = run("collect", "worldbank", "--indicator", GDP, "--country", ",".join(COUNTRIES), env=env)
    assert "0 inserted, 0 updated" in rerun.stdout
    assert "downstream:" in rerun.stdout
    assert not gdp_keys & set(store.pending_downstream())
    values, after = _gdp(store, 2022), _hightech_share(store, 2022)
    for country in COUNTRIES:
        expected = 100 * values[("TX.VAL.TECH.CD", country)] / values[(GDP, country)]
        assert after[country] == pytest.approx(expected, rel=1e-9)
    assert after["JPN"] != pytest.approx(before["JPN"], rel=1e-6)  # recomputed from the revised GDP
    store.close()


def test_a_run_with_a_stale_heartbeat_is_interrupted_a_live_one_is_not(sqlite_store):
    import datetime as dt

    live = sqlite_store.start_run("wb")
    stale = sqlite_store.start_run("comtrade")
    with sqlite_store.writing() as session:
        row = session.get(CollectionRun, stale)
        row.host, row.heartbeat_at = "elsewhere", row.heartbeat_at - dt.timedelta(hours=2)
    marked = sqlite_store.mark_interrupted_runs(stale_after=3600)
    assert len(marked) == 1 and "no heartbeat for 72" in marked[0] and "on elsewhere" in marked[0]
    runs = sqlite_store.runs().set_index("id")["status"]
    assert runs[live] == "running" and runs[stale] == "interrupted"
    time.sleep(0)  # the live run (this process) is left alone however often it is asked
    assert sqlite_store.mark_interrupted_runs(stale_after=3600) == []
