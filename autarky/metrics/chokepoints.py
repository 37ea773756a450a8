"""Chokepoint flags of the semiconductor supply chain, from the stored CSET/ETO shares of world supply.

An input (or stage) is a chokepoint for China in a year when China's share is under `[metrics.supply]
chokepoint_china_max` (default 10%) while the top three suppliers hold at least `chokepoint_top3_min` (default
75%): a supplier with under a tenth of world supply cannot make good a cut-off by the three that hold most of it.
An input CSET lists no Chinese supplier for counts as a share of 0.

The flags are derived series `derived:SR.CSET.CHOKE.<input_id>:CHN`, one value a year (1 chokepoint, 0 not),
computed by the metrics run and read by the dashboard. They are made from CSET's data, so they carry its licence
(CC BY-NC 4.0) and attribution on their indicator and exist only where the CSET part is loaded: a deployment that
leaves CSET out (`[snapshot] exclude = ["cset"]`) has no shares and so no flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from autarky.catalog import Catalog, Indicator, series_key
from autarky.config import read_section, setting
from autarky.metrics.compute import Values, combine_vintages
from autarky.supply_chain import CSET_PREFIX, CSET_SOURCE

CHOKE_PREFIX = "SR.CSET.CHOKE."
FOCUS = "CHN"
TOP_SUPPLIERS = 3
WORLD_PARTNER = "WLD"  # CSET shares are of world supply
CHOKE_CHINA_MAX = 10.0
CHOKE_TOP3_MIN = 75.0


@dataclass(frozen=True)
class Thresholds:
    """In % of world supply: China's share under `china_max` while the top three hold at least `top3_min`."""

    china_max: float = CHOKE_CHINA_MAX
    top3_min: float = CHOKE_TOP3_MIN

    def describe(self) -> str:
        return (f"Chokepoint: China's share under {self.china_max:g}% of world supply while the top "
                f"{TOP_SUPPLIERS} countries hold at least {self.top3_min:g}% (config [metrics.supply] "
                "chokepoint_china_max, chokepoint_top3_min).")

    def flags(self, china: float | None, top3: float) -> bool:
        return (china or 0.0) < self.china_max and top3 >= self.top3_min


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError(f"must be a percentage from 0 to 100, got {value!r}")
    return value


@dataclass(frozen=True)
class SupplySection:
    """The `[metrics.supply]` table, in % of world supply."""

    chokepoint_china_max: float = setting(CHOKE_CHINA_MAX, check=_percent)
    chokepoint_top3_min: float = setting(CHOKE_TOP3_MIN, check=_percent)


def thresholds(settings: Mapping[str, Any]) -> Thresholds:
    """Thresholds from config `[metrics.supply]`, else the defaults; ConfigError names the key and what was wrong."""
    section = read_section(SupplySection, settings, "metrics.supply")
    return Thresholds(section.chokepoint_china_max, section.chokepoint_top3_min)


def flag_code(share_code: str) -> str:
    """SR.CSET.CHOKE.<input_id> for the share indicator CSET.<input_id>."""
    return CHOKE_PREFIX + share_code.removeprefix(CSET_PREFIX)


def share_code(flag: str) -> str:
    return CSET_PREFIX + flag.removeprefix(CHOKE_PREFIX)


def share_indicators(catalog: Catalog) -> list[Indicator]:
    return [ind for ind in catalog.indicators.values() if ind.source == CSET_SOURCE and ind.code.startswith(CSET_PREFIX)]


def add_chokepoint_indicators(catalog: Catalog, derived_source: str) -> None:
    """One flag indicator per CSET share indicator in the catalog (none when the catalog has no CSET source)."""
    source = catalog.sources.get(CSET_SOURCE)
    for share in share_indicators(catalog):
        catalog.add(Indicator(
            code=flag_code(share.code), name=f"Chokepoint for China: {share.name.removeprefix('Share of world supply: ')}",
            category="supply", source=derived_source, unit="flag (1 = chokepoint)", frequency=share.frequency,
            direction=-1, countries=(FOCUS,), sectors=share.sectors, min=0.0, max=1.0,
            params={"input_id": share.params.get("input_id", ""), "share": share.code},
            description=f"1 when China's share of world supply in {share.code} is under [metrics.supply] "
                        f"chokepoint_china_max while the top {TOP_SUPPLIERS} suppliers hold at least "
                        "chokepoint_top3_min, else 0 (derived from CSET/ETO data).",
            licence=catalog.licence(share), attribution=source.attribution if source else "",
            inputs=(share.code,), forecast=False))


def share_keys(catalog: Catalog, flag: str | None = None) -> list[str]:
    """The stored series the flags read (of one flag code, or of all): each CSET share for each of its countries."""
    return [series_key(share.source, share.code, country) for share in share_indicators(catalog)
            if flag is None or share.code == share_code(flag) for country in share.countries]


def compute_flags(shares: pd.DataFrame, limits: Thresholds) -> dict[str, Values]:
    """Flag code -> {FOCUS: period -> (1.0 or 0.0, vintage)} from long CSET observations (indicator, country,
    partner, period, value, vintage); only the shares of world supply (partner WLD) count."""
    frame = shares[shares["indicator"].str.startswith(CSET_PREFIX) & (shares["partner"] == WORLD_PARTNER)]
    out: dict[str, Values] = {}
    for (code, period), group in frame.groupby(["indicator", "period"]):
        ranked = group.sort_values("value", ascending=False)
        top3 = float(ranked["value"].head(TOP_SUPPLIERS).sum())
        china = ranked.loc[ranked["country"] == FOCUS, "value"]
        flag = limits.flags(float(china.iloc[0]) if len(china) else None, top3)
        day = period.date() if isinstance(period, (pd.Timestamp, dt.datetime)) else period
        vintage = combine_vintages(v if isinstance(v, str) else None for v in ranked["vintage"])
        out.setdefault(flag_code(code), {}).setdefault(FOCUS, {})[day] = (1.0 if flag else 0.0, vintage)
    return out
