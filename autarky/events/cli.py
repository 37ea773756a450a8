"""`autarky events`: the policy events, one line each, starting with the date."""

from __future__ import annotations

import datetime as dt

import click

from autarky.app import App
from autarky.events.source import all_events
from autarky.events.store import SyncResult, stored_events, sync_events
from autarky.events.source import TAGS


def load_events(app: App) -> SyncResult:
    """Store the bundled events and the user's own (autarky.toml `[[events]]`, event CSVs in the files folder)."""
    origin = str(app.config.path) if app.config.path else "autarky.toml"
    return sync_events(app.store, all_events(app.config.data, origin))


def event_line(event) -> str:  # noqa: ANN001
    tags = ",".join(event.affects)
    hs = f" HS {','.join(event.hs_codes)}" if event.hs_codes else ""
    return f"{event.date.isoformat()}  {event.actor}  {event.kind:17s} {event.title} [{tags}{hs}] <{event.source_url}>"


@click.command("events")
@click.option("--affects", type=click.Choice(TAGS), help="Only events with this tag.")
@click.option("--actor", help="Only events by this government (ISO3, e.g. USA).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only events on or after YYYY-MM-DD.")
@click.option("--ids", is_flag=True, help="Show each event's id (for `autarky impact --event-id`).")
@click.pass_obj
def events_command(app: App, affects: str | None, actor: str | None, since: dt.datetime | None, ids: bool) -> None:
    """Policy events (export controls, countermeasures, industrial policy): bundled, plus your own."""
    app.store.upgrade()
    load_events(app)
    found = stored_events(app.store, affects=affects, actor=actor, since=since.date() if since else None)
    if not found:
        click.echo("no events match", err=True)
    for event in found:
        click.echo(f"{event_line(event)}  id={event.uid}" if ids else event_line(event))
