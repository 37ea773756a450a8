"""UN Comtrade v1: goods trade by HS code with the World and each catalog partner (mirror flows included), annual
and monthly, with or without a key."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from autarky.catalog import Indicator, partner_series, series_key
from autarky.collectors.base import Batch, Collector, Record, Selection, Task, last_periods
from autarky.collectors.errors import MalformedResponse, SourceRefused, SourceUnavailable
from autarky.collectors.http import HttpStatusError, snippet
from autarky.collectors.settings import Defaults
from autarky.periods import frequency_of

PREVIEW_CAP = 500            # rows the keyless preview endpoint returns at most
PERIODS_PER_REQUEST = 12     # the API takes up to 12 periods a call
KEY_HEADER = "Ocp-Apim-Subscription-Key"
KEY_ENV = "AUTARKY_COLLECTORS__COMTRADE__API_KEY"
WORLD = 0
# Only the totals row of each flow: no breakdown by second partner, customs procedure or transport mode.
TOTALS = {"partner2Code": WORLD, "customsCode": "C00", "motCode": 0}
START = {"A": 2000, "M": 2015}
REVISION_WINDOW = {"A": 2, "M": 12}


@lru_cache(maxsize=1)
def reporter_codes() -> dict[str, int]:
    """ISO3 -> Comtrade reporter code, from the bundled copy of the API's Reporters reference (TWN = 490)."""
    text = resources.files("autarky.collectors.data").joinpath("comtrade_reporters.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["iso3"]: int(row["code"]) for row in rows}


class ComtradeCollector(Collector):
    """One task per frequency, reporter, partner set and run of up to 12 periods, asking every selected HS code and
    flow with all the reporter's partners at once (partnerCode as a comma list: 0 = World, then each partner)."""

    name = "comtrade"
    source = "comtrade"
    defaults = Defaults(base_url="https://comtradeapi.un.org", cron="0 4 5 * *", rate_per_minute=30)

    def headers(self) -> dict[str, str]:
        return {KEY_HEADER: self.ctx.settings.api_key} if self.ctx.settings.api_key else {}

    def plan(self, selection: Selection) -> list[Task]:
        tasks = []
        for indicator in selection.indicators:
            if indicator.frequency not in START or not indicator.params.get("hs") \
                    or indicator.params.get("flow") not in ("M", "X"):
                raise SourceRefused(f"{self.name}: indicator {indicator.code} needs frequency A or M and params hs "
                                    f"and flow (M or X), got {indicator.frequency} {dict(indicator.params)}")
            if "partner" in indicator.params:
                raise SourceRefused(f"{self.name}: indicator {indicator.code}: params.partner is not read; declare "
                                    f"the partners in the indicator's `partners` field")
        for frequency in sorted({ind.frequency for ind in selection.indicators}):
            chosen = [ind for ind in selection.indicators if ind.frequency == frequency]
            for country in sorted({c for ind in chosen for c in selection.countries_of(ind)}):
                groups: dict[tuple[str | None, ...], list[Indicator]] = {}
                for ind in chosen:
                    if country in selection.countries_of(ind):
                        partners = tuple(p for c, p in partner_series(ind) if c == country)
                        groups.setdefault(partners, []).append(ind)
                for partners, indicators in sorted(groups.items(), key=lambda item: [p or "" for p in item[0]]):
                    tasks.extend(self._tasks(frequency, country, partners, tuple(indicators), selection.since))
        return tasks

    def _tasks(self, frequency: str, country: str, partners: tuple[str | None, ...],
               indicators: tuple[Indicator, ...], since: int | None) -> list[Task]:
        code = comtrade_code(country, f"country {country}")
        asked = tuple((WORLD if p is None else comtrade_code(p, f"partner {p}"), p) for p in partners)
        keys = [series_key(self.source, ind.code, country, p) for ind in indicators for p in partners]
        start = self.window_start(self.ctx.cursors.get_many(keys), keys, frequency=frequency, since=since,
                                  start_year=START[frequency], window=REVISION_WINDOW[frequency],
                                  suffix="" if frequency == "A" else "_monthly")
        step = frequency_of(frequency)
        periods = [_period_code(p, frequency) for p in step.between(start, step.start_of(self.ctx.today))]
        bilateral = [p for p in partners if p is not None]
        partner_label = f" with {','.join(bilateral)}" if bilateral else ""
        return [Task(label=f"{frequency} {country}{partner_label} {chunk[0]}-{chunk[-1]}", indicators=indicators,
                     countries=(country,), payload=Ask(frequency, code, asked, tuple(chunk), tuple(keys)))
                for chunk in (periods[i:i + PERIODS_PER_REQUEST] for i in range(0, len(periods), PERIODS_PER_REQUEST))]

    def fetch(self, task: Task) -> Batch:
        ask: Ask = task.payload
        country = task.countries[0]
        by_code = {(str(ind.params["hs"]), ind.params["flow"]): ind for ind in task.indicators}
        hs_codes, flows = sorted({hs for hs, _ in by_code}), sorted({flow for _, flow in by_code})
        rows = self._rows(ask.frequency, ask.reporter, [code for code, _ in ask.partners], list(ask.periods),
                          hs_codes, flows)
        partners = dict(ask.partners)
        records = []
        for row in rows:
            if any(row.get(field, value) not in (value, str(value)) for field, value in TOTALS.items()):
                continue  # a breakdown by second partner, customs procedure or transport mode, not the total
            problem = _unasked(row, ask, partners, hs_codes, flows)
            if problem:
                raise MalformedResponse(f"{self.name}: {task.label}: row for {problem} was not asked "
                                        f"(asked reporter {ask.reporter}, partners "
                                        f"{','.join(str(c) for c in partners)}, HS {','.join(hs_codes)}, "
                                        f"flows {','.join(flows)}, periods {ask.periods[0]}-{ask.periods[-1]})")
            indicator = by_code.get((str(row.get("cmdCode")), str(row.get("flowCode"))))
            if indicator is None or row.get("primaryValue") is None:
                continue  # a code and flow pair asked only because another indicator needs the code or the flow
            records.append(Record(indicator.code, country, str(row["period"]), row["primaryValue"],
                                  partner=partners[int(row["partnerCode"])]))
        valued = [row for row in rows if row.get("primaryValue") is not None]
        if valued and not records:
            raise MalformedResponse(f"{self.name}: {task.label}: none of the {len(valued)} rows of the answer "
                                    f"matches the request (reporter {ask.reporter}, partners "
                                    f"{','.join(str(c) for c in partners)}, HS {','.join(hs_codes)}, "
                                    f"periods {ask.periods[0]}-{ask.periods[-1]})")
        previous = self.ctx.cursors.get_many(list(ask.keys))
        return Batch(task.label, records, last_periods(records, self.source, previous), note=f"{len(rows)} rows",
                     first=_period_start(ask.periods[0]), last=_period_start(ask.periods[-1]))

    def _rows(self, frequency: str, reporter: int, partners: list[int], periods: list[str], hs_codes: list[str],
              flows: list[str]) -> list[dict[str, Any]]:
        """Rows for these periods; a preview answer at its 500-row cap is asked again in halves."""
        keyed = self.ctx.settings.api_key is not None
        path = f"{'data/v1/get' if keyed else 'public/v1/preview'}/C/{frequency}/HS"
        params = {"reporterCode": reporter, "period": ",".join(periods), "cmdCode": ",".join(hs_codes),
                  "flowCode": ",".join(flows), "partnerCode": ",".join(str(p) for p in partners), **TOTALS,
                  "includeDesc": "false"}
        what = f"reporter {reporter}, partners {','.join(str(p) for p in partners)}, HS {','.join(hs_codes)}, periods {periods[0]}-{periods[-1]}"
        try:
            body = self.http.get_json(path, params=params)
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                hint = f"check {KEY_ENV}" if keyed else f"set {KEY_ENV} to use the keyed endpoint"
                raise SourceUnavailable(f"{exc}; {hint}") from None
            raise SourceRefused(f"{exc} ({what})") from None
        if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
            raise MalformedResponse(f"{self.name}: {what}: expected {{count, data, error}}, got {snippet(str(body))!r}")
        if body.get("error"):
            raise SourceRefused(f"{self.name}: {what}: {body['error']}")
        data = body.get("data") or []
        cap = self.ctx.settings.int_option("preview_cap", PREVIEW_CAP)
        if not keyed and len(data) >= cap:
            if len(periods) > 1:
                half = len(periods) // 2
                return (self._rows(frequency, reporter, partners, periods[:half], hs_codes, flows)
                        + self._rows(frequency, reporter, partners, periods[half:], hs_codes, flows))
            self.ctx.warn(f"{self.name}: the keyless preview answered its {cap}-row cap for {what}; "
                          f"the result may be incomplete: set {KEY_ENV} for complete data")
        return data


@dataclass(frozen=True)
class Ask:
    """What one request asks: frequency, reporter code, (partner code, partner ISO3 or None for World) pairs,
    periods, and the series keys it fills (for the cursors)."""

    frequency: str
    reporter: int
    partners: tuple[tuple[int, str | None], ...]
    periods: tuple[str, ...]
    keys: tuple[str, ...]


def comtrade_code(iso3: str, what: str) -> int:
    """The Comtrade reporter/partner code of an ISO3 code (TWN = 490), or SourceRefused naming `what`."""
    code = reporter_codes().get(iso3)
    if code is None:
        raise SourceRefused(f"comtrade: {what} has no Comtrade reporter code")
    return code


def _unasked(row: dict[str, Any], ask: Ask, partners: dict[int, str | None], hs_codes: list[str],
             flows: list[str]) -> str:
    """What in a row was not asked (reporter, frequency, partner, HS code, flow or period), or ''."""
    checks = (("reporter", row.get("reporterCode"), [ask.reporter]),
              ("frequency", row.get("freqCode", ask.frequency), [ask.frequency]),
              ("partner", row.get("partnerCode"), list(partners)),
              ("HS code", row.get("cmdCode"), hs_codes),
              ("flow", row.get("flowCode"), flows),
              ("period", row.get("period"), list(ask.periods)))
    for name, value, allowed in checks:
        if str(value) not in {str(a) for a in allowed}:
            return f"{name} {value!r}"
    return ""


def _period_code(period: dt.date, frequency: str) -> str:
    return f"{period.year}" if frequency == "A" else f"{period.year}{period.month:02d}"


def _period_start(code: str) -> dt.date:
    return dt.date(int(code[:4]), int(code[4:6] or 1), 1)
