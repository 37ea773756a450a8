"""No key leaks, no answer holds a collect forever, Comtrade rows are checked against the request: `autarky
collect` and `autarky status` against loopback stand-ins serving the recorded Comtrade answer."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from autarky.cli import cli
from autarky.collectors.http import HttpClient, HttpSettings
from tests.support.collectors import comtrade_answer, fixture_json
from tests.support.faults import GDP, collect_cli, runs

KEY = "s3cr3t-subscription-key-0123"
KEY_ENV = {"AUTARKY_COLLECTORS__COMTRADE__API_KEY": KEY}
BILATERAL = [
    {"code": f"CT.TOTAL.{flow}", "name": f"China total {flow}", "category": "trade",
     "source": "comtrade", "unit": "US$", "frequency": "A", "direction": 0, "countries": ["CHN"], "min": 0,
     "partners": ["ARG", "DEU"], "params": {"hs": "TOTAL", "flow": flow}}
    for flow in ("M", "X")
]
CODES = "CT.TOTAL.M,CT.TOTAL.X"
KEYED = "/data/v1/get/C/A/HS"
PREVIEW = "/public/v1/preview/C/A/HS"


@pytest.fixture
def elsewhere():
    """A second loopback server: another origin a redirect can point at."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def comtrade_collect(tmp_path, db, httpserver, *args, env=None, **settings):
    return collect_cli(tmp_path, db, "collect", "comtrade", "--indicator", CODES, *args, "--no-downstream",
                       collectors={"comtrade": {"base_url": httpserver.url_for("/"), **settings}},
                       indicators=BILATERAL, env=env)


def test_the_comtrade_key_does_not_follow_a_redirect_to_another_origin(tmp_path, db, httpserver, elsewhere):
    elsewhere.expect_request(KEYED).respond_with_handler(comtrade_answer())
    httpserver.expect_request(KEYED).respond_with_handler(
        lambda request: Response("", status=302, headers={"Location": elsewhere.url_for(KEYED) + "?" +
                                                          request.query_string.decode()}))
    result = comtrade_collect(tmp_path, db, httpserver, "--since", "2010", env=KEY_ENV)
    assert result.exit_code == 0, result.output
    assert httpserver.log[0][0].headers.get("Ocp-Apim-Subscription-Key") == KEY  # its own origin gets it
    assert elsewhere.log and all("Ocp-Apim-Subscription-Key" not in r.headers for r, _ in elsewhere.log)
    assert "comtrade: 4 inserted" in result.output


def test_the_patentsview_key_does_not_follow_a_redirect_to_another_origin(httpserver, elsewhere):
    elsewhere.expect_request("/patent/").respond_with_json({"error": False, "count": 0, "total_hits": 0,
                                                            "patents": []})
    httpserver.expect_request("/api/v1/patent/").respond_with_response(
        Response("", status=307, headers={"Location": elsewhere.url_for("/patent/")}))
    with HttpClient(HttpSettings(base_url=httpserver.url_for("/api/v1/patent/"), retries=0), source="patentsview",
                    headers={"X-Api-Key": KEY}) as client:
        assert client.get_json("")["total_hits"] == 0
    assert httpserver.log[0][0].headers.get("X-Api-Key") == KEY
    assert [r.headers.get("X-Api-Key") for r, _ in elsewhere.log] == [None]


def test_a_key_echoed_by_the_server_is_scrubbed_from_output_run_log_and_status(tmp_path, db, httpserver):
    def answer(request: Request) -> Response:
        if request.args["period"].startswith("2010"):
            return comtrade_answer()(request)
        return Response(json.dumps({"statusCode": 400, "message": f"bad subscription key {KEY} for this product"}),
                        status=400, content_type="application/json")
    httpserver.expect_request(KEYED).respond_with_handler(answer)
    result = comtrade_collect(tmp_path, db, httpserver, "--since", "2010", env=KEY_ENV)
    assert result.exit_code == 1
    assert "bad subscription key *** for this product" in result.output
    assert KEY not in result.output
    error = runs(db).iloc[0]["error"]
    assert "***" in error and KEY not in error
    status = CliRunner().invoke(cli, ["--config", str(tmp_path / "autarky.toml"), "status"])
    assert "***" in status.output and KEY not in status.output


def test_comtrade_rows_for_periods_not_asked_are_refused(tmp_path, db, httpserver):
    httpserver.expect_request(PREVIEW).respond_with_json(fixture_json("comtrade", "HS-60a6ad.json"))  # all 2010
    result = comtrade_collect(tmp_path, db, httpserver, "--since", str(dt.date.today().year - 1))
    assert result.exit_code == 1
    assert "row for period '2010' was not asked (asked reporter 156, partners 0,32,276, HS TOTAL, flows M,X, " \
           "periods " in result.output
    assert runs(db).iloc[0]["inserted"] == 0


def test_a_comtrade_answer_none_of_whose_rows_match_fails(tmp_path, db, httpserver):
    recorded = fixture_json("comtrade", "HS-60a6ad.json")
    for row in recorded["data"]:
        row["customsCode"] = "C20"  # a breakdown by customs procedure: no row is the total asked for
    httpserver.expect_request(PREVIEW).respond_with_json(recorded)
    result = comtrade_collect(tmp_path, db, httpserver, "--since", "2010")
    assert result.exit_code == 1
    assert "none of the 4 rows of the answer matches the request (reporter 156, partners 0,32,276" in result.output
    assert runs(db).iloc[0]["status"] == "failed"


def test_a_bad_comtrade_period_is_a_rejection_and_the_other_tasks_go_on(tmp_path, db, httpserver):
    recorded = fixture_json("comtrade", "HS-60a6ad.json")

    def answer(request: Request) -> Response:
        if request.args["period"].startswith("2010"):
            body = {**recorded, "data": [{**row, "period": "20X4"} for row in recorded["data"]]}
        else:
            body = fixture_json("comtrade", "empty.json")
        return Response(json.dumps(body), content_type="application/json")
    httpserver.expect_request(PREVIEW).respond_with_handler(answer)
    result = comtrade_collect(tmp_path, db, httpserver, "--since", "2010")
    assert result.exit_code == 1
    assert "comtrade: A CHN with ARG,DEU 2010-2021: row for period '20X4' was not asked" in result.output
    assert "unexpected" not in result.output
    assert len(httpserver.log) == 2  # the second task still ran
    assert "(2 tasks, 2 requests)" in result.output


def test_a_slow_drip_answer_hits_the_total_deadline_named_in_the_error(tmp_path, db, wb):
    def drip(meta, rows, request):
        body = json.dumps([meta, rows]).encode()

        def trickle():
            for byte in body[:40]:
                time.sleep(0.6)
                yield bytes([byte])
        return Response(trickle(), content_type="application/json")
    wb.tamper = drip
    result = collect_cli(tmp_path, db, "collect", "worldbank", "--indicator", GDP, "--country", "CHN",
                         "--no-downstream", collectors={"worldbank": {"base_url": wb.base_url, "timeout": 3}},
                         shared={"deadline": 2})
    assert result.exit_code == 1
    assert "no complete answer within the 2 s deadline (deadline in [collectors])" in result.output
    assert len(wb.requests) == 1  # a deadline is not retried: the source is given up
