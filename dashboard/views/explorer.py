"""Indicator explorer: one indicator for chosen countries, with forecast bands, references, scores and the data."""

import datetime as dt

import pandas as pd
import streamlit as st

from autarky.dashboard import charts, maps, queries, session, transforms
from autarky.dashboard import events as policy
from autarky.events.impact_cli import impact_text
from autarky.dashboard.formatting import display_scale, format_value, period_label, plain
from autarky.forecast.models import describe

ALL_SECTORS = "all"
ALL_BANDS = "all"
BANDS_FOR_ALL_UP_TO = 2  # with more economies than this, only the first one's bands are drawn at first
FALLBACK_INDICATOR = "IP.PAT.RESD"
PREFERRED_INDICATOR = "SR.PAT.RESD.SHARE"
SCORE_COLUMNS = {"model": "model", "horizon": "horizon", "origins": "origins", "mase": "MASE", "smape": "sMAPE",
                 "coverage80": "80% coverage", "coverage95": "95% coverage", "chosen": "chosen"}

page = session.open_page("Indicator explorer", "History, forecast with 80% and 95% bands, alert levels and policy "
                                               "targets, backtest scores, crossing probabilities and the data.")
data = page.data
catalog, settings = data.catalog, data.settings
indicators = page.query(queries.indicators)
meta = indicators.set_index("code")
held = indicators.loc[indicators["series"] > 0, "code"].tolist()

# ---------------------------------------------------------------- selections (seeded from the URL)
link_notes = []  # what a link asked for that is not here, said rather than silently replaced
asked_indicator = st.query_params.get("indicator")
if asked_indicator and asked_indicator not in meta.index:
    link_notes.append(f"The link asks for indicator {asked_indicator}, which is not in the catalog.")
default_code = next((c for c in (PREFERRED_INDICATOR, FALLBACK_INDICATOR) if c in held), held[0] if held else None)
session.seed_from_url("x_sector", "sector", ALL_SECTORS)
linked = session.linked_series()  # alert emails link one series: ?series=source:INDICATOR:ISO3
session.seed_from_url("x_indicator", "indicator", linked[0] if linked else default_code)
session.seed_from_url("x_countries", "countries", [linked[1]] if linked else None, many=True)
session.seed_from_url("x_bands", "bands", True, parse=lambda v: v != "0")
session.seed_from_url("x_log", "log", False, parse=lambda v: v == "1")
session.seed_from_url("x_events", "events", True, parse=lambda v: v != "0")

sectors = [ALL_SECTORS, *catalog.sectors]
session.keep_valid("x_sector", sectors, fallback=ALL_SECTORS)
left, right = st.columns([1, 3])
sector = left.selectbox("Sector", sectors, key="x_sector",
                        format_func=lambda s: "All sectors" if s == ALL_SECTORS else catalog.sectors[s].split(":")[0])
in_sector = [c for c, s in zip(indicators["code"], indicators["sectors"]) if sector == ALL_SECTORS or sector in s]
session.keep_valid("x_indicator", in_sector, fallback=default_code)


def indicator_label(code: str) -> str:
    row = meta.loc[code]
    suffix = "" if row["series"] else " (no data yet)"
    return f"{queries.CATEGORY_LABELS.get(row['category'], row['category'])} · {row['name']}{suffix}"


code = right.selectbox("Indicator", in_sector, key="x_indicator", format_func=indicator_label)
if code is None:
    st.info("No indicator in this sector.")
    st.stop()
ind = meta.loc[code]
ranked_countries = [settings.focus, *settings.peers]
available = sorted(ind["countries"], key=lambda c: (ranked_countries.index(c) if c in ranked_countries else 99, c))
session.keep_valid("x_countries", available, many=True, fallback=[c for c in ranked_countries if c in available])
asked_countries = [c for c in (st.query_params.get("countries") or "").split(",") if c]
unknown = [c for c in asked_countries if c not in catalog.countries]
if unknown:
    link_notes.append(f"The link asks for {', '.join(unknown)}: not a country code of the catalog.")
source_name = getattr(catalog.sources.get(str(ind["source"])), "name", str(ind["source"]))
absent = [c for c in asked_countries if c in catalog.countries and c not in available]
if absent and asked_indicator == code:
    link_notes.append(f"{source_name} has no rows for {', '.join(map(catalog.country_name, absent))} on this "
                      "indicator.")
for note in link_notes:
    st.info(plain(note))
countries = st.multiselect("Countries", available, key="x_countries", format_func=catalog.country_name)
without_rows = [c for c in ranked_countries if c not in available and c not in absent]
if without_rows and ind["series"]:
    st.caption(plain(f"No {source_name} rows for {', '.join(map(catalog.country_name, without_rows))} on this "
                     "indicator."))
