"""US Census collector against a loopback server serving header-row arrays (built from the documented format)."""

from __future__ import annotations

import datetime as dt

from autarky.collectors.runner import collect
from tests.support.collectors import FAST, fixture_json, make_app

IMPORTS, EXPORTS = "CENSUS.CHN.8542.M", "CENSUS.CHN.8542.X"


def census_app(tmp_path, url, httpserver):
    return make_app(tmp_path, url, collectors={"census": {"base_url": httpserver.url_for("/"), **FAST}})


def test_imports_and_exports_by_hs_code_are_stored(tmp_path, database_url, httpserver):
    httpserver.expect_request("/imports/hs").respond_with_json(fixture_json("census", "imports_hs_8542_5700.json"))
    httpserver.expect_request("/exports/hs").respond_with_json(fixture_json("census", "exports_hs_8542_5700.json"))
    app = census_app(tmp_path, database_url, httpserver)
    [result] = collect(app, ["census"], [IMPORTS, EXPORTS], since=2024)
    assert not result.failed, result.errors
    imports = httpserver.log[0][0].args
    assert imports["get"] == "GEN_VAL_MO,I_COMMODITY" and imports["CTY_CODE"] == "5700"
    assert imports["COMM_LVL"] == "HS4" and imports["I_COMMODITY"] == "8542"
    assert imports["time"] == f"from 2024-01 to {dt.date.today():%Y-%m}"
    assert httpserver.log[1][0].args["get"] == "ALL_VAL_MO,E_COMMODITY"
    frame = app.store.observations(indicators=[IMPORTS, EXPORTS])
    assert set(frame["series_key"]) == {f"census:{IMPORTS}:USA", f"census:{EXPORTS}:USA"}
    months = frame[frame["indicator"] == IMPORTS].set_index("period")["value"]
    assert months[dt.datetime(2024, 1, 1)] == 1000001 and months[dt.datetime(2024, 6, 1)] == 1000006
    assert result.inserted == 12
    app.close()


def test_http_204_means_no_data(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request("/imports/hs").respond_with_data("", status=204)
    app = census_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["census"], [IMPORTS], since=2024)
    assert not result.failed and result.inserted == 0
    assert app.store.runs().iloc[0]["status"] == "ok"
    app.close()


def test_the_next_run_asks_from_two_years_before_the_last_month(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request("/imports/hs").respond_with_json(fixture_json("census", "imports_hs_8542_5700.json"))
    app = census_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    collect(app, ["census"], [IMPORTS], since=2024)
    [again] = collect(app, ["census"], [IMPORTS])
    assert httpserver.log[1][0].args["time"].startswith("from 2022-06 to ")  # last month seen 2024-06, minus 24
    assert again.unchanged == 6 and again.inserted == 0
    app.close()


def test_a_refused_query_names_the_indicator(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request("/imports/hs").respond_with_data("error: unknown variable 'GEN_VAL_MO'", status=400)
    app = census_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["census"], [IMPORTS], since=2024)
    assert result.failed and "HTTP 400" in result.errors[0] and IMPORTS in result.errors[0]
    assert "unknown variable" in result.errors[0]
    app.close()


def test_the_api_key_comes_from_the_environment(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.setenv("AUTARKY_COLLECTORS__CENSUS__API_KEY", "census-test-key")
    httpserver.expect_request("/imports/hs").respond_with_data("", status=204)
    app = census_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    collect(app, ["census"], [IMPORTS], since=2024)
    assert httpserver.log[0][0].args["key"] == "census-test-key"
    app.close()


def test_rows_for_another_commodity_are_malformed(tmp_path, sqlite_store, httpserver):
    body = fixture_json("census", "imports_hs_8542_5700.json")
    body[1][1] = "8541"
    httpserver.expect_request("/imports/hs").respond_with_json(body)
    app = census_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["census"], [IMPORTS], since=2024)
    assert result.failed and "row for commodity 8541" in result.errors[0]
    assert app.store.observations().empty
    app.close()
