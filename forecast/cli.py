"""`autarky forecast` and `autarky bench ...`: thin commands over forecast.runner and forecast.bench.

Model libraries are imported inside the commands, so `autarky --help` stays fast.
"""

from __future__ import annotations

import json
import os
import re
import time

import click

from autarky.app import App
from autarky.forecast.engine import forecast_section
from autarky.periods import FREQUENCIES

# Progress lines at most this often (seconds) on long runs.
PROGRESS_EVERY = 2.0
MAX_REASONS_SHOWN = 20


def _checked_forecast_table(app: App) -> dict:
    """The `[forecast]` table as written (the bench sends it to worker processes), once checked."""
    forecast_section(app.config)
    return app.config.section("forecast")


class Progress:
    """Prints `label: done/total (pct), elapsed` to stderr at most every PROGRESS_EVERY seconds, and at the end."""

    def __init__(self, label: str):
        self.label, self.began, self.last = label, time.perf_counter(), 0.0

    def __call__(self, done: int, total: int, *_: object) -> None:
        now = time.perf_counter()
        if done == total or now - self.last >= PROGRESS_EVERY:
            self.last = now
            click.echo(f"{self.label}: {done}/{total} series ({100 * done / max(total, 1):.0f}%), "
                       f"{now - self.began:.0f} s", err=True)


def _executor_options(command):
    command = click.option("--workers", type=int, help="Worker processes for the local pool (default: CPU count).")(
        command)
    command = click.option("--address", help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786.")(
        command)
    return click.option("--executor", type=click.Choice(["local", "dask"]), default=None,
                        help="Where fits run: a local process pool (default) or a Dask distributed cluster.")(command)


@click.command("forecast")
@click.option("--series", "keys", multiple=True, help="Series key such as wb:IP.PAT.RESD:CHN (repeatable).")
@click.option("--force", is_flag=True, help="Refit even when data and settings are unchanged.")
@_executor_options
@click.pass_obj
def forecast_command(app: App, keys: tuple[str, ...], force: bool, executor: str | None, address: str | None,
                     workers: int | None) -> None:
    """Backtest, choose a model and forecast every series whose data changed (or the given ones)."""
    from autarky.forecast.runner import refresh
    config = forecast_section(app.config)
    result = refresh(app.store, app.catalog, config, keys=list(keys) or None, force=force,
                     executor=executor or config.executor, workers=workers or config.workers,
                     address=address or config.address, progress=Progress("forecast"))
    click.echo(result.summary())
    _show_reasons(app, result)


def _show_reasons(app: App, result) -> None:  # noqa: ANN001
    from autarky.forecast.read import latest_runs
    if not result.refreshed:
        return
    runs = latest_runs(app.store, list(result.refreshed))
    unusual = runs[runs["status"] != "ok"]
    for row in unusual.head(MAX_REASONS_SHOWN).itertuples():
        click.echo(f"  {row.series_key}: {row.status}: {row.reason}")
    if len(unusual) > MAX_REASONS_SHOWN:
        click.echo(f"  ... and {len(unusual) - MAX_REASONS_SHOWN} more")


@click.group("bench")
def bench() -> None:
    """Benchmarks: forecast accuracy against Prophet and baselines, refresh speed, and their input data."""


def split_models(text: str) -> list[str]:
    """Model names separated by commas; commas inside a combination's parentheses stay with it."""
    return [m.strip() for m in re.split(r",(?![^()]*\))", text) if m.strip()]


@bench.command("forecast")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Long CSV with columns unique_id,ds,y.")
@click.option("--horizon", required=True, type=int, help="Steps ahead scored at every origin.")
@click.option("--windows", default=3, show_default=True, type=int, help="Evaluation origins per series.")
@click.option("--step", type=int, help="Periods between origins (default: 1 annual, 2 quarterly, 6 monthly).")
@click.option("--models", help="Comma-separated models to compare (default: every model for the frequency).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the JSON report to FILE.")
@_executor_options
@click.pass_obj
def bench_forecast(app: App, input_path: str, horizon: int, windows: int, step: int | None, models: str | None,
                   output: str | None, executor: str | None, address: str | None, workers: int | None) -> None:
    """Backtest every model and Autarky's choice on the same origins; print a table, write JSON."""
    from autarky.forecast.bench import format_table, run_bench
    report = run_bench(input_path, horizon, windows, step=step,
                       models=split_models(models) if models else None,
                       catalog=app.catalog, overrides=_checked_forecast_table(app),
                       executor=executor or "local", workers=workers, address=address,
                       progress=Progress("bench"))
    click.echo(format_table(report))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1, allow_nan=True)
            handle.write("\n")
        click.echo(f"wrote {output}", err=True)


@bench.command("export-series")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="CSV file to write.")
@click.option("--dataset", type=click.Choice(["store", "us-employment"]), default="store", show_default=True,
              help="store: the database's series (e.g. the bundled WDI/NCSES data); us-employment: US BLS monthly "
                   "employment by industry, not seasonally adjusted, 148 series (bundled, from fpp3).")
@click.option("--frequency", type=click.Choice(list(FREQUENCIES)), default="A", show_default=True,
              help="With --dataset store: only series of this frequency.")
@click.option("--last", type=int, help="Keep only the last N observations of each series.")
@click.option("--windows", type=int, help="Instead of whole series: N windows of --length consecutive points, drawn "
                                          "at random (seeded) from the series that are long enough.")
@click.option("--length", default=30, show_default=True, type=int, help="Points per window, with --windows.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for --windows.")
@click.pass_obj
def bench_export(app: App, output: str, dataset: str, frequency: str, last: int | None, windows: int | None,
                 length: int, seed: int) -> None:
    """Write real series as a long CSV unique_id,ds,y for `autarky bench forecast` and `autarky bench refresh`."""
    from autarky.forecast.datasets import sample_windows, store_series, us_employment, write_long_csv
    frame = store_series(app.store, frequency) if dataset == "store" else us_employment()
    if frame.empty:
        raise click.ClickException("no series to export; run `autarky init` to load the bundled data")
    if last:
        frame = frame.groupby("unique_id", sort=False).tail(last)
    if windows:
        frame = sample_windows(frame, windows, length, seed)
    write_long_csv(frame, output)
    click.echo(f"wrote {frame['unique_id'].nunique()} series, {len(frame)} rows to {output}", err=True)


@bench.command("refresh")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Long CSV with columns unique_id,ds,y (e.g. from `autarky bench export-series --windows 1000`).")
@click.option("--database", help="Database URL to load the series into (default: a new SQLite file in a temp dir).")
@_executor_options
@click.pass_obj
def bench_refresh(app: App, input_path: str, database: str | None, executor: str | None, address: str | None,
                  workers: int | None) -> None:
    """Time a full forecast refresh of the CSV's series, then a refresh where nothing changed."""
    from autarky.forecast.datasets import timed_refreshes
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    report = timed_refreshes(input_path, app.catalog, forecast_section(app.config), database=database,
                             executor=executor or "local", workers=workers, address=address,
                             progress=Progress("refresh"))
    click.echo(f"full refresh: {report['full'].summary()}")
    click.echo(f"no-change refresh: {report['unchanged'].summary()}")
    if load:
        click.echo(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
