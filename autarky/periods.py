"""What a period frequency is, in one table: each frequency's step, pandas alias, season length, label and text form.

A period is named by the date it starts on (2021-01-01 is the year 2021, the first quarter of 2021 or January 2021).
Adding a frequency is one entry in `FREQUENCIES`; a weekly one would be

    Frequency("W", "weekly", months=0, days=7, pandas="W-MON", season_length=52, pattern=r"(\\d{4})-?W(\\d{2})",
              build=lambda m: dt.date.fromisocalendar(int(m[1]), int(m[2]), 1),
              label_of=lambda p: "{}-W{:02d}".format(*p.isocalendar()[:2]))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import pandas as pd

# A Monday: periods counted in days (weekly) start on the same weekday as this date.
_DAY_ANCHOR = dt.date(2001, 1, 1)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Frequency:
    """One period frequency. `months` (or, below a month, `days`) is the length of a period; `pandas` the offset
    alias of its period starts; `season_length` the periods in a seasonal cycle (a year); `label` its adjective;
    `pattern`/`build` how a period is written as text and the start date it names; `label_of` the text of a period."""

    code: str
    label: str
    months: int
    pandas: str
    season_length: int
    pattern: str
    build: Callable[[re.Match[str]], dt.date] = field(repr=False)
    label_of: Callable[[dt.date], str] = field(repr=False)
    days: int = 0

    def __post_init__(self) -> None:
        if (self.months > 0) == (self.days > 0):
            raise ValueError(f"frequency {self.code}: give months or days per period, not both or neither")

    @property
    def offset(self) -> pd.DateOffset:
        """One period as a pandas offset."""
        import pandas as pd  # only here: the catalog and the config read this module without pandas

        return pd.DateOffset(months=self.months) if self.months else pd.DateOffset(days=self.days)

    def shift(self, period: dt.date, count: int) -> dt.date:
        """The start of the period `count` periods after (negative: before) the one starting at `period`."""
        if self.months:
            index = period.year * 12 + period.month - 1 + count * self.months
            return dt.date(index // 12, index % 12 + 1, 1)
        return period + dt.timedelta(days=count * self.days)

    def end(self, period: dt.date) -> dt.date:
        """The first day after the period that starts at `period`."""
        return self.shift(period, 1)

    def is_start(self, period: dt.date) -> bool:
        """Whether `period` is the first day of a period of this frequency."""
        if self.months:
            return period.day == 1 and (period.month - 1) % self.months == 0
        return (period.toordinal() - _DAY_ANCHOR.toordinal()) % self.days == 0

    def start_of(self, day: dt.date) -> dt.date:
        """The start of the period that contains `day`."""
        if self.months:
            return dt.date(day.year, day.month - (day.month - 1) % self.months, 1)
        return day - dt.timedelta(days=(day.toordinal() - _DAY_ANCHOR.toordinal()) % self.days)

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every period start from `start` to `end` inclusive, stepping one period from `start`."""
        periods, current = [], start
        while current <= end:
            periods.append(current)
            current = self.shift(current, 1)
        return periods

    def format(self, period: dt.date) -> str:
        """The text of the period starting at `period`: 2021, 2021-Q1 or 2021-03."""
        return self.label_of(period)

    def parse(self, raw: Any) -> dt.date:
        """The start date of a period of this frequency written as `raw` (any form `parse_period` reads); ValueError
        when `raw` does not name the start of a period of this frequency."""
        period = parse_period(raw)
        if not self.is_start(period):
            raise ValueError(f"period {raw!r} is not the start of a period of frequency {self.code} ({self.label})")
        return period


FREQUENCIES: dict[str, Frequency] = {f.code: f for f in (
    Frequency("A", "annual", months=12, pandas="YS", season_length=1, pattern=r"(\d{4})",
              build=lambda m: dt.date(int(m[1]), 1, 1), label_of=lambda p: f"{p.year}"),
    Frequency("Q", "quarterly", months=3, pandas="QS", season_length=4, pattern=r"(\d{4})-?Q([1-4])",
              build=lambda m: dt.date(int(m[1]), 3 * int(m[2]) - 2, 1),
              label_of=lambda p: f"{p.year}-Q{(p.month - 1) // 3 + 1}"),
    Frequency("M", "monthly", months=1, pandas="MS", season_length=12, pattern=r"(\d{4})-?M?(\d{2})",
              build=lambda m: dt.date(int(m[1]), int(m[2]), 1), label_of=lambda p: f"{p.year}-{p.month:02d}"),
)}
ANNUAL, QUARTERLY, MONTHLY = FREQUENCIES["A"], FREQUENCIES["Q"], FREQUENCIES["M"]
_PATTERNS = tuple((re.compile(f"^{f.pattern}$"), f.build) for f in FREQUENCIES.values()) + (
    (_ISO_DATE, lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),)


def frequency_of(code: str) -> Frequency:
    """The frequency with this code (A, Q, M); ValueError naming the known codes otherwise."""
    try:
        return FREQUENCIES[code]
    except (KeyError, TypeError):
        raise ValueError(f"unknown frequency {code!r}: one of {', '.join(FREQUENCIES)}") from None


def parse_period(raw: Any) -> dt.date:
    """Period start date from a date, a year, 'YYYY', 'YYYY-MM', 'YYYYMM', 'YYYY-Qn' or 'YYYY-MM-DD'."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        text = raw.strip()
        for pattern, build in _PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return build(match)
                except ValueError:
                    break
    raise ValueError(f"period {raw!r} is not a date, a year, YYYY-MM or YYYY-Qn")


def format_period(period: dt.date, frequency: str) -> str:
    """The label of a period start: 2021 for annual, 2021-Q1 for quarterly, 2021-03 for monthly data (the ISO date
    for a frequency not in the table)."""
    known = FREQUENCIES.get(frequency)
    return known.format(period) if known is not None else period.isoformat()[:10]
