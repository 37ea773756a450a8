"""The explorer's world map: one indicator in one period per economy, drawn with Vega-Lite (Altair) from the country
outlines bundled in the package (dashboard/geo, see its README), inlined in the chart: the browser fetches nothing
from another host (Streamlit's frontend bundles Vega; Plotly's geo charts would fetch outlines from a CDN)."""

from __future__ import annotations

import csv
import functools
import io
import json
from importlib import resources

import altair as alt
import pandas as pd

from autarky.catalog import Catalog
from autarky.dashboard.formatting import display_scale, dollar_multiplier, format_value, period_label
from autarky.dashboard.settings import AGGREGATES

PACKAGE = "autarky.dashboard"
OUTLINES = "geo/countries-110m.json"      # world-atlas 2.0.2: Natural Earth 1:110m countries, ISO 3166-1 numeric ids
NUMERIC_CODES = "geo/iso3166-numeric.csv"  # i18n-iso-countries 7.14.0: numeric, alpha-3, English name
OUTLINE_ATTRIBUTION = "Outlines: Natural Earth (public domain), via world-atlas"
NO_DATA = "no data"
NO_DATA_COLOR = "#d9d9d9"
ANTARCTICA = "010"  # no economy; left off so the inhabited world gets the space
MAP_HEIGHT = 440
LOG_SPREAD = 100  # positive values spread over more than this factor are coloured on a log scale


def resource(name: str):  # noqa: ANN201 (an importlib.resources Traversable)
    """A bundled geo file, as a non-editable install holds it (package data of autarky.dashboard)."""
    return resources.files(PACKAGE).joinpath(name)


@functools.cache
def outlines() -> dict:
    """The TopoJSON of the world's countries (object `countries`)."""
    return json.loads(resource(OUTLINES).read_text(encoding="utf-8"))


@functools.cache
def _codes() -> tuple[dict[str, str], ...]:
    rows = list(csv.DictReader(io.StringIO(resource(NUMERIC_CODES).read_text(encoding="utf-8"))))
    return {row["numeric"]: row["alpha3"] for row in rows}, {row["alpha3"]: row["name"] for row in rows}


def iso3_by_numeric() -> dict[str, str]:
    """ISO 3166-1 numeric code ("158") -> alpha-3 ("TWN")."""
    return _codes()[0]


def economy_name(iso3: str, catalog: Catalog, outline_name: str = "") -> str:
    """The catalog's name, else the outline's (Natural Earth), else the ISO 3166 English short name, else the code."""
    return catalog.countries.get(iso3) or outline_name or _codes()[1].get(iso3, iso3)


