"""Compare: one economy (China by default) against chosen peers on several indicators, raw or indexed."""

import pandas as pd
import streamlit as st

from autarky.dashboard import charts, queries, session, transforms
from autarky.dashboard import events as policy
from autarky.dashboard.formatting import plain, short_label

DEFAULT_INDICATORS = ("SR.PAT.RESD.SHARE", "IP.PAT.RESD", "GB.XPD.RSDV.GD.ZS", "NCSES.USPTO.SEMI",
                      "TX.VAL.TECH.MF.ZS", "NCSES.PCT.APPL")
MAX_INDICATORS = 8
LATEST_HELP = {"Indicator": "Full names in the panel titles above.",
               "Year": "The period of most of the row's latest values; a value from another period names it."}

page = session.open_page("Compare", "One economy against its peers on several indicators at once; index them to a "
                                    "base year to compare growth rather than size.")
data = page.data
catalog, settings = data.catalog, data.settings
indicators = page.query(queries.indicators)
held = indicators[indicators["series"] > 0]
names = dict(zip(held["code"], held["name"]))
economies = sorted({c for countries in held["countries"] for c in countries}, key=catalog.country_name)

session.seed_from_url("c_focus", "focus", settings.focus)
session.seed_from_url("c_peers", "peers", list(settings.peers), many=True)
session.seed_from_url("c_indicators", "indicators", [c for c in DEFAULT_INDICATORS if c in names][:4], many=True)
session.seed_from_url("c_indexed", "indexed", False, parse=lambda v: v == "1")
session.seed_from_url("c_events", "events", True, parse=lambda v: v != "0")
session.keep_valid("c_focus", economies, fallback=settings.focus)
session.keep_valid("c_indicators", list(names), many=True,
                   fallback=[c for c in DEFAULT_INDICATORS if c in names][:4])

top = st.columns([1, 3])
focus = top[0].selectbox("Economy", economies, key="c_focus", format_func=catalog.country_name)
# Short tags that fit (the full names in the tooltip, the panel titles and the table); two short names alike get
# their code.
tags = {code: short_label(name) for code, name in names.items()}
alike = {tag for tag in tags.values() if list(tags.values()).count(tag) > 1}
tags = {code: f"{tag} ({code})" if tag in alike else tag for code, tag in tags.items()}
picked = st.session_state.get("c_indicators") or []
chosen = top[1].multiselect("Indicators", list(names), key="c_indicators", format_func=tags.get,
                            max_selections=MAX_INDICATORS, wrap=True,
                            help="Full names: " + "; ".join(plain(names[c]) for c in picked) if picked else
                            f"Up to {MAX_INDICATORS} indicators, one panel each.")
# The economy given up as the focus stays in the comparison, as a peer (until the user removes it).
was = st.session_state.get("c_focus_was")
if was and was != focus and was in economies and was not in (st.session_state.get("c_peers") or []):
    st.session_state["c_peers"] = [was, *(st.session_state.get("c_peers") or [])]
st.session_state["c_focus_was"] = focus
peer_options = [c for c in economies if c != focus]
session.keep_valid("c_peers", peer_options, many=True, fallback=[c for c in settings.peers if c in peer_options])
peers = st.multiselect("Peers", peer_options, key="c_peers", format_func=catalog.country_name)
switches = st.columns(4)
indexed = switches[0].toggle("Index to a base year (= 100)", key="c_indexed")
show_events = switches[1].toggle("Policy events", key="c_events",
                                 help="Export controls and industrial policy relevant to each indicator.")

url = dict(focus=focus, peers=peers, indicators=chosen, indexed="1" if indexed else None,
           events=None if show_events else "0")
if not chosen:
    st.info("Choose at least one indicator.")
    session.write_url(**url)
    st.stop()

frames = {code: page.query(queries.observations, (code,), tuple([focus, *peers])) for code in chosen}
base_year = None
if indexed:
    present = [frame for frame in frames.values() if not frame.empty]
    combined = pd.concat(present, ignore_index=True) if present else next(iter(frames.values()))
    years = sorted(combined["period"].dt.year.unique().tolist())
    session.seed_from_url("c_base", "base", transforms.default_base_year(combined), parse=int)
    session.keep_valid("c_base", years, fallback=transforms.default_base_year(combined))
    base_year = st.selectbox("Base year", years, key="c_base",
                             help="Defaults to the latest year, at least ten years back, in which every series shown "
                                  "has a value.")
    url["base"] = base_year

units = dict(zip(indicators["code"], indicators["unit"]))
shown, labels, notes = {}, {}, []
for code, obs in frames.items():
    labels.update(transforms.series_labels(obs, catalog))
    if base_year and not obs.empty:
        obs, dropped = transforms.rebase(obs, base_year)
        if dropped:
            notes.append(plain(f"{names[code]}: {', '.join(labels.get(k, k) for k in dropped)}"))
    shown[code] = obs
missing = [names[c] for c, obs in frames.items() if obs.empty]
if missing:
    st.info(f"No data for these economies on: {plain('; '.join(missing))}.")
without = {code: [c for c in (focus, *peers) if c not in set(obs["country"])] for code, obs in frames.items()
           if not obs.empty}
gaps = "; ".join(f"{names[code]}: {', '.join(map(catalog.country_name, absent))}"
                 for code, absent in without.items() if absent)
if gaps:
    st.caption("No rows from the source for " + plain(gaps) + ".")
stored_events = page.query(queries.policy_events) if show_events else []
panel_events = {code: policy.chart_events(stored_events, catalog.indicators.get(code), obs["period"])
                for code, obs in shown.items() if not obs.empty}
st.plotly_chart(charts.compare_grid(shown, names, units, labels, focus=focus, order=[focus, *peers],
                                    base_year=base_year, events=panel_events), config={"displaylogo": False})
if any(panel_events.values()):
    st.caption("Grey triangles: policy events relevant to each indicator (hover for the title; sources in the "
               "explorer's Policy events tab).")
if notes:
    st.caption(f"Not indexed (no positive value in {base_year}): " + "; ".join(notes) + ".")

st.subheader("Latest values")
latest = transforms.latest_values(frames, names, units, labels, [catalog.country_name(c) for c in (focus, *peers)])
if len(latest.columns) > 2:
    st.dataframe(latest, hide_index=True, column_config=session.fitted_columns(latest, "Indicator", LATEST_HELP))
    st.caption("Each economy's latest value; one from another period than the row's year names its period.")
sources = indicators.set_index("code").loc[chosen, ["attribution", "licence"]].drop_duplicates()
st.caption("Sources: " + "; ".join(plain(f"{row.attribution} ({row.licence})" if row.licence else row.attribution)
                                   for row in sources.itertuples()) + ".")
present = [frame for frame in frames.values() if not frame.empty]
if present:
    session.csv_download("Download CSV (the values compared)",
                         lambda: transforms.export_frame(pd.concat(present, ignore_index=True), transforms.NO_POINTS),
                         file_name=f"autarky_compare_{focus}_{'_'.join(peers)}.csv")
session.write_url(**url)
