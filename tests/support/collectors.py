"""Helpers for the collector and scheduler tests: a World Bank replay server, configs, a downstream probe."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from werkzeug import Request, Response

from autarky.app import App

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WB_RECORDING = FIXTURES / "worldbank" / "wb_gdp_all.subset_CHN_USA_JPN_KOR_DEU_WLD.json"
WB_LATER_RELEASE = FIXTURES / "worldbank" / "gdp_CHN_JPN_USA.later_release.json"
WB_PAGE_SIZE = 50
# Fast retries for tests; the production defaults are seconds.
FAST = {"backoff": 0.001, "backoff_max": 0.002, "rate_per_minute": 0}


def fixture_json(*parts: str) -> Any:
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value))


def write_config(folder: Path, database_url: str, collectors: dict[str, dict[str, Any]] | None = None,
                 indicators: Iterable[dict[str, Any]] = (), extra: dict[str, dict[str, Any]] | None = None) -> Path:
    """An autarky.toml with the database, `[collectors.<name>]` tables, extra tables and `[[indicator]]` entries."""
    lines = [f"database_url = {toml_value(database_url)}"]
    for table, values in (extra or {}).items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    for name, values in (collectors or {}).items():
        lines.append(f"[collectors.{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    for indicator in indicators:
        lines.append("[[indicator]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in indicator.items()]
    path = folder / "autarky.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_app(folder: Path, database_url: str, **kwargs: Any) -> App:
    return App(config_path=str(write_config(folder, database_url, **kwargs)))


class WorldBankReplay:
    """Serves real recorded World Bank rows the way API v2 does: by country and date range, in pages of a fixed
    size (whatever per_page was asked), with page/pages/total metadata; unknown codes get the HTTP-200 error."""

    def __init__(self, httpserver, path: Path = WB_RECORDING, *, page_size: int = WB_PAGE_SIZE,
                 lastupdated: str | None = None, delay: float = 0.0):
        self.httpserver, self.page_size, self.delay = httpserver, page_size, delay
        self.requests: list[dict[str, str]] = []
        self.load(path, lastupdated)
        pattern = re.compile(r"^/v2/country/(?P<countries>[^/]+)/indicator/(?P<code>[^/]+)$")
        httpserver.expect_request(pattern).respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.httpserver.url_for("/v2")

    def load(self, path: Path, lastupdated: str | None = None) -> None:
        meta, rows = json.loads(path.read_text(encoding="utf-8"))
        self.rows, self.lastupdated = rows, lastupdated or meta["lastupdated"]
        self.indicators = {row["indicator"]["id"] for row in rows}
        self.countries = {row["countryiso3code"] for row in rows}

    def _handle(self, request: Request) -> Response:
        match = re.match(r"^/v2/country/(?P<countries>[^/]+)/indicator/(?P<code>[^/]+)$", request.path)
        countries, code = match["countries"].split(";"), match["code"]
        self.requests.append({"countries": match["countries"], "code": code, **request.args.to_dict()})
        time.sleep(self.delay)
        if code not in self.indicators or any(c != "all" and c not in self.countries for c in countries):
            return _json(fixture_json("worldbank", "error_invalid_value.json"))
        first, last = (int(y) for y in request.args.get("date", "1000:9999").split(":"))
        rows = [r for r in self.rows if ("all" in countries or r["countryiso3code"] in countries)
                and first <= int(r["date"]) <= last]
        if not rows:
            return _json(fixture_json("worldbank", "empty.json"))
        pages = math.ceil(len(rows) / self.page_size)
        page = int(request.args.get("page", "1"))
        meta = {"page": page, "pages": pages, "per_page": self.page_size, "total": len(rows), "sourceid": "2",
                "lastupdated": self.lastupdated}
        return _json([meta, rows[(page - 1) * self.page_size: page * self.page_size]])

    def expected(self, countries: Iterable[str], first: int = 0) -> dict[tuple[str, int], float]:
        return expected_values(self.rows, countries, first)


def expected_values(rows: list[dict[str, Any]], countries: Iterable[str],
                    first: int = 0) -> dict[tuple[str, int], float]:
    """{(country, year): value} of the non-null World Bank rows of these countries from year `first`."""
    wanted = set(countries)
    return {(r["countryiso3code"], int(r["date"])): float(r["value"]) for r in rows
            if r["countryiso3code"] in wanted and r["value"] is not None and int(r["date"]) >= first}


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json;charset=utf-8")


# ---------------------------------------------------------------------------- a downstream stage for chain tests
DOWNSTREAM_CALLS: list[frozenset[str]] = []
_DOWNSTREAM_LOCK = threading.Lock()


FAIL_NEXT_DOWNSTREAM = threading.Event()


def record_downstream(app: App, changed: frozenset[str]) -> frozenset[str]:
    """A real downstream stage (registered in autarky.pipeline.DOWNSTREAM by the tests) that records its input;
    it fails once when FAIL_NEXT_DOWNSTREAM is set, as a crashing stage would."""
    with _DOWNSTREAM_LOCK:
        DOWNSTREAM_CALLS.append(frozenset(changed))
    if FAIL_NEXT_DOWNSTREAM.is_set():
        FAIL_NEXT_DOWNSTREAM.clear()
        raise RuntimeError("downstream stage crashed")
    return frozenset()


# ---------------------------------------------------------------------------- UN Comtrade replay
COMTRADE_CSV = FIXTURES / "comtrade" / "comtrade_chn_imports_from_usa_8542_2010_2024.csv"
_COMTRADE_TEXT = {"period", "cmdCode", "customsCode", "flowCode", "freqCode", "typeCode", "classificationCode",
                  "classificationSearchCode", "mosCode"}


def comtrade_csv_rows(path: Path = COMTRADE_CSV) -> list[dict[str, Any]]:
    """Real Comtrade `get` records saved as CSV, typed back to the JSON layout (codes as numbers, '' as null)."""
    import csv

    def typed(name: str, text: str) -> Any:
        if text == "" or name in _COMTRADE_TEXT:
            return text or None
        if text in ("True", "False"):
            return text == "True"
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number

    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: typed(k, v) for k, v in row.items()} for row in csv.DictReader(handle)]


class ComtradeReplay:
    """Answers `/…/v1/{get,preview}/C/{A,M}/HS` as Comtrade v1 does, from real records: the rows matching the
    asked reporterCode, partnerCode, cmdCode, flowCode and period lists (every row if `filtered` is False)."""

    def __init__(self, httpserver, rows: list[dict[str, Any]], *, filtered: bool = True,
                 headers: dict[str, str] | None = None):
        self.rows, self.filtered, self.requests = rows, filtered, []
        pattern = re.compile(r"^/(data/v1/get|public/v1/preview)/C/[AM]/HS$")
        httpserver.expect_request(pattern, headers=headers).respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.requests.append(args)
        fields = {"reporterCode": "reporterCode", "partnerCode": "partnerCode", "cmdCode": "cmdCode",
                  "flowCode": "flowCode", "period": "period"}
        rows = [r for r in self.rows if not self.filtered or all(
            str(r[column]) in args.get(name, "").split(",") for name, column in fields.items())]
        return _json({"elapsedTime": "0.1 secs", "count": len(rows), "data": rows, "error": ""})


def comtrade_answer(name: str = "HS-60a6ad.json"):
    """A handler serving a recorded Comtrade answer the way the API does: only its rows for the periods asked."""
    recorded = fixture_json("comtrade", name)

    def handle(request: Request) -> Response:
        asked = set(request.args.get("period", "").split(","))
        data = [row for row in recorded["data"] if str(row["period"]) in asked]
        return _json({**recorded, "count": len(data), "data": data})
    return handle
