"""China's share of US patent grants per sector and its ratio to the US count, from stored PatentsView series."""

from __future__ import annotations

import datetime as dt

import pytest

from autarky.metrics.runner import run_after_change
from autarky.store import ObservationIn, SeriesSpec

MONTH = dt.date(2026, 1, 1)
# Monthly counts as the collector stores them (CHN 4 and WLD 24: the CN-assignee and H01L counts SOURCES.md reports
# for the eq-message recording; USA 10 for the ratio).
COUNTS = {"CHN": 4, "USA": 10, "WLD": 24}


def test_share_of_all_grants_and_ratio_to_the_us(make_app):
    app = make_app()
    store = app.store
    store.register_sources(app.catalog)
    indicator = app.catalog.indicator("PV.SEMI.GRANTS")
    store.register_series([SeriesSpec.for_indicator(indicator, c) for c in COUNTS])
    written = store.write_observations([ObservationIn(f"patentsview:PV.SEMI.GRANTS:{c}", MONTH, v, None)
                                        for c, v in COUNTS.items()], source="patentsview")
    changed = run_after_change(app, written.changed_series)
    assert "derived:SR.PV.SEMI.SHARE:CHN" in changed and "derived:SR.PV.SEMI.VS.USA:CHN" in changed
    frame = store.observations(keys=["derived:SR.PV.SEMI.SHARE:CHN", "derived:SR.PV.SEMI.VS.USA:CHN"])
    values = dict(zip(frame["series_key"], frame["value"]))
    assert values["derived:SR.PV.SEMI.SHARE:CHN"] == pytest.approx(4 / 24)
    assert values["derived:SR.PV.SEMI.VS.USA:CHN"] == pytest.approx(0.4)
    assert set(frame["period"]) == {dt.datetime(2026, 1, 1)}
