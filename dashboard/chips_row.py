"""The overview's chips row: chip and chip-tool trade and China's lithography share, from the bundled data."""

from __future__ import annotations

import streamlit as st

from autarky.dashboard import queries
from autarky.dashboard.formatting import format_change
from autarky.dashboard.session import Page


def show(page: Page) -> None:
    """One card per chips series the store holds, each with its period, source and licence."""
    cards = page.query(queries.chip_cards)
    st.subheader("Chips: trade and supply")
    if not cards:
        st.info("No chip trade or supply-chain data yet: `autarky init` loads the bundled snapshot.")
        return
    for column, card in zip(st.columns(len(cards)), cards):
        with column.container(border=True):
            st.text(card.label)
            st.metric(card.label, card.shown, label_visibility="collapsed",
                      delta=format_change(card.value, card.previous, card.unit), delta_color="off",
                      help=f"{card.code} ({card.unit}). Change on the previous period.")
            st.caption(f"{card.period} · Source: {card.source} · Licence: {card.licence}")
    st.page_link("views/supply_chain.py", label="The supply chain, input by input", icon=":material/factory:")
