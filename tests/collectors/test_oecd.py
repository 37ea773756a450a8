"""OECD SDMX collector against a loopback server serving SDMX-CSV built from real MSTI figures."""

from __future__ import annotations

import csv

import pytest

from autarky.collectors.runner import collect
from tests.support.collectors import FAST, FIXTURES, make_app

GERD = "MSTI.GERD.GDP"
SIX = ["CHN", "USA", "JPN", "KOR", "DEU", "TWN"]  # in the catalog's order, as the key lists them
PATH = "/data/OECD.STI.STP,DSD_MSTI@DF_MSTI/CHN+USA+JPN+KOR+DEU+TWN.A.G.PT_B1GQ.."


def fixture_text(name):
    return (FIXTURES / "oecd" / name).read_text(encoding="utf-8")


def expected():
    rows = csv.DictReader(fixture_text("msti_gerd_gdp.csv").splitlines())
    return {(r["REF_AREA"], int(r["TIME_PERIOD"])): float(r["OBS_VALUE"]) for r in rows}


def oecd_app(tmp_path, url, httpserver, **kwargs):
    return make_app(tmp_path, url, collectors={"oecd": {"base_url": httpserver.url_for("/"), **FAST}}, **kwargs)


def test_sdmx_csv_rows_in_any_order_are_stored(tmp_path, database_url, httpserver):
    httpserver.expect_request(PATH, headers={"Accept": "application/vnd.sdmx.data+csv; version=2.0.0"}) \
        .respond_with_data(fixture_text("msti_gerd_gdp.csv"), content_type="application/vnd.sdmx.data+csv")
    app = oecd_app(tmp_path, database_url, httpserver)
    [result] = collect(app, ["oecd"], [GERD], SIX)
    assert not result.failed, result.errors
    assert httpserver.log[0][0].args["startPeriod"] == "1981" and "updatedAfter" not in httpserver.log[0][0].args
    frame = app.store.observations(indicators=[GERD])
    assert {(r.country, r.period.year): r.value for r in frame.itertuples()} == expected()
    assert result.inserted == 18
    app.close()


def test_the_next_run_asks_only_for_updates_and_404_no_records_means_no_change(tmp_path, sqlite_store, httpserver):
    httpserver.expect_ordered_request(PATH).respond_with_data(fixture_text("msti_gerd_gdp.csv"))
    httpserver.expect_ordered_request(PATH).respond_with_data("NoRecordsFound", status=404)
    app = oecd_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    collect(app, ["oecd"], [GERD], SIX)
    [second] = collect(app, ["oecd"], [GERD], SIX)
    assert not second.failed and (second.inserted, second.updated) == (0, 0)
    asked = httpserver.log[1][0].args
    assert asked["updatedAfter"].endswith("Z") and asked["updatedAfter"][:4].isdigit()
    app.close()


def test_labelled_headers_and_cells_are_read_by_their_ids(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(PATH).respond_with_data(fixture_text("msti_gerd_gdp.labels.csv"))
    app = oecd_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["oecd"], [GERD], SIX)
    assert not result.failed and result.inserted == 18
    frame = app.store.observations(indicators=[GERD], countries=["CHN"])
    assert dict(zip(frame["period"].dt.year, frame["value"])) == {2000: 0.89, 2010: 1.71, 2021: 2.43}
    app.close()


def test_a_unit_other_than_the_catalogs_rejects_the_batch(tmp_path, sqlite_store, httpserver):
    wrong = {"code": GERD, "name": "GERD", "category": "investment", "source": "oecd", "unit": "USD PPP",
             "frequency": "A", "direction": 1, "countries": SIX,
             "params": {"dataflow": "OECD.STI.STP,DSD_MSTI@DF_MSTI", "key": "{areas}.A.G.PT_B1GQ..",
                        "unit_measure": "USD_PPP"}}
    httpserver.expect_request(PATH).respond_with_data(fixture_text("msti_gerd_gdp.csv"))
    app = oecd_app(tmp_path, str(sqlite_store.engine.url), httpserver, indicators=[wrong])
    [result] = collect(app, ["oecd"], [GERD], SIX)
    assert result.failed and result.rejected == 18
    assert "unit 'PT_B1GQ' differs from the catalog unit 'USD_PPP'" in result.errors[0]
    assert app.store.observations().empty
    app.close()


@pytest.mark.parametrize("status,body", [(404, "Could not find Dataflow and/or DSD"), (400, "Syntax error in key")])
def test_other_errors_are_refusals_naming_the_indicator(tmp_path, sqlite_store, httpserver, status, body):
    httpserver.expect_request(PATH).respond_with_data(body, status=status)
    app = oecd_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["oecd"], [GERD], SIX)
    assert result.failed and f"HTTP {status}" in result.errors[0] and f"indicator {GERD}" in result.errors[0]
    app.close()


def test_a_csv_without_the_sdmx_columns_is_malformed(tmp_path, sqlite_store, httpserver):
    httpserver.expect_request(PATH).respond_with_data("<html>maintenance</html>")
    app = oecd_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["oecd"], [GERD], SIX)
    assert result.failed and "SDMX-CSV header lacks REF_AREA, TIME_PERIOD, OBS_VALUE" in result.errors[0]
    app.close()
