"""Policy events: the bundled file, the user's own, validation, idempotent storage, relevance, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest

from autarky.app import load_catalog
from autarky.events.relevance import is_relevant, relevant_events
from autarky.events.source import EventError, all_events, bundled_events, parse_event
from autarky.events.store import stored_events, sync_events
from tests.support.serving import run

USER_EVENT = {"date": "2024-01-02", "actor": "KOR", "kind": "industrial_policy", "title": "A user's own event",
              "affects": "semiconductors", "source_url": "https://example.org/notice"}


def test_bundled_events_are_the_forty_of_the_file():
    events = bundled_events()
    assert len(events) == 40
    assert {e.actor for e in events} == {"USA", "CHN", "NLD", "JPN"}
    assert len({e.uid for e in events}) == 40
    october = [e for e in events if e.date == dt.date(2022, 10, 7)]
    assert len(october) == 1 and "8542" in october[0].hs_codes


def test_cli_lists_the_bundled_events_on_a_fresh_install(tmp_path):
    out = run("events").stdout.splitlines()
    assert len(out) == 40
    assert all(line[:10] == f"{dt.date.fromisoformat(line[:10])}" for line in out)
    assert out[0].startswith("2014-09-26  CHN")
    memory = run("events", "--affects", "memory", "--actor", "USA", "--since", "2023-01-01").stdout.splitlines()
    assert [line[:10] for line in memory] == ["2024-12-02"]


def test_init_loads_the_events_once(tmp_path):
    first = run("init").stdout
    assert "events: 40 inserted, 0 updated, 0 unchanged" in first
    assert "events: 0 inserted, 0 updated, 40 unchanged" in run("init").stdout


def test_user_events_from_config_and_the_files_folder(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "mine.csv").write_text("date,actor,kind,title,affects,source_url\n"
                                     "2023-02-01,TWN,legislation,Taiwan chips act,semiconductors,https://example.org/t\n",
                                     encoding="utf-8")
    data = {"events": [USER_EVENT], "collectors": {"files": {"path": str(folder)}}}
    events = all_events(data, "autarky.toml")
    assert len(events) == 42
    origins = {e.title: e.origin for e in events}
    assert origins["A user's own event"] == "autarky.toml"
    assert origins["Taiwan chips act"] == str(folder / "mine.csv")


def test_files_collector_leaves_event_csvs_alone(tmp_path):
    from autarky.events.source import is_events_csv

    path = tmp_path / "e.csv"
    path.write_text("date,actor,kind,title,affects,source_url\n", encoding="utf-8")
    other = tmp_path / "o.csv"
    other.write_text("indicator,country,period,value,unit,source\n", encoding="utf-8")
    assert is_events_csv(path) and not is_events_csv(other)


@pytest.mark.parametrize("field,value,problem", [
    ("date", "2024-13-01", "is not a date"),
    ("actor", "US", "is not an ISO3"),
    ("kind", "tariff", "is not one of"),
    ("affects", "chips", "'chips' is not one of"),
    ("source_url", "example.org", "is not an http(s) address"),
    ("title", "", "required"),
])
def test_validation_names_the_file_entry_and_field(field, value, problem):
    with pytest.raises(EventError) as info:
        parse_event({**USER_EVENT, field: value}, "autarky.toml, [[events]] entry 3")
    message = str(info.value)
    assert message.startswith(f"autarky.toml, [[events]] entry 3: field '{field}': ")
    assert problem in message


def test_csv_errors_name_the_row(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "bad.csv").write_text("date,actor,kind,title,affects,source_url\n"
                                    "2023-02-01,TWN,legislation,ok,semiconductors,https://example.org/t\n"
                                    "2023-02-30,TWN,legislation,bad,semiconductors,https://example.org/t\n",
                                    encoding="utf-8")
    with pytest.raises(EventError, match=r"bad.csv, row 3: field 'date'"):
        all_events({"collectors": {"files": {"path": str(folder)}}}, "autarky.toml")


def test_sync_is_idempotent_and_filters(store):
    events = bundled_events()
    assert sync_events(store, events).inserted == 40
    again = sync_events(store, events)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 40)
    assert [e.date for e in stored_events(store, actor="jpn")] == [dt.date(2023, 5, 23)]
    since = stored_events(store, affects="critical_minerals", since=dt.date(2025, 1, 1))
    assert since and all(e.date >= dt.date(2025, 1, 1) and "critical_minerals" in e.affects for e in since)
    assert stored_events(store) == events


def test_relevance_by_hs_code_then_by_sector():
    catalog = load_catalog()
    chips = catalog.indicator("CT.8542.X")
    tools = catalog.indicator("CT.8486.M")
    by_date = {e.date.isoformat(): e for e in bundled_events()}
    assert is_relevant(by_date["2022-10-07"], chips.sectors, "8542")
    assert not is_relevant(by_date["2023-05-23"], chips.sectors, "8542")     # names 848620 only
    assert is_relevant(by_date["2023-05-23"], tools.sectors, "8486")
    assert is_relevant(by_date["2023-05-21"], chips.sectors, "8542")         # 854232 lies inside 8542
    assert not is_relevant(by_date["2025-11-07"], chips.sectors, "8542")     # critical minerals, no HS code
    gdp = catalog.indicator("NY.GDP.MKTP.CD")
    assert relevant_events(bundled_events(), gdp) == []
    window = relevant_events(bundled_events(), chips, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert [e.date.isoformat() for e in window] == ["2022-08-09", "2022-10-07", "2022-12-15"]
