"""The real monthly series the event tests use: Korea's exports of HS 8542 to China (tests/fixtures/chips)."""

from __future__ import annotations

import csv
from pathlib import Path

from autarky.store import ObservationIn, SeriesSpec, Store

CHIPS_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "chips" / "korea_exports_to_china_8486_8542_monthly.csv"
# A bilateral key of the form the supply-chain stage uses (source:INDICATOR:REPORTER:PARTNER); the code is key-agnostic.
KEY = "file:TEST.X.8542:KOR:CHN"
INDICATOR = "TEST.X.8542"
# The catalog entry, as autarky.toml `[[indicator]]` text: HS 8542, semiconductors and computing.
INDICATOR_TOML = f"""
[[indicator]]
code = "{INDICATOR}"
name = "Korea's exports of integrated circuits (HS 8542) to China"
category = "trade"
source = "file"
unit = "thousand US$"
frequency = "M"
direction = 1
sectors = ["semiconductors", "computing_ai"]
min = 0
params = {{ hs = "8542" }}
"""


def chip_rows() -> list[tuple[str, float]]:
    with CHIPS_CSV.open(newline="", encoding="utf-8") as handle:
        return [(row["Date"][:7], float(row["8542"])) for row in csv.DictReader(handle)]


def store_chip_series(store: Store, until: str = "9999-12") -> str:
    """Register the series and store its months (all 89, or up to `until`, YYYY-MM); returns its key."""
    store.register_series([SeriesSpec(key=KEY, indicator=INDICATOR, country="KOR", source="file", frequency="M",
                                      unit="thousand US$", category="trade", direction=1,
                                      name="Korea's exports of HS 8542 to China")])
    store.write_observations([ObservationIn(KEY, period, value, "apricitas@bf156f192d4d")
                              for period, value in chip_rows() if period <= until], source="test fixture")
    return KEY
