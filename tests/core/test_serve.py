"""`autarky dashboard` and `autarky serve`: the Streamlit command line, child processes, Ctrl-C/SIGTERM."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from autarky.app import App
from autarky.forecast.read import latest_runs
from autarky.serve import STREAMLIT_DEFAULTS, child_environment, dashboard_script, run_processes, streamlit_command
from autarky.store import Store
from tests.support.serving import free_port, port_open, start_autarky, stop, wait_healthy


def test_streamlit_command_flags_only_where_the_user_left_them_open():
    command = streamlit_command(environ={})
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(dashboard_script())]
    assert dashboard_script().name == "app.py" and dashboard_script().parent.name == "dashboard"
    assert "--server.port" not in command  # Streamlit then reads STREAMLIT_SERVER_PORT, else 8501
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    chosen = streamlit_command(8600, "127.0.0.1", environ={"STREAMLIT_SERVER_HEADLESS": "false",
                                                            "STREAMLIT_SERVER_PORT": "9000"})
    assert chosen[chosen.index("--server.port") + 1] == "8600"  # an explicit flag wins
    assert chosen[chosen.index("--server.address") + 1] == "127.0.0.1"
    assert "--server.headless" not in chosen  # the user's own variable is honoured
    assert len(chosen) == 9 + 2 * (len(STREAMLIT_DEFAULTS) - 1)


def test_help_lists_dashboard_and_serve(tmp_path):
    out = subprocess.run([sys.executable, "-m", "autarky", "--help"], capture_output=True, text=True).stdout
    assert re.search(r"^  dashboard +Run the Streamlit dashboard \(read-only\) until Ctrl-C\.$", out, re.M)
    assert re.search(r"^  serve +Load and forecast the bundled data if the database is empty", out, re.M)


def test_children_read_the_same_config_file(tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('database_url = "sqlite:///team.db"\n', encoding="utf-8")
    env = child_environment(App(config_path=str(config.relative_to(tmp_path))))
    assert env["AUTARKY_CONFIG"] == str(config)  # absolute, so a child in another folder finds it too
    assert "AUTARKY_CONFIG" not in child_environment(App())


def test_run_processes_stops_the_others_when_one_ends():
    started = time.monotonic()
    code = run_processes([("short", [sys.executable, "-c", "import sys; sys.exit(3)"]),
                          ("long", [sys.executable, "-c", "import time; time.sleep(60)"])], env={})
    assert code == 3
    assert time.monotonic() - started < 30  # the sleeper was stopped, not waited for


def test_serve_loads_an_empty_database_runs_the_dashboard_and_stops_on_sigterm(tmp_path):
    database = tmp_path / "served.db"
    url = f"sqlite:///{database}"
    port, log = free_port(), tmp_path / "serve.log"
    process = start_autarky(["serve", "--port", str(port), "--address", "127.0.0.1"],
                            {"AUTARKY_DATABASE_URL": url}, log)
    try:
        wait_healthy(port, process, log)
        store = Store(url)
        series = store.series()
        assert int(series.loc[series["source"].isin(["wb", "ncses"]), "observations"].sum()) == 11140  # the snapshot
        runs = latest_runs(store, ["derived:SR.PAT.RESD.SHARE:CHN"])
        assert list(runs["status"]) == ["ok"]  # forecast before the dashboard came up
        store.close()
    finally:
        code = stop(process)
    output = log.read_text()
    assert code == 0, output
    assert "the database has no data yet: running `autarky init`" in output
    assert "snapshot loaded: 14681 inserted" in output
    assert "running `autarky forecast`" in output
    assert "scheduler: " in output and f"dashboard: http://127.0.0.1:{port}" in output
    assert "SIGTERM received: stopping" in output
    assert not port_open(port)  # the dashboard child is gone too


def test_serve_leaves_a_loaded_database_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'loaded.db'}"
    init = start_autarky(["init"], {"AUTARKY_DATABASE_URL": url}, tmp_path / "init.log")
    assert init.wait(timeout=120) == 0
    port, log = free_port(), tmp_path / "serve.log"
    process = start_autarky(["serve", "--port", str(port), "--address", "127.0.0.1"],
                            {"AUTARKY_DATABASE_URL": url}, log)
    try:
        wait_healthy(port, process, log)
    finally:
        assert stop(process) == 0
    assert "running `autarky init`" not in log.read_text()
