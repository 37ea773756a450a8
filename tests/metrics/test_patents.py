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


def test_a_lagged_formula_gives_growth_from_the_bundled_wdi_values(make_app):
    # China's resident patent applications (WDI IP.PAT.RESD, autarky/data/snapshot/wdi.csv): 1,344,817 in 2020,
    # 1,426,644 in 2021 -> growth 1426644 / 1344817 - 1 = 6.08%; 2019 has 1,243,568 -> 2020 growth 8.14%.
    from autarky.snapshot import load_snapshot

    app = make_app('[metrics]\n[[metrics.metric]]\ncode = "TEST.RESD.GROWTH"\nname = "growth"\n'
                   'formula = "IP.PAT.RESD / IP.PAT.RESD[-1] - 1"\ninputs = ["IP.PAT.RESD"]\nunit = "share"\n'
                   'direction = 1\ncategory = "patent"\n')
    load_snapshot(app.store, app.catalog)
    run_after_change(app, frozenset({"wb:IP.PAT.RESD:CHN"}))
    frame = app.store.observations(keys=["derived:TEST.RESD.GROWTH:CHN"])
    growth = {p.year: v for p, v in zip(frame["period"], frame["value"])}
    assert growth[2021] == pytest.approx(1426644 / 1344817 - 1) and growth[2020] == pytest.approx(1344817 / 1243568 - 1)
    assert min(growth) > 1960  # the first year has no year before it: not computed, not zero


def test_growth_and_ratio_to_the_us_allies_per_sector(make_app):
    app = make_app()
    store = app.store
    store.register_sources(app.catalog)
    indicator = app.catalog.indicator("PV.SEMI.GRANTS")
    year_before = dt.date(2025, 1, 1)
    # CHN 4 as in COUNTS; the year-earlier month and the allies' counts are test inputs, not data.
    counts = {("CHN", MONTH): 4, ("CHN", year_before): 2, ("JPN", MONTH): 5, ("KOR", MONTH): 3,
              ("DEU", MONTH): 1, ("TWN", MONTH): 2, ("NLD", MONTH): 1, ("USA", MONTH): 10}
    store.register_series([SeriesSpec.for_indicator(indicator, c) for c in {c for c, _ in counts}])
    written = store.write_observations([ObservationIn(f"patentsview:PV.SEMI.GRANTS:{c}", m, v, None)
                                        for (c, m), v in counts.items()], source="patentsview")
    run_after_change(app, written.changed_series)
    keys = ["derived:SR.PV.SEMI.GROWTH:CHN", "derived:SR.PV.SEMI.VS.ALLIES:CHN", "derived:SR.PV.SEMI.VS.ALLIES:USA",
            "derived:SR.PV.SEMI.GROWTH:JPN"]
    frame = store.observations(keys=keys)
    values = {(k, p.date()): v for k, p, v in zip(frame["series_key"], frame["period"], frame["value"])}
    assert values == {("derived:SR.PV.SEMI.GROWTH:CHN", MONTH): pytest.approx(4 / 2 - 1),
                      ("derived:SR.PV.SEMI.VS.ALLIES:CHN", MONTH): pytest.approx(4 / 12),
                      ("derived:SR.PV.SEMI.VS.ALLIES:USA", MONTH): pytest.approx(10 / 12)}
