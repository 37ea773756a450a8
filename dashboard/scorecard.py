"""The scorecard per sector: for each indicator of a catalog sector, each chosen economy's value in a common period
(the latest in which most of them report), its rank among every economy the store holds then, and the direction
of its latest change. Pure pandas: the page (dashboard/views/scorecard.py) only lays it out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from autarky.catalog import Catalog
from autarky.dashboard.formatting import format_change, format_value, period_label
from autarky.dashboard.maps import economies, economy_name
from autarky.dashboard.queries import CATEGORY_LABELS, CATEGORY_ORDER
from autarky.dashboard.transforms import rank_at

LEFT_OUT = ("supply",)  # CSET's shares per input (and the chokepoint flags): the Supply chain page shows them
MIN_ECONOMIES = 2       # an indicator only one chosen economy reports has nothing to compare
RISE, FALL, FLAT = "▲", "▼", "="


@dataclass(frozen=True)
class Cell:
    """One economy on one indicator: the value shown, in which period, its rank then and its latest move."""

    indicator: str
    country: str
    period: pd.Timestamp
    value: float
    common: bool              # the value is of the indicator's common period (else the economy's latest)
    rank: int | None
    ranked: int
    move: str                 # RISE, FALL, FLAT, or "" without a previous value
    change: str | None        # "+6.1%", "+0.1 pp" (formatting.format_change)


def sector_codes(indicators: pd.DataFrame, sector: str) -> list[str]:
    """The indicators of a sector that the store holds, in the catalog's category order (supply shares left out)."""
    held = indicators[(indicators["series"] > 0) & ~indicators["category"].isin(LEFT_OUT)]
    return [code for code, sectors in zip(held["code"], held["sectors"]) if sector in sectors]


def common_period(obs: pd.DataFrame) -> pd.Timestamp | None:
    """The latest period in which most (more than half) of the economies of `obs` report: one economy that lags does
    not hold the whole row back to an old period."""
    reporting = economies(obs)
    counts = reporting.groupby("period")["country"].nunique()
    enough = counts[counts * 2 > reporting["country"].nunique()]
    return max(enough.index) if len(enough) else None


def cells(obs: pd.DataFrame, code: str, direction: int, countries: list[str]) -> list[Cell]:
    """The cells of one indicator for the chosen economies (those without any value have none); `obs` holds every
    economy's observations of it (partner World), so the rank is among all of them."""
    mine = obs[obs["indicator"] == code]
    chosen = mine[mine["country"].isin(countries)]
    common = common_period(chosen)
    found = []
    for country in countries:
        own = chosen[chosen["country"] == country].sort_values("period")
        if own.empty:
            continue
        at_common = own[own["period"] == common] if common is not None else own.iloc[0:0]
        row = at_common.iloc[-1] if len(at_common) else own.iloc[-1]
        before = own[own["period"] < row["period"]]
        previous = float(before["value"].iloc[-1]) if len(before) else None
        value = float(row["value"])
        rank, ranked = rank_at(mine, row["period"], country, direction)
        found.append(Cell(code, country, row["period"], value, bool(len(at_common)), rank, ranked,
                          _move(value, previous), format_change(value, previous, str(row["unit"]))))
    return found


def _move(value: float, previous: float | None) -> str:
    if previous is None:
        return ""
    return RISE if value > previous else FALL if value < previous else FLAT


def cell_text(cell: Cell, unit: str, frequency: str) -> str:
    """'1,426,644 · #1 of 14 · ▲ +6.1%'; a value from another period than the common one says which."""
    parts = [format_value(cell.value, unit) + ("" if cell.common else f" ({period_label(cell.period, frequency)})")]
    if cell.rank:
        parts.append(f"#{cell.rank} of {cell.ranked}")
    if cell.move:
        parts.append(f"{cell.move} {cell.change}" if cell.change else cell.move)
    return " · ".join(parts)


def sections(obs: pd.DataFrame, indicators: pd.DataFrame, catalog: Catalog, codes: list[str],
             countries: list[str]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Per category label (Patents and IP, Trade, ...), a table: one row per indicator, its common period, one column
    per chosen economy and the source with its licence; and the indicators left out (fewer than two economies)."""
    meta = indicators.drop_duplicates("code").set_index("code")
    names = [economy_name(c, catalog) for c in countries]
    rows: dict[str, list[dict]] = {}
    single = []
    for code in codes:
        ind = meta.loc[code]
        found = cells(obs, code, int(ind["direction"]), countries)
        if len(found) < MIN_ECONOMIES:
            single.append(code)
            continue
        unit, frequency = str(ind["unit"]), str(ind["frequency"])
        common = [c.period for c in found if c.common]
        row = {"indicator": str(ind["name"]), "code": code,
               "period": period_label(common[0], frequency) if common else "–"}
        row.update({name: "–" for name in names})
        row.update({economy_name(c.country, catalog): cell_text(c, unit, frequency) for c in found})
        row["source"] = f"{ind['attribution'] or ind['source']} ({ind['licence']})" if ind["licence"] else str(
            ind["attribution"] or ind["source"])
        rows.setdefault(str(ind["category"]), []).append(row)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    tables = {CATEGORY_LABELS.get(category, category): pd.DataFrame(
        rows[category], columns=["indicator", "code", "period", *names, "source"])
        for category in sorted(rows, key=lambda c: order.get(c, len(order)))}
    return tables, single
