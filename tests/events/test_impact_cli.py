"""`autarky impact` on the real Korea HS 8542 exports to China, through the CLI as a user runs it."""

from __future__ import annotations

import json

import pytest

from autarky.app import App
from tests.support.events import INDICATOR_TOML, store_chip_series
from tests.support.serving import run


@pytest.fixture
def chip_store(tmp_path):
    (tmp_path / "autarky.toml").write_text(INDICATOR_TOML, encoding="utf-8")
    app = App()
    app.store.upgrade()
    app.store.register_sources(app.catalog)
    key = store_chip_series(app.store)
    app.close()
    return key


def test_impact_text(chip_store):
    out = run("impact", "--event", "2022-10-07", "--series", chip_store).stdout
    assert out.startswith("Before/after comparison, not proof of cause")
    assert "window: 2 periods, 2022-10 to 2022-11 (until the next relevant event, 2022-12-15)" in out
    assert "gap:    -" in out and "95% band" in out and "80% band" in out
    assert "placebo: the event's gap ranks " in out


def test_impact_json(chip_store):
    data = json.loads(run("impact", "--event", "2022-10-07", "--series", chip_store, "--window", "6",
                          "--json").stdout)
    assert {"gap_pct", "lo95_pct", "hi95_pct", "placebo", "p_below"} <= set(data)
    assert data["window"] == 6 and len(data["steps"]) == 6
    assert data["lo95_pct"] < data["lo80_pct"] < data["hi80_pct"] < data["hi95_pct"]
    assert all({"period", "actual", "yhat", "lo95", "hi95", "outside95"} <= set(step) for step in data["steps"])
    assert data["placebo"]["of"] == len(data["placebo"]["gaps_pct"]) + 1
    assert data["event"]["source_url"].startswith("https://")


def test_impact_errors_are_one_line(chip_store):
    missing = run("impact", "--event", "2022-10-08", "--series", chip_store, check=False)
    assert missing.returncode == 1 and missing.stderr.strip() == \
        "error: no event on 2022-10-08: see `autarky events`"
    unknown = run("impact", "--event", "2022-10-07", "--series", "file:NOPE:KOR", check=False)
    assert unknown.returncode == 1 and "unknown series file:NOPE:KOR" in unknown.stderr


def test_a_date_with_several_events_asks_for_one(tmp_path, chip_store):
    text = (tmp_path / "autarky.toml").read_text(encoding="utf-8")
    (tmp_path / "autarky.toml").write_text(text + """
[[events]]
date = 2022-10-07
actor = "CHN"
kind = "countermeasure"
title = "A second event on the same day"
affects = ["semiconductors"]
source_url = "https://example.org/second"
""", encoding="utf-8")
    several = run("impact", "--event", "2022-10-07", "--series", chip_store, check=False)
    assert several.returncode == 1 and "2 events on 2022-10-07, choose one with --event-id" in several.stderr
    uid = next(line.split("id=")[1] for line in run("events", "--ids", "--actor", "CHN").stdout.splitlines()
               if "A second event" in line)
    chosen = run("impact", "--event-id", uid, "--series", chip_store, "--json").stdout
    assert json.loads(chosen)["event"]["title"] == "A second event on the same day"
