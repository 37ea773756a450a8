"""`autarky collect`: run collectors now, report per source, then run the downstream steps on what changed."""

from __future__ import annotations

import click

from autarky.app import App
from autarky.errors import AutarkyError
from autarky.pipeline import collect_and_propagate


class CollectFailed(AutarkyError):
    """At least one source failed; the others ran and stored what they could."""


@click.command("collect", short_help="Collect from the public sources now (all, or SOURCE...).")
@click.argument("sources", nargs=-1)
@click.option("--indicator", "indicators", multiple=True, help="Indicator code (repeatable, or comma-separated).")
@click.option("--country", "countries", multiple=True, help="ISO3 country code (repeatable, or comma-separated).")
@click.option("--since", type=int, help="Ask from this year on, ignoring the incremental cursors.")
@click.option("--no-downstream", is_flag=True, help="Do not run metrics/forecasts/alerts on what changed.")
@click.pass_obj
def collect_command(app: App, sources: tuple[str, ...], indicators: tuple[str, ...], countries: tuple[str, ...],
                    since: int | None, no_downstream: bool) -> None:
    """Collect from the public sources now (all of them, or SOURCE... such as worldbank comtrade oecd census patentsview files)."""
    def report(result) -> None:  # noqa: ANN001 - a SourceResult
        click.echo(result.summary())
        for error in result.errors:
            click.echo(f"  failed: {error}")

    outcome = collect_and_propagate(app, _listed(sources), _listed(indicators), _listed(countries), since,
                                    downstream=not no_downstream, report=report,
                                    progress=lambda message: click.echo(message, err=True),
                                    warn=lambda message: click.echo(f"warning: {message}", err=True),
                                    stage_progress=lambda stage: click.echo(f"downstream: {stage}", err=True))
    if outcome.downstream is not None:
        stages = ", ".join(outcome.downstream.by_stage) or "no downstream stage is installed"
        click.echo(f"downstream: {len(outcome.downstream.changed)} changed series -> {stages}")
    if outcome.failed:
        raise CollectFailed(f"{len(outcome.failed)} of {len(outcome.results)} sources failed: "
                            f"{', '.join(outcome.failed)} (see `autarky status` for the run log)")


def _listed(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]
