"""Overview: firing alerts, the Self-Reliance Index per country, and headline indicators for the focus country."""

import streamlit as st

from autarky.events.relevance import relevant_events
from autarky.metrics.sensitivity import panel_year
from autarky.dashboard import charts, chips_row, queries, session, transforms
from autarky.dashboard.formatting import format_change, format_value, period_label, plain
from autarky.dashboard.settings import MAX_HEADLINE_CARDS

CARDS_PER_ROW = 4
DELTA_COLORS = {1: "normal", -1: "inverse", 0: "off"}
TREND_WORDS = {1: "↗ forecast rising", -1: "↘ forecast falling", 0: "→ forecast flat"}

page = session.open_page("Overview", "Where China stands on technological self-reliance, where it is heading, and "
                                     "what just changed. Every figure links to its source.")
data = page.data
focus, peers = data.settings.focus, data.settings.peers
focus_name = data.catalog.country_name(focus)
indicators = page.query(queries.indicators)


# ---------------------------------------------------------------- alerts first
states = page.query(queries.alert_states)
firing = states[states["state"] == "firing"]
if len(firing):
    described = transforms.describe_keys(firing["series_key"], indicators, data.catalog)
    lines = [f"- **{plain(row.rule)}**: {plain(described[row.series_key][0])} (last value "
             f"{plain(format_value(row.last_value, described[row.series_key][1]))}, since {row.since:%Y-%m-%d})"
             for row in firing.itertuples()]
    st.error(f"**{len(firing)} alert{'s' if len(firing) > 1 else ''} firing**\n\n" + "\n".join(lines))
    st.page_link("views/alerts.py", label="All alerts and their history", icon=":material/notifications:")
elif len(states) or data.settings.alert_rules:
    st.success(f"No alerts firing ({len(data.settings.alert_rules)} rules, {len(states)} series watched).")
else:
    st.caption("No alert rules configured yet: add `[[alerts.rule]]` tables to autarky.toml and run "
               "`autarky alerts check`.")

# ---------------------------------------------------------------- Self-Reliance Index
st.subheader("Self-Reliance Index")
index = page.query(queries.self_reliance_index)
if index.empty:
    st.info("The Self-Reliance Index is not available yet: it appears here once the metrics stage has computed it "
            "(`autarky metrics`, stored as `derived:SR.INDEX:<country>` series).")
else:
    labels = transforms.series_labels(index, data.catalog)
    ranking = page.query(queries.index_ranking)
    # Every economy on one year, the panel year the ranking below (and `autarky index`) uses, not each one's latest.
    year = ranking.attrs["year"] if ranking is not None and len(ranking) else panel_year(index)
    left, right = st.columns([4, 3])
    left.altair_chart(charts.index_chart(index, labels, focus, [focus, *peers]))
    right.markdown(f"**Ranking, {year}** (the panel year: the latest in which the most economies have a value)")
    ranked = transforms.year_table(index, data.catalog, year, str(index["unit"].iloc[0]), "Index")
    right.dataframe(ranked, hide_index=True, column_config={
        "Change": st.column_config.TextColumn(help=f"On {year - 1}, in points"),
        "Rank": st.column_config.TextColumn(help=f"Among the economies with a value in {year}")})
    formulas = page.query(queries.series_table)
    method = formulas.loc[formulas["indicator"] == queries.INDEX_INDICATOR, "formula"].dropna()
    if len(method):
        right.caption(f"Method: {plain(method.iloc[0])}")
    change = page.query(queries.index_change, focus)
    if change is not None and len(change):
        moved = change.attrs
        span = (f" from {moved['previous']} to {moved['period']} ({format_value(moved.get('previous_value'), '')} → "
                f"{format_value(moved.get('value'), '')})" if moved.get("previous") else "")
        with st.expander(f"Why {plain(focus_name)}'s index moved{' ' + plain(span) if span else ''}, component by "
                         "component"):
            st.dataframe(transforms.change_table(change, indicators, moved.get("previous"), moved["period"]),
                         hide_index=True, column_config={"Component": st.column_config.TextColumn(pinned=True)})
            st.caption("Contributions add up to the index; the change column adds up to its change.")
    if ranking is not None and len(ranking):
        facts = ranking.attrs
        st.markdown(f"**Pillars and rank uncertainty, {facts['year']}** (every economy on the same year)")
        st.dataframe(ranking, hide_index=True, column_config={
            name: st.column_config.NumberColumn(format="%.1f") for name in ranking.columns
            if ranking[name].dtype.kind == "f"})
        st.caption(f"Dependence: royalty and trade coverage of chips, chip tools and R&D-intensive goods; capacity: "
                   f"R&D, researchers, USPTO patents by inventor per GDP, medium/high-tech manufacturing. The index "
                   f"is their mean. 90% rank interval from {facts['draws']} Monte Carlo draws (seed {facts['seed']}) "
                   f"over weights, normalisation, aggregation and leaving out one component; moves ranks most: "
                   + "; ".join(facts["moves"]) + ". Sources: World Bank WDI (CC BY 4.0), NSF NCSES (public "
                   "domain), UN Comtrade; see Methodology.")

