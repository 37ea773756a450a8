"""UN Comtrade collector against a loopback server serving the recorded v1 answer and documented error bodies."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug import Response

from autarky.collectors.runner import collect
from tests.support.collectors import FAST, comtrade_answer, fixture_json, make_app

# China's 2010 total trade with Germany, as in the recorded answer (reporter 156, partner 276).
CHINA_IMPORTS_FROM_GERMANY_2010 = 74251272075.0
CHINA_EXPORTS_TO_GERMANY_2010 = 68047133397.0
BILATERAL = [
    {"code": f"CT.TOTAL.{flow}.DEU", "name": f"China total {flow} with Germany", "category": "trade",
     "source": "comtrade", "unit": "US$", "frequency": "A", "direction": 0, "countries": ["CHN"], "min": 0,
     "params": {"hs": "TOTAL", "flow": flow, "partner": "DEU"}}
    for flow in ("M", "X")
]
CODES = [ind["code"] for ind in BILATERAL]
PREVIEW = "/public/v1/preview/C/A/HS"
KEYED = "/data/v1/get/C/A/HS"


def comtrade_app(tmp_path, url, httpserver, **settings):
    return make_app(tmp_path, url, indicators=BILATERAL,
                    collectors={"comtrade": {"base_url": httpserver.url_for("/"), **FAST, **settings}})


def test_keyless_preview_stores_the_recorded_flows(tmp_path, database_url, httpserver):
    httpserver.expect_request(PREVIEW).respond_with_handler(comtrade_answer())
    app = comtrade_app(tmp_path, database_url, httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert not result.failed, result.errors
    request = httpserver.log[0][0]
    assert request.args["reportercode"] == "156" and request.args["partnerCode"] == "276"
    assert request.args["cmdCode"] == "TOTAL" and request.args["flowCode"] == "M,X"
    assert request.args["period"].startswith("2010,2011") and len(request.args["period"].split(",")) <= 12
    assert "Ocp-Apim-Subscription-Key" not in request.headers
    frame = app.store.observations(indicators=CODES)
    values = {(r.indicator, r.period.year): r.value for r in frame.itertuples()}
    assert values == {("CT.TOTAL.M.DEU", 2010): CHINA_IMPORTS_FROM_GERMANY_2010,
                      ("CT.TOTAL.X.DEU", 2010): CHINA_EXPORTS_TO_GERMANY_2010}  # the Argentina rows are not asked for
    app.close()


def test_the_key_comes_from_the_environment_and_selects_the_keyed_endpoint(tmp_path, sqlite_store, httpserver,
                                                                          monkeypatch):
    monkeypatch.setenv("AUTARKY_COLLECTORS__COMTRADE__API_KEY", "test-subscription-key")
    httpserver.expect_request(KEYED, headers={"Ocp-Apim-Subscription-Key": "test-subscription-key"}) \
        .respond_with_handler(comtrade_answer())
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=2010)
    assert not result.failed and result.inserted == 2
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
    httpserver.expect_ordered_request(PREVIEW).respond_with_handler(comtrade_answer())
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
    assert asked[0]["reportercode"] == "410" and asked[0]["partnerCode"] == "0" and asked[0]["cmdCode"] == "8542"
    first = asked[0]["period"].split(",")
    assert len(first) == 12 and first[0] == f"{dt.date.today().year - 1}01" and first[-1].endswith("12")
    months = [p for args in asked for p in args["period"].split(",")]
    assert len(months) == 12 + dt.date.today().month
    app.close()


def test_taiwan_is_asked_as_other_asia_nes(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(PREVIEW).respond_with_json(fixture_json("comtrade", "empty.json"))
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    collect(app, ["comtrade"], ["CT.8542.M"], ["TWN"], since=dt.date.today().year)
    assert httpserver.log[0][0].args["reportercode"] == "490"
    app.close()


@pytest.mark.parametrize("body", [{"elapsedTime": "0 secs", "count": 0, "data": [], "error": "Invalid cmdCode"}])
def test_an_error_field_in_a_200_answer_is_a_refusal(tmp_path, sqlite_store, httpserver, body):
    httpserver.expect_request(PREVIEW).respond_with_json(body)
    app = comtrade_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["comtrade"], CODES, since=dt.date.today().year)
    assert result.failed and "Invalid cmdCode" in result.errors[0] and "reporter 156" in result.errors[0]
    app.close()
