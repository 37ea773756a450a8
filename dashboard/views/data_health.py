"""Data health: per source the last run, its outcome and counts, freshness, revisions and failed batches."""

import datetime as dt
import os

import pandas as pd
import streamlit as st

from autarky.dashboard import health, queries, session
from autarky.dashboard.formatting import period_label, plain

RECENT_RUNS = 200
RECENT_REVISIONS = 100

page = session.open_page("Data health", "Can I trust it? What each source delivered and when, whether it is due, "
                                        "what was revised, and what was rejected.")
data = page.data
series = page.query(queries.series_table)
updates = page.query(queries.series_updates)
runs = page.query(queries.runs, RECENT_RUNS)
sources = page.query(queries.sources)
names = dict(zip(sources["code"], sources["name"]))
now = dt.datetime.now(dt.timezone.utc)
linked = st.query_params.get("source")  # alert emails about a stale source link here with ?source=CODE
if linked:
    runs = runs[[health.run_source(name)[0] == linked for name in runs["source"]]]
    st.info(f"Showing the runs of source {plain(linked)} (linked from an alert).")
    st.page_link("views/data_health.py", label="All sources", icon=":material/list:")

# ---------------------------------------------------------------- per source
st.subheader("Sources")
sources_health = health.source_health(series, updates, runs, names, dict(data.settings.cadence_days), now)
stale = sources_health[sources_health["freshness"].str.startswith("STALE")]
if len(stale):
    st.warning("Stale: " + ", ".join(f"{plain(r.name)} ({plain(r.freshness)})" for r in stale.itertuples()))
st.dataframe(sources_health, hide_index=True, column_config={
    "last new data": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    "last run": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    "last collected": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
st.caption("Outcome: +inserted ~updated =unchanged xrejected. Freshness compares the last successful collection "
           "with the expected cadence (`[dashboard.cadence_days]`); the bundled snapshot is a one-off load, not a "
           "collection.")

for line in health.keys_missing(page.catalog, os.environ):
    st.text(line)

# ---------------------------------------------------------------- per indicator
st.subheader("Coverage by indicator")
stored = series[series["observations"] > 0]
coverage = []
for code, group in stored.groupby("indicator"):
    latest = max(group["last_period"])
    coverage.append({"indicator": code, "name": group["name"].iloc[0], "source": group["source"].iloc[0],
                     "series": len(group), "observations": int(group["observations"].sum()),
                     "first period": period_label(min(group["first_period"]), group["frequency"].iloc[0]),
                     "latest period": period_label(latest, group["frequency"].iloc[0]),
                     "countries with the latest period": int((group["last_period"] == latest).sum())})
st.dataframe(pd.DataFrame(coverage), hide_index=True)

# ---------------------------------------------------------------- problems
st.subheader("Rejected and failed batches")
problems = runs[(runs["status"] == "failed") | (runs["rejected"] > 0)]
if problems.empty:
    st.success(f"None in the last {min(len(runs), RECENT_RUNS)} runs.")
else:
    st.dataframe(problems[["started_at", "source", "status", "rejected", "error"]], hide_index=True)

st.subheader("Recent revisions")
revisions = page.query(queries.revisions, RECENT_REVISIONS)
if revisions.empty:
    st.write("No stored value has been revised yet. When a source changes a published figure, the old value, "
             "its vintage and the change show up here.")
else:
    st.dataframe(revisions[["revised_at", "series_key", "period", "old_value", "new_value", "change_pct",
                            "old_vintage", "new_vintage"]], hide_index=True,
                 column_config={"change_pct": st.column_config.NumberColumn("change %", format="%+.2f%%")})

st.subheader("Forecasts")
runs_by_series = page.query(queries.forecast_summary)
if runs_by_series.empty:
    st.write("No forecasts yet: run `autarky forecast`.")
else:
    status = runs_by_series["status"].value_counts()
    st.write(", ".join(f"{count} {name}" for name, count in status.items())
             + f"; newest run {runs_by_series['created_at'].max():%Y-%m-%d %H:%M}.")
    not_ok = runs_by_series[runs_by_series["status"] != "ok"]
    if len(not_ok):
        st.dataframe(not_ok[["series_key", "status", "reason", "n_obs"]], hide_index=True)

st.subheader("Collection runs")
st.dataframe(runs, hide_index=True)
