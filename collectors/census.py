"""US Census Bureau international trade API: US monthly imports from / exports to a partner, by HS code."""

from __future__ import annotations

from typing import Any

from autarky.catalog import Indicator
from autarky.collectors.base import Batch, Collector, Record, Selection, Task, last_periods
from autarky.collectors.errors import MalformedResponse, SourceRefused
from autarky.collectors.http import HttpStatusError, snippet
from autarky.collectors.settings import Defaults

START_YEAR = 2013         # the API's monthly HS data begin in January 2013
REVISION_WINDOW = 24      # months re-asked: Census revises the prior years each spring
NO_CONTENT = 204          # the API's answer when nothing matches
REPORTER = "USA"
# flow -> (endpoint, value variable, commodity variable)
FLOWS = {"M": ("imports/hs", "GEN_VAL_MO", "I_COMMODITY"), "X": ("exports/hs", "ALL_VAL_MO", "E_COMMODITY")}
HS_LEVELS = {2: "HS2", 4: "HS4", 6: "HS6", 10: "HS10"}


class CensusCollector(Collector):
    """One task per indicator (`params`: hs, flow M|X, cty = Census country code such as 5700 for China)."""

    name = "census"
    text_numbers = True
    source = "census"
    defaults = Defaults(base_url="https://api.census.gov/data/timeseries/intltrade", cron="0 6 8 * *",
                        rate_per_minute=60)

    def plan(self, selection: Selection) -> list[Task]:
        for ind in selection.indicators:
            params = ind.params
            if params.get("flow") not in FLOWS or len(str(params.get("hs", ""))) not in HS_LEVELS \
                    or not str(params.get("cty", "")).isdigit():
                raise SourceRefused(f"{self.name}: indicator {ind.code} needs params hs (2, 4, 6 or 10 digits), "
                                    f"flow (M or X) and cty (Census country code), got {dict(params)}")
            if selection.countries_of(ind) != (REPORTER,):
                raise SourceRefused(f"{self.name}: indicator {ind.code}: the Census reports US trade only; its "
                                    f"countries must be [{REPORTER!r}], got {list(selection.countries_of(ind))}")
        return [Task(label=ind.code, indicators=(ind,), countries=(REPORTER,), payload=selection.since)
                for ind in selection.indicators]

    def fetch(self, task: Task) -> Batch:
        indicator, since = task.indicators[0], task.payload
        hs, flow, partner = str(indicator.params["hs"]), indicator.params["flow"], str(indicator.params["cty"])
        endpoint, value_var, commodity_var = FLOWS[flow]
        keys = task.keys()
        cursors = self.ctx.cursors.get_many(keys)
        start = self.window_start(cursors, keys, frequency="M", since=since, start_year=START_YEAR,
                                  window=REVISION_WINDOW)
        end = self.ctx.today
        params: dict[str, Any] = {"get": f"{value_var},{commodity_var}", "CTY_CODE": partner,
                                  "COMM_LVL": HS_LEVELS[len(hs)], commodity_var: hs,
                                  "time": f"from {start:%Y-%m} to {end:%Y-%m}"}
        if self.ctx.settings.api_key:
            params["key"] = self.ctx.settings.api_key
        try:
            response = self.http.get(endpoint, params=params, ok=frozenset({200, NO_CONTENT}))
        except HttpStatusError as exc:
            raise SourceRefused(f"{exc} (indicator {indicator.code})") from None
        if response.status_code == NO_CONTENT or not response.content.strip():
            return Batch(task.label, note=f"no data from {start:%Y-%m}")
        body = self.http.decode_json(response)
        records = self._records(body, indicator, value_var, commodity_var, hs, partner)
        return Batch(task.label, records, last_periods(records, self.source, cursors),
                     note=f"{len(records)} months from {start:%Y-%m}")

    def _records(self, body: Any, indicator: Indicator, value_var: str, commodity_var: str, hs: str,
                 partner: str) -> list[Record]:
        """Records from the header-row array: the first row names the columns, values are strings."""
        if not (isinstance(body, list) and body and all(isinstance(r, list) for r in body)):
            raise MalformedResponse(f"{self.name}: {indicator.code}: expected an array of arrays, got "
                                    f"{snippet(str(body))!r}")
        header, rows = body[0], body[1:]
        missing = [c for c in (value_var, commodity_var, "CTY_CODE", "time") if c not in header]
        if missing:
            raise MalformedResponse(f"{self.name}: {indicator.code}: header {header} lacks {', '.join(missing)}")
        at = {name: header.index(name) for name in (value_var, commodity_var, "CTY_CODE", "time")}
        records = []
        for row in rows:
            if len(row) != len(header):
                raise MalformedResponse(f"{self.name}: {indicator.code}: row {row} does not match header {header}")
            if row[at[commodity_var]] != hs or row[at["CTY_CODE"]] != partner:
                raise MalformedResponse(f"{self.name}: {indicator.code}: row for commodity {row[at[commodity_var]]} "
                                        f"and country {row[at['CTY_CODE']]} in an answer for {hs} and {partner}")
            records.append(Record(indicator.code, REPORTER, row[at["time"]], row[at[value_var]]))
        return records
