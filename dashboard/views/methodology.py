"""Methodology: definitions, formulas and sources, from METHODOLOGY.md and the indicator catalog."""

import pandas as pd
import streamlit as st

from autarky.dashboard import queries, session, transforms

page = session.open_page("Methodology", "How every figure here is defined, computed, forecast and sourced.",
                         require_data=False)
catalog = page.catalog

text = queries.methodology_text()
if text:
    with st.expander("METHODOLOGY.md", expanded=True):
        st.markdown(text)
else:
    st.info("METHODOLOGY.md is not available in this installation yet. The catalog below lists every indicator "
            "with its definition and source.")

st.subheader("Indicators")
st.dataframe(transforms.catalog_table(catalog), hide_index=True)

if page.ready:
    series = page.query(queries.series_table)
    derived = series[series["formula"].notna() & (series["formula"] != "")].drop_duplicates("indicator")
    if len(derived):
        st.subheader("Derived series")
        st.dataframe(derived[["indicator", "name", "unit", "formula"]], hide_index=True)

st.subheader("Sources and licences")
st.dataframe(pd.DataFrame([{"source": s.code, "name": s.name, "licence": s.licence, "attribution": s.attribution,
                            "base URL": s.base_url} for s in catalog.sources.values()]), hide_index=True)

st.subheader("Forecasts")
st.markdown("""
Each series is forecast by several models (random walk with drift, naive, ETS, Theta, ARIMA, Prophet where it is
strong) and the model is chosen per series by rolling-origin backtests, scored by MASE, sMAPE and the coverage of
the 80% and 95% intervals; the explorer shows the scores. Crossing probabilities ("P(level reached by a year)") are
the share of the chosen model's predictive sample paths that reach the level. Forecast steps further ahead than a
third of the history are shaded on the charts as not credible.
""")

st.subheader("Policy targets drawn on the charts")
st.dataframe(pd.DataFrame([{"indicator": t.indicator, "level": t.value, "year": t.year, "label": t.label,
                            "countries": ", ".join(t.countries) or "all", "source": t.source}
                           for t in page.settings.targets]), hide_index=True)
