"""Figures: indicator history with forecast bands and reference lines, comparisons and crossings (Plotly), the
overview's index (Vega-Lite through Altair)."""

from __future__ import annotations

import html
from typing import Iterable

import altair as alt
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from autarky.dashboard.events import TRACE_NAME, add_event_markers, plain
from autarky.dashboard.formatting import dollar_multiplier, format_value, is_share, period_label
from autarky.dashboard.queries import Crossing
from autarky.dashboard.settings import RefLine

# One colour per economy wherever it appears; China stands out in red.
COUNTRY_COLORS = {"CHN": "#d62728", "USA": "#1f77b4", "JPN": "#9467bd", "KOR": "#17becf", "DEU": "#2ca02c",
                  "TWN": "#ff7f0e", "IND": "#8c564b", "GBR": "#e377c2", "FRA": "#bcbd22", "NLD": "#e6ab02",
                  "ISR": "#1b9e77", "SGP": "#a6761d", "RUS": "#666666", "BRA": "#66a61e", "CAN": "#e7298a",
                  "EUU": "#393b79", "WLD": "#222222"}
OTHERS_COLOR = "#a0a0a0"
FALLBACK_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#bab0ac")
BAND_OPACITY = {"95": 0.12, "80": 0.25}
CHART_HEIGHT = 480
NOT_CREDIBLE_TEXT = "beyond ⅓ of the history: not credible"
_FONT = dict(family="Source Sans Pro, sans-serif")


def country_color(country: str, position: int = 0) -> str:
    return COUNTRY_COLORS.get(country, FALLBACK_COLORS[position % len(FALLBACK_COLORS)])


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _axis_format(unit: str, log_y: bool = False) -> dict:
    text = unit.strip().lower()
    axis: dict = {"title": {"text": unit}, "type": "log" if log_y else "linear", "rangemode": "tozero"}
    if log_y:
        axis.pop("rangemode")
    if is_share(unit):
        axis["tickformat"] = ".0%"
    elif text.startswith("%"):
        axis["ticksuffix"] = "%"
    elif dollar_multiplier(unit) == 1.0:
        axis.update(tickprefix="$", tickformat="~s")  # a scaled unit (thousand US$) reads from the axis title
    else:
        axis["tickformat"] = "~s"
    return axis


def _layout(fig: go.Figure, title: str, unit: str, log_y: bool = False, height: int = CHART_HEIGHT) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, height=height, hovermode="x unified",
                      margin=dict(l=10, r=10, t=60, b=10), font=_FONT,
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    fig.update_yaxes(**_axis_format(unit, log_y))
    fig.update_xaxes(title_text=None)
    return fig


def _text(value: object) -> str:
    """Outside text (names, labels) for Plotly, which reads tags such as <a href> in titles, legends and hovers."""
    return html.escape(str(value), quote=False)


def _hover(values: Iterable[float], periods: Iterable, frequency: str, unit: str) -> list[str]:
    return [f"{period_label(p, frequency)}: {format_value(v, unit)}" for v, p in zip(values, periods)]


