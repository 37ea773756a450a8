"""`autarky impact`: what a series did after an event against the forecast made from the data before it."""

from __future__ import annotations

import datetime as dt
import json

import click

from autarky.app import App
from autarky.catalog import Catalog
from autarky.config import Config
from autarky.errors import AutarkyError
from autarky.events.cli import event_line, load_events
from autarky.events.relevance import relevant_events
from autarky.events.source import Event
from autarky.events.store import stored_events
from autarky.periods import format_period
from autarky.store import Store


class EventChoiceError(AutarkyError):
    """The event date names no event, or several (the message lists them with their ids)."""


def pick_event(events: list[Event], day: dt.date | None, uid: str | None) -> Event:
    """The event with the id, or the only one on the day; several on the day: an error listing them."""
    if uid:
        found = [e for e in events if e.uid == uid]
        if not found:
            raise EventChoiceError(f"no event has the id {uid}: see `autarky events --ids`")
        return found[0]
    if day is None:
        raise EventChoiceError("give --event DATE or --event-id ID")
    found = [e for e in events if e.date == day]
    if not found:
        raise EventChoiceError(f"no event on {day}: see `autarky events`")
    if len(found) > 1:
        listing = "; ".join(f"{e.uid}: {e.title[:60]}" for e in found)
        raise EventChoiceError(f"{len(found)} events on {day}, choose one with --event-id: {listing}")
    return found[0]


def series_impact(store: Store, catalog: Catalog, config: Config, event: Event, key: str,
                  window: int | None = None):  # noqa: ANN201 - an Impact; the forecast code is imported lazily
    """Measure the event's impact on a stored series, with its catalog context and the next relevant event."""
    from autarky.forecast.engine import default_settings, forecast_section
    from autarky.forecast.impact import measure_impact
    from autarky.forecast.runner import ForecastError, series_context

    series = store.series(keys=[key])
    if series.empty:
        raise ForecastError(f"unknown series {key}: see `autarky status` or `autarky export`")
    row = series.iloc[0]
    observations = store.observations(keys=[key])
    indicator = catalog.indicators.get(row["indicator"])
    later = [e for e in relevant_events(stored_events(store), indicator) if e.date > event.date]
    context = series_context(catalog, key, row["frequency"], row["country"], row["indicator"])
    settings = default_settings(row["frequency"], forecast_section(config))
    return measure_impact(key, row["frequency"], list(observations["period"]), list(observations["value"]), context,
                          settings, event.date, window=window, next_event=later[0].date if later else None)


def impact_text(impact, event: Event, frequency: str) -> list[str]:  # noqa: ANN001
    """The report as lines of plain text."""
    from autarky.forecast.impact import CAVEAT

    first, last = format_period(impact.dates[0], frequency), format_period(impact.dates[-1], frequency)
    placebo = impact.placebo
    lines = [CAVEAT, f"event:  {event_line(event)}",
             f"series: {impact.key}; counterfactual from the {impact.n_train} periods before {first}, "
             f"model {impact.model} ({impact.model_reason})",
             f"window: {impact.window} periods, {first} to {last} ({impact.window_reason})",
             f"gap:    {impact.gap_pct:+.1f}% of the counterfactual "
             f"(80% band {impact.lo80_pct:+.1f}% to {impact.hi80_pct:+.1f}%, "
             f"95% band {impact.lo95_pct:+.1f}% to {impact.hi95_pct:+.1f}%)",
             f"probability that the actuals lie below the counterfactual: {impact.p_below:.2f}"]
    if placebo.gaps_pct:
        lines.append(f"placebo: the event's gap ranks {placebo.rank} of {placebo.of} (1 = lowest) among the same "
                     f"measurement at {len(placebo.gaps_pct)} other cut dates ({placebo.model}); share of placebo "
                     f"gaps at least as large in size: {placebo.share_as_extreme:.2f}")
    else:
        lines.append("placebo: no other cut date has enough data before and after it")
    outside = sum(impact.outside95)
    lines.append(f"outside the 95% band: {outside} of {impact.window} periods")
    return lines


@click.command("impact")
@click.option("--event", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The event's date, YYYY-MM-DD.")
@click.option("--event-id", "uid", help="The event's id (`autarky events --ids`), when a date has several.")
@click.option("--series", "key", required=True, help="Series key, e.g. one of `autarky status`.")
@click.option("--window", type=int, help="Periods after the event to compare (default: the horizon, or until the "
                                         "next relevant event).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (gap_pct, lo95_pct, hi95_pct, placebo, ...).")
@click.pass_obj
def impact_command(app: App, day: dt.datetime | None, uid: str | None, key: str, window: int | None,
                   as_json: bool) -> None:
    """Before/after comparison: the series after an event against the forecast from the data before it."""
    app.store.upgrade()
    load_events(app)
    event = pick_event(stored_events(app.store), day.date() if day else None, uid)
    impact = series_impact(app.store, app.catalog, app.config, event, key, window)
    if as_json:
        payload = {**impact.as_dict(), "event": {"id": event.uid, "date": event.date.isoformat(),
                                                 "title": event.title, "source_url": event.source_url}}
        click.echo(json.dumps(payload, indent=1))
        return
    frequency = str(app.store.series(keys=[key]).iloc[0]["frequency"])
    for line in impact_text(impact, event, frequency):
        click.echo(line)
