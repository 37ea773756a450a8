"""Small helpers shared by the metrics tests."""

from __future__ import annotations

import datetime as dt


def stored(store, key: str) -> dict[int, float]:
    """Year -> value of one stored annual series."""
    frame = store.observations(keys=[key])
    return {p.year: v for p, v in zip(frame["period"], frame["value"])}


def year(value: int) -> dt.date:
    return dt.date(value, 1, 1)


# China's 2020 imports of HS 848620 from the World, bundled (autarky/data/snapshot/comtrade.csv, UN Comtrade).
TOOLS_WORLD_2020 = 13663292442.0
# China's 2020 HS 848620 imports by supplier: test inputs (the bundle holds no bilateral tool data).
TOOLS_BY_PARTNER = {"USA": 2.0e9, "JPN": 4.0e9, "NLD": 3.0e9, "KOR": 1.5e9, "TWN": 0.5e9, "DEU": 0.4e9,
                    "SGP": 0.6e9, "MYS": 0.1e9}


def store_tool_imports(store, catalog) -> None:
    """The bundled snapshot, plus China's 2020 tool imports by supplier under the collector's four-part keys."""
    from autarky.snapshot import load_snapshot
    from autarky.store import ObservationIn, SeriesSpec

    load_snapshot(store, catalog)
    indicator = catalog.indicator("CT.848620.M")
    store.register_series([SeriesSpec.for_indicator(indicator, "CHN", p) for p in TOOLS_BY_PARTNER])
    store.write_observations([ObservationIn(f"comtrade:CT.848620.M:CHN:{p}", 2020, v)
                              for p, v in TOOLS_BY_PARTNER.items()])
