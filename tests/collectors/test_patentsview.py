"""PatentsView collector against real recorded PatentSearch answers served on loopback (see fixtures README)."""

from __future__ import annotations

import json

import yaml
from werkzeug import Request, Response

from autarky.collectors.patentsview import KEY_ENV
from autarky.collectors.runner import collect
from tests.support.collectors import FAST, FIXTURES, make_app

SEMI = "PV.SEMI.GRANTS"
KEY = "test-key-5ecret"


def recorded(name: str) -> list[dict]:
    """The interactions of a vcr cassette: [{request: {...}, response: {status, body}}]."""
    text = FIXTURES.joinpath("patentsview", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)["http_interactions"]


def body_of(name: str, index: int = 0) -> str:
    return recorded(name)[index]["response"]["body"]["string"]


def pv_app(tmp_path, url, httpserver, **options):
    return make_app(tmp_path, url, collectors={"patentsview": {"base_url": httpserver.url_for("/api/v1/patent/"),
                                                               **FAST, **options}})


def test_a_missing_key_fails_the_source_naming_the_variable(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["patentsview"], [SEMI], ["CHN"], since=2026)
    assert result.failed and KEY_ENV in result.errors[0]
    assert len(httpserver.log) == 0
    app.close()


def test_total_hits_is_the_monthly_count_and_the_key_travels_in_the_header(tmp_path, sqlite_store, httpserver,
                                                                            monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    httpserver.expect_request("/api/v1/patent/").respond_with_data(body_of("after-paging.yml"),
                                                                   content_type="application/json")
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["patentsview"], [SEMI], ["CHN"], since=2026)
    assert not result.failed, result.errors
    request = httpserver.log[0][0]
    assert request.headers["X-Api-Key"] == KEY
    query = json.loads(request.args["q"])
    assert {"assignees.assignee_country": "CN"} in query["_and"]
    assert {"_gte": {"patent_date": "2026-01-01"}} in query["_and"]
    assert {"_lte": {"patent_date": "2026-01-31"}} in query["_and"]
    assert {"cpc_current.cpc_subclass_id": ["H01L", "H10B", "H10K", "H10N"]} in query["_and"]
    assert json.loads(request.args["o"]) == {"size": 1}
    frame = app.store.observations(indicators=[SEMI])
    assert set(frame["series_key"]) == {f"patentsview:{SEMI}:CHN"}
    assert set(frame["value"]) == {3001.0}
    assert KEY not in json.dumps(result.errors + result.warnings)
    assert KEY not in app.store.runs().to_json()
    app.close()


def test_all_countries_ask_without_a_country_filter_and_an_empty_answer_counts_zero(tmp_path, sqlite_store,
                                                                                     httpserver, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    httpserver.expect_request("/api/v1/patent/").respond_with_data(body_of("withdrawn-patent-behavior.yml"),
                                                                   content_type="application/json")
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver)
    [result] = collect(app, ["patentsview"], [SEMI], ["WLD"], since=2026)
    assert not result.failed, result.errors
    query = json.loads(httpserver.log[0][0].args["q"])
    assert not any("assignees.assignee_country" in clause for clause in query["_and"])
    assert set(app.store.observations(indicators=[SEMI])["value"]) == {0.0}
    app.close()


def test_records_are_paged_with_the_after_cursor(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    first, second = body_of("after-paging.yml", 0), body_of("after-paging.yml", 1)
    empty = body_of("withdrawn-patent-behavior.yml")

    def pages(request: Request) -> Response:
        after = json.loads(request.args["o"]).get("after")
        body = {None: first, "6009654": second}.get(after, empty)
        return Response(body, content_type="application/json")

    httpserver.expect_request("/api/v1/patent/").respond_with_handler(pages)
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver, count_by="records", page_size=100)
    [result] = collect(app, ["patentsview"], [SEMI], ["USA"], since=2026)
    assert not result.failed, result.errors
    asked = [json.loads(r.args["o"]) for r, _ in httpserver.log[:3]]
    assert asked == [{"size": 100}, {"size": 100, "after": "6009654"},
                     {"size": 100, "after": json.loads(second)["patents"][-1]["patent_id"]}]
    assert json.loads(httpserver.log[0][0].args["s"]) == [{"patent_id": "asc"}]
    frame = app.store.observations(indicators=[SEMI])
    assert set(frame["value"]) == {200.0}
    app.close()


def test_paging_stops_at_the_page_cap_naming_it(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    first = body_of("after-paging.yml", 0)
    httpserver.expect_request("/api/v1/patent/").respond_with_handler(
        lambda request: Response(first, content_type="application/json"))
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver, count_by="records", page_size=100,
                 max_pages=1)
    [result] = collect(app, ["patentsview"], [SEMI], ["USA"], since=2026)
    assert result.failed and "2 pages, more than the 1 allowed (max_pages in [collectors])" in result.errors[0]
    assert app.store.observations(indicators=[SEMI]).empty
    app.close()


def test_the_real_500_page_refuses_that_month_and_the_others_go_on(tmp_path, sqlite_store, httpserver, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    page = recorded("bug-ipc-500.yml")[0]["response"]
    ok = body_of("withdrawn-patent-behavior.yml")

    def answer(request: Request) -> Response:
        if {"_gte": {"patent_date": "2026-01-01"}} in json.loads(request.args["q"])["_and"]:
            return Response(page["body"]["string"], status=500, content_type="text/html")
        return Response(ok, content_type="application/json")

    httpserver.expect_request("/api/v1/patent/").respond_with_handler(answer)
    app = pv_app(tmp_path, str(sqlite_store.engine.url), httpserver, retries=0)
    [result] = collect(app, ["patentsview"], [SEMI], ["KOR"], since=2026)
    assert len(result.errors) == 1
    assert "HTTP 500" in result.errors[0] and f"{SEMI} KOR 2026-01" in result.errors[0]
    assert KEY not in result.errors[0]
    frame = app.store.observations(indicators=[SEMI])
    assert len(frame) == result.tasks - 1 and len(frame) >= 1
    app.close()


def test_the_cli_exits_1_without_a_key_and_exports_the_monthly_counts_with_one(database_url, httpserver):
    from tests.support.serving import run
    env = {"AUTARKY_DATABASE_URL": database_url, KEY_ENV: "",
           "AUTARKY_COLLECTORS__PATENTSVIEW__BASE_URL": httpserver.url_for("/api/v1/patent/"),
           "AUTARKY_COLLECTORS__PATENTSVIEW__RATE_PER_MINUTE": "0"}
    args = ("collect", "patentsview", "--indicator", SEMI, "--country", "CHN", "--since", "2026", "--no-downstream")
    missing = run(*args, env=env, check=False)
    assert missing.returncode == 1 and KEY_ENV in missing.stdout + missing.stderr
    httpserver.expect_request("/api/v1/patent/", headers={"X-Api-Key": KEY}).respond_with_data(
        body_of("after-paging.yml"), content_type="application/json")
    keyed = run(*args, env={**env, KEY_ENV: KEY}, check=False)
    assert keyed.returncode == 0, keyed.stderr
    exported = run("export", "--indicator", SEMI, "--format", "json", env=env).stdout
    rows = json.loads(exported)
    assert rows and all(r["source"] == "patentsview" and r["series_key"] == f"patentsview:{SEMI}:CHN"
                        and r["value"] == 3001 for r in rows)
    assert any(str(r["period"]).startswith("2026-01") for r in rows)
    status = run("status", env=env).stdout
    assert "patentsview" in status
    assert KEY not in keyed.stdout + keyed.stderr + status + exported
