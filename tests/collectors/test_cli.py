"""`autarky collect` run as a user runs it: a real process, a real database, a loopback World Bank."""

from __future__ import annotations


import pytest

from autarky.store import Store
from tests.support.collectors import WorldBankReplay
from tests.support.serving import run


@pytest.fixture
def replay(httpserver):
    return WorldBankReplay(httpserver)


@pytest.fixture
def env(database_url, replay):
    return {"AUTARKY_DATABASE_URL": database_url, "AUTARKY_COLLECTORS__WORLDBANK__BASE_URL": replay.base_url,
            "AUTARKY_COLLECTORS__WORLDBANK__BACKOFF": "0.001", "AUTARKY_COLLECTORS__WORLDBANK__RATE_PER_MINUTE": "0"}


def snapshot_of(database_url):
    store = Store(database_url)
    try:
        frame = store.observations()
        return (sorted(zip(frame["series_key"], frame["period"], frame["value"], frame["vintage"])),
                len(store.runs()), len(store.series()))
    finally:
        store.close()


def test_collect_worldbank_stores_every_row_of_every_page_with_the_vintage(env, database_url, replay):
    proc = run("collect", "worldbank", "--indicator", "NY.GDP.MKTP.CD", "--country", "JPN,USA", env=env,
               check=False)
    assert proc.returncode == 0, proc.stderr
    assert "worldbank: 130 inserted, 0 updated, 0 unchanged, 0 rejected (1 tasks, 3 requests)" in proc.stdout
    assert "worldbank [1/1] NY.GDP.MKTP.CD" in proc.stderr and "130 rows in 3 page(s)" in proc.stderr
    assert "downstream: 2 changed series" in proc.stdout
    assert [r["page"] for r in replay.requests] == ["1", "2", "3"]
    store = Store(database_url)
    frame = store.observations(indicators=["NY.GDP.MKTP.CD"])
    assert len(frame) == 130 and set(frame["country"]) == {"JPN", "USA"}
    assert set(frame["vintage"]) == {"2025-07-01"}
    expected = replay.expected(["JPN", "USA"])
    assert {(r.country, r.period.year): r.value for r in frame.itertuples()} == pytest.approx(expected)
    store.close()


@pytest.mark.parametrize("args,named", [
    (["--indicator", "NOT.AN.INDICATOR", "--country", "JPN"], "unknown indicator 'NOT.AN.INDICATOR'"),
    (["--indicator", "NY.GDP.MKTP.CD", "--country", "JPN,XYZ"], "unknown country 'XYZ'"),
])
def test_unknown_indicator_or_country_exits_non_zero_and_changes_nothing(env, database_url, replay, args, named):
    assert run("init", env=env, check=False).returncode == 0
    before = snapshot_of(database_url)
    proc = run("collect", "worldbank", *args, env=env, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and named in proc.stderr
    assert replay.requests == []
    assert snapshot_of(database_url) == before


def test_a_failing_source_makes_the_command_fail_after_reporting(env, httpserver):
    httpserver.clear()
    httpserver.expect_request("/v2/country/JPN/indicator/NY.GDP.MKTP.CD").respond_with_data("<html>", status=200)
    proc = run("collect", "worldbank", "--indicator", "NY.GDP.MKTP.CD", "--country", "JPN", env=env, check=False)
    assert proc.returncode == 1
    assert "worldbank: 0 inserted" in proc.stdout and "failed: worldbank: GET" in proc.stdout
    assert "error: 1 of 1 sources failed: worldbank" in proc.stderr