partners = list(ind["partners"]) or ["WLD"]  # World first when the store holds it
session.seed_from_url("x_partner", "partner", partners[0])
session.keep_valid("x_partner", partners, fallback=partners[0])
partner = (st.selectbox("Partner", partners, key="x_partner", format_func=catalog.country_name,
                        help="Trade with the world, or with one partner (bilateral series).")
           if len(partners) > 1 else partners[0])
toggles = st.columns(4)
bands = toggles[0].toggle("Forecast bands", key="x_bands")
session.seed_from_url("x_bands_for", "bands_for",
                      ALL_BANDS if len(countries) <= BANDS_FOR_ALL_UP_TO else (countries or [ALL_BANDS])[0])
session.keep_valid("x_bands_for", [ALL_BANDS, *countries], fallback=(countries or [ALL_BANDS])[0])
bands_for = toggles[3].selectbox("Bands of", [ALL_BANDS, *countries], key="x_bands_for", disabled=not bands,
                                 format_func=lambda c: "every economy" if c == ALL_BANDS else catalog.country_name(c),
                                 help="With several economies the bands overlap: show one economy's.")
log_y = toggles[1].toggle("Log scale", key="x_log")
show_events = toggles[2].toggle("Policy events", key="x_events",
                                help="Export controls, countermeasures and industrial policy relevant to this "
                                     "indicator (by its HS code and sectors).")

url = dict(indicator=code, countries=countries, partner=None if partner == "WLD" else partner,
           sector=None if sector == ALL_SECTORS else sector,
           bands=None if bands else "0", bands_for=None if bands_for == ALL_BANDS else bands_for,
           log="1" if log_y else None, events=None if show_events else "0")
if not ind["series"]:
    source = catalog.sources.get(ind["source"])
    st.info(f"No data yet for **{plain(ind['name'])}** ({plain(code)}). It comes from "
            f"{plain(source.name if source else ind['source'])}: run `autarky collect` to fetch it.")
    session.write_url(**url)
    st.stop()
if not countries:
    st.info("Choose at least one country.")
    st.stop()

# ---------------------------------------------------------------- chart
obs = page.query(queries.observations, (code,), tuple(countries), (partner,))
if obs.empty:
    st.info(f"No data for these countries with partner {catalog.country_name(partner)}: choose other countries.")
    session.write_url(**url)
    st.stop()
keys = tuple(obs["series_key"].unique())
bundle = page.query(queries.forecast_bundle, keys)
labels = transforms.series_labels(obs, catalog)
unit, frequency = str(ind["unit"]), str(ind["frequency"])
credible = transforms.credible_limits(bundle.runs, obs, frequency)
lines = list(dict.fromkeys(line for country in countries for line in settings.reference_lines(code, country)))
figure = charts.indicator_chart(obs, bundle.points, labels, title=str(ind["name"]), unit=unit, frequency=frequency,
                                order=countries, lines=lines, credible=credible,
                                bands=(True if bands_for == ALL_BANDS else [bands_for]) if bands else False,
                                log_y=log_y)
on_chart = policy.chart_events(page.query(queries.policy_events), catalog.indicators.get(code), obs["period"])
if show_events:
    policy.add_event_markers(figure, on_chart, float(obs["value"].max()))
# As Our World in Data's grapher: the chart, a world map of one period, and the values as a table.
chart_tab, map_tab, values_tab = st.tabs(["Chart", "Map", "Table"])
with chart_tab:
    st.plotly_chart(figure, config={"displaylogo": False})
    if not bundle.points.empty:
        nowcast = any(note.text == charts.NOWCAST_TEXT for note in figure.layout.annotations)
        band_words = (("" if bands_for == ALL_BANDS else f" ({plain(catalog.country_name(bands_for))} only)")
                      if bands else "")
        st.caption("Solid: reported values. Dashed: forecast"
                   + (f", with its 80% (darker) and 95% (lighter) bands{band_words}" if bands else " (bands off)")
                   + ("; the blue-shaded stretch is a nowcast of periods already past that the source has not "
                      "reported yet." if nowcast else "."))
    if show_events and on_chart:
        st.caption(f"Grey triangles: {len(on_chart)} policy events relevant to this indicator; their sources are in "
                   "the Policy events tab.")
