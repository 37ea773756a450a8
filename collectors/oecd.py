"""OECD SDMX REST (MSTI R&D series and any other dataflow) through SDMX-CSV; rows may come in any order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from autarky.catalog import Indicator
from autarky.collectors.base import Batch, Collector, Record, Selection, Task, last_periods
from autarky.collectors.errors import MalformedResponse, SourceRefused
from autarky.collectors.http import HttpStatusError, snippet
from autarky.collectors.settings import Defaults

CSV_ACCEPT = "application/vnd.sdmx.data+csv; version=2.0.0"
START_YEAR = 1981  # MSTI begins in 1981
# SDMX REST answers 404 when a valid query matches nothing; these are the bodies that say so.
NO_RESULTS = ("noresultsfound", "norecordsfound", "no results found", "no records found")
DELETE_ACTION = "D"


class OecdCollector(Collector):
    """One task per indicator: `params.dataflow` and `params.key` (with `{areas}` for the countries joined by '+')."""

    name = "oecd"
    text_numbers = True
    source = "oecd"
    defaults = Defaults(base_url="https://sdmx.oecd.org/public/rest", cron="0 5 10 * *", rate_per_minute=20)

    def plan(self, selection: Selection) -> list[Task]:
        for indicator in selection.indicators:
            missing = [p for p in ("dataflow", "key") if not indicator.params.get(p)]
            if missing or "{areas}" not in str(indicator.params.get("key", "")):
                raise SourceRefused(f"{self.name}: indicator {indicator.code} needs params dataflow and key (with "
                                    f"{{areas}}), got {dict(indicator.params)}")
        return [Task(label=ind.code, indicators=(ind,), countries=selection.countries_of(ind), payload=selection.since)
                for ind in selection.indicators]

    def expected_unit(self, indicator: Indicator) -> str:
        return str(indicator.params.get("unit_measure", indicator.unit))

    def fetch(self, task: Task) -> Batch:
        indicator, since = task.indicators[0], task.payload
        keys = task.keys()
        cursors = self.ctx.cursors.get_many(keys)
        params: dict[str, Any] = {"startPeriod": since or self.ctx.settings.int_option("start_year", START_YEAR),
                                  "dimensionAtObservation": "AllDimensions"}
        stamps = [(cursors.get(k) or {}).get("updated_after") for k in keys]
        if since is None and all(stamps):
            params["updatedAfter"] = min(stamps)  # the source sends only what changed since, revisions included
        asked_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        path = f"data/{indicator.params['dataflow']}/{indicator.params['key'].format(areas='+'.join(task.countries))}"
        try:
            response = self.http.get(path, params=params, headers={"Accept": CSV_ACCEPT})
        except HttpStatusError as exc:
            if exc.status == 404 and any(text in exc.body.lower() for text in NO_RESULTS):
                note = "no changes at source" if "updatedAfter" in params else "no data"
                return Batch(task.label, [], {k: {"updated_after": asked_at} for k in keys}, note=note)
            raise SourceRefused(f"{exc} (indicator {indicator.code})") from None
        records = self._records(response.text, indicator, task.countries)
        updates = last_periods(records, self.source, cursors)
        return Batch(task.label, records, {k: {**updates.get(k, {}), "updated_after": asked_at} for k in keys},
                     note=f"{len(records)} observations")

    def _records(self, text: str, indicator: Indicator, countries: tuple[str, ...]) -> list[Record]:
        """Records from SDMX-CSV (1.0 `DATAFLOW,...` or 2.0 `STRUCTURE,STRUCTURE_ID,ACTION,...`, ids or labels)."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = {_code(name): name for name in (reader.fieldnames or [])}
        needed = ("REF_AREA", "TIME_PERIOD", "OBS_VALUE")
        if any(column not in header for column in needed):
            raise MalformedResponse(f"{self.name}: {indicator.code}: SDMX-CSV header lacks "
                                    f"{', '.join(c for c in needed if c not in header)}: {snippet(text[:300])!r}")
        records = []
        for row in reader:
            if _code(row.get(header.get("ACTION", ""), "") or "") == DELETE_ACTION:
                continue  # a deletion notice: the store keeps what it has, with its revision history
            value = (row.get(header["OBS_VALUE"]) or "").strip()
            if value in ("", "NaN"):
                continue
            area = _code(row[header["REF_AREA"]])
            if area not in countries:
                raise MalformedResponse(f"{self.name}: {indicator.code}: row for area {area!r}, which was not asked")
            unit = _code(row.get(header.get("UNIT_MEASURE", ""), "") or "") or None
            multiplier = _code(row.get(header.get("UNIT_MULT", ""), "") or "")
            if unit and multiplier not in ("", "0"):
                unit = f"{unit} x 10^{multiplier}"
            records.append(Record(indicator.code, area, row[header["TIME_PERIOD"]].strip(), value, unit=unit))
        return records


def _code(text: str) -> str:
    """The id of an SDMX-CSV cell or header that may carry a label ('CHN: China' -> 'CHN')."""
    return text.split(":", 1)[0].strip()
