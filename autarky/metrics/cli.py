"""`autarky metrics` (recompute derived series) and `autarky index` (show an index value and what moved it)."""

from __future__ import annotations

import datetime as dt
import math

import click

from autarky.app import App
from autarky.errors import AutarkyError
from autarky.metrics.contributions import explain_change
from autarky.metrics.definitions import definitions_for
from autarky.metrics.runner import recompute, recompute_since_last_run
from autarky.selection import listed

HISTORY_SHOWN = 6  # index values listed under `autarky index`


@click.command("metrics")
@click.option("--all", "everything", is_flag=True,
              help="Recompute every derived series, not only what changed since the last metrics run.")
@click.pass_obj
def metrics_command(app: App, everything: bool) -> None:
    """Recompute derived self-reliance metrics and the Self-Reliance Index (what changed, or --all)."""
    definitions_for(app.catalog, app.config)  # a bad definition fails here, before the database is touched
    report = recompute(app, None) if everything else recompute_since_last_run(app)
    for line in report.lines():
        click.echo(line)


def _no_index_value(app: App, spec, country: str, period: int | None) -> AutarkyError:  # noqa: ANN001
    """Say which years the economy has index values for, or that the index was never computed."""
    years = sorted(p.year for p in app.store.observations(keys=[spec.key(country)])["period"])
    if not years:
        return AutarkyError(f"no {spec.code} value for {country} is stored yet; run `autarky metrics` "
                            "(after `autarky init`, which loads the bundled data)")
    return AutarkyError(f"no {spec.code} value for {country} in {period}; {country} has values for "
                        f"{years[0]}-{years[-1]}")


@click.command("index")
@click.option("--country", required=True, help="ISO3 code of the economy, e.g. CHN.")
@click.option("--period", type=int, help="Year to explain (default: the latest with an index value).")
@click.pass_obj
def index_command(app: App, country: str, period: int | None) -> None:
    """Show a country's Self-Reliance Index: method, components, scores, weights and what moved it."""
    spec = definitions_for(app.catalog, app.config).index
    country = country.strip().upper()
    economies = spec.indicator.countries
    if country not in economies:
        raise AutarkyError(f"{country} is not an economy of {spec.code}; its economies: {listed(economies)}")
    table = explain_change(app.store, country, dt.date(period, 1, 1) if period else None)
    if table.empty:
        raise _no_index_value(app, spec, country, period)
    now, previous = table.attrs["period"], table.attrs["previous"]
    head = f"{spec.indicator.name} ({spec.code}), {app.catalog.country_name(country)}, {now.year}: " \
           f"{table.attrs['value']:.1f}"
    if previous is not None:
        change = table.attrs["value"] - table.attrs["previous_value"]
        head += f" ({previous.year}: {table.attrs['previous_value']:.1f}, change {change:+.1f})"
    click.echo(head)
    click.echo(f"method: {spec.indicator.formula}")
    click.echo(f"{'component':22s} {'from':>4s} {'raw value':>12s} {'score':>7s} {'weight':>7s} "
               f"{'contrib.':>8s} {'change':>7s}")
    for row in table.itertuples():
        if isinstance(row.value_period, float) and math.isnan(row.value_period):
            click.echo(f"{row.component:22s} {'-':>4s} {'(absent now)':>12s} {'':7s} {'':7s} {'':8s} "
                       f"{row.change:+7.2f}")
            continue
        click.echo(f"{row.component:22s} {row.value_period.year:4d} {row.raw_now:12.6g} {row.score_now:7.1f} "
                   f"{row.weight_now:7.3f} {row.contribution_now:8.2f} {row.change:+7.2f}")
    history = app.store.observations(keys=[spec.key(country)])
    shown = history[history["period"] <= now].tail(HISTORY_SHOWN)
    click.echo("history: " + ", ".join(f"{p.year} {v:.1f}" for p, v in zip(shown["period"], shown["value"])))
