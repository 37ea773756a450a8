"""World Bank Indicators API v2: any catalog indicator for any set of countries, every page, with the vintage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from autarky.catalog import Indicator
from autarky.collectors.base import Batch, Collector, Record, Selection, Task, last_periods
from autarky.collectors.errors import MalformedResponse, SourceRefused
from autarky.collectors.http import HttpStatusError, snippet
from autarky.collectors.settings import Defaults

PER_PAGE = 1000
REVISION_WINDOW = 5  # years re-asked before the last one seen, once the source says it has changed
START_YEAR = 1960


class WorldBankCollector(Collector):
    """One task per indicator; countries joined with ';' in one request; `pages` from the answer is trusted."""

    name = "worldbank"
    source = "wb"
    defaults = Defaults(base_url="https://api.worldbank.org/v2", cron="0 3 * * 1", rate_per_minute=120)

    def plan(self, selection: Selection) -> list[Task]:
        return [Task(label=ind.code, indicators=(ind,), countries=selection.countries_of(ind), payload=selection.since)
                for ind in selection.indicators]

    def fetch(self, task: Task) -> Batch:
        indicator, countries, since = task.indicators[0], task.countries, task.payload
        keys = task.keys()
        cursors = self.ctx.cursors.get_many(keys)
        start = self.window_start(cursors, keys, frequency="A", since=since, start_year=START_YEAR,
                                  window=REVISION_WINDOW)
        path = f"country/{';'.join(countries)}/indicator/{indicator.code}"
        params = {"format": "json", "per_page": self.ctx.settings.int_option("per_page", PER_PAGE),
                  "date": f"{start.year}:{self.ctx.today.year}"}
        meta, rows = self._page(path, params, 1, indicator, countries)
        vintage = meta.get("lastupdated") or None
        if since is None and vintage and all((cursors.get(k) or {}).get("lastupdated") == vintage for k in keys):
            return Batch(task.label, note=f"unchanged at source (lastupdated {vintage})")
        newest = max(((cursors.get(k) or {}).get("lastupdated") or "" for k in keys), default="")
        if vintage and newest and str(vintage) < str(newest):
            raise SourceRefused(f"{self.name}: {indicator.code}: the answer's release (lastupdated {vintage}) is "
                                f"older than the stored release ({newest}); nothing overwritten, cursor kept")
        pages, total = _int(meta, "pages"), _int(meta, "total")
        self.check_pages(indicator.code, pages)
        _consistent(indicator, 1, meta, rows, pages, total)
        for page in range(2, pages + 1):
            more_meta, more = self._page(path, params, page, indicator, countries)
            _consistent(indicator, page, more_meta, more, pages, total)
            rows.extend(more)
        if len(rows) != total:
            raise MalformedResponse(f"{self.name}: {indicator.code}: {pages} pages held {len(rows)} rows, "
                                    f"but the answer's total says {total}")
        records = [Record(indicator.code, row["countryiso3code"], row["date"], row["value"], vintage=vintage)
                   for row in rows if row.get("value") is not None]
        updates = last_periods(records, self.source, cursors)
        stamped = {key: {**updates.get(key, {}), "lastupdated": vintage} for key in keys}
        return Batch(task.label, records, stamped, note=f"{len(rows)} rows in {max(pages, 1)} page(s)",
                     first=start, last=dt.date(self.ctx.today.year, 1, 1))

    def _page(self, path: str, params: dict[str, Any], page: int, indicator: Indicator,
              countries: tuple[str, ...]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One page: (metadata, rows); an error answer becomes SourceRefused naming what was refused."""
        try:
            body = self.http.get_json(path, params={**params, "page": page})
        except HttpStatusError as exc:
            if page > 1:
                raise SourceRefused(f"{self.name}: {indicator.code}: page {page}: HTTP {exc.status}: "
                                    f"{snippet(exc.body)}") from None
            raise self._refusal(indicator, countries, f"HTTP {exc.status}: {snippet(exc.body)}") from None
        message = _error_message(body)
        if message is not None:
            if page > 1:
                raise SourceRefused(f"{self.name}: {indicator.code}: page {page}: {message}")
            raise self._refusal(indicator, countries, message)
        if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], dict)
                and (body[1] is None or isinstance(body[1], list))):
            raise MalformedResponse(f"{self.name}: {indicator.code} page {page}: expected [metadata, rows], got "
                                    f"{snippet(str(body))!r}")
        meta, rows = body[0], list(body[1] or [])
        for row in rows:
            if not isinstance(row, dict) or "date" not in row or "countryiso3code" not in row \
                    or (row.get("indicator") or {}).get("id") != indicator.code:
                raise MalformedResponse(f"{self.name}: {indicator.code} page {page}: unexpected row "
                                        f"{snippet(str(row))!r}")
        return meta, rows

    def _refusal(self, indicator: Indicator, countries: tuple[str, ...], message: str) -> SourceRefused:
        """Find out whether the indicator or some of the countries were refused, and say which."""
        if self._refused(f"country/all/indicator/{indicator.code}") is not None:
            return SourceRefused(f"{self.name}: the World Bank refused indicator {indicator.code}: {message}")
        refused = [c for c in countries if self._refused(f"country/{c}/indicator/{indicator.code}") is not None]
        if refused:
            return SourceRefused(f"{self.name}: the World Bank refused country {', '.join(refused)} for indicator "
                                 f"{indicator.code}: {message}")
        return SourceRefused(f"{self.name}: the World Bank refused indicator {indicator.code} for "
                             f"{';'.join(countries)}: {message}")

    def _refused(self, path: str) -> str | None:
        try:
            body = self.http.get_json(path, params={"format": "json", "per_page": 1})
        except HttpStatusError as exc:
            return f"HTTP {exc.status}"
        return _error_message(body)


def _error_message(body: Any) -> str | None:
    """The text of the API's HTTP-200 error answer `[{"message": [{"id", "key", "value"}]}]`, else None."""
    if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict) and "message" in body[0]):
        return None
    parts = body[0]["message"] if isinstance(body[0]["message"], list) else [body[0]["message"]]
    texts = []
    for part in parts:
        if isinstance(part, dict):
            texts.append(f"[id {part.get('id', '?')}] {part.get('key', '')}: {part.get('value', '')}".strip())
        else:
            texts.append(str(part))
    return "; ".join(texts) or "error without a message"


def _consistent(indicator: Indicator, page: int, meta: dict[str, Any], rows: list, pages: int, total: int) -> None:
    """A page agrees with the first page's pages and total, and a page inside the range is not empty."""
    if page > 1 and (_int(meta, "pages") != pages or _int(meta, "total") != total):
        raise MalformedResponse(f"worldbank: {indicator.code} page {page}: says {_int(meta, 'pages')} pages and "
                                f"total {_int(meta, 'total')}, but page 1 said {pages} pages and total {total}")
    if page <= pages and not rows:
        raise MalformedResponse(f"worldbank: {indicator.code} page {page} of {pages}: no rows, but the answer's "
                                f"total says {total}")


def _int(meta: dict[str, Any], name: str) -> int:
    try:
        return int(meta.get(name) or 0)
    except (TypeError, ValueError):
        raise MalformedResponse(f"worldbank: metadata field {name!r} is not a number: {meta.get(name)!r}") from None
