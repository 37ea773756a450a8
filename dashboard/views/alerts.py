"""Alerts: firing, pending and resolved alerts with their history, the configured rules, and email delivery."""

import json

import pandas as pd
import streamlit as st

from autarky.dashboard import queries, session, transforms
from autarky.dashboard.formatting import format_value, plain

STATE_BADGES = {"firing": "FIRING", "pending": "pending", "resolved": "resolved", "ok": "ok"}
STATE_HEADERS = {"last_value": "last value", "pending_count": "evaluations pending", "notify_count": "notices sent",
                 "last_notified_at": "last notice"}
STARTER_FILE = "alerts.example.toml"
RULE_FIELDS = ("name", "kind", "series", "indicator", "countries", "severity")

page = session.open_page("Alerts", "Rules watch the series; an alert goes ok → pending → firing → resolved, and "
                                   "email notices go through the outbox.")
data = page.data
indicators = page.query(queries.indicators)
states = page.query(queries.alert_states)
events = page.query(queries.alert_events)
outbox = page.query(queries.outbox_summary)
rules = data.settings.alert_rules


def readable(frame: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """Series keys as names, values in their unit, states as badges."""
    described = transforms.describe_keys(frame["series_key"].unique(), indicators, data.catalog)
    frame = frame.copy()
    frame.insert(1, "series", [described[k][0] for k in frame["series_key"]])
    frame[value_column] = [format_value(v, described[k][1]) for v, k in zip(frame[value_column],
                                                                            frame["series_key"])]
    return frame


STARTER_RULE = """[[alerts.rule]]
name = "China resident patent share above 0.8"
kind = "threshold"
series = "derived:SR.PAT.RESD.SHARE:CHN"   # computed by `autarky init` from the bundled World Bank data
above = 0.8
recover = 0.78
severity = "info"
recipients = ["you@example.org"]
"""


def show_starter_rules() -> None:
    """How to add a rule, with one that fires on the bundled data, and the shipped starter set to copy from."""
    st.markdown("**Add a rule**: put a table like this one in autarky.toml, then run `autarky alerts check` "
                "(China's resident share is 90% in 2021, so it fires at once):")
    st.code(STARTER_RULE, language="toml")
    starter = queries.methodology_text(name=STARTER_FILE)
    if starter:
        with st.expander(f"Starter rules ({STARTER_FILE}): one of every kind, on series the bundled data holds"):
            st.code(starter, language="toml")


counts = states["state"].value_counts()
cols = st.columns(5)
cols[0].metric("Firing", int(counts.get("firing", 0)), border=True)
cols[1].metric("Pending", int(counts.get("pending", 0)), border=True)
cols[2].metric("Resolved", int(counts.get("resolved", 0)), border=True)
cols[3].metric("Rules", len(rules), border=True)
cols[4].metric("Queued mail", outbox["queued"], border=True,
               help=f"{outbox['sent']} sent so far. A queued email is retried on the next `autarky alerts check`.")
if outbox["last_error"]:
    st.warning(f"Email delivery is failing ({outbox['attempts']} attempts): {plain(outbox['last_error'])}")

if states.empty:
    if rules:
        st.info("The rules have not been evaluated yet: run `autarky alerts check` (the scheduler runs it after each "
                "collection and forecast).")
    else:
        st.info("No alert rules configured yet. Add `[[alerts.rule]]` tables to autarky.toml (name, series or "
                "indicator and countries, kind, level, severity, recipients; see the README) and run "
                "`autarky alerts check`.")
        show_starter_rules()
else:
    active = states[states["state"].isin(["firing", "pending"])]
    st.subheader("Firing and pending")
    if active.empty:
        st.success("Nothing firing or pending.")
    else:
        table = readable(active, "last_value")
        table["state"] = table["state"].map(STATE_BADGES)
        st.dataframe(table[["state", "rule", "series", "last_value", "since", "pending_count", "notify_count",
                            "last_notified_at"]].rename(columns=STATE_HEADERS), hide_index=True)
    resolved = states[states["state"] == "resolved"]
    if len(resolved):
        st.subheader("Resolved")
        st.dataframe(readable(resolved, "last_value")[["rule", "series", "last_value", "since"]].rename(
            columns=STATE_HEADERS), hide_index=True)

st.subheader("History")
if events.empty:
    st.write("No alert has changed state yet.")
else:
    chosen = st.multiselect("Rules", sorted(events["rule"].unique()), key="a_rules",
                            placeholder="All rules")
    shown = events[events["rule"].isin(chosen)] if chosen else events
    history = readable(shown, "value")
    history["change"] = [f"{STATE_BADGES.get(a, a)} → {STATE_BADGES.get(b, b)}"
                         for a, b in zip(history["from_state"], history["to_state"])]
    st.dataframe(history[["at", "rule", "series", "change", "severity", "value", "message"]], hide_index=True)

st.subheader("Rules")
if rules:
    table = pd.DataFrame([{**{f: r.get(f) for f in RULE_FIELDS},
                           "parameters": json.dumps({k: v for k, v in r.items()
                                                     if k not in RULE_FIELDS and k != "recipients"}, default=str),
                           "recipients": len(r.get("recipients", []) or [])} for r in rules])
    st.dataframe(table.astype(str), hide_index=True)
    st.caption("Recipient addresses are not shown here; `autarky alerts list` prints them.")
else:
    st.write("No rules in the configuration.")