def indicator_chart(obs: pd.DataFrame, points: pd.DataFrame, labels: dict[str, str], *, title: str, unit: str,
                    frequency: str, order: list[str] = (), lines: list[RefLine] = (),
                    credible: dict[str, pd.Timestamp] | None = None, bands: bool | Iterable[str] = True,
                    log_y: bool = False) -> go.Figure:
    """History per series (solid), the forecast (dashed) with its 80% and 95% bands (all, none, or those of the
    economies in `bands`), alert levels and targets."""
    banded = None if bands is True else set() if bands is False else set(bands)
    fig = go.Figure()
    for position, (key, group) in enumerate(_ordered(obs, order)):
        color, name = country_color(group["country"].iloc[0], position), _text(labels.get(key, key))
        fig.add_trace(go.Scatter(x=group["period"], y=group["value"], name=name, legendgroup=key,
                                 mode="lines+markers", line=dict(color=color, width=2.5), marker=dict(size=4),
                                 text=_hover(group["value"], group["period"], frequency, unit),
                                 hovertemplate="%{text}<extra>" + name + "</extra>"))
        future = points[points["series_key"] == key].sort_values("ds") if not points.empty else points
        if future.empty:
            continue
        if banded is None or group["country"].iloc[0] in banded:
            for level in ("95", "80"):
                fig.add_trace(go.Scatter(x=future["ds"], y=future[f"hi{level}"], mode="lines", line=dict(width=0),
                                         legendgroup=key, showlegend=False, hoverinfo="skip"))
                fig.add_trace(go.Scatter(x=future["ds"], y=future[f"lo{level}"], mode="lines", line=dict(width=0),
                                         fill="tonexty", fillcolor=_rgba(color, BAND_OPACITY[level]),
                                         legendgroup=key, name=f"{name}: {level}% band", showlegend=False,
                                         text=[f"{level}%: {format_value(lo, unit)} to {format_value(hi, unit)}"
                                               for lo, hi in zip(future[f"lo{level}"], future[f"hi{level}"])],
                                         hovertemplate="%{text}<extra></extra>"))
        joined_x = [group["period"].iloc[-1], *future["ds"]]
        joined_y = [group["value"].iloc[-1], *future["yhat"]]
        fig.add_trace(go.Scatter(x=joined_x, y=joined_y, name=f"{name} forecast", legendgroup=key, mode="lines",
                                 showlegend=False,
                                 line=dict(color=color, width=2, dash="dash"),
                                 text=["last actual", *_hover(future["yhat"], future["ds"], frequency, unit)],
                                 hovertemplate="forecast %{text}<extra>" + name + "</extra>"))
    _mark_not_credible(fig, points, credible or {})
    _mark_nowcast(fig, obs, points)
    for line in lines if len(obs) else ():  # a target over an empty chart would read as data
        label = _text(line.label)
        fig.add_hline(y=line.value, line=dict(color="#444" if line.kind == "target" else "#b00020", width=1.5,
                                              dash="dot" if line.kind == "target" else "dashdot"),
                      annotation_text=label, annotation_position="top left", annotation_font_size=11)
        if line.kind == "target" and line.year:
            fig.add_trace(go.Scatter(x=[pd.Timestamp(year=line.year, month=1, day=1)], y=[line.value],
                                     mode="markers", marker=dict(symbol="diamond", size=11, color="#444"),
                                     name=f"target {line.year}", hovertemplate=f"{label}<extra></extra>"))
    return _layout(fig, _text(title), _text(unit), log_y)


NOWCAST_TEXT = "nowcast: past periods not yet reported"


def _mark_nowcast(fig: go.Figure, obs: pd.DataFrame, points: pd.DataFrame, today: pd.Timestamp | None = None) -> None:
    """Forecast steps that are already in the past (after the last observation, up to today) are nowcasts."""
    today = today or pd.Timestamp.now().normalize()
    if points.empty or obs.empty:
        return
    last = obs["period"].max()
    past = points[(points["ds"] > last) & (points["ds"] <= today)]
    if past.empty:
        return
    fig.add_vrect(x0=last, x1=min(today, points["ds"].max()), fillcolor="rgba(31,119,180,0.07)", line_width=0,
                  layer="below", annotation_text=NOWCAST_TEXT, annotation_position="bottom left",
                  annotation_font_size=11)


def _mark_not_credible(fig: go.Figure, points: pd.DataFrame, credible: dict[str, pd.Timestamp]) -> None:
    """Shade the part of the horizon beyond a third of the history (from the earliest such limit shown)."""
    if points.empty or not credible:
        return
    limits = [credible[k] for k in points["series_key"].unique() if k in credible]
    end = points["ds"].max()
    if not limits or min(limits) >= end:
        return
    fig.add_vrect(x0=min(limits), x1=end, fillcolor="rgba(120,120,120,0.10)", line_width=0, layer="below",
                  annotation_text=NOT_CREDIBLE_TEXT, annotation_position="top left", annotation_font_size=11)


