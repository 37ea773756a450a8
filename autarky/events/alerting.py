"""For the `after_event` alert kind: the pre-event forecast's band for a series' first values after the latest
relevant event. Computed only while the series is within those first periods, without placebo, so it stays cheap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from autarky.catalog import Catalog
from autarky.config import Config
from autarky.errors import AutarkyError
from autarky.events.relevance import relevant_events
from autarky.events.store import stored_events
from autarky.periods import frequency_of
from autarky.store import Store


def first_values_band(store: Store, catalog: Catalog | None, config: Config | None, key: str, indicator: str,
                      country: str, frequency: str, values: pd.Series, periods: int) -> dict[str, Any] | None:
    """The latest relevant event with at most `periods` observed periods after it, and the band forecast for those
    from the data before it; None when there is none (or the forecast cannot be made)."""
    from autarky.forecast.engine import default_settings, forecast_section
    from autarky.forecast.impact import containing_index, measure_impact
    from autarky.forecast.runner import series_context

    if values.empty or catalog is None:
        return None
    dates = pd.DatetimeIndex(values.index)
    after_last = pd.date_range(dates[-1], periods=2, freq=frequency_of(frequency).pandas)[1].date()
    candidates = []
    for event in relevant_events(stored_events(store), catalog.indicators.get(indicator), end=after_last):
        position = containing_index(dates, event.date)
        if position >= 0 and len(dates) - position <= periods and event.date < after_last:
            candidates.append((position, event))
    if not candidates:
        return None
    position, event = max(candidates, key=lambda item: (item[0], item[1].date))
    settings = default_settings(frequency, forecast_section(config) if config else None)
    try:
        impact = measure_impact(key, frequency, list(dates), list(values.to_numpy(dtype=float)),
                                series_context(catalog, key, frequency, country, indicator), settings, event.date,
                                window=len(dates) - position, placebo_cuts=0)
    except AutarkyError:
        return None
    return {"event": event, "dates": impact.dates, "actual": impact.actual, "yhat": impact.bands["yhat"],
            "lo80": impact.bands["lo80"], "hi80": impact.bands["hi80"], "lo95": impact.bands["lo95"],
            "hi95": impact.bands["hi95"], "model": impact.model}


def chart_events_by_key(store: Store, catalog: Catalog | None, indicators: dict[str, str]
                        ) -> dict[str, tuple[tuple[dt.date, str], ...]]:
    """Per series key (-> its indicator): the relevant events as (date, short label) for the email charts."""
    if not indicators or catalog is None:
        return {}
    events = stored_events(store)
    return {key: tuple((e.date, f"{e.actor} {e.date:%Y-%m}") for e in
                       relevant_events(events, catalog.indicators.get(indicator)))
            for key, indicator in indicators.items()}
