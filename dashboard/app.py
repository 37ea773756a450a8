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
    ("supply_chain.py", "Supply chain", ":material/precision_manufacturing:"),
    ("alerts.py", "Alerts", ":material/notifications:"),
    ("data_health.py", "Data health", ":material/monitor_heart:"),
    ("methodology.py", "Methodology", ":material/menu_book:"),
]

# An emoji favicon is drawn inline; a :material/...: one would be fetched from a font CDN, and no page may ask
# any host but the dashboard's own.
st.set_page_config(page_title="Autarky", page_icon="🌐", layout="wide")
session.require_login()
navigation = st.navigation([st.Page(HERE / "views" / file, title=title, icon=icon, default=number == 0)
                            for number, (file, title, icon) in enumerate(PAGES)])
st.sidebar.caption("Autarky: technological self-reliance from public data. Read-only view of the store.")
navigation.run()
