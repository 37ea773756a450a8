"""USPTO PatentsView PatentSearch API: monthly US patent grants by CPC set and assignee country."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from autarky.catalog import Indicator, series_key
from autarky.collectors.base import Batch, Collector, Record, Selection, Task, last_periods
from autarky.collectors.errors import MalformedResponse, SourceRefused, SourceUnavailable
from autarky.collectors.http import HttpStatusError, snippet
from autarky.collectors.settings import Defaults
from autarky.periods import MONTHLY

KEY_HEADER = "X-Api-Key"
KEY_ENV = "AUTARKY_COLLECTORS__PATENTSVIEW__API_KEY"
START_YEAR = 2015
REVISION_WINDOW = 6     # months re-asked: assignee data are corrected after grant
PAGE_SIZE = 1000        # the API's largest page
WORLD = "WLD"
# ISO3 (catalog) -> ISO2 (PatentsView assignee_country); WLD asks without a country filter.
ISO2 = {"CHN": "CN", "USA": "US", "JPN": "JP", "KOR": "KR", "TWN": "TW", "DEU": "DE", "NLD": "NL"}


class PatentsViewCollector(Collector):
    """One task per indicator, country and month; the count is the answer's `total_hits` (or paged records)."""

    name = "patentsview"
    source = "patentsview"
    defaults = Defaults(base_url="https://search.patentsview.org/api/v1/patent/", cron="0 7 * * 3",
                        rate_per_minute=45)

    def headers(self) -> dict[str, str]:
        return {KEY_HEADER: self.ctx.settings.api_key} if self.ctx.settings.api_key else {}

    def plan(self, selection: Selection) -> list[Task]:
        if not self.ctx.settings.api_key:
            raise SourceUnavailable(f"{self.name}: the PatentSearch API needs a key: set {KEY_ENV} "
                                    "(free, https://patentsview-support.atlassian.net/servicedesk/customer/portals)")
        tasks = []
        for indicator in selection.indicators:
            cpc = indicator.params.get("cpc")
            if indicator.frequency != "M" or not isinstance(cpc, list) or not cpc:
                raise SourceRefused(f"{self.name}: indicator {indicator.code} needs frequency M and params cpc "
                                    f"(a list of CPC subclasses), got {indicator.frequency} {dict(indicator.params)}")
            for country in selection.countries_of(indicator):
                if country != WORLD and country not in ISO2:
                    raise SourceRefused(f"{self.name}: indicator {indicator.code}: country {country} has no "
                                        f"PatentsView code (known: {', '.join([*ISO2, WORLD])})")
                key = series_key(self.source, indicator.code, country)
                start = self.window_start(self.ctx.cursors.get_many([key]), [key], frequency="M",
                                          since=selection.since, start_year=START_YEAR, window=REVISION_WINDOW)
                end = MONTHLY.shift(MONTHLY.start_of(self.ctx.today), -1)
                for month in MONTHLY.between(start, end):
                    tasks.append(Task(label=f"{indicator.code} {country} {month:%Y-%m}", indicators=(indicator,),
                                      countries=(country,), payload=month))
        return tasks

    def fetch(self, task: Task) -> Batch:
        indicator, country, month = task.indicators[0], task.countries[0], task.payload
        query = patent_query(indicator, country, month)
        if self.ctx.settings.option("count_by", "total_hits") == "records":
            count = len(self._patent_ids(query, task.label))
        else:
            body = self._ask(query, ["patent_id"], {"size": 1}, task.label)
            count = body["total_hits"]
        records = [Record(indicator.code, country, month.isoformat(), count)]
        previous = self.ctx.cursors.get_many(task.keys())
        return Batch(task.label, records, last_periods(records, self.source, previous), note=f"{count} patents")

    def _patent_ids(self, query: dict[str, Any], label: str) -> set[str]:
        """Every matching patent id, paging with `o.after` on the last id of each page (sorted by patent_id)."""
        ids: set[str] = set()
        after: str | None = None
        size = self.ctx.settings.int_option("page_size", PAGE_SIZE)
        pages = 0
        while True:
            pages += 1
            self.check_pages(label, pages)
            options: dict[str, Any] = {"size": size, **({"after": after} if after else {})}
            body = self._ask(query, ["patent_id"], options, label, sort=True)
            page = [p.get("patent_id") for p in body["patents"]]
            if any(not isinstance(pid, str) for pid in page):
                raise MalformedResponse(f"{self.name}: {label}: a patent without patent_id: "
                                        f"{snippet(json.dumps(body['patents']))!r}")
            new = set(page) - ids
            ids |= new
            if len(page) < size or not new or len(ids) >= body["total_hits"]:
                return ids
            after = page[-1]

    def _ask(self, query: dict[str, Any], fields: list[str], options: dict[str, Any], label: str,
             sort: bool = False) -> dict[str, Any]:
        params = {"q": json.dumps(query, separators=(",", ":")), "f": json.dumps(fields),
                  "o": json.dumps(options, separators=(",", ":"))}
        if sort:
            params["s"] = json.dumps([{"patent_id": "asc"}])
        try:
            body = self.http.get_json("", params=params)
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                raise SourceUnavailable(f"{exc}; check {KEY_ENV}") from None
            raise SourceRefused(f"{exc} ({label})") from None
        except SourceUnavailable as exc:
            if " HTTP 5" not in str(exc):
                raise
            # The API answers some queries with a 500 page (a server bug, not an outage): refuse that task only.
            raise SourceRefused(f"{exc} ({label})") from None
        if not isinstance(body, dict) or not isinstance(body.get("patents", []), list) \
                or not isinstance(body.get("total_hits"), int) or isinstance(body.get("total_hits"), bool):
            raise MalformedResponse(f"{self.name}: {label}: expected {{error, count, total_hits, patents}}, got "
                                    f"{snippet(json.dumps(body))!r}")
        if body.get("error"):
            raise SourceRefused(f"{self.name}: {label}: the API answered error: {snippet(json.dumps(body))}")
        if body["total_hits"] < 0:
            raise MalformedResponse(f"{self.name}: {label}: negative total_hits {body['total_hits']}")
        body.setdefault("patents", [])
        return body


def patent_query(indicator: Indicator, country: str, month: dt.date) -> dict[str, Any]:
    """Patents granted in `month`, with a current CPC subclass in the indicator's set and (unless WLD) at least one
    assignee of `country`: a patent with owners in several countries counts once for each of them."""
    end = MONTHLY.end(month) - dt.timedelta(days=1)
    clauses: list[dict[str, Any]] = [
        {"_gte": {"patent_date": month.isoformat()}},
        {"_lte": {"patent_date": end.isoformat()}},
        {"cpc_current.cpc_subclass_id": [str(c) for c in indicator.params["cpc"]]},
    ]
    if country != WORLD:
        clauses.append({"assignees.assignee_country": ISO2[country]})
    return {"_and": clauses}