def _ordered(obs: pd.DataFrame, order: list[str] | tuple[str, ...]) -> list[tuple[str, pd.DataFrame]]:
    """Series of a frame, the economies in `order` first (legends and colours follow it)."""
    rank = {c: i for i, c in enumerate(order)}
    groups = list(obs.sort_values("period").groupby("series_key", sort=False))
    return sorted(groups, key=lambda item: (rank.get(item[1]["country"].iloc[0], len(rank)), item[0]))


def _wrap(text: str, width: int = 55) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


LEGEND_X = 1.02  # paper coordinates: right of the last panel column
LEGEND_RANK_BASE = 100  # Plotly's default legendrank is 1000: economies first, event markers after them


def compare_grid(frames: dict[str, pd.DataFrame], names: dict[str, str], units: dict[str, str],
                 labels: dict[str, str], *, focus: str, order: list[str], base_year: int | None = None,
                 columns: int = 2, events: dict[str, list] | None = None) -> go.Figure:
    """Small multiples, one panel per indicator, one legend for all; the focus economy drawn heavier.
    Values are indexed (base year = 100) when `base_year` is given; `events` (per indicator) are marked."""
    codes = [c for c in frames if not frames[c].empty]
    columns = max(1, min(columns, len(codes)))
    rows = max(1, -(-len(codes) // columns))
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[_wrap(_text(names.get(c, c))) for c in codes],
                        vertical_spacing=0.12 / rows * 2, horizontal_spacing=0.08)
    shown: set[str] = set()
    legend_rank = {c: i for i, c in enumerate(order)}
    for number, code in enumerate(codes):
        row, col = number // columns + 1, number % columns + 1
        unit = "index" if base_year else units.get(code, "")
        for position, (key, group) in enumerate(_ordered(frames[code], order)):
            country = group["country"].iloc[0]
            name = _text(labels.get(key, key))
            fig.add_trace(go.Scatter(
                x=group["period"], y=group["value"], name=name, legendgroup=country, showlegend=country not in shown,
                legendrank=LEGEND_RANK_BASE + legend_rank.get(country, len(legend_rank)),  # in `order`, not as met
                mode="lines", line=dict(color=country_color(country, position), width=3.5 if country == focus else 1.8),
                text=_hover(group["value"], group["period"], group["frequency"].iloc[0], unit),
                hovertemplate="%{text}<extra>" + name + "</extra>"), row=row, col=col)
            shown.add(country)
        axis = _axis_format(f"index, {base_year} = 100" if base_year else units.get(code, ""))
        axis["title"] = {"text": axis["title"]["text"], "font": {"size": 11}}
        fig.update_yaxes(row=row, col=col, **axis)
        if base_year:
            fig.add_hline(y=100, line=dict(color="#999", width=1, dash="dot"), row=row, col=col)
        if events and events.get(code):
            add_event_markers(fig, events[code], float(frames[code]["value"].max()), row=row, col=col,
                              showlegend=TRACE_NAME not in shown)
            shown.add(TRACE_NAME)
    fig.update_annotations(font_size=13)
    # One year range for every panel (the union of the data shown), so the panels read against each other.
    periods = pd.concat([frames[c]["period"] for c in codes]) if codes else pd.Series(dtype="datetime64[ns]")
    if len(periods):
        fig.update_xaxes(range=[periods.min(), periods.max()])
    # The legend to the right of the panels, clear of the panel titles above them (a horizontal legend over the
    # grid ran into the first title once it took two lines).
    fig.update_layout(height=360 * rows + 60, margin=dict(l=10, r=10, t=50, b=10), font=_FONT,
                      hovermode="closest", legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left",
                                                       x=LEGEND_X))
    return fig


