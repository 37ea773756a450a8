"""Plain read functions behind the pages, through the read functions of the kernel (Store) and of each stage
(autarky.forecast.read, autarky.alerts.read, autarky.metrics.contributions, autarky.events.store): no ORM class and
no SQL here (tests/dashboard/test_layers.py checks it).

Nothing here imports Streamlit, so tests call these directly; `dashboard.session` adds the caching.
The dashboard only reads: no function here writes or starts a job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from autarky.alerts import read as alerts
from autarky.catalog import CATEGORIES, WORLD, Catalog
from autarky.config import Config
from autarky.db import SCHEMA_ERRORS, sqlite_file
from autarky.forecast import read as forecasts
from autarky.metrics.chokepoints import CHOKE_PREFIX, Thresholds, thresholds
from autarky.snapshot import excluded_parts
from autarky.supply_chain import CSET_PREFIX
from autarky.store import Store
from autarky.dashboard import supply
from autarky.dashboard.settings import Settings

INDEX_INDICATOR = "SR.INDEX"
METHODOLOGY_FILE = "METHODOLOGY.md"
# Category order in pickers: the composite first, context last.
CATEGORY_ORDER = ("composite", "supply", "patent", "trade", "investment", "context")
CATEGORY_LABELS = {"composite": "Composite", "supply": "Supply chain (CSET/ETO, CC BY-NC 4.0)",
                   "patent": "Patents and IP", "trade": "Trade", "investment": "Investment and R&D",
                   "context": "Context"}
# Indicator fields the explorer and methodology read, as the catalog names them.
_DESCRIBED = ("code", "name", "category", "unit", "frequency", "direction", "source", "sectors", "description",
              "formula", "inputs")
INDICATOR_COLUMNS = ["code", "name", "category", "unit", "frequency", "direction", "source", "sectors",
                     "description", "formula", "inputs", "attribution", "licence", "series", "countries",
                     "partners", "observations", "first_period", "last_period"]

READY, MISSING, NO_SCHEMA, EMPTY = "ready", "missing", "no_schema", "empty"


@dataclass(frozen=True)
class Data:
    """What every page reads from: the store, the catalog, the config and the dashboard settings."""

    store: Store
    catalog: Catalog
    config: Config
    settings: Settings


# ---------------------------------------------------------------------------- database state
def database_missing(database_url: str) -> bool:
    """A SQLite file that does not exist yet: opening it would create it, and the dashboard never writes."""
    path = sqlite_file(database_url)
    return path is not None and not path.exists()


def data_version(store: Store) -> tuple[str, ...]:
    """A cheap token that changes whenever stored data, runs, forecasts or alerts change (caches key on it): the
    kernel's, the forecast stage's and the alerts stage's own tokens. Raises the database's error when the schema
    is missing."""
    return store.data_version() + forecasts.data_version(store) + alerts.data_version(store)


def database_status(store: Store) -> tuple[str, tuple[str, ...]]:
    """(READY | NO_SCHEMA | EMPTY, data version): whether there is anything to show. A database that cannot be
    reached raises its error (autarky.db.UNREACHABLE_ERRORS)."""
    with store.engine.connect():
        pass
    try:
        version = data_version(store)
    except SCHEMA_ERRORS:
        return NO_SCHEMA, ()
    has_observations = bool(version[1])
    return (READY if has_observations else EMPTY), version


# ---------------------------------------------------------------------------- indicators and observations
def indicators(data: Data) -> pd.DataFrame:
    """One row per indicator in the catalog or in the store, with what the store holds for it."""
    series = data.store.series()
    held = {code: group for code, group in series[series["observations"] > 0].groupby("indicator")}
    catalog, rows = data.catalog, []
    for ind in catalog.indicators.values():
        described = {name: getattr(ind, name) for name in _DESCRIBED}
        rows.append(_indicator_row(described, catalog.attribution(ind), catalog.licence(ind), held.get(ind.code)))
    for code, group in held.items():
        if code not in catalog.indicators:  # stored by a stage whose definitions this catalog lacks
            first, source = group.iloc[0], catalog.sources.get(group.iloc[0]["source"])
            described = dict(code=code, name=first["name"] or code, category=first["category"] or "composite",
                             unit=first["unit"], frequency=first["frequency"], direction=int(first["direction"] or 0),
                             source=first["source"], sectors=(), description="", formula=first["formula"] or "",
                             inputs=())
            rows.append(_indicator_row(described, source.attribution if source else "",
                                       source.licence if source else "", group))
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER + tuple(c for c in CATEGORIES if c not in CATEGORY_ORDER))}
    frame["_order"] = frame["category"].map(order).fillna(len(order))
    return frame.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def _indicator_row(described: dict, attribution: str, licence: str, group: pd.DataFrame | None) -> dict:
    has = group is not None and len(group) > 0
    return dict(described, sectors=tuple(described["sectors"]), inputs=tuple(described["inputs"]),
                formula=described["formula"] or "", attribution=attribution, licence=licence,
                series=len(group) if has else 0, countries=tuple(sorted(set(group["country"]))) if has else (),
                partners=tuple(sorted(set(group["partner"]), key=lambda p: (p != WORLD, p))) if has else (),
                observations=int(group["observations"].sum()) if has else 0,
                first_period=pd.Timestamp(min(group["first_period"])) if has else pd.NaT,
                last_period=pd.Timestamp(max(group["last_period"])) if has else pd.NaT)


def observations(data: Data, indicators: tuple[str, ...], countries: tuple[str, ...] | None = None,
                 partners: tuple[str, ...] | None = (WORLD,)) -> pd.DataFrame:
    """Long observations of some indicators (and countries), with partner World only unless `partners` names
    others (None: every partner), so a bilateral series never mixes with the World one of the same reporter."""
    frame = data.store.observations(indicators=list(indicators), countries=list(countries) if countries else None)
    if partners is not None:
        frame = frame[frame["partner"].isin(partners)].reset_index(drop=True)
    return frame


def series_table(data: Data) -> pd.DataFrame:
    """Every series with its observation count and period range (the store's own summary)."""
    return data.store.series()


def series_updates(data: Data, keys: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per series: when its data last changed here (newest retrieved_at) and the newest source vintage."""
    return data.store.series_updates(keys)


def self_reliance_index(data: Data) -> pd.DataFrame:
    """Observations of the composite index per country (empty until the metrics stage stores it)."""
    return data.store.observations(indicators=[INDEX_INDICATOR])


def index_change(data: Data, country: str) -> pd.DataFrame | None:
    """Why a country's index moved in its latest period, component by component (the metrics stage's own reading
    of its contributions table); None in an installation without the metrics stage."""
    try:
        from autarky.metrics.contributions import explain_change
    except ImportError:
        return None
    frame = explain_change(data.store, country)
    # Plain values in `attrs` (period, previous, value, previous_value): Streamlit serialises them as JSON.
    frame.attrs = {k: (f"{v.year}" if isinstance(v, (pd.Timestamp, dt.date)) else v) for k, v in frame.attrs.items()}
    return frame


def index_ranking(data: Data) -> pd.DataFrame | None:
    """The index, its pillars and Monte Carlo rank intervals of every economy on the panel year (the metrics
    stage's sensitivity analysis of its stored contributions); None without the metrics stage or an index."""
    try:
        from autarky.metrics import sensitivity
        from autarky.metrics.contributions import index_contributions
        from autarky.metrics.definitions import definitions_for
    except ImportError:
        return None
    spec = definitions_for(data.catalog, data.config).index
    panel = sensitivity.build_panel(index_contributions(data.store), spec)
    if panel is None:
        return None
    result = sensitivity.analyse(panel)
    table = result.table
    frame = pd.DataFrame({"Economy": [data.catalog.country_name(c) for c in table["country"]],
                          "Index": table["value"]})
    for pillar, pillar_spec in zip(spec.pillars, spec.pillar_specs):
        values = data.store.observations(indicators=[pillar_spec.code])
        values = values[values["period"].dt.year == panel.year].set_index("country")["value"]
        frame[pillar.name.capitalize()] = table["country"].map(values).to_numpy()
    frame["Rank"] = table["rank"].to_numpy()
    frame["90% rank interval"] = [f"{lo}-{hi}" for lo, hi in zip(table["low"], table["high"])]
    frame["Median rank"] = table["median_rank"].to_numpy()
    frame["Components"] = [f"{n} of {len(panel.components)}" for n in table["components"]]
    # Plain values in `attrs`: Streamlit serialises them as JSON.
    frame.attrs = {"year": panel.year, "draws": result.draws, "seed": result.seed,
                   "moves": [f"{r.choice} (mean rank shift {r.mean_shift:.2f})"
                             for r in result.influence.head(3).itertuples()]}
    return frame


# ---------------------------------------------------------------------------- supply chain
def cset_excluded(data: Data) -> bool:
    """Whether the deployment leaves CSET's CC BY-NC data out (config `[snapshot] exclude = ["cset"]`)."""
    return supply.CSET_PART in excluded_parts(data.config.section("snapshot"))


def supply_shares(data: Data) -> pd.DataFrame:
    """Every stored CSET share (indicators CSET.*) and any chokepoint flag the metrics stage stored."""
    codes = [i.code for i in data.catalog.indicators.values() if i.code.startswith((CSET_PREFIX, CHOKE_PREFIX))]
    return observations(data, tuple(codes)) if codes else data.store.observations(keys=[])


def supply_table(data: Data, year: int | None) -> pd.DataFrame:
    """The chain by stage and input, China's share against the leaders, chokepoints marked (see dashboard.supply)."""
    return supply.share_table(supply_shares(data), year)


def supply_thresholds(data: Data) -> Thresholds:
    """The thresholds the metrics stage flags chokepoints with (config `[metrics.supply]`), for the caption."""
    return thresholds(data.config.section("metrics", "supply"))


def trade_series(data: Data, codes: tuple[str, ...]) -> pd.DataFrame:
    """Every stored series (all partners) of some trade indicators, for China as reporter or as partner."""
    frame = observations(data, codes, partners=None)
    return frame[(frame["country"] == supply.FOCUS) | (frame["partner"] == supply.FOCUS)].reset_index(drop=True)


def chip_cards(data: Data) -> list[supply.ChipCard]:
    """The overview's chips row, from whatever of its series the store holds (the bundled data offline)."""
    codes = tuple(dict.fromkeys(card[0] for card in supply.CHIP_CARDS))
    return supply.chip_cards(observations(data, codes, partners=None), data.catalog)


# ---------------------------------------------------------------------------- forecasts
@dataclass(frozen=True)
class ForecastBundle:
    """The newest forecast run of some series, its points with bands, and its backtest scores."""

    runs: pd.DataFrame
    points: pd.DataFrame
    scores: pd.DataFrame


def forecast_bundle(data: Data, keys: tuple[str, ...]) -> ForecastBundle:
    return ForecastBundle(runs=forecasts.latest_runs(data.store, keys),
                          points=forecasts.forecast_points(data.store, keys),
                          scores=forecasts.backtest_scores(data.store, keys))


@dataclass(frozen=True)
class Crossing:
    """P(crossing a level by a date) and its shape over the horizon, from a forecast's sample paths."""

    probability: float
    dates: list[dt.date]
    exceedance: np.ndarray   # P(beyond the level) at each step
    first: np.ndarray        # P(first crossing at each step)
    never: float             # P(no crossing within the horizon)
    samples: int


def crossing(data: Data, key: str, threshold: float, by: dt.date, above: bool) -> Crossing | None:
    """None when the series has no forecast with sample paths, or `by` is before its first date."""
    probability = forecasts.crossing_probability(data.store, key, threshold, by, above=above)
    if probability is None:
        return None
    dates, samples = forecasts.run_samples(data.store, key)
    first, never = forecasts.first_crossing(samples, threshold, above=above)
    return Crossing(probability, dates, forecasts.exceedance(samples, threshold, above=above), first, never,
                    int(samples.shape[0]))


# ---------------------------------------------------------------------------- policy events
def policy_events(data: Data) -> list:
    """Every stored policy event (empty when the events table does not exist yet: run `autarky init`)."""
    from autarky.events.store import stored_events

    try:
        return stored_events(data.store)
    except SCHEMA_ERRORS:
        return []


def event_impact(data: Data, uid: str, key: str) -> tuple[object | None, str]:
    """The event's impact on a series (an Impact, or None and the reason it cannot be measured)."""
    from autarky.errors import AutarkyError
    from autarky.events.impact_cli import pick_event, series_impact

    try:
        event = pick_event(policy_events(data), None, uid)
        return series_impact(data.store, data.catalog, data.config, event, key), ""
    except AutarkyError as exc:
        return None, str(exc)


def forecast_summary(data: Data) -> pd.DataFrame:
    """The newest forecast run of every series (status, model, reason)."""
    return forecasts.latest_runs(data.store)


# ---------------------------------------------------------------------------- alerts
def alert_states(data: Data) -> pd.DataFrame:
    """Every rule x series state, firing first."""
    return alerts.states(data.store)


def alert_events(data: Data, limit: int = 500) -> pd.DataFrame:
    """The newest state changes of every alert."""
    return alerts.events(data.store, limit)


def outbox_summary(data: Data) -> dict[str, object]:
    """Notifications queued and sent, and the newest send error (email delivery health)."""
    return alerts.outbox_summary(data.store)


# ---------------------------------------------------------------------------- data health
def runs(data: Data, limit: int = 200) -> pd.DataFrame:
    return data.store.runs(limit=limit)


def revisions(data: Data, limit: int = 100) -> pd.DataFrame:
    frame = data.store.revisions(limit=limit)
    frame["change_pct"] = (frame["new_value"] - frame["old_value"]) / frame["old_value"].abs().replace(0, np.nan) * 100
    return frame


def sources(data: Data) -> pd.DataFrame:
    return data.store.sources()


# ---------------------------------------------------------------------------- methodology
def methodology_text(search: tuple[Path, ...] | None = None, name: str = METHODOLOGY_FILE) -> str | None:
    """METHODOLOGY.md (or another project file, such as alerts.example.toml) from the project folder or the working
    directory, when there is one."""
    folders = search if search is not None else (Path(__file__).resolve().parent.parent, Path.cwd())
    for folder in folders:
        path = folder / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None
