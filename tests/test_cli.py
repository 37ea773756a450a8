"""The CLI end to end, run as a user runs it: a real process, a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

CHINA_RESIDENT_PATENTS_2021 = "1426644"  # WDI IP.PAT.RESD, China, 2021 (bundled snapshot)


def run(*args, env=None, check=True):
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "autarky", *args], capture_output=True, text=True, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"autarky {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def db_env(database_url):
    return {"AUTARKY_DATABASE_URL": database_url}


def test_help_lists_every_command():
    out = run("--help").stdout
    for command in ("init", "export", "status", "collect", "schedule"):
        assert command in out


def test_init_export_and_idempotent_reinit(db_env):
    first = run("init", env=db_env).stdout
    assert "snapshot loaded: 9800 inserted, 0 updated" in first
    second = run("init", env=db_env).stdout
    assert "snapshot loaded: 0 inserted, 0 updated" in second
    out = run("export", "--indicator", "IP.PAT.RESD", "--country", "CHN", "--format", "csv", env=db_env).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["series_key", "indicator", "country", "period", "value", "unit", "source", "vintage"]
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
    assert "observations: 9800" in out
    assert "IP.PAT.RESD" in out and "2021" in out
    assert "snapshot:wb" in out


def test_init_no_data_creates_schema_only(db_env):
    out = run("init", "--no-data", env=db_env).stdout
    assert "schema up to date" in out
    assert "no series" in run("status", env=db_env).stdout


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
