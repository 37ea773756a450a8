"""A small PNG chart for alert emails: the series, its forecast with bands, and the alert's levels (matplotlib, Agg)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Mapping, Sequence

import pandas as pd

from autarky.alerts.kinds import format_number

FIGURE_INCHES = (6.4, 3.0)
DPI = 100
HISTORY_POINTS = 40
_ACTUAL, _FORECAST, _ALERT, _EVENT = "#1f4e79", "#2e7d32", "#c62828", "#6b6b6b"


def _plain(text: str) -> str:
    """Text as written: matplotlib reads $...$ as mathtext."""
    return text.replace("$", r"\$")


def render_chart(values: pd.Series, *, title: str, forecast: pd.DataFrame | None = None,
                 marks: Mapping[str, float] | None = None, period: dt.date | None = None,
                 events: Sequence[tuple[dt.date, str]] = ()) -> bytes:
    """PNG bytes: recent history, the newest forecast's 80%/95% bands, threshold lines, the judged period marked,
    and the relevant policy events within the history shown as dotted vertical lines with short labels."""
    # Imported here: matplotlib takes a while to load and only emails need it. The object API (no pyplot) keeps no
    # global state and needs no display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    marks = marks or {}
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    history = values.iloc[-HISTORY_POINTS:]
    ax.plot(history.index, history.to_numpy(), color=_ACTUAL, marker="o", markersize=3, linewidth=1.5,
            label="actual")
    if forecast is not None and not forecast.empty:
        ds = pd.to_datetime(forecast["ds"])
        ax.fill_between(ds, forecast["lo95"], forecast["hi95"], color=_FORECAST, alpha=0.12, linewidth=0,
                        label="95% band")
        ax.fill_between(ds, forecast["lo80"], forecast["hi80"], color=_FORECAST, alpha=0.25, linewidth=0,
                        label="80% band")
        ax.plot(ds, forecast["yhat"], color=_FORECAST, linestyle="--", linewidth=1.2, label="forecast")
    if "level" in marks:
        ax.axhline(marks["level"], color=_ALERT, linewidth=1.2, label=f"alert level {format_number(marks['level'])}")
    if "recovery" in marks:
        ax.axhline(marks["recovery"], color=_ALERT, linewidth=1, linestyle=":",
                   label=f"recovery {format_number(marks['recovery'])}")
    if period is not None and pd.Timestamp(period) in history.index:
        at = pd.Timestamp(period)
        if "band_lo" in marks and "band_hi" in marks:
            ax.vlines(at, marks["band_lo"], marks["band_hi"], color=_FORECAST, linewidth=4, alpha=0.5,
                      label="band forecast before it")
        ax.plot([at], [history[at]], marker="o", markersize=7, color=_ALERT, linestyle="none")
    shown = [(day, label) for day, label in events
             if len(history) and history.index[0] <= pd.Timestamp(day) <= history.index[-1] + pd.DateOffset(years=1)]
    for number, (day, label) in enumerate(shown):
        ax.axvline(pd.Timestamp(day), color=_EVENT, linewidth=0.9, linestyle=":",
                   label="policy events" if number == 0 else None)
        ax.annotate(_plain(label), (pd.Timestamp(day), 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    fontsize=6, color=_EVENT, va="top", ha="right")
    ax.set_title(_plain(title), fontsize=10)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value)))
    ax.legend(fontsize=7, loc="best", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
