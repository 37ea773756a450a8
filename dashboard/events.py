"""Policy events on the dashboard's charts: which ones a chart shows, their markers, and the table of their sources.

Plain functions (no Streamlit), so tests call them directly. Titles come from outside: they are escaped before
Plotly sees them, which would otherwise read tags in them.
"""

from __future__ import annotations

import html
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from autarky.catalog import Indicator
from autarky.events.relevance import relevant_events
from autarky.events.source import Event
from autarky.periods import frequency_of

MARKER_COLOR = "#6b6b6b"
TRACE_NAME = "policy events"


def plain(text: str) -> str:
    """Outside text for a Plotly label: shown as written, never read as markup."""
    return html.escape(text, quote=False)


def chart_events(events: Sequence[Event], indicator: Indicator | None, periods: pd.Series) -> list[Event]:
    """The events relevant to the indicator that fall within the chart's periods (up to the end of the last)."""
    if indicator is None or len(periods) == 0:
        return []
    last = pd.date_range(pd.Timestamp(periods.max()), periods=2, freq=frequency_of(indicator.frequency).pandas)[1]
    return relevant_events(events, indicator, pd.Timestamp(periods.min()).date(),
                           (last - pd.Timedelta(days=1)).date())


def add_event_markers(fig: go.Figure, events: Sequence[Event], y: float, *, row: int | None = None,
                      col: int | None = None, showlegend: bool = True) -> go.Figure:
    """A dotted vertical line per event and one marker trace at height `y`, hovering each event's title."""
    if not events:
        return fig
    where = {"row": row, "col": col} if row is not None else {}
    for event in events:
        fig.add_vline(x=pd.Timestamp(event.date).timestamp() * 1000, line=dict(color=MARKER_COLOR, width=1,
                                                                              dash="dot"), **where)
    fig.add_trace(go.Scatter(
        x=[pd.Timestamp(e.date) for e in events], y=[y] * len(events), mode="markers", name=TRACE_NAME,
        legendgroup=TRACE_NAME, showlegend=showlegend,
        marker=dict(symbol="triangle-down", size=11, color=MARKER_COLOR),
        text=[plain(f"{e.date.isoformat()} {e.actor}: {e.title}") for e in events],
        customdata=[e.source_url for e in events], hovertemplate="%{text}<extra></extra>"), **where)
    return fig


def events_table(events: Sequence[Event]) -> pd.DataFrame:
    """Date, actor, kind, title and source link of the events shown (for st.dataframe with a link column)."""
    return pd.DataFrame([{"date": e.date.isoformat(), "actor": e.actor, "kind": e.kind, "title": e.title,
                          "source": e.source_url} for e in events],
                        columns=["date", "actor", "kind", "title", "source"])