with map_tab:
    map_obs = page.query(queries.observations, (code,), None, (partner,))
    map_periods = sorted(maps.economies(map_obs)["period"].unique())
    if not map_periods:
        st.write("No economy has a value to map (only aggregates).")
    else:
        switched_map = st.session_state.get("x_map_for") not in (None, code)
        if switched_map:  # a new indicator opens on its own best-covered period
            st.session_state.pop("x_map_period", None)
        st.session_state["x_map_for"] = code
        by_label = {period_label(p, frequency): pd.Timestamp(p) for p in map_periods}
        best = period_label(maps.default_period(map_obs), frequency)
        session.seed_from_url("x_map_period", "map_period", best, use_url=not switched_map)
        session.keep_valid("x_map_period", list(by_label), fallback=best)
        chosen = st.select_slider("Period", list(by_label), key="x_map_period",
                                  help="At first the latest period in which the most economies have a value.")
        frame = maps.map_frame(map_obs, by_label[chosen], catalog, unit, frequency)
        st.altair_chart(maps.world_map(frame, unit, chosen), width="stretch")
        shown = map_obs[map_obs["period"] == by_label[chosen]]
        valued = int(frame["value"].notna().sum())
        st.caption(f"{plain(ind['name'])}, {chosen}: {valued} {'economy' if valued == 1 else 'economies'} with a "
                   "value; grey: no data. " + transforms.provenance(ind, source_name, shown, page.query(
                       queries.series_updates, tuple(shown["series_key"].unique())))
                   + f" · {maps.OUTLINE_ATTRIBUTION}")
        too_small = maps.not_drawn(map_obs, by_label[chosen], catalog, unit)
        if too_small:
            st.caption(plain(f"Too small for the 1:110m outlines, so not drawn: {'; '.join(too_small)}."))
        url["map_period"] = None if chosen == best else chosen
with values_tab:
    st.dataframe(transforms.latest_table(obs, catalog, int(ind["direction"]), unit), hide_index=True)
    st.dataframe(transforms.wide_table(obs, labels, unit))
    if display_scale(unit)[0] != 1:
        st.caption(f"Values in {display_scale(unit)[1]}, as on the chart.")
    session.csv_download("Download CSV (history and forecasts)",
                         lambda: transforms.export_frame(obs, bundle.points),
                         file_name=f"autarky_{code}_{'_'.join(countries)}.csv")

# ---------------------------------------------------------------- provenance under the chart
st.caption(transforms.provenance(ind, source_name, obs, page.query(queries.series_updates, keys)))
if ind["description"]:
    st.caption(plain(ind["description"]))
if ind["formula"]:
    st.caption(f"Formula: {plain(ind['formula'])}")
if ind["inputs"]:
    published, origins = transforms.source_inputs(indicators, code)
    st.caption(plain(f"Inputs: {', '.join(ind['inputs'])}" + (f"; published data: {', '.join(published)} from "
                                                               f"{'; '.join(origins)}" if origins else "")))

focus_obs = obs[obs["country"] == countries[0]].sort_values("period")
if len(focus_obs):
    st.markdown(transforms.latest_sentence(obs, countries[0], catalog, int(ind["direction"]), unit))

# ---------------------------------------------------------------- forecast status
if bundle.runs.empty:
    st.info("No forecasts yet for these series: run `autarky forecast` to fit, backtest and store them.")
for run in bundle.runs[bundle.runs["status"] != "ok"].itertuples():
    st.caption(plain(f"{labels.get(run.series_key, run.series_key)}: no forecast ({run.status}): "
                     f"{run.reason or 'no reason'}"))
if credible and any(bundle.points["ds"].max() > limit for limit in credible.values()):
    st.caption("The shaded part of the horizon lies beyond a third of the history: shown, but not credible.")

# ---------------------------------------------------------------- details
models_tab, crossing_tab, events_tab = st.tabs(["Forecast models", "Crossing probability", "Policy events"])
with models_tab:
    ok_runs = bundle.runs[bundle.runs["status"] == "ok"]
    if ok_runs.empty:
        st.write("No forecast models to show yet.")
    for run in ok_runs.itertuples():
        st.markdown(f"**{plain(labels.get(run.series_key, run.series_key))}**: chosen model **{plain(run.model)}**, fitted on "
                    f"{run.n_obs} points up to {period_label(run.last_period, frequency)}, horizon {run.horizon}, "
                    f"run of {run.created_at:%Y-%m-%d}.")
        st.text(f"Model: {describe(run.model)}")
        if run.reason:
            st.text(f"Why: {run.reason}")
    if len(bundle.scores):
        scores = bundle.scores.assign(series=bundle.scores["series_key"].map(labels))
        scores = scores.sort_values(["series", "chosen", "mase"], ascending=[True, False, True])
        st.dataframe(scores[["series", *SCORE_COLUMNS]].rename(columns=SCORE_COLUMNS), hide_index=True,
                     column_config={"MASE": st.column_config.NumberColumn(format="%.2f"),
                                    "sMAPE": st.column_config.NumberColumn(format="%.1f"),
                                    "80% coverage": st.column_config.NumberColumn(format="percent"),
                                    "95% coverage": st.column_config.NumberColumn(format="percent")})
    if not ok_runs.empty:
        st.caption("Rolling-origin backtests. MASE is the mean absolute error over the whole horizon divided by the "
                   "in-sample error of the one-step naive forecast (seasonal naive for monthly data), so a good "
                   "forecast several years ahead can score well above 1: errors grow with the horizon, the scale "
                   "does not. Compare models with each other, not with 1. Coverage close to 80% and 95% means the "
                   "bands are honest.")

