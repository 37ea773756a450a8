"""Pure pandas steps between the queries and the pages: cards, credibility limits, rebasing, tables."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from autarky.catalog import Catalog, series_key
from autarky.dashboard.formatting import (display_scale, format_change, format_value, period_label, plain,
                                          release_date, short_label, vintage_label)
from autarky.dashboard.settings import AGGREGATES
from autarky.periods import ANNUAL, FREQUENCIES

# Forecast steps beyond this share of the history length are not credible (DESIGN.md section 7).
CREDIBLE_SHARE_OF_HISTORY = 1 / 3
SPARKLINE_POINTS = 20


def add_periods(period: pd.Timestamp, steps: int, frequency: str) -> pd.Timestamp:
    """The period `steps` periods after `period` (period starts)."""
    if steps <= 0:
        return pd.Timestamp(period)
    return pd.date_range(pd.Timestamp(period), periods=steps + 1, freq=FREQUENCIES.get(frequency, ANNUAL).pandas)[-1]


def credible_until(n_obs: int, last_period: pd.Timestamp, frequency: str) -> pd.Timestamp:
    """The last forecast period within a third of the history; later steps are marked as not credible."""
    return add_periods(last_period, max(1, math.floor(n_obs * CREDIBLE_SHARE_OF_HISTORY)), frequency)


def credible_limits(runs: pd.DataFrame, obs: pd.DataFrame, frequency: str) -> dict[str, pd.Timestamp]:
    """Per series with a usable forecast, the last credible forecast period (a third of its history ahead)."""
    limits = {}
    for run in runs[runs["status"] == "ok"].itertuples():
        history = obs[obs["series_key"] == run.series_key]
        n_obs = int(run.n_obs or len(history))
        last = pd.Timestamp(run.last_period) if run.last_period is not None else history["period"].max()
        limits[run.series_key] = credible_until(n_obs, last, frequency)
    return limits


# ---------------------------------------------------------------------------- cards
@dataclass(frozen=True)
class Card:
    """One headline indicator for one country: latest value, previous value, rank, forecast direction."""

    code: str
    name: str
    unit: str
    frequency: str
    direction: int
    country: str
    period: pd.Timestamp
    value: float
    previous: float | None
    history: tuple[float, ...]
    rank: int | None
    ranked: int
    forecast_value: float | None = None
    forecast_period: pd.Timestamp | None = None

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.frequency)

    @property
    def forecast_trend(self) -> int:
        """+1 rising, -1 falling, 0 flat or unknown (forecast end against the latest actual)."""
        if self.forecast_value is None or self.value == 0:
            return 0
        move = (self.forecast_value - self.value) / abs(self.value)
        return 0 if abs(move) < 0.005 else (1 if move > 0 else -1)


def headline_cards(obs: pd.DataFrame, indicators: pd.DataFrame, codes: tuple[str, ...], focus: str,
                   points: pd.DataFrame | None = None) -> list[Card]:
    """Cards for the headline indicators that have data for the focus country, in the configured order."""
    meta = indicators.set_index("code")
    cards = []
    for code in codes:
        if code not in meta.index:
            continue
        ind = meta.loc[code]
        mine = obs[(obs["indicator"] == code) & (obs["country"] == focus)].sort_values("period")
        if mine.empty:
            continue
        last, previous = mine.iloc[-1], (mine.iloc[-2] if len(mine) > 1 else None)
        rank, ranked = rank_at(obs[obs["indicator"] == code], last["period"], focus, int(ind["direction"]))
        future = (points[points["series_key"] == last["series_key"]].sort_values("ds")
                  if points is not None and not points.empty else pd.DataFrame())
        cards.append(Card(
            code=code, name=str(ind["name"]), unit=str(ind["unit"]), frequency=str(ind["frequency"]),
            direction=int(ind["direction"]), country=focus, period=last["period"], value=float(last["value"]),
            previous=None if previous is None else float(previous["value"]),
            history=tuple(float(v) for v in mine["value"].tail(SPARKLINE_POINTS)), rank=rank, ranked=ranked,
            forecast_value=float(future["yhat"].iloc[-1]) if len(future) else None,
            forecast_period=future["ds"].iloc[-1] if len(future) else None))
    return cards


def rank_at(obs: pd.DataFrame, period: pd.Timestamp, country: str, direction: int) -> tuple[int | None, int]:
    """Rank of a country among countries (not aggregates) in one period: 1 = most self-reliant by the direction;
    by size when the indicator is context only."""
    same = obs[(obs["period"] == period) & ~obs["country"].isin(AGGREGATES)].drop_duplicates("country")
    if country not in set(same["country"]):
        return None, len(same)
    ordered = same.sort_values("value", ascending=direction < 0)
    return list(ordered["country"]).index(country) + 1, len(same)


# ---------------------------------------------------------------------------- charts' inputs
def series_labels(obs: pd.DataFrame, catalog: Catalog) -> dict[str, str]:
    """Series key -> country name (with the source when one indicator comes from several sources)."""
    labels = {}
    pairs = obs[["series_key", "country", "source"]].drop_duplicates()
    partners = (obs.drop_duplicates("series_key").set_index("series_key")["partner"] if "partner" in obs
                else pd.Series(dtype=str))
    clash = pairs["country"].duplicated(keep=False)
    for (key, country, source), dup in zip(pairs.itertuples(index=False, name=None), clash):
        partner = partners.get(key, "WLD")
        with_partner = "" if partner in ("WLD", None) else f" with {catalog.country_name(partner)}"
        labels[key] = catalog.country_name(country) + with_partner + (f" ({source})" if dup else "")
    return labels


def latest_table(obs: pd.DataFrame, catalog: Catalog, direction: int, unit: str) -> pd.DataFrame:
    """Per series: the latest period and value, the change since the previous period, and the rank in that period;
    the most self-reliant latest value first (the largest for context indicators)."""
    rows, order = [], []
    for key, group in obs.sort_values("period").groupby("series_key", sort=False):
        last = group.iloc[-1]
        prev = group.iloc[-2]["value"] if len(group) > 1 else None
        rank, ranked = rank_at(obs, last["period"], last["country"], direction)
        rows.append({"country": catalog.country_name(last["country"]), "series": key,
                     "latest period": period_label(last["period"], last["frequency"]),
                     "value": format_value(last["value"], unit),
                     "change": format_change(last["value"], prev, unit) or "–",
                     "rank": f"{rank} of {ranked}" if rank else "–", "vintage": vintage_label(last["vintage"]) if last["vintage"] else ""})
        order.append(last["value"] * (-1 if direction < 0 else 1))
    table = pd.DataFrame(rows, columns=["country", "series", "latest period", "value", "change", "rank", "vintage"])
    return table.iloc[sorted(range(len(rows)), key=order.__getitem__, reverse=True)].reset_index(drop=True)


def year_table(obs: pd.DataFrame, catalog: Catalog, year: int, unit: str, name: str = "Value",
               direction: int = 1) -> pd.DataFrame:
    """Every economy on one year ("Index 2022"): its value that year, the change on the year before and its rank
    among the economies with a value that year (the most self-reliant first); an economy without a value that year
    says so instead of showing another year's number, and comes last."""
    value_col, change_col, rank_col = f"{name} {year}", "Change", "Rank"
    years = obs.assign(year=obs["period"].dt.year)
    same = years[years["year"] == year]
    ranked = same.drop_duplicates("country").sort_values("value", ascending=direction < 0)["country"].tolist()
    rows = []
    for country in dict.fromkeys([*ranked, *sorted(set(years["country"]) - set(ranked), key=catalog.country_name)]):
        mine = years[years["country"] == country].set_index("year")["value"]
        has = country in ranked
        rows.append({"Economy": catalog.country_name(country),
                     value_col: format_value(mine.get(year), unit) if has else f"no value for {year}",
                     change_col: (format_change(mine.get(year), mine.get(year - 1), unit) or "–") if has else "–",
                     rank_col: f"{ranked.index(country) + 1} of {len(ranked)}" if has else "–"})
    return pd.DataFrame(rows, columns=["Economy", value_col, change_col, rank_col])


