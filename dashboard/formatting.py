"""Numbers, changes and periods as an analyst reads them: units kept, big numbers scaled, shares as percent."""

from __future__ import annotations

import math
import re

import pandas as pd

from autarky.periods import format_period

__all__ = ["dollar_multiplier", "plain", "format_period", "format_value", "format_change", "is_rate", "is_share", "period_label",
           "short_label"]

_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"))
# Every character that can open Markdown, HTML, an autolink, an emoji or :material: shortcode, a colour directive or
# LaTeX in Streamlit's renderer; a backslash before any ASCII punctuation is a literal in CommonMark.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#!|~:$@]|(?<=www)\.|^[-+=]|(?<=^\d)\.|(?<=^\d\d)\.", re.IGNORECASE)


def plain(value: object) -> str:
    """Text from data, config or the URL made literal for st.markdown/caption/info/error/metric labels.

    `[x](http://evil)` and `![](http://evil/img)` show as typed: no link, no image, no heading; line breaks become
    spaces so a value cannot open a new block. Use it on every outside value that enters a Markdown string.
    """
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", text)


def is_share(unit: str) -> bool:
    """A 0-1 share, shown as a percentage."""
    return unit.strip().lower() in ("share", "fraction")


def display_scale(unit: str) -> tuple[float, str]:
    """How a stored value is typed and tabled in the unit users think in: shares as percent, others as stored."""
    return (100.0, "%") if is_share(unit) else (1.0, unit)


_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_SNAPSHOT = re.compile(r"^([\w.-]+)@([0-9a-f]{7,40})$")


def release_date(vintage: str) -> str | None:
    """The source's release date a vintage carries (YYYY-MM-DD), None when it carries none."""
    found = _DATE.search(str(vintage))
    return found.group(1) if found else None


def vintage_label(vintage: str) -> str:
    """A vintage as a reader wants it: the release date when the vintage carries one (a World Bank `lastupdated`,
    a dated download), else what it is ("bundled snapshot wdi-extract, commit 4ebec5a2273f")."""
    text = str(vintage).strip()
    released = release_date(text)
    if released:
        return f"released {released}" + ("" if released == text else f" ({text})")
    snapshot = _SNAPSHOT.match(text)
    if snapshot:
        return f"bundled snapshot {snapshot.group(1)}, commit {snapshot.group(2)} (release date not recorded)"
    return text


def is_rate(unit: str) -> bool:
    """Units whose changes read as differences (points), not as percent changes."""
    text = unit.strip().lower()
    return is_share(unit) or text.startswith(("%", "score", "index", "z-score")) or text in ("ratio", "percent")


def dollar_multiplier(unit: str) -> float | None:
    """US$ per unit of a money indicator (1 for US$, 1e3 for thousand US$, 1e6 for US$ millions); None for others."""
    text = unit.strip().lower()
    if "us$" not in text or "per us$" in text:  # "patents per US$ bn GDP" is a rate, not money
        return None
    return 1e6 if "million" in text else 1e3 if "thousand" in text else 1.0


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: str) -> str:
    """1,426,644 applications; $3.13 bn; 2.41%; 90.0% (share); 0.82 (ratio)."""
    if _missing(value):
        return "–"
    text = unit.strip().lower()
    if is_share(unit):
        return f"{value * 100:.1f}%"
    if text.startswith("%"):
        return f"{value:.2f}%" if abs(value) < 10 else f"{value:.1f}%"
    multiplier = dollar_multiplier(unit)
    if multiplier is not None:
        dollars = value * multiplier
        for scale, suffix in _SCALES:
            if abs(dollars) >= scale:
                return f"${dollars / scale:,.2f} {suffix}"
        return f"${dollars:,.0f}"
    if text in ("ratio", "index"):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if float(value).is_integer() or abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.3g}"


def format_change(latest: float | None, previous: float | None, unit: str) -> str | None:
    """The move from the previous period: points for rates and shares, percent for levels."""
    if _missing(latest) or _missing(previous):
        return None
    if is_share(unit):
        return f"{(latest - previous) * 100:+.1f} pp"
    if is_rate(unit):
        text = unit.strip().lower()
        diff = latest - previous
        return f"{diff:+.2f} pp" if text.startswith("%") else f"{diff:+.2f}"
    if previous == 0:
        return None
    return f"{(latest - previous) / abs(previous) * 100:+.1f}%"


def period_label(period: object, frequency: str) -> str:
    """A period start (date or timestamp) as 2021, 2021-Q1 or 2021-03."""
    return format_period(pd.Timestamp(period), frequency)


SHORT_LABEL_CHARS = 38
_FORMULA = re.compile(r"\s*\(\([^()]*\)[^()]*\([^()]*\)\)")  # "((imports - exports) / (imports + exports))"


def short_label(text: str, width: int = SHORT_LABEL_CHARS) -> str:
    """A long name shortened for a tag or a legend: the inline formula left out, then cut at a word boundary with
    an ellipsis ("Net import share: machines for making…"); the full name belongs in a tooltip."""
    short = " ".join(_FORMULA.sub("", str(text)).split())
    if len(short) <= width:
        return short
    cut = short[:width].rsplit(" ", 1)[0] if " " in short[:width] else short[:width - 1]
    return cut.rstrip(" ,;:-(/") + "…"


_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:"


def md_plain(text: str) -> str:
    """Outside text inside a Streamlit label or heading (which read Markdown): every special character escaped."""
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIALS else c for c in str(text))
