"""Validation before storing: every problem names the source, the series and the bad value."""

from __future__ import annotations

import datetime as dt

import pytest

from autarky.errors import BatchRejected
from autarky.collectors.base import Record
from autarky.collectors.validate import validate_batch

TODAY = dt.date(2025, 6, 30)


def check(catalog, records, unit=lambda ind: ind.unit, source="wb"):
    return validate_batch(records, source_name="worldbank", source_code=source, catalog=catalog,
                          expected_unit=unit, today=TODAY, label="TEST")


def rejected(catalog, records, **kwargs) -> str:
    with pytest.raises(BatchRejected) as caught:
        check(catalog, records, **kwargs)
    return str(caught.value)


def test_good_records_become_observations(catalog):
    out = check(catalog, [Record("IP.PAT.RESD", "CHN", "2021", 1426644, vintage="2025-07-01"),
                          Record("IP.PAT.RESD", "CHN", 2020, "1344817")])
    assert [(o.series_key, o.period, o.value, o.vintage) for o in out] == [
        ("wb:IP.PAT.RESD:CHN", dt.date(2021, 1, 1), 1426644.0, "2025-07-01"),
        ("wb:IP.PAT.RESD:CHN", dt.date(2020, 1, 1), 1344817.0, None)]


@pytest.mark.parametrize("record,expected", [
    (Record("IP.PAT.RESD", "CHN", "2021", -5), "series wb:IP.PAT.RESD:CHN, period 2021-01-01: value -5 is below the "
                                               "catalog minimum 0"),
    (Record("TX.VAL.TECH.MF.ZS", "JPN", "2021", 130.2), "value 130.2 is above the catalog maximum 100"),
    (Record("IP.PAT.RESD", "CHN", "2021", "n/a"), "value 'n/a' is not a number"),
    (Record("IP.PAT.RESD", "CHN", "2021", float("nan")), "is not finite"),
    (Record("IP.PAT.RESD", "CHN", "twenty", 1), "period 'twenty' is not a date"),
    (Record("IP.PAT.RESD", "CHN", "2021-03", 1), "period '2021-03' is not the start of a period of frequency A"),
    (Record("IP.PAT.RESD", "CHN", "2031", 1), "period '2031' is outside 1900..2025-06-30"),
    (Record("IP.PAT.RESD", "TWN", "2021", 1), "country 'TWN' is not among the countries of IP.PAT.RESD"),
    (Record("NCSES.PCT.APPL", "CHN", "2021", 1),
     "indicator 'NCSES.PCT.APPL' is not a catalog indicator of source 'wb'"),
    (Record("IP.PAT.RESD", "CHN", "2021", 1, vintage="x" * 65), "is not a text of at most 64 characters"),
])
def test_each_problem_rejects_the_batch_naming_it(catalog, record, expected):
    message = rejected(catalog, [Record("IP.PAT.RESD", "CHN", "2019", 1), record])
    assert message.startswith("worldbank TEST: ")
    assert expected in message
    assert message.endswith("batch of 2 rows rejected, nothing of it stored")


def test_duplicates_within_a_batch_are_rejected(catalog):
    message = rejected(catalog, [Record("IP.PAT.RESD", "CHN", "2021", 1), Record("IP.PAT.RESD", "CHN", 2021, 2)])
    assert "series wb:IP.PAT.RESD:CHN, period 2021-01-01: value 2 duplicates value 1 earlier in the batch" in message


def test_units_must_match_what_the_collector_expects(catalog):
    message = rejected(catalog, [Record("IP.PAT.RESD", "CHN", "2021", 1, unit="patents")])
    assert "unit 'patents' differs from the catalog unit 'applications'" in message


def test_monthly_periods_are_checked_against_the_frequency(catalog):
    out = check(catalog, [Record("CTM.8542.M", "CHN", "202401", 1.0)], source="comtrade")
    assert out[0].period == dt.date(2024, 1, 1)


def test_all_problems_are_counted(catalog):
    message = rejected(catalog, [Record("IP.PAT.RESD", "CHN", "2021", -1), Record("IP.PAT.RESD", "CHN", "2020", -2)])
    assert "(and 1 more problems)" in message