def change_table(change: pd.DataFrame, indicators: pd.DataFrame, previous: str | None, period: str) -> pd.DataFrame:
    """The metrics stage's "why the index moved" rows for a reader: indicator names, the year each value is from,
    raw values in their unit, "–" where a component has no value, and the change (which adds up to the index's
    change) next to the name."""
    meta = indicators.drop_duplicates("code").set_index("code")
    before = previous or "before"

    def info(code: str, field: str, default: str) -> str:
        return str(meta.loc[code, field]) if code in meta.index else default

    def score(value: object) -> str:
        return "–" if pd.isna(value) else f"{value:.1f}"

    rows = [{"Component": info(r.component, "name", str(r.component)),
             f"Change {before} to {period}": f"{r.change:+.2f}",
             f"Contribution {before}": score(r.contribution_before), f"Contribution {period}": score(r.contribution_now),
             f"Score {before}": score(r.score_before), f"Score {period}": score(r.score_now),
             f"Raw value {before}": format_value(r.raw_before, info(r.component, "unit", "")),
             f"Raw value {period}": format_value(r.raw_now, info(r.component, "unit", "")),
             f"Weight {period}": "–" if pd.isna(r.weight_now) else f"{r.weight_now:.3f}",
             f"{period} value from": "–" if pd.isna(r.value_period) else
             period_label(r.value_period, info(r.component, "frequency", ANNUAL.code))}
            for r in change.itertuples()]
    return pd.DataFrame(rows)


