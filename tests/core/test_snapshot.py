"""The bundled snapshot holds the published figures, with NCSES years mapped from row order correctly."""

from __future__ import annotations

import datetime as dt

from autarky.snapshot import load_snapshot


def _value(store, key, year):
    frame = store.observations(keys=[key])
    return frame.set_index("period")["value"][dt.datetime(year, 1, 1)]


def test_snapshot_values_match_the_published_tables(sqlite_store, catalog):
    results = load_snapshot(sqlite_store, catalog)
    assert results["wb"].inserted == 9377 and results["ncses"].inserted == 1763
    # World Bank WDI (data/wdi/*/data.csv)
    assert _value(sqlite_store, "wb:IP.PAT.RESD:CHN", 2021) == 1426644
    assert _value(sqlite_store, "wb:IP.PAT.NRES:CHN", 2021) == 159019
    # NCSES 10558 (PCT): World block rows r002.. are 2000..2022; r002 = 79862
    assert _value(sqlite_store, "ncses:NCSES.PCT.APPL:WLD", 2000) == 79862
    # NCSES 10557 (USPTO semiconductors): World r002 = 1998 = 5675, r024 = 2020 = 18610
    assert _value(sqlite_store, "ncses:NCSES.USPTO.SEMI:WLD", 1998) == 5675
    assert _value(sqlite_store, "ncses:NCSES.USPTO.SEMI:WLD", 2020) == 18610
    # NCSES 10578 (venture capital, wide): Total 2003 = 22804 US$ millions
    assert _value(sqlite_store, "ncses:NCSES.VC.INV:WLD", 2003) == 22804
    # NCSES 1993 (high R&D intensive trade, wide): Exports -> World, field_2003 = 1268387 US$ millions
    assert _value(sqlite_store, "ncses:NCSES.HRD.X:WLD", 2003) == 1268387
    # China Customs 8486 lines: "Other apparatus used for projected circuit..." (84862039), 2020
    assert _value(sqlite_store, "gacc:GACC.84862039.M:CHN", 2020) == 1618484575
    # Taiwan comes from NCSES and CSET, never from WDI (the World Bank has no Taiwan rows)
    taiwan = sqlite_store.series(countries=["TWN"])
    assert set(taiwan["source"]) == {"ncses", "cset"}


def test_snapshot_reload_changes_nothing(sqlite_store, catalog):
    load_snapshot(sqlite_store, catalog)
    again = load_snapshot(sqlite_store, catalog)
    assert all(r.inserted == 0 and r.updated == 0 for r in again.values())
    assert sqlite_store.revisions().empty
