"""Supply chain: the semiconductor chain by stage, China's share of each input against the leading suppliers,
chokepoints, and the trade series of each input's HS codes with their forecasts."""

import streamlit as st

from autarky.dashboard import charts, queries, session, supply, transforms
from autarky.dashboard.formatting import format_value, md_plain, period_label

LATEST = "latest"

page = session.open_page("Supply chain", "Design, fabrication, assembly/test/packaging: who supplies each input, "
                                         "how much of it China makes, where three countries hold it, and what "
                                         "China imports of it.")
data = page.data
catalog = data.catalog

# ---------------------------------------------------------------- CSET shares by stage and input
st.subheader("Shares of world supply, by stage and input")
excluded = page.query(queries.cset_excluded)
table = page.query(queries.supply_table, None) if not excluded else None
if excluded:
    st.info("CSET's supply-chain shares are left out of this deployment (config [snapshot] exclude = [\"cset\"]): "
            "their licence, CC BY-NC 4.0, is non-commercial. The trade series below come from other sources.")
elif table.empty:
    st.info("No CSET supply-chain shares are stored yet: run `autarky init` to load the bundled snapshot "
            "(part cset).")
else:
    limits = page.query(queries.supply_thresholds)
    years = sorted({int(y) for y in page.query(queries.supply_shares)["period"].dt.year})
    session.seed_from_url("sc_year", "year", LATEST, parse=lambda v: v if v == LATEST else int(v))
    session.keep_valid("sc_year", [LATEST, *years], fallback=LATEST)
    left, middle, right = st.columns([1, 2, 2])
    year = left.selectbox("Year", [LATEST, *years], key="sc_year",
                          format_func=lambda y: "Latest per input" if y == LATEST else str(y))
    kinds = [k for k in supply.KIND_ORDER if k in set(table["kind"])]
    chosen_kinds = middle.multiselect("Inputs", kinds, default=[k for k in kinds if k != "process"], key="sc_kinds")
    only_choke = right.toggle("Chokepoints only", key="sc_choke")
    shown = table if year == LATEST else page.query(queries.supply_table, int(year))
    st.caption(limits.describe() + " ⛔ marks a chokepoint; an input CSET lists no Chinese supplier for counts as "
               "0% for China.")
    st.text("\n".join(supply.summary_lines(shown)))
    stages = [s for s in shown["stage"].unique()]
    for stage in stages:
        part = shown[(shown["stage"] == stage) & (shown["kind"].isin([*chosen_kinds, "stage"]))]
        if only_choke:
            part = part[part["chokepoint"] | (part["kind"] == "stage")]
        if part.empty:
            continue
        st.markdown(f"#### {md_plain(stage)}")
        whole = part[part["kind"] == "stage"]
        if len(whole):
            row = whole.iloc[0]
            st.text(f"The stage as a whole ({row['year']}): China {supply.percent(row['china'])}; "
                    f"leaders {row['leaders']}.")
        inputs = part[part["kind"] != "stage"]
        if len(inputs):
            st.plotly_chart(charts.supply_chart(inputs, f"{stage}: China against the top 3 suppliers"),
                            config={"displaylogo": False}, key=f"sc_chart_{stage}")
            st.dataframe(inputs[["input", "kind", "year", "china", "china_rank", "leaders", "top3", "chokepoint",
                                 "trade"]], hide_index=True,
                         column_config={"china": st.column_config.NumberColumn("China %", format="%.1f"),
                                        "china_rank": st.column_config.NumberColumn("China's rank"),
                                        "top3": st.column_config.NumberColumn("Top 3 %", format="%.1f"),
                                        "trade": "trade series (below)"})
        st.caption(supply.licence_line())
    st.caption("CSET's shares mix measures by input (sales, capacity by location, firm headquarters) and years; "
               "each input's year is in its row. " + supply.licence_line())

# ---------------------------------------------------------------- trade series of each input
st.subheader("Trade in each input (HS codes)")
options = list(supply.INPUT_TRADE)
session.seed_from_url("sc_input", "input", options[0])
session.keep_valid("sc_input", options, fallback=options[0])
input_id = st.selectbox("Input", options, key="sc_input", format_func=lambda i: supply.INPUT_TRADE[i][0])
codes = supply.trade_codes(input_id)
obs = page.query(queries.trade_series, codes)
if obs.empty:
    st.info("None of this input's trade series holds data yet: `autarky collect comtrade` fetches them.")
bundle = page.query(queries.forecast_bundle, tuple(obs["series_key"].unique()))
indicators = page.query(queries.indicators).set_index("code")
for code in codes:
    mine = obs[obs["indicator"] == code]
    if mine.empty or code not in indicators.index:
        continue
    ind = indicators.loc[code]
    labels = transforms.series_labels(mine, catalog)
    figure = charts.indicator_chart(mine, bundle.points, labels, title=str(ind["name"]), unit=str(ind["unit"]),
                                    frequency=str(ind["frequency"]), order=[supply.FOCUS])
    st.plotly_chart(figure, config={"displaylogo": False}, key=f"sc_trade_{code}")
    for key, group in mine.sort_values("period").groupby("series_key"):
        last = group.iloc[-1]
        st.text(f"{labels.get(key, key)}, {period_label(last['period'], last['frequency'])}: "
                f"{format_value(last['value'], str(ind['unit']))}")
    source = catalog.sources.get(str(ind["source"]))
    st.caption(transforms.provenance(ind, source.name if source else str(ind["source"]), mine,
                                     page.query(queries.series_updates, tuple(mine["series_key"].unique()))))
if not obs.empty and bundle.points.empty:
    st.caption("No forecasts yet for these series: run `autarky forecast` to add them (dashed, with bands).")
session.write_url(input=input_id, year=st.session_state.get("sc_year"))