def source_inputs(indicators: pd.DataFrame, code: str) -> tuple[list[str], list[str]]:
    """The published indicators a derived one is computed from (following derived inputs down), and their sources
    with licences."""
    meta = indicators.drop_duplicates("code").set_index("code")
    raw, seen, stack = [], set(), list(meta.loc[code, "inputs"]) if code in meta.index else []
    while stack:
        current = stack.pop(0)
        if current in seen or current not in meta.index:
            continue
        seen.add(current)
        if meta.loc[current, "inputs"]:
            stack.extend(meta.loc[current, "inputs"])
        else:
            raw.append(current)
    origins = sorted({f"{meta.loc[c, 'attribution']} ({meta.loc[c, 'licence']})" for c in raw
                      if meta.loc[c, "attribution"]})
    return raw, origins


def describe_keys(keys, indicators: pd.DataFrame, catalog: Catalog) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """Series key -> ("China: Resident patent share", unit), for keys of any source."""
    meta = indicators.drop_duplicates("code").set_index("code")
    described = {}
    for key in keys:
        parts = str(key).split(":")
        if len(parts) != 3:
            described[key] = (str(key), "")
            continue
        code, country = parts[1], parts[2]
        name, unit = (meta.loc[code, "name"], meta.loc[code, "unit"]) if code in meta.index else (code, "")
        described[key] = (f"{catalog.country_name(country)}: {name}", str(unit))
    return described


def provenance(indicator: pd.Series, source_name: str, obs: pd.DataFrame, updates: pd.DataFrame) -> str:
    """The line under a chart: source, licence, the source's own release (its vintage: what "updated" means), when
    the values were loaded into this database (a local time, not an update of the data), code and unit."""
    loaded = updates["last_update"].max() if len(updates) else None
    vintages = sorted({vintage_label(v) for v in obs["vintage"].dropna()})
    released = sorted(filter(None, map(release_date, obs["vintage"].dropna().unique())))
    parts = [f"Source: {plain(indicator['attribution'] or source_name)}",
             f"Licence: {plain(indicator['licence'])}" if indicator["licence"] else "",
             f"Updated at the source: {released[-1]}" if released else "",
             f"Vintage: {plain(', '.join(vintages))}" if vintages else "",
             f"Loaded into this database: {loaded:%Y-%m-%d}" if loaded is not None and not pd.isna(loaded) else "",
             f"Code: {plain(indicator.name)}, unit: {plain(indicator['unit'])}"]
    return " · ".join(p for p in parts if p)


DOLLAR = "\\$"  # escaped in Markdown: two dollar signs on a line would start LaTeX


def latest_sentence(obs: pd.DataFrame, country: str, catalog: Catalog, direction: int, unit: str) -> str:
    """'**China, 2021: 1,426,644** (+6.1% on the previous period); rank 1 of 3 among the countries shown'."""
    mine = obs[obs["country"] == country].sort_values("period")
    last = mine.iloc[-1]
    change = format_change(last["value"], mine.iloc[-2]["value"] if len(mine) > 1 else None, unit)
    rank, ranked = rank_at(obs, last["period"], country, direction)
    return (f"**{plain(catalog.country_name(country))}, {period_label(last['period'], last['frequency'])}: "
            f"{format_value(last['value'], unit).replace('$', DOLLAR)}**"
            + (f" ({change} on the previous period)" if change else "")
            + (f"; rank {rank} of {ranked} among the countries shown" if rank and ranked > 1 else ""))


def wide_table(obs: pd.DataFrame, labels: dict[str, str], unit: str = "") -> pd.DataFrame:
    """Periods down, series across: the table users copy into a spreadsheet, in the unit of the chart (a share in
    percent)."""
    if obs.empty:
        return pd.DataFrame()
    scale, _ = display_scale(unit)
    frame = obs.assign(label=obs["series_key"].map(labels), value=obs["value"] * scale,
                       period=[period_label(p, f) for p, f in zip(obs["period"], obs["frequency"])])
    return frame.pivot_table(index="period", columns="label", values="value", aggfunc="first").sort_index()