with crossing_tab:
    with_forecast = [k for k in keys if k in set(bundle.points["series_key"])]
    if not with_forecast:
        st.write("Crossing probabilities need a forecast: run `autarky forecast`.")
    else:
        switched = st.session_state.get("x_crossing_for") not in (None, code)
        if switched:  # a new indicator gets its own defaults, not the last one's level from the URL
            for stale in ("x_threshold", "x_above", "x_by", "x_cross_series"):
                st.session_state.pop(stale, None)
        st.session_state["x_crossing_for"] = code
        scale, typed_unit = display_scale(unit)  # a share is typed in percent, as the chart shows it
        default_level = next((line.value for line in lines), float(focus_obs["value"].iloc[-1]) if len(
            focus_obs) else 0.0)
        session.seed_from_url("x_threshold", "threshold", round(default_level * scale, 6), parse=float,
                              use_url=not switched)
        bounds = dict(min_value=0.0, max_value=100.0) if scale == 100.0 else {}
        if bounds and not 0.0 <= st.session_state["x_threshold"] <= 100.0:
            st.warning(f"A share is between 0% and 100%; {st.session_state['x_threshold']:g} is out of range.")
            st.session_state["x_threshold"] = min(max(st.session_state["x_threshold"], 0.0), 100.0)
        session.seed_from_url("x_above", "above", int(ind["direction"]) >= 0, parse=lambda v: v != "0",
                              use_url=not switched)
        years = sorted({d.year for d in bundle.points["ds"]})
        session.seed_from_url("x_by", "by", years[-1], parse=int, use_url=not switched)
        session.keep_valid("x_by", years, fallback=years[-1])
        session.keep_valid("x_cross_series", with_forecast, fallback=with_forecast[0])
        cols = st.columns(4)
        key = cols[0].selectbox("Series", with_forecast, key="x_cross_series", format_func=labels.get)
        typed = cols[1].number_input(f"Level ({typed_unit})", key="x_threshold", format="%g", **bounds)
        threshold = typed / scale
        above = cols[2].toggle("At or above (off: at or below)", key="x_above")
        by_year = cols[3].selectbox("By the end of", years, key="x_by")
        result = page.query(queries.crossing, key, float(threshold), dt.date(by_year, 12, 31), bool(above))
        sign = "≥" if above else "≤"
        if result is None:
            st.write("This forecast has no sample paths to compute crossing probabilities from.")
        else:
            st.metric(f"P({plain(labels.get(key))} {sign} {format_value(threshold, unit)} at some point by {by_year})",
                      f"{result.probability:.0%}",
                      help=f"Share of {result.samples:,} predictive sample paths of the stored forecast that reach "
                           "the level at least once by then.")
            st.plotly_chart(charts.crossing_chart(result, label=f"{sign} {format_value(threshold, unit)}",
                                                  frequency=frequency), config={"displaylogo": False})
        url.update(threshold=f"{typed:g}", above=None if above else "0", by=by_year)

with events_tab:
    if not on_chart:
        st.write("No policy event relevant to this indicator falls within the chart's dates.")
    else:
        st.dataframe(policy.events_table(on_chart), hide_index=True,
                     column_config={"source": st.column_config.LinkColumn("source")})
        by_id = {e.uid: e for e in on_chart}
        session.seed_from_url("x_event", "event", None)
        session.keep_valid("x_event", [None, *by_id], fallback=None)
        cols = st.columns([3, 2])
        uid = cols[0].selectbox("What did this event do?", [None, *by_id], key="x_event",
                                format_func=lambda u: "choose an event" if u is None else
                                f"{by_id[u].date} {by_id[u].actor}: {by_id[u].title[:90]}")
        session.keep_valid("x_event_series", list(keys), fallback=keys[0])
        impact_key = cols[1].selectbox("Series", list(keys), key="x_event_series", format_func=labels.get)
        if uid is not None:
            impact, problem = page.query(queries.event_impact, uid, impact_key)
            if impact is None:
                st.write(problem)
            else:
                cards = st.columns(3)
                cards[0].metric("Gap against the pre-event forecast", f"{impact.gap_pct:+.1f}%",
                                help="Actual total over the window against the forecast made from the data "
                                     "before the event.")
                cards[1].metric("95% band of the gap", f"{impact.lo95_pct:+.1f}% to {impact.hi95_pct:+.1f}%")
                cards[2].metric("Placebo rank (1 = lowest)", f"{impact.placebo.rank} of {impact.placebo.of}")
                st.text("\n".join(impact_text(impact, by_id[uid], frequency)))
            url["event"] = uid

session.write_url(**url)