def index_chart(obs: pd.DataFrame, labels: dict[str, str], focus: str, order: list[str]) -> alt.Chart:
    """The Self-Reliance Index per economy over time: the focus and its peers in colour, the others faded; a click
    on the legend brings one forward.

    Drawn with Vega-Lite (Altair), which Streamlit loads anyway for the metric sparklines, so the overview does not
    make a first-time visitor's browser load Plotly's script (a new visitor's load went from 3.1-3.4 s to 2.5-2.6 s
    on the benchmark's 1,000 series; see BENCHMARKS.md).
    """
    unit = str(obs["unit"].iloc[0]) if len(obs) else "index"
    groups = _ordered(obs, order)
    names = [labels.get(key, key) for key, _ in groups]
    # The focus and peers in their own colours; the others in one grey, in the legend as on the chart (faded lines
    # in full colour in the legend misled, and three of them were reds).
    colors = [country_color(group["country"].iloc[0], position) if group["country"].iloc[0] in order
              else OTHERS_COLOR for position, (_, group) in enumerate(groups)]
    frame = pd.DataFrame({
        "economy": obs["series_key"].map(labels).fillna(obs["series_key"]), "period": obs["period"],
        "value": obs["value"], "shown": obs["country"].isin(order), "focus": obs["country"] == focus,
        "label": [format_value(v, unit) for v in obs["value"]],
        "year": [period_label(p, f) for p, f in zip(obs["period"], obs["frequency"])]})
    pick = alt.selection_point(fields=["economy"], bind="legend")
    return alt.Chart(frame).mark_line().encode(  # the section's heading is its title
        x=alt.X("period:T", title=None),
        y=alt.Y("value:Q", title=unit),
        color=alt.Color("economy:N", scale=alt.Scale(domain=names, range=colors), sort=names,
                        legend=alt.Legend(title=None, orient="right", symbolOpacity=1, symbolStrokeWidth=2.5)),
        strokeWidth=alt.condition(alt.datum.focus, alt.value(3.5), alt.value(1.8)),
        opacity=alt.condition(pick, alt.Opacity("shown:N", scale=alt.Scale(domain=[True, False], range=[1, 0.18]),
                                                legend=None), alt.value(0.08)),
        tooltip=[alt.Tooltip("economy:N", title="economy"), alt.Tooltip("year:N", title="period"),
                 alt.Tooltip("label:N", title=unit)],
    ).add_params(pick).properties(height=380)


def crossing_chart(result: Crossing, *, label: str, frequency: str) -> go.Figure:
    """P(beyond the level) in each period, and P(crossed at least once by then), from the sample paths."""
    periods = [period_label(d, frequency) for d in result.dates]
    fig = make_subplots(specs=[[{"secondary_y": False}]])
    fig.add_trace(go.Bar(x=periods, y=result.exceedance, name=f"P({label}) in that period",
                         marker_color="rgba(214,39,40,0.45)", hovertemplate="%{x}: %{y:.0%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=periods, y=result.first.cumsum(), name="P(crossed at least once by then)",
                             mode="lines+markers", line=dict(color="#d62728", width=2),
                             hovertemplate="%{x}: %{y:.0%}<extra></extra>"))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), font=_FONT, hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title_text="probability")
    fig.update_xaxes(type="category")
    return fig


def supply_chart(table: pd.DataFrame, title: str) -> go.Figure:
    """Per input: the top three suppliers' combined share against China's, chokepoints marked (shares in %)."""
    names = [("⛔ " if choke else "") + plain(name) for name, choke in zip(table["input"], table["chokepoint"])]
    leaders = [plain(text) for text in table["leaders"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=table["top3"], orientation="h", name="Top 3 suppliers combined",
                         marker_color="#9ecae1", text=leaders, textposition="inside", insidetextanchor="start",
                         hovertemplate="%{y}: top 3 hold %{x:.1f}% (%{text})<extra></extra>"))
    fig.add_trace(go.Bar(y=names, x=table["china"].fillna(0.0), orientation="h", name="China",
                         marker_color=COUNTRY_COLORS["CHN"], hovertemplate="%{y}: China %{x:.1f}%<extra></extra>"))
    fig.update_layout(barmode="group", height=max(260, 34 * len(table) + 140), font=_FONT,
                      title=dict(text=plain(title), font=dict(size=16)), legend=dict(orientation="h", y=-0.08),
                      margin=dict(l=10, r=10, t=50, b=40), yaxis=dict(autorange="reversed"),
                      xaxis=dict(title_text="% of world supply", range=[0, 100], ticksuffix="%"))
    return fig