NO_POINTS = pd.DataFrame(columns=["series_key", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"])


def export_frame(obs: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """History and forecasts in one long table for download, with the bands and the vintage."""
    columns = ["series_key", "indicator", "country", "period", "kind", "value", "lo80", "hi80", "lo95", "hi95",
               "unit", "source", "vintage"]
    records = [dict(series_key=r.series_key, indicator=r.indicator, country=r.country,
                    period=period_label(r.period, r.frequency), kind="actual", value=r.value, unit=r.unit,
                    source=r.source, vintage=r.vintage) for r in obs.itertuples()]
    meta = obs.drop_duplicates("series_key").set_index("series_key")
    for r in points[points["series_key"].isin(meta.index)].itertuples():
        info = meta.loc[r.series_key]
        records.append(dict(series_key=r.series_key, indicator=info["indicator"], country=info["country"],
                            period=period_label(r.ds, info["frequency"]), kind="forecast", value=r.yhat,
                            lo80=r.lo80, hi80=r.hi80, lo95=r.lo95, hi95=r.hi95, unit=info["unit"],
                            source=info["source"]))
    return pd.DataFrame.from_records(records, columns=columns)


# ---------------------------------------------------------------------------- compare
def common_years(obs: pd.DataFrame) -> list[int]:
    """Years in which every series of the frame has a value."""
    if obs.empty:
        return []
    years = obs.assign(year=obs["period"].dt.year).groupby("series_key")["year"].apply(set)
    return sorted(set.intersection(*years.tolist()))


def default_base_year(obs: pd.DataFrame, lookback: int = 10) -> int | None:
    """The latest common year at least `lookback` years before the latest common year (else the earliest)."""
    years = common_years(obs) or sorted(obs["period"].dt.year.unique().tolist())
    if not years:
        return None
    early = [y for y in years if y <= years[-1] - lookback]
    return early[-1] if early else years[0]


def rebase(obs: pd.DataFrame, base_year: int) -> tuple[pd.DataFrame, list[str]]:
    """Each series as 100 x value / its value in the base year; series without a positive base value are dropped
    (named in the second element)."""
    base = obs[obs["period"].dt.year == base_year].groupby("series_key")["value"].first()
    usable = base[base > 0]
    dropped = sorted(set(obs["series_key"]) - set(usable.index))
    kept = obs[obs["series_key"].isin(usable.index)].copy()
    kept["value"] = kept["value"] / kept["series_key"].map(usable) * 100
    return kept, dropped


def latest_values(frames: dict[str, pd.DataFrame], names: dict[str, str], units: dict[str, str],
                  labels: dict[str, str], order: list[str]) -> pd.DataFrame:
    """One row per indicator (its short name): the period most of its latest values are from in a column of its
    own, then each economy's latest value (economies in `order` first), with its period only when that is another
    one; "–" where an economy has no value."""
    cells: dict[str, dict[str, tuple[str, pd.Timestamp, str]]] = {}
    for code, obs in frames.items():
        row = cells.setdefault(code, {})
        for key, group in obs.sort_values("period").groupby("series_key"):
            last = group.iloc[-1]
            row[labels.get(key, key)] = (format_value(last["value"], units.get(code, "")), last["period"],
                                         period_label(last["period"], last["frequency"]))
    economies = list(dict.fromkeys([*order, *sorted({e for row in cells.values() for e in row})]))
    economies = [e for e in economies if any(e in row for row in cells.values())]
    common = {}
    for code, row in cells.items():
        counts = pd.Series([label for _, _, label in row.values()]).value_counts()
        latest = {label: period for _, period, label in row.values()}
        common[code] = max(counts.index, key=lambda label: (counts[label], latest[label])) if len(counts) else "–"
    table = pd.DataFrame({"Indicator": [short_label(names.get(code, code)) for code in cells],
                          "Year": [common[code] for code in cells]})
    for economy in economies:
        table[economy] = [("–" if economy not in row else row[economy][0] if row[economy][2] == common[code]
                           else f"{row[economy][0]} ({row[economy][2]})") for code, row in cells.items()]
    return table


def text_width(values, header: str = "", px_per_char: float = 7.0, padding: int = 20) -> int:  # noqa: ANN001
    """Pixels a table column needs to show its longest text (or its header) uncut."""
    longest = max([len(str(v)) for v in values] + [len(header)])
    return int(longest * px_per_char) + padding


def focus_keys(indicators: pd.DataFrame, codes: tuple[str, ...], country: str) -> tuple[str, ...]:
    """Series keys of some indicators for one country (the indicator's source gives the key)."""
    meta = indicators.set_index("code")
    return tuple(series_key(meta.loc[c, "source"], c, country) for c in codes if c in meta.index)


def catalog_table(catalog: Catalog) -> pd.DataFrame:
    """The indicator catalog as a table: definition, unit, direction, sectors, source and licence."""
    directions = {1: "higher = more self-reliant", -1: "lower = more self-reliant", 0: "context only"}
    return pd.DataFrame([{
        "code": ind.code, "name": ind.name, "category": ind.category, "unit": ind.unit, "frequency": ind.frequency,
        "direction": directions[ind.direction], "sectors": ", ".join(ind.sectors), "source": ind.source,
        "licence": catalog.licence(ind), "definition": ind.description or ind.formula}
        for ind in catalog.indicators.values()])
