"""Autarky dashboard entry point: `autarky dashboard`, or `streamlit run dashboard/app.py`. Reads only."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from autarky.dashboard import session

HERE = Path(__file__).resolve().parent

PAGES = [
    ("overview.py", "Overview", ":material/dashboard:"),
    ("explorer.py", "Indicator explorer", ":material/query_stats:"),
    ("compare.py", "Compare", ":material/compare_arrows:"),
    ("scorecard.py", "Scorecard", ":material/leaderboard:"),
    ("supply_chain.py", "Supply chain", ":material/precision_manufacturing:"),
    ("alerts.py", "Alerts", ":material/notifications:"),
    ("data_health.py", "Data health", ":material/monitor_heart:"),
    ("methodology.py", "Methodology", ":material/menu_book:"),
]

# An emoji favicon is drawn inline; a :material/...: one would be fetched from a font CDN, and no page may ask
# any host but the dashboard's own.
st.set_page_config(page_title="Autarky", page_icon="🌐", layout="wide")
# The pages are declared before the sign-in, so a deep link (/explorer?series=...) opens once the password is given.
navigation = st.navigation(session.declare_pages(HERE / "views", PAGES),
                           position="sidebar" if session.signed_in() else "hidden")
session.require_login()
st.sidebar.caption("Autarky: technological self-reliance from public data. Read-only view of the store.")
navigation.run()
