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


def test_ceilings_by_unit_for_money_and_counts_only():
    from autarky.collectors.validate import default_max
    assert default_max("current US$") == 1e15 and default_max("US$") == 1e15
    assert default_max("thousand US$") == 1e12 and default_max("US$ millions") == 1e9
    assert default_max("applications") == 1e9 and default_max("patents") == 1e9
    assert default_max("%") is None and default_max("% of GDP") is None and default_max("per million people") is None


def test_jumps_are_measured_against_the_nearest_stored_periods_only():
    from autarky.collectors.validate import check_jumps
    from autarky.store import ObservationIn
    key = "wb:IP.PAT.RESD:CHN"
    stored = {key: {dt.date(2019, 1, 1): 1.0, dt.date(2020, 1, 1): 1000.0, dt.date(2022, 1, 1): 1200.0}}
    # 2021 is compared with 2020 and 2022, not with the far 2019
    check_jumps([ObservationIn(key, dt.date(2021, 1, 1), 1100.0)], stored, source_name="worldbank", max_jump=1000)
    check_jumps([ObservationIn(key, dt.date(2021, 1, 1), 0.0)], stored, source_name="worldbank", max_jump=1000)
    with pytest.raises(BatchRejected, match=r"value 2e\+06 is more than x1000 away from the stored 1200 of "
                                            r"2022-01-01"):
        check_jumps([ObservationIn(key, dt.date(2023, 1, 1), 2e6)], stored, source_name="worldbank", max_jump=1000)
    check_jumps([ObservationIn(key, dt.date(2023, 1, 1), 2e6)], stored, source_name="worldbank", max_jump=0)


def test_rows_outside_what_was_asked_are_named(catalog):
    from autarky.collectors.base import Asked
    asked = Asked(frozenset({"wb:IP.PAT.RESD:CHN"}), dt.date(2020, 1, 1), dt.date(2024, 1, 1))
    with pytest.raises(BatchRejected, match="series wb:IP.PAT.RESD:USA, period 2021-01-01: value 5 was not asked"):
        validate_batch([Record("IP.PAT.RESD", "USA", "2021", 5)], source_name="worldbank", source_code="wb",
                       catalog=catalog, expected_unit=lambda ind: ind.unit, today=TODAY, asked=asked)
    with pytest.raises(BatchRejected, match=r"value 5 is outside the periods asked for \(2020-01-01..2024-01-01\)"):
        validate_batch([Record("IP.PAT.RESD", "CHN", "2019", 5)], source_name="worldbank", source_code="wb",
                       catalog=catalog, expected_unit=lambda ind: ind.unit, today=TODAY, asked=asked)
