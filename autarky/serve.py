"""`autarky dashboard` and `autarky serve`: the Streamlit dashboard alone, or the scheduler and dashboard together.

Both run their parts as child processes and stop them all on Ctrl-C or SIGTERM. The dashboard package is found
on disk, not imported: the core never imports the dashboard.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from autarky.app import App
from autarky.db import DatabaseUnavailable
from autarky.errors import AutarkyError
from autarky.logging_setup import LOG_FORMAT

log = logging.getLogger("autarky.serve")

DASHBOARD_PACKAGE = "autarky.dashboard"
DASHBOARD_SCRIPT = "app.py"
STREAMLIT_DEFAULT_PORT = 8501
# Streamlit settings Autarky sets unless the user's own STREAMLIT_* variable says otherwise: a server, not a
# desktop session (no browser, no e-mail prompt), no usage statistics sent out, no "Deploy" menu, no file watcher,
# no start-up banner (it looks up the machine's external IP on the internet; we print the URL ourselves), and
# Autarky's log format for Streamlit's own log lines.
STREAMLIT_DEFAULTS = {
    "STREAMLIT_LOGGER_HIDE_WELCOME_MESSAGE": ("--logger.hideWelcomeMessage", "true"),
    "STREAMLIT_SERVER_HEADLESS": ("--server.headless", "true"),
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": ("--browser.gatherUsageStats", "false"),
    "STREAMLIT_CLIENT_TOOLBAR_MODE": ("--client.toolbarMode", "viewer"),
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": ("--server.fileWatcherType", "none"),
    "STREAMLIT_LOGGER_MESSAGE_FORMAT": ("--logger.messageFormat", LOG_FORMAT),  # Autarky's one log format
}
STOP_TIMEOUT_S = 15.0
POLL_INTERVAL_S = 0.3
SCHEDULER_COMMAND = "schedule"
FORECAST_COMMAND = "forecast"


class ServeError(AutarkyError):
    """The dashboard or scheduler could not be started."""


def dashboard_script() -> Path:
    """The dashboard's entry script, located without importing the package."""
    spec = importlib.util.find_spec(DASHBOARD_PACKAGE)
    if spec is None or spec.origin is None:
        raise ServeError("the dashboard package is not installed: run `pip install -e .` in the project folder")
    script = Path(spec.origin).parent / DASHBOARD_SCRIPT
    if not script.is_file():
        raise ServeError(f"dashboard entry script {script} is missing")
    return script


def streamlit_command(port: int | None = None, address: str | None = None,
                      environ: dict[str, str] | None = None) -> list[str]:
    """`streamlit run` on the dashboard; flags only where the user gave them or left Streamlit's variable unset."""
    environ = os.environ if environ is None else environ
    command = [sys.executable, "-m", "streamlit", "run", str(dashboard_script())]
    if port is not None:
        command += ["--server.port", str(port)]
    if address:
        command += ["--server.address", address]
    for variable, (flag, value) in STREAMLIT_DEFAULTS.items():
        if variable not in environ:
            command += [flag, value]
    return command


def dashboard_url(port: int | None, address: str | None) -> str:
    port = port or int(os.environ.get("STREAMLIT_SERVER_PORT", STREAMLIT_DEFAULT_PORT))
    return f"http://{address or os.environ.get('STREAMLIT_SERVER_ADDRESS') or 'localhost'}:{port}"


def child_environment(app: App) -> dict[str, str]:
    """The children read the same configuration file as this command."""
    env = dict(os.environ)
    if app.config_path:
        env["AUTARKY_CONFIG"] = str(Path(app.config_path).resolve())
    return env


def run_processes(commands: list[tuple[str, list[str]]], env: dict[str, str]) -> int:
    """Start every command; when one ends, or on SIGINT/SIGTERM, stop the others. Returns the exit code."""
    stopping: list[str] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: dict[str, subprocess.Popen] = {}
    code = 0
    try:
        for name, command in commands:
            children[name] = subprocess.Popen(command, env=env)
        while not stopping:
            ended = {name: child.returncode for name, child in children.items() if child.poll() is not None}
            if ended:
                name, code = next(iter(ended.items()))
                others = len(children) > 1
                log.log(logging.WARNING if code or others else logging.INFO, "%s exited with code %s%s", name, code,
                        "; stopping the rest" if others else "")
                code = (code or 1) if others else code
                break
            time.sleep(POLL_INTERVAL_S)
        else:
            log.info("%s received: stopping %s", stopping[0], ", ".join(children))
    finally:
        _stop(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _stop(children: dict[str, subprocess.Popen]) -> None:
    """SIGTERM every child still running, then SIGKILL what has not ended within the timeout."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s: killing it", name, STOP_TIMEOUT_S)
            child.kill()
            child.wait()


def database_has_data(app: App) -> bool:
    """Whether the database already holds the schema and some observations."""
    try:
        series = app.store.series()
    except (SQLAlchemyError, DatabaseUnavailable):  # no schema yet, or no database file yet
        return False
    return int(series["observations"].sum()) > 0 if len(series) else False


_port_option = click.option("--port", type=click.IntRange(1, 65535),
                            help="Port (default: $STREAMLIT_SERVER_PORT, else 8501).")
_address_option = click.option("--address", help="Address to listen on (default: Streamlit's, all interfaces).")


@click.command()
@_port_option
@_address_option
@click.pass_obj
def dashboard(app: App, port: int | None, address: str | None) -> None:
    """Run the Streamlit dashboard (read-only) until Ctrl-C."""
    command = streamlit_command(port, address)
    click.echo(f"dashboard: {dashboard_url(port, address)}")
    sys.exit(run_processes([("dashboard", command)], child_environment(app)))


@click.command()
@_port_option
@_address_option
@click.pass_context
def serve(ctx: click.Context, port: int | None, address: str | None) -> None:
    """Load and forecast the bundled data if the database is empty, then run the scheduler and the dashboard."""
    app: App = ctx.obj
    root = ctx.find_root().command
    if not database_has_data(app):
        click.echo("the database has no data yet: running `autarky init`")
        ctx.invoke(root.commands["init"])
        if FORECAST_COMMAND in getattr(root, "commands", {}):
            click.echo("forecasting the bundled series: running `autarky forecast`")
            ctx.invoke(root.commands[FORECAST_COMMAND])
    commands = []
    if SCHEDULER_COMMAND in getattr(root, "commands", {}):
        click.echo("scheduler: starting `autarky schedule`")
        commands.append(("scheduler", [sys.executable, "-m", "autarky", SCHEDULER_COMMAND]))
    else:
        click.echo("scheduler: not available in this installation (no `autarky schedule` command); "
                   "running the dashboard only")
    commands.append(("dashboard", streamlit_command(port, address)))
    click.echo(f"dashboard: {dashboard_url(port, address)}")
    app.close()
    sys.exit(run_processes(commands, child_environment(app)))
