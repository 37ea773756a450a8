"""The CLI end to end, run as a user runs it: a real process, a real database file."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from autarky.cli import format_value
from tests.support.serving import run

CHINA_RESIDENT_PATENTS_2021 = "1426644"  # WDI IP.PAT.RESD, China, 2021 (bundled snapshot)
SHARE_2021 = 1426644 / (1426644 + 159019)  # WDI IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES), China, 2021


@pytest.fixture
def db_env(database_url):
    return {"AUTARKY_DATABASE_URL": database_url}


def test_help_lists_every_command():
    out = run("--help").stdout
    for command in ("init", "export", "status", "metrics", "index", "collect", "schedule", "alerts"):
        assert command in out


def test_init_export_and_idempotent_reinit(db_env):
    first = run("init", env=db_env).stdout
    assert "snapshot loaded: 14681 inserted, 0 updated" in first
    second = run("init", env=db_env).stdout
    assert "snapshot loaded: 0 inserted, 0 updated" in second
    out = run("export", "--indicator", "IP.PAT.RESD", "--country", "CHN", "--format", "csv", env=db_env).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["series_key", "indicator", "country", "partner", "period", "value", "unit", "source",
                            "vintage"]
    by_year = {r["period"]: r for r in rows}
    assert by_year["2021"]["value"] == CHINA_RESIDENT_PATENTS_2021
    assert by_year["2021"]["series_key"] == "wb:IP.PAT.RESD:CHN"
    assert by_year["2021"]["source"] == "wb"
    assert by_year["2021"]["vintage"].startswith("wdi-extract@")
    assert {r["country"] for r in rows} == {"CHN"}


def test_export_json_to_file_with_several_filters(db_env, tmp_path):
    run("init", env=db_env)
    target = tmp_path / "out.json"
    run("export", "--indicator", "NCSES.USPTO.SEMI", "--country", "TWN,KOR", "--format", "json",
        "--output", str(target), env=db_env)
    records = json.loads(target.read_text())
    assert {r["country"] for r in records} == {"TWN", "KOR"}
    assert {r["period"] for r in records} == {str(y) for y in range(1998, 2023)}


def test_status_reports_counts_and_runs(db_env):
    run("init", env=db_env)
    out = run("status", env=db_env).stdout
    # the bundled snapshot (14,681 values) plus the derived metrics `init` computes from it
    assert re.search(r"wb +\d+ series +9377 observations", out)
    assert re.search(r"ncses +\d+ series +1763 observations", out)
    assert re.search(r"derived +\d+ series +\d+ observations", out)
    assert "IP.PAT.RESD" in out and "2021" in out
    assert "snapshot:comtrade" in out  # the last five runs: the chip files load after wb and ncses


def test_init_no_data_creates_schema_only(db_env):
    out = run("init", "--no-data", env=db_env).stdout
    assert "schema up to date" in out
    assert "no series" in run("status", env=db_env).stdout


# ---------------------------------------------------------------- derived metrics (autarky/metrics)
def test_init_computes_metrics_and_export_shows_them(db_env):
    out = run("init", env=db_env).stdout
    assert "metrics (all): " in out and " inserted, 0 updated" in out
    rows = list(csv.DictReader(io.StringIO(
        run("export", "--indicator", "SR.PAT.RESD.SHARE", "--country", "CHN", env=db_env).stdout)))
    by_year = {r["period"]: r for r in rows}
    assert by_year["2021"]["value"] == format_value(SHARE_2021)
    assert by_year["2021"]["series_key"] == "derived:SR.PAT.RESD.SHARE:CHN"
    assert (by_year["2021"]["source"], by_year["2021"]["unit"]) == ("derived", "share")
    assert by_year["2021"]["vintage"] == "wdi-extract@4ebec5a2273f"
    assert "2022" not in by_year  # WDI has no 2022 patent counts

    assert "nothing to recompute" in run("metrics", env=db_env).stdout
    again = run("metrics", "--all", env=db_env).stdout
    assert "0 inserted, 0 updated" in again
    assert "SR.PAT.RESD.SHARE" in again and "too few components" in again

    # the default year is the panel year (2022: all 14 economies), not China's latest (2023, 7 economies)
    shown = run("index", "--country", "CHN", env=db_env).stdout
    assert shown.startswith("Self-Reliance Index (SR.INDEX), China, 2022: ")
    assert "method: weighted mean of min-max scores" in shown
    assert "SR.TRADE.COVER.848620  2020" in shown  # carried forward, and shown with the year it comes from
    assert "SR.PCT.GDP" not in shown and "SR.PAT.RESD.SHARE" not in shown
    assert re.search(r"ranking 2022 \(14 economies, all on the same year\): rank \d+ of 14 "
                     r"\(90% interval \d+-\d+, median \d+\)", shown)
    assert re.search(r"pillars: dependence \d+\.\d, capacity \d+\.\d", shown)
    index_rows = {r["period"]: r for r in csv.DictReader(io.StringIO(
        run("export", "--indicator", "SR.INDEX", "--country", "CHN", env=db_env).stdout))}
    assert f": {float(index_rows['2022']['value']):.1f}" in shown.splitlines()[0]
    assert "2023" in index_rows  # still computed, but not ranked against the 2022 panel
    missing = run("index", "--country", "TWN", env=db_env, check=False)  # no WDI data, so no index
    # Taiwan is an economy of the index now (NCSES trade and USPTO data) but has no WDI data, so no value
    assert missing.returncode == 1 and missing.stderr.startswith("error: TWN has no SR.INDEX value in any year")


def test_bad_metric_config_is_one_clear_line(tmp_path, db_env):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[metrics.metric]]\ncode = "SR.X"\nname = "x"\nformula = "IP.PAT.RESD / IP.PAT.NRSE"\n'
                   'inputs = ["IP.PAT.RESD", "IP.PAT.NRSE"]\nunit = "ratio"\ndirection = 1\ncategory = "patent"\n')
    proc = run("--config", str(bad), "metrics", env=db_env, check=False)
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {bad}: metrics.metric #1 (SR.X): field 'formula': unknown input "
                           "'IP.PAT.NRSE': not a catalog indicator or derived metric\n")


def test_errors_are_one_line_without_traceback(tmp_path):
    proc = run("--config", str(tmp_path / "missing.toml"), "status", check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"error: config file {tmp_path / 'missing.toml'} does not exist"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[indicator]]\ncode = "X"\n')
    proc = run("--config", str(bad), "init", check=False,
               env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{bad}: indicator #1 (X): field 'name': required" in proc.stderr


def test_debug_shows_traceback(tmp_path):
    proc = run("--debug", "--config", str(tmp_path / "missing.toml"), "status", check=False)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_missing_schema_says_run_init(tmp_path):
    proc = run("status", check=False, env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert proc.returncode == 1
    assert "run `autarky init`" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
