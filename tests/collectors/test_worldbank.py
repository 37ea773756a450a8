"""World Bank collector against a loopback server replaying real recorded rows in pages."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug import Response

from autarky.collectors.runner import collect
from tests.support.collectors import (FAST, WB_LATER_RELEASE, WB_RECORDING, WorldBankReplay, expected_values,
                                      fixture_json, make_app)

GDP = "NY.GDP.MKTP.CD"


@pytest.fixture
def replay(httpserver):
    return WorldBankReplay(httpserver)


def wb_app(tmp_path, url, replay, **kwargs):
    return make_app(tmp_path, url, collectors={"worldbank": {"base_url": replay.base_url, **FAST}}, **kwargs)


def stored(app, indicator=GDP):
    frame = app.store.observations(indicators=[indicator])
    return {(r.country, r.period.year): (r.value, r.vintage) for r in frame.itertuples()}


def test_every_row_of_every_page_is_stored_with_the_vintage(tmp_path, database_url, replay):
    app = wb_app(tmp_path, database_url, replay)
    [result] = collect(app, ["worldbank"], [GDP], ["JPN", "USA"])
    assert not result.failed, result.errors
    pages = [r["page"] for r in replay.requests]
    assert pages == ["1", "2", "3"]  # 130 real rows served 50 a page, whatever per_page asked for
    assert replay.requests[0]["per_page"] == "1000"
    expected = replay.expected(["JPN", "USA"])
    assert len(expected) == 130
    assert result.inserted == 130
    got = stored(app)
    assert {k: v[0] for k, v in got.items()} == pytest.approx(expected)
    assert {v[1] for v in got.values()} == {"2025-07-01"}
    runs = app.store.runs()
    assert runs.iloc[0]["source"] == "wb" and runs.iloc[0]["status"] == "ok" and runs.iloc[0]["inserted"] == 130
    app.close()


def test_null_values_are_skipped(tmp_path, database_url, replay):
    app = wb_app(tmp_path, database_url, replay)
    [result] = collect(app, ["worldbank"], [GDP], ["KOR"])
    assert not result.failed
    assert result.inserted == len(replay.expected(["KOR"])) == 64  # 65 rows, one of them null
    app.close()


def test_pages_zero_means_no_data_not_an_error(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(f"/v2/country/JPN/indicator/{GDP}").respond_with_json(
        fixture_json("worldbank", "empty.json"))
    app = make_app(tmp_path, str(sqlite_store.engine.url),
                   collectors={"worldbank": {"base_url": httpserver.url_for("/v2"), **FAST}})
    [result] = collect(app, ["worldbank"], [GDP], ["JPN"])
    assert not result.failed and result.inserted == 0
    assert len(httpserver.log) == 1  # never asked for page 2 of 0
    assert app.store.runs().iloc[0]["status"] == "ok"
    app.close()


def test_refused_indicator_is_named_and_nothing_is_stored(tmp_path, sqlite_store, replay):
    fake = {"code": "XX.NOT.AN.INDICATOR", "name": "An indicator the World Bank does not have", "category": "context",
            "source": "wb", "unit": "US$", "frequency": "A", "direction": 0, "countries": ["JPN", "USA"]}
    app = wb_app(tmp_path, str(sqlite_store.engine.url), replay, indicators=[fake])
    [result] = collect(app, ["worldbank"], ["XX.NOT.AN.INDICATOR"])
    assert result.failed
    assert "refused indicator XX.NOT.AN.INDICATOR" in result.errors[0]
    assert "[id 120] Invalid value" in result.errors[0]
    assert app.store.observations().empty
    run = app.store.runs().iloc[0]
    assert run["status"] == "failed" and "XX.NOT.AN.INDICATOR" in run["error"]
    app.close()


def test_refused_country_is_named(tmp_path, sqlite_store, replay):
    twn = {"code": GDP, "name": "GDP", "category": "context", "source": "wb", "unit": "current US$",
           "frequency": "A", "direction": 0, "countries": ["JPN", "TWN"]}
    app = wb_app(tmp_path, str(sqlite_store.engine.url), replay, indicators=[twn])
    [result] = collect(app, ["worldbank"], [GDP])
    assert result.failed
    assert f"refused country TWN for indicator {GDP}" in result.errors[0]
    assert app.store.observations().empty
    app.close()


def test_http_4xx_is_a_clear_refusal(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(f"/v2/country/JPN/indicator/{GDP}").respond_with_data(
        "<error>Bad request</error>", status=400)
    httpserver.expect_request(f"/v2/country/all/indicator/{GDP}").respond_with_data("bad", status=400)
    app = make_app(tmp_path, str(sqlite_store.engine.url),
                   collectors={"worldbank": {"base_url": httpserver.url_for("/v2"), **FAST}})
    [result] = collect(app, ["worldbank"], [GDP], ["JPN"])
    assert result.failed
    assert f"refused indicator {GDP}: HTTP 400" in result.errors[0]
    app.close()


def test_malformed_json_fails_the_source_with_the_body(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(f"/v2/country/JPN/indicator/{GDP}").respond_with_data(
        "<html>Service temporarily unavailable</html>", content_type="text/html")
    app = make_app(tmp_path, str(sqlite_store.engine.url),
                   collectors={"worldbank": {"base_url": httpserver.url_for("/v2"), **FAST}})
    [result] = collect(app, ["worldbank"], [GDP], ["JPN"])
    assert result.failed and "answer is not JSON" in result.errors[0] and "Service temporarily" in result.errors[0]
    app.close()


def test_a_changed_value_becomes_a_revision_and_only_recent_years_are_asked(tmp_path, database_url, replay):
    app = wb_app(tmp_path, database_url, replay)
    [first] = collect(app, ["worldbank"], [GDP], ["CHN", "JPN", "USA"])
    assert first.inserted == 195
    replay.requests.clear()
    [same] = collect(app, ["worldbank"], [GDP], ["CHN", "JPN", "USA"])
    assert (same.inserted, same.updated, same.unchanged) == (0, 0, 0)  # lastupdated unchanged: nothing to store
    assert len(replay.requests) == 1

    replay.load(WB_LATER_RELEASE)  # the later WDI release: lastupdated 2026-07-01, revised values
    replay.requests.clear()
    [second] = collect(app, ["worldbank"], [GDP], ["CHN", "JPN", "USA"])
    assert not second.failed
    this_year = dt.date.today().year
    assert {r["date"] for r in replay.requests} == {f"2019:{this_year}"}  # last year seen (2024) minus 5
    recorded = fixture_json("worldbank", WB_RECORDING.name)[1]
    old = expected_values(recorded, ["CHN", "JPN", "USA"], 2019)
    new = replay.expected(["CHN", "JPN", "USA"], 2019)
    differing = {k for k in new if new[k] != old[k]}
    assert second.updated == len(differing) > 0
    assert second.unchanged == len(new) - len(differing)
    revisions = app.store.revisions(keys=["wb:NY.GDP.MKTP.CD:CHN"])
    china_2024 = revisions[revisions["period"] == dt.date(2024, 1, 1)].iloc[0]
    assert china_2024["old_value"] == pytest.approx(18743803170827.2)
    assert china_2024["new_value"] == pytest.approx(18729668435848)
    assert (china_2024["old_vintage"], china_2024["new_vintage"]) == ("2025-07-01", "2026-07-01")
    assert stored(app)[("CHN", 2024)] == (pytest.approx(18729668435848), "2026-07-01")
    app.close()


def test_since_asks_from_that_year_and_ignores_the_cursor(tmp_path, sqlite_store, replay):
    app = wb_app(tmp_path, str(sqlite_store.engine.url), replay)
    collect(app, ["worldbank"], [GDP], ["JPN"])
    replay.requests.clear()
    [again] = collect(app, ["worldbank"], [GDP], ["JPN"], since=2020)
    assert replay.requests[0]["date"].startswith("2020:")
    assert again.unchanged == len(replay.expected(["JPN"], 2020))
    app.close()


def test_a_bad_batch_is_rejected_whole_and_the_database_stays_as_it_was(tmp_path, database_url, replay):
    first = wb_app(tmp_path, database_url, replay)
    collect(first, ["worldbank"], [GDP], ["JPN", "USA"])
    before = stored(first)
    first.close()
    replay.load(WB_LATER_RELEASE)  # revised values, which would be stored as revisions if the batch were accepted
    tight = {"code": GDP, "name": "GDP", "category": "context", "source": "wb", "unit": "current US$",
             "frequency": "A", "direction": 0, "countries": ["JPN", "USA"], "min": 0, "max": 20e12}
    app = wb_app(tmp_path, database_url, replay, indicators=[tight])
    [result] = collect(app, ["worldbank"], [GDP], ["JPN", "USA"], since=1960)
    assert result.failed and result.rejected == 130
    message = result.errors[0]
    assert message == ("worldbank NY.GDP.MKTP.CD: series wb:NY.GDP.MKTP.CD:USA, period 2024-01-01: value "
                       "29298013000000 is above the catalog maximum 2e+13 (and 6 more problems); batch of 130 rows "
                       "rejected, nothing of it stored")
    assert stored(app) == before and app.store.revisions().empty
    run = app.store.runs().iloc[0]
    assert (run["status"], run["rejected"], run["inserted"], run["updated"]) == ("failed", 130, 0, 0)
    assert "wb:NY.GDP.MKTP.CD:USA" in run["error"]
    app.close()


def test_server_errors_are_retried_then_the_source_gives_up(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(f"/v2/country/JPN/indicator/{GDP}").respond_with_response(
        Response("upstream down", status=503))
    app = make_app(tmp_path, str(sqlite_store.engine.url),
                   collectors={"worldbank": {"base_url": httpserver.url_for("/v2"), "retries": 2, **FAST}})
    [result] = collect(app, ["worldbank"], [GDP, "IP.PAT.RESD"], ["JPN"])
    assert result.failed and "HTTP 503" in result.errors[0] and "gave up after 3 attempts" in result.errors[0]
    assert len(httpserver.log) == 3  # the source is unavailable: the second indicator is not tried
    app.close()
