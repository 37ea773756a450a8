"""`autarky metrics` (recompute derived series) and `autarky index` (show an index value and what moved it)."""

from __future__ import annotations

import datetime as dt
import math

import click

from autarky.app import App
from autarky.errors import AutarkyError
from autarky.metrics import sensitivity
from autarky.metrics.contributions import explain_change, index_contributions
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
    if not years and len(app.store.observations(indicators=[spec.code])):
        return AutarkyError(f"{country} has no {spec.code} value in any year: too few components observed "
                            "(`autarky metrics --all` lists the reasons)")
    if not years:
        return AutarkyError(f"no {spec.code} value for {country} is stored yet; run `autarky metrics` "
                            "(after `autarky init`, which loads the bundled data)")
    return AutarkyError(f"no {spec.code} value for {country} in {period}; {country} has values for "
                        f"{years[0]}-{years[-1]}")


@click.command("index")
@click.option("--country", required=True, help="ISO3 code of the economy, e.g. CHN.")
@click.option("--period", type=int,
              help="Year to explain and rank (default: the panel year, the latest in which most economies have "
                   "an index value).")
@click.option("--sensitivity", "table_only", is_flag=True,
              help="Print the sensitivity results of every economy as Markdown tables (METHODOLOGY.md) instead.")
@click.pass_obj
def index_command(app: App, country: str, period: int | None, table_only: bool) -> None:
    """Show a country's Self-Reliance Index: pillars, components, scores, weights, what moved it, its rank."""
    spec = definitions_for(app.catalog, app.config).index
    country = country.strip().upper()
    economies = spec.indicator.countries
    if country not in economies:
        raise AutarkyError(f"{country} is not an economy of {spec.code}; its economies: {listed(economies)}")
    panel = sensitivity.build_panel(index_contributions(app.store), spec, period)
    result = sensitivity.analyse(panel) if panel is not None else None
    if table_only:
        if result is None:
            raise _no_index_value(app, spec, country, period)
        names = {c: app.catalog.country_name(c) for c in panel.countries}
        click.echo(sensitivity.markdown(result, names, _pillar_values(app, spec, panel.year)))
        return
    if period is None and panel is not None and country in panel.countries:
        period = panel.year
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
    pillars = _pillar_values(app, spec, now.year)
    if pillars:
        click.echo("pillars: " + ", ".join(f"{name} {values[country]:.1f}" if country in values else f"{name} -"
                                           for name, values in pillars.items()))
    if result is None or country not in panel.countries:
        click.echo(f"not ranked: {country} has no index value in the panel year "
                   f"{panel.year if panel else '-'}" + (f" ({len(panel.countries)} economies)" if panel else ""))
        return
    click.echo(f"ranking {panel.year} ({len(panel.countries)} economies, all on the same year): "
               f"{sensitivity.rank_line(result, country)}; {result.draws} Monte Carlo draws, seed {result.seed}")
    rests = panel.rests_on(country)
    click.echo(f"score rests on {len(rests)} of {len(spec.components)} components: " + ", ".join(
        f"{code} {year}" + (" (carried forward)" if year < panel.year else "") for code, year in rests))
    top = result.influence.head(3)
    click.echo("moves the ranking most: " + "; ".join(
        f"{row.choice} (mean rank shift {row.mean_shift:.2f}, up to {row.largest_shift} for {row.most_moved})"
        for row in top.itertuples()))


def _pillar_values(app: App, spec, year: int) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Pillar name -> country -> stored pillar value in `year`."""
    out: dict[str, dict[str, float]] = {}
    for pillar, pillar_spec in zip(spec.pillars, spec.pillar_specs):
        frame = app.store.observations(indicators=[pillar_spec.code])
        frame = frame[frame["period"].dt.year == year]
        out[pillar.name] = dict(zip(frame["country"], frame["value"].astype(float)))
    return out
