"""Validation before anything is stored: a batch with one bad record is rejected whole, naming what was wrong."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping, Sequence

from autarky.catalog import Catalog, Indicator, partner_series, series_key
from autarky.errors import BatchRejected
from autarky.periods import frequency_of, parse_period
from autarky.store import ObservationIn, parse_value
from autarky.collectors.base import Asked, Record

EARLIEST_YEAR = 1900
MAX_VINTAGE_CHARS = 64  # observation.vintage column width
DEFAULT_MAX_JUMP = 1000.0  # a value more than this many times (or this fraction of) a stored neighbour is refused
# Plausible ceilings by unit when the catalog gives no `max`: world GDP is about 1.1e14 US$, the largest national
# patent count about 1.6e6 a year; these leave a margin of ten or more above any real value.
_MONEY_CEILINGS = (("thousand us$", 1e12), ("us$ thousands", 1e12), ("us$ millions", 1e9),
                   ("million us$", 1e9), ("us$", 1e15))
_COUNT_UNITS = ("applications", "patents", "articles", "grants", "count", "number")
COUNT_CEILING = 1e9


def default_max(unit: str) -> float | None:
    """The plausible ceiling of a money or count unit, None for rates, shares and indexes."""
    text = unit.lower()
    if "%" in text or " per " in text or text.startswith("per "):
        return None
    for marker, ceiling in _MONEY_CEILINGS:
        if marker in text:
            return ceiling
    return COUNT_CEILING if any(word in text for word in _COUNT_UNITS) else None


def validate_batch(records: Sequence[Record], *, source_name: str, source_code: str, catalog: Catalog,
                   expected_unit: Callable[[Indicator], str], today: dt.date,
                   label: str = "", asked: Asked | None = None, text_numbers: bool = True) -> list[ObservationIn]:
    """Observations ready for `Store.write_observations`, or BatchRejected naming source, series and value."""
    problems: list[str] = []
    clean: list[ObservationIn] = []
    seen: dict[tuple[str, dt.date], object] = {}
    for record in records:
        try:
            key, period, value = _check(record, source_code, catalog, expected_unit, today)
            if not text_numbers and isinstance(record.value, str):
                raise ValueError(f"series {key}, period {period.isoformat()}: value {record.value!r} is text, "
                                 f"where {source_name} sends numbers")
            mismatch = asked.problem(key, period) if asked is not None else None
            if mismatch:
                raise ValueError(f"series {key}, period {period.isoformat()}: value {record.value!r} {mismatch}")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if (key, period) in seen:
            problems.append(f"series {key}, period {period.isoformat()}: value {record.value!r} duplicates "
                            f"value {seen[(key, period)]!r} earlier in the batch")
            continue
        seen[(key, period)] = record.value
        clean.append(ObservationIn(key, period, value, record.vintage, record.status))
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = f" {label}" if label else ""
        raise BatchRejected(f"{source_name}{where}: {problems[0]}{more}; batch of {len(records)} rows rejected, "
                            "nothing of it stored")
    return clean


def check_jumps(observations: Sequence[ObservationIn], stored: Mapping[str, Mapping[dt.date, float]], *,
                source_name: str, max_jump: float, label: str = "") -> None:
    """BatchRejected if a value is more than `max_jump` times (or less than 1/`max_jump` of) the stored value of
    the nearest period before or after it in its series; values <= 0 and series without neighbours are not checked."""
    if not max_jump:
        return
    problems = []
    for obs in observations:
        series = {p: v for p, v in (stored.get(obs.series_key) or {}).items() if p != obs.period}
        before = max((p for p in series if p < obs.period), default=None)
        after = min((p for p in series if p > obs.period), default=None)
        for neighbour in (n for n in (before, after) if n is not None):
            old = series[neighbour]
            if obs.value > 0 and old > 0 and max(obs.value / old, old / obs.value) > max_jump:
                problems.append(f"series {obs.series_key}, period {obs.period.isoformat()}: value {obs.value:g} is "
                                f"more than x{max_jump:g} away from the stored {old:g} of {neighbour.isoformat()} "
                                "(max_jump in [collectors])")
                break
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = f" {label}" if label else ""
        raise BatchRejected(f"{source_name}{where}: {problems[0]}{more}; batch of {len(observations)} rows "
                            "rejected, nothing of it stored")


def _check(record: Record, source_code: str, catalog: Catalog, expected_unit: Callable[[Indicator], str],
           today: dt.date) -> tuple[str, dt.date, float]:
    indicator = catalog.indicators.get(record.indicator)
    key = series_key(source_code, record.indicator, record.country, record.partner)
    if indicator is None or indicator.source != source_code:
        raise ValueError(f"series {key}: indicator {record.indicator!r} is not a catalog indicator of source "
                         f"{source_code!r}")
    if record.country not in indicator.countries:
        raise ValueError(f"series {key}: country {record.country!r} is not among the countries of "
                         f"{indicator.code} ({', '.join(indicator.countries)})")
    if record.partner is not None and (record.country, record.partner) not in partner_series(indicator):
        raise ValueError(f"series {key}: partner {record.partner!r} of reporter {record.country} is not a declared "
                         f"partner pair of {indicator.code} (partners: {', '.join(indicator.partners) or 'none'})")
    try:
        period = parse_period(record.period)
    except ValueError as exc:
        raise ValueError(f"series {key}: {exc}") from None
    if not frequency_of(indicator.frequency).is_start(period):
        raise ValueError(f"series {key}: period {record.period!r} is not the start of a period of frequency "
                         f"{indicator.frequency}")
    if period.year < EARLIEST_YEAR or period > today:
        raise ValueError(f"series {key}: period {record.period!r} is outside {EARLIEST_YEAR}..{today.isoformat()}")
    try:
        value = parse_value(record.value)
    except ValueError as exc:
        raise ValueError(f"series {key}, period {period.isoformat()}: {exc}") from None
    if indicator.min is not None and value < indicator.min:
        raise ValueError(f"series {key}, period {period.isoformat()}: value {record.value!r} is below the "
                         f"catalog minimum {indicator.min:g}")
    if indicator.max is not None and value > indicator.max:
        raise ValueError(f"series {key}, period {period.isoformat()}: value {record.value!r} is above the "
                         f"catalog maximum {indicator.max:g}")
    ceiling = default_max(indicator.unit) if indicator.max is None else None
    if ceiling is not None and value > ceiling:
        raise ValueError(f"series {key}, period {period.isoformat()}: value {record.value!r} is above {ceiling:g}, "
                         f"the plausible maximum for unit {indicator.unit!r} (set `max` in the catalog to change it)")
    if record.unit is not None and record.unit != expected_unit(indicator):
        raise ValueError(f"series {key}, period {period.isoformat()}: unit {record.unit!r} differs from the "
                         f"catalog unit {expected_unit(indicator)!r}")
    if record.vintage is not None and (not isinstance(record.vintage, str)
                                       or len(record.vintage) > MAX_VINTAGE_CHARS):
        raise ValueError(f"series {key}, period {period.isoformat()}: vintage {record.vintage!r} is not a text of "
                         f"at most {MAX_VINTAGE_CHARS} characters")
    return key, period, value
