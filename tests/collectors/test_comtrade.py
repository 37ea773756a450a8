"""UN Comtrade collector against a loopback server serving the recorded v1 answer and documented error bodies."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from werkzeug import Response

from autarky.catalog import series_key
from autarky.collectors.runner import collect
from tests.support.collectors import FAST, ComtradeReplay, comtrade_csv_rows, fixture_json, make_app

# China's 2010 total trade with Germany, as in the recorded answer (reporter 156, partner 276).
CHINA_IMPORTS_FROM_GERMANY_2010 = 74251272075.0
CHINA_EXPORTS_TO_GERMANY_2010 = 68047133397.0
CHINA_IMPORTS_FROM_ARGENTINA_2010 = 6804128143.0
CHINA_EXPORTS_TO_ARGENTINA_2010 = 6115764185.0
BILATERAL = [
    {"code": f"CT.TOTAL.{flow}", "name": f"China total {flow}", "category": "trade",
     "source": "comtrade", "unit": "US$", "frequency": "A", "direction": 0, "countries": ["CHN"], "min": 0,
     "partners": ["ARG", "DEU"], "params": {"hs": "TOTAL", "flow": flow}}
    for flow in ("M", "X")
]
CODES = [ind["code"] for ind in BILATERAL]
PREVIEW = "/public/v1/preview/C/A/HS"
KEYED = "/data/v1/get/C/A/HS"


def comtrade_app(tmp_path, url, httpserver, **settings):
    return make_app(tmp_path, url, indicators=BILATERAL,
                    collectors={"comtrade": {"base_url": httpserver.url_for("/"), **FAST, **settings}})


def test_keyless_preview_stores_the_recorded_flows(tmp_path, database_url, httpserver):
    ComtradeReplay(httpserver, fixture_json("comtrade", "HS-60a6ad.json")["data"])
    app = comtrade_app(tmp_path, database_url, httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert not result.failed, result.errors
    request = httpserver.log[0][0]
    assert request.args["reporterCode"] == "156" and request.args["partnerCode"] == "0,32,276"
    assert request.args["cmdCode"] == "TOTAL" and request.args["flowCode"] == "M,X"
    assert request.args["period"].startswith("2010,2011") and len(request.args["period"].split(",")) <= 12
    assert "Ocp-Apim-Subscription-Key" not in request.headers
    frame = app.store.observations(indicators=CODES)
    values = {(r.series_key, r.period.year): r.value for r in frame.itertuples()}
    assert values == {("comtrade:CT.TOTAL.M:CHN:DEU", 2010): CHINA_IMPORTS_FROM_GERMANY_2010,
                      ("comtrade:CT.TOTAL.X:CHN:DEU", 2010): CHINA_EXPORTS_TO_GERMANY_2010,
                      ("comtrade:CT.TOTAL.M:CHN:ARG", 2010): CHINA_IMPORTS_FROM_ARGENTINA_2010,
                      ("comtrade:CT.TOTAL.X:CHN:ARG", 2010): CHINA_EXPORTS_TO_ARGENTINA_2010}
    app.close()


def test_the_key_comes_from_the_environment_and_selects_the_keyed_endpoint(tmp_path, sqlite_store, httpserver,
                                                                          monkeypatch):
    monkeypatch.setenv("AUTARKY_COLLECTORS__COMTRADE__API_KEY", "test-subscription-key")
    ComtradeReplay(httpserver, fixture_json("comtrade", "HS-60a6ad.json")["data"],
                   headers={"Ocp-Apim-Subscription-Key": "test-subscription-key"})
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert not result.failed and result.inserted == 4
    app.close()


def test_a_key_in_the_config_file_is_refused(tmp_path, sqlite_store, httpserver):
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver, api_key="do-not-store-me")
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert result.failed and "secrets are read only from the environment" in result.errors[0]
    assert "AUTARKY_COLLECTORS__COMTRADE__API_KEY" in result.errors[0]
    assert len(httpserver.log) == 0
    app.close()


def test_401_stops_the_source_and_says_which_setting_to_fix(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.setenv("AUTARKY_COLLECTORS__COMTRADE__API_KEY", "expired-key")
    httpserver.expect_request(KEYED).respond_with_json(fixture_json("comtrade", "401.json"), status=401)
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2000)  # 2000.. in several 12-period requests
    assert result.failed and "HTTP 401" in result.errors[0] and "invalid subscription key" in result.errors[0]
    assert "check AUTARKY_COLLECTORS__COMTRADE__API_KEY" in result.errors[0]
    assert len(httpserver.log) == 1  # authentication refused: the other requests are not tried
    assert app.store.observations().empty and app.store.runs().iloc[0]["status"] == "failed"
    app.close()


def test_429_waits_as_told_and_then_stores(tmp_path, sqlite_store, httpserver):
    httpserver.expect_ordered_request(PREVIEW).respond_with_response(
        Response("", status=429, headers={"Retry-After": "1"}))
    httpserver.expect_ordered_request(PREVIEW).respond_with_json(fixture_json("comtrade", "empty.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    sleeps: list[float] = []
    [result] = collect(app, ["comtrade"], CODES, since=dt.date.today().year, sleep=sleeps.append)
    assert not result.failed and sleeps == [1.0]
    app.close()


def test_empty_results_are_not_errors(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(PREVIEW).respond_with_json(fixture_json("comtrade", "empty.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2020)
    assert not result.failed and result.inserted == 0
    assert app.store.runs().iloc[0]["status"] == "ok"
    app.close()


def test_the_preview_cap_splits_the_request_and_warns_when_it_cannot(tmp_path, sqlite_store, httpserver):
    # With the cap set to the recorded answer's 4 rows, every answer "hits the cap".
    httpserver.expect_request(PREVIEW).respond_with_json(fixture_json("comtrade", "HS-60a6ad.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver, preview_cap=4)
    warnings: list[str] = []
    this_year = dt.date.today().year
    [result] = collect(app, ["comtrade"], CODES, since=this_year - 1, warn=warnings.append)
    periods = [request.args["period"] for request, _ in httpserver.log]
    assert periods == [f"{this_year - 1},{this_year}", f"{this_year - 1}", f"{this_year}"]
    assert len(warnings) == 2 and "500" not in warnings[0] and "4-row cap" in warnings[0]
    assert "AUTARKY_COLLECTORS__COMTRADE__API_KEY" in warnings[0]
    assert result.warnings == warnings
    app.close()


def test_monthly_indicators_ask_yyyymm_periods_twelve_at_a_time(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request("/public/v1/preview/C/M/HS").respond_with_json(fixture_json("comtrade", "empty.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], ["CTM.8542.M", "CTM.8542.X"], ["KOR"], since=dt.date.today().year - 1)
    assert not result.failed
    asked = [request.args for request, _ in httpserver.log]
    # Korea's flows with the World and with China (the mirror of China's flows with Korea) in one request.
    assert asked[0]["reporterCode"] == "410" and asked[0]["partnerCode"] == "0,156" and asked[0]["cmdCode"] == "8542"
    first = asked[0]["period"].split(",")
    assert len(first) == 12 and first[0] == f"{dt.date.today().year - 1}01" and first[-1].endswith("12")
    months = [p for args in asked for p in args["period"].split(",")]
    assert len(months) == 12 + dt.date.today().month
    app.close()


def test_taiwan_is_asked_as_other_asia_nes(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(PREVIEW).respond_with_json(fixture_json("comtrade", "empty.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    collect(app, ["comtrade"], ["CT.8542.M"], ["TWN"], since=dt.date.today().year)
    assert httpserver.log[0][0].args["reporterCode"] == "490" and httpserver.log[0][0].args["partnerCode"] == "0,156"
    app.close()


@pytest.mark.parametrize("body", [{"elapsedTime": "0 secs", "count": 0, "data": [], "error": "Invalid cmdCode"}])
def test_an_error_field_in_a_200_answer_is_a_refusal(tmp_path, sqlite_store, httpserver, body):
    httpserver.expect_request(PREVIEW).respond_with_json(body)
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=dt.date.today().year)
    assert result.failed and "Invalid cmdCode" in result.errors[0] and "reporter 156" in result.errors[0]
    app.close()


# ---------------------------------------------------------------------------- bilateral series (catalog partners)
# Partner codes in the order of the catalog's `partners` (USA JPN KOR TWN NLD DEU SGP MYS), after World (0).
CHINA_PARTNERS = "0,842,392,410,490,528,276,702,458"
SNAPSHOT_BILATERAL = Path(__file__).resolve().parents[2] / "autarky" / "data" / "snapshot" / "comtrade_bilateral.csv"


def bundled_bilateral() -> dict[tuple[str, int], float]:
    with SNAPSHOT_BILATERAL.open(encoding="utf-8", newline="") as handle:
        return {(series_key("comtrade", r["indicator"], r["country"], r["partner"] or None), int(r["period"])):
                float(r["value"]) for r in csv.DictReader(handle)}


def test_china_is_asked_with_every_partner_at_once_and_stored_under_four_part_keys(tmp_path, database_url,
                                                                                  httpserver):
    replay = ComtradeReplay(httpserver, comtrade_csv_rows())
    app = comtrade_app(tmp_path, database_url, httpserver)
    [result] = collect(app, ["comtrade"], ["CT.8542.M"], ["CHN"], since=2010)
    assert not result.failed, result.errors
    first = replay.requests[0]
    assert (first["reporterCode"], first["partnerCode"], first["flowCode"], first["cmdCode"]) == (
        "156", CHINA_PARTNERS, "M", "8542")
    assert first["period"] == ",".join(str(y) for y in range(2010, 2022))
    assert [r["period"].split(",")[0] for r in replay.requests] == ["2010", "2022"]
    frame = app.store.observations(indicators=["CT.8542.M"])
    stored = {(r.series_key, r.period.year): r.value for r in frame.itertuples()}
    # Only the USA rows exist in the real records: 15 years, 2010-2024, as the bundled snapshot holds them.
    assert len(stored) == 15 and set(k for k, _ in stored) == {"comtrade:CT.8542.M:CHN:USA"}
    assert stored[("comtrade:CT.8542.M:CHN:USA", 2010)] == 7903767147.0
    assert stored == bundled_bilateral()
    assert set(frame["partner"]) == {"USA"}
    app.close()


def test_mirror_flows_ask_each_partner_with_china_including_taiwan_as_490(tmp_path, sqlite_store, httpserver):
    replay = ComtradeReplay(httpserver, comtrade_csv_rows())
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], ["CT.8542.X", "CT.854231.X", "CT.848620.X"], ["USA", "TWN", "NLD"],
                       since=dt.date.today().year)
    assert not result.failed, result.errors
    asked = {(r["reporterCode"], r["partnerCode"], r["flowCode"], r["cmdCode"], r["period"]) for r in replay.requests}
    year = str(dt.date.today().year)
    assert asked == {(reporter, "0,156", "X", "848620,8542,854231", year) for reporter in ("842", "490", "528")}
    assert result.inserted == 0  # no real record of these flows in the fixture: nothing invented, nothing stored
    app.close()


def test_a_row_for_a_partner_not_asked_rejects_the_batch_naming_it(tmp_path, sqlite_store, httpserver):
    # The recorded answer holds China's rows with Argentina (32) and Germany (276); only Germany is asked here.
    germany_only = [{**indicator, "partners": ["DEU"]} for indicator in BILATERAL]
    ComtradeReplay(httpserver, fixture_json("comtrade", "HS-60a6ad.json")["data"], filtered=False)
    app = make_app(tmp_path, str(sqlite_store.engine.url), indicators=germany_only,
                   collectors={"comtrade": {"base_url": httpserver.url_for("/"), **FAST}})
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert result.failed and "row for partner 32 was not asked" in result.errors[0]
    assert "partners 0,276" in result.errors[0]
    assert app.store.observations().empty
    app.close()


def test_since_asks_from_that_year_and_a_row_of_an_earlier_year_is_refused(tmp_path, sqlite_store, httpserver):
    replay = ComtradeReplay(httpserver, comtrade_csv_rows())
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], ["CT.8542.M"], ["CHN"], since=2020)
    assert not result.failed
    assert replay.requests[0]["period"].split(",")[0] == "2020"
    years = sorted(r.period.year for r in app.store.observations(indicators=["CT.8542.M"]).itertuples())
    assert years == [2020, 2021, 2022, 2023, 2024]
    app.close()
    replay.filtered = False  # the server now answers every record whatever the period asked
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], ["CT.8542.M"], ["CHN"], since=2020)
    assert result.failed and "row for period '2010' was not asked" in result.errors[0]
    app.close()


def test_monthly_bilateral_asks_yyyymm_with_every_partner(tmp_path, sqlite_store, httpserver):
    replay = ComtradeReplay(httpserver, comtrade_csv_rows())
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    this_year = dt.date.today().year
    [result] = collect(app, ["comtrade"], ["CTM.8542.M", "CTM.854232.M"], ["CHN"], since=this_year)
    assert not result.failed and result.inserted == 0  # the annual records are not monthly answers
    [asked] = replay.requests
    assert (asked["reporterCode"], asked["partnerCode"], asked["cmdCode"]) == ("156", CHINA_PARTNERS, "8542,854232")
    assert asked["period"].split(",")[0] == f"{this_year}01"
    assert httpserver.log[0][0].path == "/public/v1/preview/C/M/HS"
    app.close()
