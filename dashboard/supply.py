"""The Supply chain page's tables: CSET shares by stage and input, chokepoints, and each input's trade series.

Plain pandas over the store's observations and the bundled CSET graph; nothing here imports Streamlit. The
chokepoint flags are the metrics stage's (autarky.metrics.chokepoints, stored as SR.CSET.CHOKE.<input_id>):
this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from autarky.catalog import Catalog
from autarky.dashboard.formatting import format_value, period_label
from autarky.metrics.chokepoints import CHOKE_PREFIX, FOCUS, TOP_SUPPLIERS, share_code
from autarky.supply_chain import CSET_LICENCE, CSET_PREFIX, supply_inputs, supply_stages

CSET_PART = "cset"
KIND_ORDER = ("tools", "materials", "software", "process", "output")
# CSET input -> (a plain label of our own, catalog trade indicators whose HS line covers it, by its description).
INPUT_TRADE = {
    "N19": ("Lithography tools", ("CT.848620.M", "GACC.84862031.M", "GACC.84862039.M")),
    "N36": ("Deposition tools", ("GACC.84862021.M", "GACC.84862022.M", "GACC.84862029.M")),
    "N55": ("Etch and clean tools", ("GACC.84862041.M", "GACC.84862049.M")),
    "N17": ("Ion implanters", ("GACC.84862050.M",)),
    "N43": ("Heat treatment (rapid thermal processing) tools", ("GACC.84862010.M",)),
    "N60": ("Process control (inspection) tools", ("CT.903082.M", "CT.903141.M")),
    "N74": ("Wire bonding tools", ("GACC.84864022.M",)),
    "N29": ("Mask making tools", ("GACC.84864010.M",)),
    "N99": ("Finished chips (HS 8542)", ("CT.8542.M", "KR.8542.X")),
}
# The overview's chips row: (indicator, reporter, partner, label), each shown at its latest period.
CHIP_CARDS = (
    ("CT.848620.M", "CHN", "WLD", "China's imports of chip-making machines (HS 848620)"),
    ("KR.8542.X", "KOR", "CHN", "Korea's chip exports to China (HS 8542)"),
    ("CT.8542.M", "CHN", "USA", "China's chip imports from the USA (HS 8542)"),
    ("CSET.N19", "CHN", "WLD", "China's share of world lithography-tool supply"),
)


def chain_items() -> pd.DataFrame:
    """Every stage and input of the CSET graph: code, input_id, name, kind, stage."""
    rows = [dict(code=i.code, input_id=i.input_id, name=i.name, kind=i.kind, stage=i.stage)
            for i in supply_stages() + supply_inputs()]
    return pd.DataFrame(rows, columns=["code", "input_id", "name", "kind", "stage"])


def share_table(obs: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """One row per stage or input with shares that year (None: each input's latest year): China's share, the
    leading suppliers, the top three's share, and the chokepoint flag the metrics stage stored for that year."""
    flagged = stored_chokepoints(obs)
    items = chain_items().set_index("code")
    shares = obs[obs["indicator"].str.startswith(CSET_PREFIX) & (obs["partner"] == "WLD")].copy()
    shares["year"] = shares["period"].dt.year
    if year is not None:
        shares = shares[shares["year"] == year]
    rows = []
    for code, group in shares.groupby("indicator"):
        if code not in items.index:
            continue
        latest = group[group["year"] == group["year"].max()].sort_values("value", ascending=False)
        top = latest.head(TOP_SUPPLIERS)
        china = latest.loc[latest["country"] == FOCUS, "value"]
        china_share = float(china.iloc[0]) if len(china) else None
        top3 = float(top["value"].sum())
        item = items.loc[code]
        rows.append(dict(stage=item["stage"] or "(not placed)", kind=item["kind"], input=item["name"], code=code,
                         year=int(latest["year"].iloc[0]), china=china_share,
                         china_rank=(list(latest["country"]).index(FOCUS) + 1) if china_share is not None else None,
                         leaders=", ".join(f"{c} {v:g}%" for c, v in zip(top["country"], top["value"])),
                         top3=top3, chokepoint=(code, int(latest["year"].iloc[0])) in flagged,
                         trade=", ".join(trade_codes(item["input_id"]))))
    table = pd.DataFrame(rows, columns=["stage", "kind", "input", "code", "year", "china", "china_rank", "leaders",
                                        "top3", "chokepoint", "trade"])
    kind_rank = {k: i for i, k in enumerate(("stage", *KIND_ORDER))}
    stage_rank = {s.stage: i for i, s in enumerate(supply_stages())}
    table["_s"] = table["stage"].map(stage_rank).fillna(len(stage_rank))
    table["_k"] = table["kind"].map(kind_rank).fillna(len(kind_rank))
    return table.sort_values(["_s", "_k", "input"]).drop(columns=["_s", "_k"]).reset_index(drop=True)


def percent(value: float | None) -> str:
    """A CSET share as published: 0.2%, 81.5%, 100%; none given: –."""
    return "–" if value is None or pd.isna(value) else f"{value:g}%"


def summary_lines(table: pd.DataFrame) -> list[str]:
    """One plain line per input that has trade series: China's share, the leaders, chokepoint or not."""
    lines = []
    for input_id, (label, _) in INPUT_TRADE.items():
        row = table[table["code"] == CSET_PREFIX + input_id]
        if row.empty:
            continue
        row = row.iloc[0]
        lines.append(f"{row['input']} ({row['year']}): China {percent(row['china'])} of world supply; top "
                     f"{TOP_SUPPLIERS} {row['leaders']} = {row['top3']:g}%" + (" (chokepoint)" if row["chokepoint"]
                                                                               else ""))
    return lines


def stored_chokepoints(obs: pd.DataFrame) -> set[tuple[str, int]]:
    """(CSET code, year) of every chokepoint the metrics stage flagged (SR.CSET.CHOKE.<input_id> = 1 for China)."""
    flagged = obs[obs["indicator"].str.startswith(CHOKE_PREFIX) & (obs["country"] == FOCUS) & (obs["value"] > 0)]
    return {(share_code(code), period.year) for code, period in zip(flagged["indicator"], flagged["period"])}


def trade_codes(input_id: str) -> tuple[str, ...]:
    return INPUT_TRADE[input_id][1] if input_id in INPUT_TRADE else ()


@dataclass(frozen=True)
class ChipCard:
    label: str
    value: float
    previous: float | None
    unit: str
    period: str
    source: str
    licence: str
    code: str

    @property
    def shown(self) -> str:
        """The value as the page shows it (CSET shares as published: 0.2%)."""
        return percent(self.value) if self.code.startswith(CSET_PREFIX) else format_value(self.value, self.unit)


def chip_cards(obs: pd.DataFrame, catalog: Catalog) -> list[ChipCard]:
    """The chips row: each CHIP_CARDS series at its latest period, skipped when it holds no data here."""
    cards = []
    for code, country, partner, label in CHIP_CARDS:
        mine = obs[(obs["indicator"] == code) & (obs["country"] == country) & (obs["partner"] == partner)]
        if mine.empty or code not in catalog.indicators:
            continue
        mine = mine.sort_values("period")
        ind, last = catalog.indicator(code), mine.iloc[-1]
        cards.append(ChipCard(label, float(last["value"]), float(mine["value"].iloc[-2]) if len(mine) > 1 else None,
                              ind.unit, period_label(last["period"], ind.frequency),
                              catalog.attribution(ind) or ind.source, catalog.licence(ind), code))
    return cards


def licence_line() -> str:
    return f"Shares of world supply: {CSET_LICENCE}."
