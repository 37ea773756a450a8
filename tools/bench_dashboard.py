"""How fast the dashboard's overview renders with 1,000 series in the database.

Run from the project root:  .venv/bin/python tools/bench_dashboard.py [--series 1000] [--runs 5] [--no-browser]

The database is built from real data only: the bundled snapshot (263 series, 9,800 observations), the derived
resident patent share and a test index (tests/dashboard_support.py), then copies of the bundled series under other
indicator codes (`<CODE>.COPYn`, source `file`) until there are `--series` series; every series gets a stored
forecast (random walk with drift, 200 sample paths, 6 steps) and a few alert states exist. Two measurements:
- in-process (Streamlit AppTest): one overview run with empty caches, then reruns with warm caches;
- in a browser: `streamlit run` (as `autarky dashboard` starts it) on loopback and headless Chromium loading the
  overview, timed from navigation to the end of the script run with the cards on screen: the first visitor after
  the server started, a new visitor (empty browser cache), then reloads; and the same for a two-line Streamlit app, the floor that
  Streamlit itself sets on this machine at this moment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project folder, for the tests.support package

from autarky.app import load_catalog  # noqa: E402
from autarky.store import ObservationIn, SeriesSpec, Store  # noqa: E402
from tests.support.dashboard import (load_bundled, store_alerts, store_drift_forecasts, store_index,  # noqa: E402
                               store_resident_share)
from autarky.serve import dashboard_script, streamlit_command  # noqa: E402
from tests.support.serving import free_port, stop, wait_healthy  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"
# What Streamlit itself costs on this machine: the floor under any page.
BASELINE_APP = 'import streamlit as st\nst.title("Baseline")\nst.metric("value", 1)\n'

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def build_database(url: str, target: int) -> tuple[int, int]:
    """The bundled data, derived series, copies up to `target` series, forecasts for all; returns (series, obs)."""
    store = Store(url)
    load_bundled(store, load_catalog())
    store_resident_share(store)
    store_index(store)
    base = store.observations()
    originals = base[~base["series_key"].str.startswith("derived:")].groupby("series_key")
    keys = list(originals.groups)
    specs, rows, copy = [], [], 0
    existing = len(store.series())
    while existing + len(specs) < target:
        copy += 1
        for key in keys:
            if existing + len(specs) >= target:
                break
            group = originals.get_group(key)
            first = group.iloc[0]
            code = f"{first['indicator']}.COPY{copy}"
            new_key = f"file:{code}:{first['country']}"
            specs.append(SeriesSpec(key=new_key, indicator=code, country=first["country"], source="file",
                                    name=f"{first['indicator']} (benchmark copy {copy})", unit=first["unit"],
                                    frequency="A", category="context"))
            rows += [ObservationIn(new_key, period.date(), value, "bench-copy")
                     for period, value in zip(group["period"], group["value"])]
    store.register_series(specs)
    store.write_observations(rows, source="bench")
    series = store.series()
    store_drift_forecasts(store, list(series.loc[series["observations"] > 2, "key"]))
    store_alerts(store)
    counts = (len(series), int(series["observations"].sum()))
    store.close()
    return counts


def bench_apptest(url: str, runs: int) -> tuple[float, list[float]]:
    """Seconds for one cold overview run (empty caches) and for warm reruns, in-process."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["AUTARKY_DATABASE_URL"] = url
    warmup = AppTest.from_file(str(APP), default_timeout=120)
    warmup.run()  # imports plotly, pandas styling etc. once, as a running server has already done
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return cold, warm


def bench_browser(command: list[str], env: dict[str, str], runs: int, workdir: Path) -> list[float]:
    """Seconds from navigation to the end of the script run in Chromium, with the cards on screen: the first visitor
    after the server started, a new visitor (empty browser cache), then `runs` reloads (browser cache warm)."""
    from playwright.sync_api import sync_playwright

    port, log = free_port(), workdir / "server.log"
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen([*command, "--server.port", str(port), "--server.address", "127.0.0.1"],
                                   env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT)
    timings = []
    try:
        wait_healthy(port, process, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for number in range(runs + 2):
                if number < 2:
                    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                started = time.perf_counter()
                if number < 2:
                    page.goto(f"http://127.0.0.1:{port}/")
                else:
                    page.reload()
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                       timeout=120_000)
                page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
                timings.append(time.perf_counter() - started)
                assert page.locator('[data-testid="stException"]').count() == 0
            browser.close()
    finally:
        stop(process)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000, help="series in the database (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="warm repetitions (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="autarky-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        series, observations = build_database(url, args.series)
        print(f"database: {series} series, {observations} observations, a forecast per series "
              f"(built in {time.perf_counter() - started:.1f} s)")
        cold, warm = bench_apptest(url, args.runs)
        print(f"overview, in-process (AppTest): cold caches {cold:.2f} s; warm median "
              f"{statistics.median(warm):.2f} s (max {max(warm):.2f} s, {len(warm)} runs)")
        if not args.no_browser:
            hello = Path(folder) / "hello.py"
            hello.write_text(BASELINE_APP, encoding="utf-8")
            for label, script, env in (("overview", APP, {"AUTARKY_DATABASE_URL": url}),
                                       ("baseline: a two-line Streamlit app", hello, {})):
                command = [c for c in streamlit_command(environ={}) if c != str(dashboard_script())]
                command.insert(4, str(script))
                first, visitor, *reloads = bench_browser(command, env, args.runs, Path(folder))
                print(f"{label}, Chromium, navigation to rendered: first visitor after start {first:.2f} s; "
                      f"new visitor {visitor:.2f} s; reload median {statistics.median(reloads):.2f} s "
                      f"(max {max(reloads):.2f} s, {len(reloads)} reloads)")
    print("load average:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
