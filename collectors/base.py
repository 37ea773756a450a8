"""What every collector is made of: a plan of tasks, each fetched into one batch of records."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Mapping

from autarky.catalog import Catalog, Indicator, partner_series, series_key
from autarky.collectors.errors import MalformedResponse
from autarky.collectors.http import HttpClient
from autarky.collectors.settings import CollectorSettings, Defaults
from autarky.collectors.state import Cursors
from autarky.periods import frequency_of, parse_period


MAX_PAGES = 100  # default cap on the pages of one answer (`max_pages` in [collectors])


@dataclass(frozen=True)
class Record:
    """One value as a source gave it, before validation: indicator, country, period, value, vintage, unit;
    `partner` (ISO3) for a bilateral series, None for partner World."""

    indicator: str
    country: str
    period: Any
    value: Any
    vintage: str | None = None
    unit: str | None = None
    status: str | None = None
    partner: str | None = None

    @property
    def key_parts(self) -> tuple[str, str, str | None]:
        return self.indicator, self.country, self.partner


@dataclass(frozen=True)
class Selection:
    """What to collect from one source: catalog indicators, the countries of each, and an optional first year."""

    indicators: tuple[Indicator, ...]
    countries: Mapping[str, tuple[str, ...]]
    since: int | None = None
    narrowed: bool = False  # the user named indicators or countries: collect only those

    def countries_of(self, indicator: Indicator) -> tuple[str, ...]:
        return self.countries.get(indicator.code, indicator.countries)


@dataclass(frozen=True)
class Task:
    """One request (or a few pages of it) to a source; its answer becomes one batch."""

    label: str
    indicators: tuple[Indicator, ...] = ()
    countries: tuple[str, ...] = ()
    payload: Any = None

    def keys(self) -> list[str]:
        """Every series the task may answer for: its countries' World series and their bilateral pairs."""
        return [series_key(ind.source, ind.code, c, p) for ind in self.indicators for c, p in partner_series(ind)
                if c in self.countries]


@dataclass(frozen=True)
class Asked:
    """What a task asked for: these series keys, periods from `first` to `last` (None: not checked)."""

    keys: frozenset[str]
    first: dt.date | None = None
    last: dt.date | None = None

    def problem(self, key: str, period: dt.date) -> str | None:
        if self.keys and key not in self.keys:
            return "was not asked for in this request"
        if (self.first and period < self.first) or (self.last and period > self.last):
            span = f"{self.first.isoformat() if self.first else '...'}..{self.last.isoformat() if self.last else '...'}"
            return f"is outside the periods asked for ({span})"
        return None


@dataclass
class Batch:
    """What one task brought back; `cursors` are written once the records are stored. `first`/`last`: the periods
    the request asked for, when it named them (records outside are refused)."""

    label: str
    records: list[Record] = field(default_factory=list)
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str = ""
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class Context:
    """What a collector gets from the runner."""

    catalog: Catalog
    settings: CollectorSettings
    cursors: Cursors
    warn: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = time.sleep
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())


class Collector:
    """Base of every collector: `plan` the tasks for a selection, `fetch` each into a batch."""

    name: ClassVar[str] = ""
    source: ClassVar[str] = ""      # the catalog's source code (wb, comtrade, ...)
    defaults: ClassVar[Defaults] = Defaults()
    selects_from_catalog: ClassVar[bool] = True  # False: the collector finds its indicators itself (files)
    text_numbers: ClassVar[bool] = False  # True: the format carries numbers as text (CSV, Census JSON)

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._http: HttpClient | None = None

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(self.ctx.settings.http, source=self.name, headers=self.headers(),
                                    sleep=self.ctx.sleep, secrets=[self.ctx.settings.api_key or ""])
        return self._http

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (retries included)."""
        return self._http.requests if self._http is not None else 0

    def headers(self) -> dict[str, str]:
        return {}

    def plan(self, selection: Selection) -> list[Task]:
        raise NotImplementedError

    def fetch(self, task: Task) -> Batch:
        raise NotImplementedError

    def window_start(self, cursors: Mapping[str, Mapping[str, Any]], keys: Iterable[str], *, frequency: str,
                     since: int | None, start_year: int, window: int, suffix: str = "") -> dt.date:
        """`first_period` with the configured `start_year<suffix>` and `revision_window<suffix>` over these defaults."""
        settings = self.ctx.settings
        return first_period(cursors, keys, frequency=frequency, since=since,
                            window=settings.int_option("revision_window" + suffix, window),
                            default_start=dt.date(settings.int_option("start_year" + suffix, start_year), 1, 1))

    def check_pages(self, label: str, pages: int) -> None:
        """MalformedResponse once an answer has (or claims) more pages than `max_pages`."""
        cap = self.ctx.settings.int_option("max_pages", MAX_PAGES)
        if pages > cap:
            raise MalformedResponse(f"{self.name}: {label}: the answer claims {pages} pages, more than the {cap} "
                                    "allowed (max_pages in [collectors])")

    def expected_unit(self, indicator: Indicator) -> str:
        """The unit a record's `unit` must equal (records without a unit are not checked)."""
        return indicator.unit

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None


# ---------------------------------------------------------------------------- incremental windows
def first_period(cursors: Mapping[str, Mapping[str, Any]], keys: Iterable[str], *, frequency: str, window: int,
                 default_start: dt.date, since: int | None) -> dt.date:
    """Where to start asking: `since`, else the full history if any series is new, else the earliest
    last-seen period of the series minus `window` periods (so recent revisions are picked up too)."""
    if since is not None:
        return dt.date(since, 1, 1)
    seen = []
    for key in keys:
        last = (cursors.get(key) or {}).get("last_period")
        if not last:
            return default_start
        seen.append(dt.date.fromisoformat(last))
    if not seen:
        return default_start
    return max(default_start, frequency_of(frequency).shift(min(seen), -window))


def last_periods(records: Iterable[Record], source: str,
                 previous: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Cursor updates {series key: {"last_period": ISO date}}: the latest period seen, never moving back."""
    latest: dict[str, dt.date] = {}
    for record in records:
        key = series_key(source, record.indicator, record.country, record.partner)
        try:
            period = parse_period(record.period)
        except ValueError:
            continue  # validation refuses the record, naming source, series and value
        if key not in latest or period > latest[key]:
            latest[key] = period
    for key, value in (previous or {}).items():
        before = value.get("last_period")
        if key in latest and before and dt.date.fromisoformat(before) > latest[key]:
            latest[key] = dt.date.fromisoformat(before)
    return {key: {"last_period": period.isoformat()} for key, period in latest.items()}
