"""What a user asked for on the command line, checked against the catalog and the store before anything is read.

An unknown code is an error that names it and says what exists; a valid selection with no stored data says which
economies and periods do have data, instead of a silent empty answer.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from autarky.catalog import Catalog
from autarky.errors import AutarkyError

SHOWN = 20  # codes listed in a message before "..."


class SelectionError(AutarkyError):
    """A command-line selection names something that does not exist, or matches no stored data."""


@dataclass(frozen=True)
class Selection:
    indicators: list[str] | None
    countries: list[str] | None
    keys: list[str] | None


def listed(codes, limit: int = SHOWN) -> str:  # noqa: ANN001
    """`a, b, c` for a message, cut after `limit` codes."""
    codes = sorted(set(codes))
    return ", ".join(codes[:limit]) + (f", ... ({len(codes)} in all)" if len(codes) > limit else "")


def _unknown(kind: str, code: str, known, hint: str = "") -> SelectionError:  # noqa: ANN001
    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.6)
    maybe = f"; did you mean {' or '.join(close)}?" if close else ""
    return SelectionError(f"unknown {kind} {code!r}{maybe}{hint}")


def check_selection(catalog: Catalog, series: pd.DataFrame, indicators: list[str] | None,
                    countries: list[str] | None, keys: list[str] | None) -> Selection:
    """Normalise codes (upper case) and refuse any that neither the catalog nor the store knows."""
    if series.empty:
        raise SelectionError("the database holds no series yet; run `autarky init` to load the bundled data")
    known_indicators = set(catalog.indicators) | set(series["indicator"])
    indicators = [code.upper() for code in indicators] if indicators else None
    for code in indicators or ():
        if code not in known_indicators:
            raise _unknown("indicator", code, known_indicators, "; `autarky status` lists the stored ones")
    known_countries = set(catalog.countries) | set(series["country"])
    countries = [code.upper() for code in countries] if countries else None
    for code in countries or ():
        if code not in known_countries:
            raise _unknown("country", code, known_countries, f" (ISO3 codes known: {listed(known_countries)})")
    known_keys = set(series["key"])
    for key in keys or ():
        if key not in known_keys:
            raise _unknown("series", key, known_keys, "; `autarky export --indicator CODE` shows an indicator's keys")
    return Selection(indicators, countries, keys or None)


def explain_empty(series: pd.DataFrame, selection: Selection) -> SelectionError:
    """Why a valid selection matched nothing: which economies each asked indicator has data for."""
    stored = series[series["observations"] > 0]
    parts = []
    for code in selection.indicators or sorted(set(stored["indicator"])):
        have = stored.loc[stored["indicator"] == code, "country"]
        parts.append(f"{code} has data for {listed(have)}" if len(have) else f"{code} has no stored data yet")
    asked = ", ".join(selection.countries or ()) or "the series asked"
    return SelectionError(f"no observations match {asked}: " + "; ".join(parts[:SHOWN]))
