"""The `autarky` command line."""

from __future__ import annotations

import json
import sys

import click
import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from autarky.app import App
from autarky.errors import AutarkyError
from autarky.events.cli import events_command, load_events
from autarky.logging_setup import DEFAULT_LEVEL, LEVELS, configure_logging
from autarky.metrics.cli import index_command, metrics_command
from autarky.metrics.runner import recompute
from autarky.periods import format_period
from autarky.selection import check_selection, explain_empty
from autarky.snapshot import excluded_parts, load_snapshot


def format_value(value: float) -> str:
    return format(value, ".15g")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="TOML config file (default: $AUTARKY_CONFIG or ./autarky.toml).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--log-level", type=click.Choice(LEVELS, case_sensitive=False),
              help=f"Log lines on stderr from this level on (default: {DEFAULT_LEVEL}).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, debug: bool, log_level: str | None) -> None:
    """Autarky: measure, forecast and watch technological self-reliance from public data."""
    if log_level:
        configure_logging(log_level)
    app = App(config_path=config_path, debug=debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@click.option("--no-data", is_flag=True, help="Create or upgrade the schema only; do not load the bundled data.")
@click.pass_obj
def init(app: App, no_data: bool) -> None:
    """Create or upgrade the database, load the bundled real-data snapshot and compute the derived metrics."""
    app.store.upgrade()
    click.echo(f"schema up to date: {app.config.database_url}")
    if no_data:
        return
    total_inserted = total_updated = 0
    for source, result in load_snapshot(app.store, app.catalog,
                                           excluded_parts(app.config)).items():
        click.echo(f"{source}: {result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")
        total_inserted += result.inserted
        total_updated += result.updated
    click.echo(f"snapshot loaded: {total_inserted} inserted, {total_updated} updated")
    click.echo(load_events(app).summary())
    click.echo(recompute(app, None).summary())


@cli.command()
@click.option("--indicator", "indicators", multiple=True, help="Indicator code (repeatable, or comma-separated).")
@click.option("--country", "countries", multiple=True, help="ISO3 country code (repeatable, or comma-separated).")
@click.option("--series", "keys", multiple=True, help="Series key such as wb:IP.PAT.RESD:CHN (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@click.pass_obj
def export(app: App, indicators: tuple[str, ...], countries: tuple[str, ...], keys: tuple[str, ...], fmt: str,
           output: str | None) -> None:
    """Export observations in long format (series_key, indicator, country, period, value, unit, source, vintage)."""
    stored = app.store.series()
    selection = check_selection(app.catalog, stored, _split(indicators), _split(countries), _split(keys))
    frame = app.store.observations(keys=selection.keys, indicators=selection.indicators,
                                   countries=selection.countries)
    if frame.empty:
        raise explain_empty(stored, selection)
    frame["period"] = [format_period(p, f) for p, f in zip(frame["period"], frame["frequency"])]
    frame = frame.drop(columns=["frequency"])
    if fmt == "csv":
        frame["value"] = frame["value"].map(format_value)
        text = frame.to_csv(index=False, lineterminator="\n")
    else:
        text = json.dumps(frame.to_dict(orient="records"), indent=1, default=str) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"wrote {len(frame)} rows to {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.pass_obj
def status(app: App) -> None:
    """Sources, series and observation counts, latest period per indicator, last collection runs."""
    series = app.store.series()
    if series.empty:
        click.echo("the database holds no series yet; run `autarky init`")
        return
    click.echo(f"database: {app.config.database_url}")
    click.echo(f"series: {len(series)}  observations: {int(series['observations'].sum())}")
    click.echo("\nby source:")
    for source, group in series.groupby("source"):
        click.echo(f"  {source:10s} {len(group):5d} series {int(group['observations'].sum()):8d} observations")
    click.echo("\nlatest period per indicator:")
    for indicator, group in series.groupby("indicator"):
        last = group["last_period"].dropna()
        latest = format_period(pd.Timestamp(max(last)), group["frequency"].iloc[0]) if len(last) else "-"
        click.echo(f"  {indicator:22s} {latest:8s} ({len(group)} series)")
    try:
        for line in app.store.mark_interrupted_runs():
            click.echo(f"marked {line}", err=True)
    except SQLAlchemyError:  # a read-only database: show the log as it is
        pass
    runs = app.store.runs(limit=5)
    click.echo("\nlast collection runs:")
    for run in runs.itertuples():
        note = f" error: {run.error}" if run.error else ""
        click.echo(f"  {run.started_at:%Y-%m-%d %H:%M} {run.source:16s} {run.status:11s} "
                   f"+{run.inserted} ~{run.updated} ={run.unchanged} x{run.rejected}{note}")


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return items or None


def describe_database_error(exc: SQLAlchemyError) -> str:
    """One line for a database error; a missing table means the schema was never created."""
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"database: {detail}: the schema is missing or out of date; run `autarky init`"
    return f"database: {detail}"


def main() -> None:
    """Console entry point: one clear line and a non-zero exit on any error (traceback with --debug)."""
    debug = "--debug" in sys.argv[1:]
    configure_logging()
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AutarkyError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        if debug:
            raise
        click.echo(f"error: {describe_database_error(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the CLI's promise is one line, not a traceback
        if debug:
            raise
        click.echo(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


# Stage commands, registered after the core ones (each lives in its stage's own module).
from autarky.alerts.cli import alerts  # noqa: E402
from autarky.scheduler import schedule_command  # noqa: E402
from autarky.serve import dashboard, serve  # noqa: E402
from autarky.collectors.cli import collect_command  # noqa: E402
from autarky.forecast.cli import bench, forecast_command  # noqa: E402
from autarky.events.impact_cli import impact_command  # noqa: E402



@bench.command("store")
@click.option("--series", default=1000, show_default=True, type=click.IntRange(1), help="Series to write.")
@click.option("--periods", default=1000, show_default=True, type=click.IntRange(1), help="Monthly periods per series.")
@click.option("--batch", default=10, show_default=True, type=click.IntRange(1), help="Series per batch (transaction).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the JSON report to FILE.")
@click.option("--database-url", help="Also measure PostgreSQL: a server URL (the bench creates and drops its own "
                                     "database there).")
def bench_store(series: int, periods: int, batch: int, output: str | None, database_url: str | None) -> None:
    """Time the store's write path (first load, unchanged, 1% revised) against a plain upsert of the same rows."""
    from autarky.store_bench import BenchShape, format_table, run_bench
    report = run_bench(BenchShape(series, periods, batch), database_url)
    click.echo(format_table(report))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1)
        click.echo(f"wrote {output}", err=True)


for _command in (metrics_command, index_command, collect_command, schedule_command, forecast_command, alerts,
                 dashboard, serve, bench, events_command,
                 impact_command):
    cli.add_command(_command)
