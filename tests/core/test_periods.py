"""The one Frequency type: steps, period starts, pandas aliases, season lengths, labels, parsing and formatting."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from autarky.periods import ANNUAL, FREQUENCIES, MONTHLY, QUARTERLY, Frequency, format_period, frequency_of, \
    parse_period


@pytest.mark.parametrize("raw, expected", [
    (2021, dt.date(2021, 1, 1)), ("2021", dt.date(2021, 1, 1)), ("2021-03", dt.date(2021, 3, 1)),
    ("202103", dt.date(2021, 3, 1)), ("2021M03", dt.date(2021, 3, 1)), ("2021-Q3", dt.date(2021, 7, 1)),
    ("2021-03-15", dt.date(2021, 3, 15)), (dt.date(2020, 2, 1), dt.date(2020, 2, 1)),
])
def test_parse_period(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2021-13", "21", "", None, True, "2021-Q5"])
def test_parse_period_rejects(raw):
    with pytest.raises(ValueError):
        parse_period(raw)


@pytest.mark.parametrize("period, frequency, label", [
    (dt.date(2021, 1, 1), "A", "2021"), (dt.date(2021, 7, 1), "Q", "2021-Q3"), (dt.date(2021, 3, 1), "M", "2021-03"),
])
def test_format_period_is_the_inverse_of_parse_period(period, frequency, label):
    assert format_period(period, frequency) == label
    assert parse_period(label) == period


def test_the_table_holds_annual_quarterly_and_monthly():
    assert list(FREQUENCIES) == ["A", "Q", "M"]
    assert [(f.months, f.pandas, f.season_length, f.label) for f in FREQUENCIES.values()] == [
        (12, "YS", 1, "annual"), (3, "QS", 4, "quarterly"), (1, "MS", 12, "monthly")]


@pytest.mark.parametrize("frequency", list(FREQUENCIES.values()), ids=list(FREQUENCIES))
def test_shift_and_end_agree_with_the_pandas_alias(frequency):
    start = dt.date(2019, 1, 1)
    expected = [d.date() for d in pd.date_range(start, periods=30, freq=frequency.pandas)]
    assert [frequency.shift(start, n) for n in range(30)] == expected
    assert frequency.between(expected[0], expected[-1]) == expected
    assert [frequency.end(d) for d in expected[:-1]] == expected[1:]
    assert frequency.shift(expected[-1], -29) == start
    assert all((pd.Timestamp(d) + frequency.offset).date() == frequency.end(d) for d in expected)


@pytest.mark.parametrize("day, annual, quarterly, monthly", [
    (dt.date(2021, 5, 17), dt.date(2021, 1, 1), dt.date(2021, 4, 1), dt.date(2021, 5, 1)),
    (dt.date(2021, 12, 31), dt.date(2021, 1, 1), dt.date(2021, 10, 1), dt.date(2021, 12, 1)),
    (dt.date(2021, 1, 1), dt.date(2021, 1, 1), dt.date(2021, 1, 1), dt.date(2021, 1, 1)),
])
def test_start_of_the_period_containing_a_day(day, annual, quarterly, monthly):
    assert (ANNUAL.start_of(day), QUARTERLY.start_of(day), MONTHLY.start_of(day)) == (annual, quarterly, monthly)
    assert all(f.is_start(f.start_of(day)) for f in FREQUENCIES.values())


def test_is_start():
    assert ANNUAL.is_start(dt.date(2021, 1, 1)) and not ANNUAL.is_start(dt.date(2021, 4, 1))
    assert QUARTERLY.is_start(dt.date(2021, 10, 1)) and not QUARTERLY.is_start(dt.date(2021, 11, 1))
    assert MONTHLY.is_start(dt.date(2021, 11, 1)) and not MONTHLY.is_start(dt.date(2021, 11, 2))


def test_parse_checks_the_period_start_of_its_frequency():
    assert QUARTERLY.parse("2021-Q2") == dt.date(2021, 4, 1)
    assert QUARTERLY.parse("2021-04") == dt.date(2021, 4, 1)
    with pytest.raises(ValueError, match=r"'2021-05' is not the start of a period of frequency Q \(quarterly\)"):
        QUARTERLY.parse("2021-05")
    with pytest.raises(ValueError, match="is not a date"):
        ANNUAL.parse("twenty")


def test_format_of_a_frequency_outside_the_table_is_the_iso_date():
    assert format_period(dt.date(2021, 3, 15), "D") == "2021-03-15"
    assert format_period(pd.Timestamp("2021-07-01"), "Q") == "2021-Q3"


def test_an_unknown_code_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown frequency 'W': one of A, Q, M"):
        frequency_of("W")
    assert frequency_of("Q") is QUARTERLY


def test_a_weekly_frequency_is_one_entry():
    # The entry the module docstring gives: days instead of months, its own text form.
    weekly = Frequency("W", "weekly", months=0, days=7, pandas="W-MON", season_length=52, pattern=r"(\d{4})-?W(\d{2})",
                       build=lambda m: dt.date.fromisocalendar(int(m[1]), int(m[2]), 1),
                       label_of=lambda p: "{}-W{:02d}".format(*p.isocalendar()[:2]))
    monday = dt.date(2024, 1, 1)
    assert weekly.format(monday) == "2024-W01"
    assert weekly.build(re.match(weekly.pattern, "2024-W02")) == dt.date(2024, 1, 8)
    assert weekly.start_of(dt.date(2024, 1, 10)) == dt.date(2024, 1, 8)
    assert weekly.between(monday, dt.date(2024, 1, 22)) == [d.date() for d in
                                                            pd.date_range(monday, periods=4, freq=weekly.pandas)]
    with pytest.raises(ValueError, match="months or days"):
        Frequency("X", "odd", months=1, days=7, pandas="D", season_length=1, pattern="", build=None, label_of=None)