def economies(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations of economies, not aggregates (the World, the EU have no outline)."""
    return obs[~obs["country"].isin(AGGREGATES)]


def default_period(obs: pd.DataFrame) -> pd.Timestamp | None:
    """The latest period in which the most economies have a value."""
    counts = economies(obs).groupby("period")["country"].nunique()
    if counts.empty:
        return None
    return max(counts[counts == counts.max()].index)


def map_frame(obs: pd.DataFrame, period: pd.Timestamp, catalog: Catalog, unit: str, frequency: str) -> pd.DataFrame:
    """One row per outline with an id: the economy's name, its value in `period` in the unit users read (a share in
    percent, money in US$) or none, the tooltip text ("no data" without a value), and the period."""
    in_period = economies(obs[obs["period"] == period]).drop_duplicates("country").set_index("country")["value"]
    iso3 = iso3_by_numeric()
    scale = _colour_scale(unit)
    rows = []
    for geometry in outlines()["objects"]["countries"]["geometries"]:
        number = geometry.get("id")
        if number is None or number == ANTARCTICA:
            continue
        code = iso3.get(number, "")
        value = in_period.get(code)
        rows.append({"id": number, "iso3": code,
                     "economy": economy_name(code, catalog, geometry["properties"]["name"]),
                     "value": None if value is None else float(value) * scale,
                     "label": NO_DATA if value is None else format_value(float(value), unit),
                     "period": period_label(period, frequency)})
    return pd.DataFrame(rows, columns=["id", "iso3", "economy", "value", "label", "period"])


def not_drawn(obs: pd.DataFrame, period: pd.Timestamp, catalog: Catalog, unit: str) -> list[str]:
    """Economies with a value in `period` that have no outline at 1:110m (Singapore, Hong Kong, Bahrain ...), as
    "Singapore: 156", so the caption names them rather than dropping them silently."""
    drawn = {iso3 for number, iso3 in iso3_by_numeric().items() if number in _outline_ids()}
    rows = economies(obs[obs["period"] == period]).drop_duplicates("country").sort_values("country")
    return [f"{economy_name(r.country, catalog)}: {format_value(float(r.value), unit)}" for r in rows.itertuples()
            if r.country not in drawn]


@functools.cache
def _outline_ids() -> frozenset[str]:
    return frozenset(g["id"] for g in outlines()["objects"]["countries"]["geometries"] if g.get("id"))


def _colour_scale(unit: str) -> float:
    """Stored value -> coloured value: a share in percent, money in US$ (the legend reads $1.2G), others as stored."""
    return dollar_multiplier(unit) or display_scale(unit)[0]


def _legend_format(unit: str) -> str:
    return "$~s" if dollar_multiplier(unit) is not None else "~s"


def _legend_title(unit: str) -> str:
    return "US$" if dollar_multiplier(unit) is not None else display_scale(unit)[1]


def world_map(frame: pd.DataFrame, unit: str, period: str) -> alt.LayerChart:
    """A choropleth of `frame` (map_frame): outlines inlined as TopoJSON; every economy drawn in grey with "no data"
    in its tooltip, those with a value coloured over it."""
    values = frame["value"].dropna()
    spread = values.min() > 0 and values.max() > values.min() * LOG_SPREAD if len(values) else False
    countries = alt.Data(values=outlines(), format=alt.DataFormat(type="topojson", feature="countries"))
    records = [{k: (None if k == "value" and pd.isna(v) else v) for k, v in row.items()}  # JSON has no NaN
               for row in frame.drop(columns="iso3").to_dict(orient="records")]
    tooltip = [alt.Tooltip("economy:N", title="economy"), alt.Tooltip("label:N", title=unit or "value"),
               alt.Tooltip("period:N", title="period")]
    # Two layers rather than a colour condition: Vega-Lite leaves out marks whose coloured field is empty.
    grey = alt.Chart().mark_geoshape(fill=NO_DATA_COLOR, stroke="white", strokeWidth=0.4).encode(tooltip=tooltip)
    shaded = alt.Chart().mark_geoshape(stroke="white", strokeWidth=0.4).transform_filter(
        "isValid(datum.value)"
    ).encode(
        color=alt.Color("value:Q", title=_legend_title(unit),
                        scale=alt.Scale(type="log" if spread else "linear", scheme="yellowgreenblue"),
                        legend=alt.Legend(format=_legend_format(unit), orient="bottom-left")),
        tooltip=tooltip,
    )
    return alt.layer(grey, shaded, data=countries).transform_filter(
        f"datum.id != '{ANTARCTICA}'"
    ).transform_lookup(
        lookup="id", from_=alt.LookupData(alt.Data(values=records), key="id",
                                          fields=["economy", "value", "label", "period"])
    ).transform_calculate(  # outlines without an ISO code (N. Cyprus, Somaliland, Kosovo) have no row
        economy="isValid(datum.economy) ? datum.economy : datum.properties.name",
        label=f"isValid(datum.label) ? datum.label : '{NO_DATA}'",
        period=f"isValid(datum.period) ? datum.period : {json.dumps(period)}",
    ).project(type="equalEarth").properties(height=MAP_HEIGHT)
