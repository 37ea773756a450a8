"""Scorecard: per sector of the catalog, each economy's value on every indicator in a common period, rank, move."""

import streamlit as st

from autarky.dashboard import maps, queries, scorecard, session
from autarky.dashboard.formatting import plain

DEFAULT_SECTOR = "semiconductors"
ROW_PX = 35  # Streamlit's dataframe row height

page = session.open_page("Scorecard", "Per sector: each economy's value on every indicator in a common period, its "
                                      "rank among all economies the store holds and the direction of its latest "
                                      "change.")
data = page.data
catalog, settings = data.catalog, data.settings
indicators = page.query(queries.indicators)

sectors = list(catalog.sectors)
session.seed_from_url("s_sector", "sector", DEFAULT_SECTOR if DEFAULT_SECTOR in sectors else sectors[0])
session.keep_valid("s_sector", sectors, fallback=sectors[0])
left, right = st.columns([1, 2])
sector = left.selectbox("Sector", sectors, key="s_sector", format_func=lambda s: catalog.sectors[s].split(":")[0],
                        help="The catalog's sectors; economy-wide capacity holds R&D, patents and royalties.")
codes = scorecard.sector_codes(indicators, sector)
meta = indicators.set_index("code")
available = sorted({c for code in codes for c in meta.loc[code, "countries"]},
                   key=lambda c: (c not in catalog.countries, maps.economy_name(c, catalog)))
ranked_countries = [settings.focus, *settings.peers]
session.seed_from_url("s_countries", "countries", None, many=True)
session.keep_valid("s_countries", available, many=True, fallback=[c for c in ranked_countries if c in available])
countries = right.multiselect("Economies", available, key="s_countries",
                               format_func=lambda c: maps.economy_name(c, catalog))
st.caption(plain(catalog.sectors[sector]))
session.write_url(sector=sector, countries=countries)
if not codes:
    st.info("The store holds no indicator of this sector yet: run `autarky collect`.")
    st.stop()
if not countries:
    st.info("Choose at least one economy.")
    st.stop()

obs = page.query(queries.observations, tuple(codes))
tables, single = scorecard.sections(obs, indicators, catalog, codes, countries)
for label, table in tables.items():
    st.subheader(label)
    st.dataframe(table, hide_index=True, height=ROW_PX * (len(table) + 1) + 3,  # every row, no inner scroll
                 column_config=session.fitted_columns(table, "indicator", pinned_max_px=320))
if not tables:
    st.info("No indicator of this sector has values for two or more of these economies.")
st.caption("Each row is in the indicator's common period (the latest in which most of these economies report); an "
           "economy without a value then shows its latest, with its period. #1 is the most self-reliant by the indicator's direction (the "
           "largest for context indicators) among every economy the store holds that period, aggregates left out. "
           f"{scorecard.RISE} rose, {scorecard.FALL} fell, {scorecard.FLAT} unchanged since the economy's previous "
           "period. The explorer draws any row (its code) over time and on a map.")
if single:
    with st.expander(f"{len(single)} indicators reported by one of these economies only, so not scored here"):
        st.dataframe(indicators.loc[indicators["code"].isin(single), ["code", "name", "countries"]],
                     hide_index=True)
if any(i == "supply" for i in indicators.loc[indicators["sectors"].map(lambda s: sector in s), "category"]):
    st.caption("Shares of world supply per input of the chip supply chain (CSET) are on the Supply chain page.")
