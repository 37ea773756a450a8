"""The faults the collectors already survived, kept as regression tests: error bodies and statuses, 429 and
Retry-After, hanging connections, broken JSON, bad values, unknown countries, duplicates and SQL injection,
all through `autarky collect` against a World Bank stand-in serving the real recorded rows."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Response

from tests.support.collectors import fixture_json
from tests.support.faults import GDP, collect_cli, runs, stored


def wb_collect(tmp_path, db, wb, *args, countries="CHN", **settings):
    return collect_cli(tmp_path, db, "collect", "worldbank", "--indicator", GDP, "--country", countries, *args,
                       "--no-downstream", collectors={"worldbank": {"base_url": wb.base_url, "retries": 1,
                                                                    **settings}})


def failed_cleanly(result, db, *needles):
    """Exit 1, each needle in the output, no traceback, nothing stored, the run logged as failed."""
    assert result.exit_code == 1, result.output
    for needle in needles:
        assert needle in result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert stored(db) == {}
    assert runs(db).iloc[0]["status"] == "failed"


def test_an_http_200_error_body_is_named(tmp_path, db, wb):
    wb.tamper = lambda meta, rows, request: Response(json.dumps(fixture_json("worldbank", "error_invalid_value.json")),
                                                     content_type="application/json")
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "[id 120] Invalid value")


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_error_statuses_fail_the_task_naming_the_status(tmp_path, db, wb, status):
    wb.tamper = lambda meta, rows, request: Response("upstream says no", status=status)
    failed_cleanly(wb_collect(tmp_path, db, wb), db, f"HTTP {status}")


def test_a_429_with_retry_after_is_waited_out(tmp_path, db, wb):
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "1"})])
    wb.tamper = lambda meta, rows, request: next(answers, None)
    result = wb_collect(tmp_path, db, wb)
    assert result.exit_code == 0, result.output
    assert len(stored(db)) == len(wb.expected(["CHN"]))


def test_a_retry_after_of_100000_seconds_is_not_waited(tmp_path, db, wb):
    wb.tamper = lambda meta, rows, request: Response("", status=429, headers={"Retry-After": "100000"})
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "asks to wait 100000 s, more than the 300 s allowed")
    assert len(wb.requests) == 1


def test_a_hanging_connection_times_out(tmp_path, db, wb):
    def hang(meta, rows, request):
        time.sleep(3)
    wb.tamper = hang
    failed_cleanly(wb_collect(tmp_path, db, wb, timeout=1, retries=0), db, "timed out")


@pytest.mark.parametrize("body", ["[{\"page\": 1, \"pages\": 1", "", "<html>Service Unavailable</html>"],
                         ids=["truncated", "empty", "html"])
def test_malformed_truncated_and_empty_json(tmp_path, db, wb, body):
    wb.tamper = lambda meta, rows, request: Response(body, content_type="application/json")
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "answer is not JSON")


@pytest.mark.parametrize("value, message", [(float("nan"), "is not finite"), (-5.0, "below the catalog minimum 0"),
                                            ("abc", "value 'abc' is not a number")], ids=["nan", "negative", "string"])
def test_bad_values_reject_the_batch(tmp_path, db, wb, value, message):
    def bad(meta, rows, request):
        rows[0]["value"] = value
    wb.tamper = bad
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "series wb:NY.GDP.MKTP.CD:CHN", message)


def test_an_unknown_country_in_the_answer_is_refused(tmp_path, db, wb):
    def unknown(meta, rows, request):
        rows[0]["countryiso3code"] = "XKX"
    wb.tamper = unknown
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "country 'XKX' is not among the countries")


def test_an_unknown_country_on_the_command_line_is_refused_before_any_request(tmp_path, db, wb):
    result = wb_collect(tmp_path, db, wb, countries="XKX")
    assert result.exit_code == 1 and "unknown country 'XKX'" in str(result.exception)
    assert wb.requests == []


def test_duplicated_rows_reject_the_batch(tmp_path, db, wb):
    def twice(meta, rows, request):
        if request.args.get("page") == "1":
            rows.append(dict(rows[0]))
        meta["total"] += 1
    wb.tamper = twice
    failed_cleanly(wb_collect(tmp_path, db, wb), db, "duplicates value")


@pytest.mark.parametrize("args", [("--country", "CHN'; DROP TABLE observation;--"),
                                  ("--indicator", "x' OR '1'='1")], ids=["country", "indicator"])
def test_sql_injection_through_cli_arguments_is_an_unknown_name(tmp_path, db, wb, args):
    assert wb_collect(tmp_path, db, wb).exit_code == 0
    before = stored(db)
    result = collect_cli(tmp_path, db, "collect", "worldbank", *args, "--no-downstream",
                         collectors={"worldbank": {"base_url": wb.base_url}})
    assert result.exit_code == 1 and "unknown" in str(result.exception)
    assert stored(db) == before and len(runs(db)) == 1


def test_sql_injection_through_answer_fields_is_refused_and_the_tables_survive(tmp_path, db, wb):
    assert wb_collect(tmp_path, db, wb).exit_code == 0
    before = stored(db)

    def inject(meta, rows, request):
        meta["lastupdated"] = "2025-12-16"
        rows[0]["countryiso3code"] = "CHN'); DROP TABLE observation;--"
        rows[1]["date"] = "2020' OR '1'='1"
    wb.tamper = inject
    result = wb_collect(tmp_path, db, wb)
    assert result.exit_code == 1
    assert "DROP TABLE observation" in result.output and "is not among the countries" in result.output
    assert stored(db) == before