# ---------------------------------------------------------------- headline cards
st.subheader(f"{plain(focus_name)}: headline indicators")
held = set(indicators.loc[indicators["series"] > 0, "code"])
codes = tuple(c for c in data.settings.headline if c in held)
observations = page.query(queries.observations, codes)
bundle = page.query(queries.forecast_bundle, transforms.focus_keys(indicators, codes, focus))
cards = transforms.headline_cards(observations, indicators, codes, focus, bundle.points)[:MAX_HEADLINE_CARDS]
policy_events = page.query(queries.policy_events)
if not cards:
    st.info(f"No headline indicator has data for {plain(focus_name)} yet.")
for start in range(0, len(cards), CARDS_PER_ROW):
    for column, card in zip(st.columns(CARDS_PER_ROW), cards[start:start + CARDS_PER_ROW]):
        with column.container(border=True):
            st.markdown(f"**{plain(card.name)}**")
            st.metric(card.name, format_value(card.value, card.unit), label_visibility="collapsed",
                      delta=format_change(card.value, card.previous, card.unit),
                      delta_color=DELTA_COLORS.get(card.direction, "off"), chart_data=list(card.history),
                      help=f"{plain(card.code)} ({plain(card.unit)}). Change on the previous period. Rank among the economies "
                           "reporting that period: 1 = " + ("largest." if card.direction == 0 else
                                                             "most self-reliant on this measure."))
            notes = [card.period_label]
            if card.rank:
                notes.append(f"rank {card.rank} of {card.ranked}")
            if card.forecast_value is not None:
                notes.append(f"{TREND_WORDS[card.forecast_trend]} to "
                             f"{format_value(card.forecast_value, card.unit)} in "
                             f"{period_label(card.forecast_period, card.frequency)}")
            latest_event = relevant_events(policy_events, data.catalog.indicators.get(card.code))[-1:]
            if latest_event:  # the explorer marks them all on the chart
                notes.append(f"latest policy event {latest_event[0].date} ({plain(latest_event[0].actor)})")
            st.caption(" · ".join(notes))
            st.page_link("views/explorer.py", label="Explore", icon=":material/query_stats:",
                         query_params={"indicator": card.code, "countries": ",".join((focus, *peers))})
if cards and bundle.points.empty:
    st.caption("No forecasts yet: run `autarky forecast` to add forecast directions here.")

chips_row.show(page)

# ---------------------------------------------------------------- what is stored
series = page.query(queries.series_table)
stored = series[series["observations"] > 0]
st.caption(f"{int(stored['observations'].sum()):,} observations in {len(stored):,} series from "
           f"{stored['source'].nunique()} sources. See Data health for freshness and revisions.")
