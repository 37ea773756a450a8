"""The metrics commands end to end, as a user runs them: a real process, a real database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from autarky.cli import format_value

SHARE_2021 = 1426644 / (1426644 + 159019)  # WDI IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES), China, 2021


def run(*args, env, check=True):
    proc = subprocess.run([sys.executable, "-m", "autarky", *args], capture_output=True, text=True,
                          env={**os.environ, **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"autarky {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def db_env(database_url):
    return {"AUTARKY_DATABASE_URL": database_url}


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

    shown = run("index", "--country", "CHN", env=db_env).stdout
    assert shown.startswith("Self-Reliance Index (SR.INDEX), China, 2023: ")
    assert "method: weighted mean of min-max scores" in shown
    assert "SR.PAT.RESD.SHARE      2021" in shown  # carried forward, and shown with the year it comes from
    index_rows = list(csv.DictReader(io.StringIO(
        run("export", "--indicator", "SR.INDEX", "--country", "CHN", env=db_env).stdout)))
    latest = index_rows[-1]
    assert latest["period"] == "2023" and f": {float(latest['value']):.1f}" in shown.splitlines()[0]


def test_bad_metric_config_is_one_clear_line(tmp_path, db_env):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[metrics.metric]]\ncode = "SR.X"\nname = "x"\nformula = "IP.PAT.RESD / IP.PAT.NRSE"\n'
                   'inputs = ["IP.PAT.RESD", "IP.PAT.NRSE"]\nunit = "ratio"\ndirection = 1\ncategory = "patent"\n')
    proc = run("--config", str(bad), "metrics", env=db_env, check=False)
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {bad}: metrics.metric #1 (SR.X): field 'formula': unknown input "
                           "'IP.PAT.NRSE': not a catalog indicator or derived metric\n")


def test_index_for_an_economy_without_one_says_so(db_env):
    run("init", env=db_env)
    proc = run("index", "--country", "TWN", env=db_env, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no SR.INDEX value for TWN")


def test_help_lists_the_metrics_commands(db_env):
    out = run("--help", env=db_env).stdout
    assert "metrics  Recompute derived self-reliance metrics" in out
    assert "index    Show a country's Self-Reliance Index" in out
