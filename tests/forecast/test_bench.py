"""`autarky bench`: export real series as a long CSV, backtest models and Autarky's nested choice, write the JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from autarky.app import App
from autarky.cli import cli
from autarky.forecast.bench import BenchInputError, read_long_csv, run_bench
from tests.support.forecast_data import load_series

PAIRS = [("IP.PAT.RESD", "KOR"), ("NCSES.PCT.APPL", "CHN"), ("GB.XPD.RSDV.GD.ZS", "DEU")]


@pytest.fixture
def cli_env(tmp_path, monkeypatch, catalog):
    monkeypatch.setenv("AUTARKY_DATABASE_URL", f"sqlite:///{tmp_path / 'bench.db'}")
    monkeypatch.setenv("AUTARKY_FORECAST__SAMPLES", "20")
    monkeypatch.setenv("AUTARKY_FORECAST__DEFAULT__ANNUAL", "drift")
    monkeypatch.setenv("AUTARKY_FORECAST__SWITCH_MARGIN__ANNUAL", "0.2")
    monkeypatch.setenv("AUTARKY_FORECAST__CANDIDATES__ANNUAL", '["naive"]')
    app = App()
    app.store.upgrade()
    load_series(app.store, catalog, PAIRS, first=2000)
    app.close()
    return tmp_path


def test_export_then_bench_writes_the_json_report(cli_env):
    runner = CliRunner()
    csv_path, json_path = cli_env / "annual.csv", cli_env / "report.json"
    exported = runner.invoke(cli, ["bench", "export-series", "--output", str(csv_path)])
    assert exported.exit_code == 0, exported.output
    frame = pd.read_csv(csv_path)
    assert list(frame.columns) == ["unique_id", "ds", "y"] and frame["unique_id"].nunique() == 3
    assert frame.loc[frame["unique_id"] == "ncses:NCSES.PCT.APPL:CHN", "ds"].iloc[0] == "2000-01-01"
    result = runner.invoke(cli, ["bench", "forecast", "--input", str(csv_path), "--horizon", "3", "--windows", "2",
                                 "--models", "naive,prophet_default", "--output", str(json_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(json_path.read_text())
    assert set(report["models"]) == {"naive", "drift", "prophet", "autarky"}
    for name, metrics in report["models"].items():
        assert set(metrics) >= {"mase", "smape", "coverage80", "coverage95", "ms_per_series"}, name
        assert metrics["mase"] > 0 and 0 <= metrics["coverage95"] <= 1 and metrics["ms_per_series"] > 0
    assert report["series"] == 3 and report["horizon"] == 3 and report["windows"] == 2
    # Autarky picks naive or drift at each of the 2 origins of each series.
    assert sum(report["choices"].values()) == 6 and set(report["choices"]) <= {"naive", "drift"}
    table = result.stdout.splitlines()
    assert table[0].startswith("3 series (0 too short, excluded), frequency A, horizon 3, 2 origins 1 apart")
    assert any(line.startswith("autarky ") for line in table) and any(line.startswith("prophet ") for line in table)


def test_nested_choice_scores_like_the_model_it_picks(tmp_path, catalog):
    """On one series where drift always wins inside the training data, autarky's outer scores equal drift's."""
    from tests.support.forecast_data import real_series
    dates, values = real_series("IP.PAT.RESD", "KOR", 1990, 2021)
    path = tmp_path / "one.csv"
    pd.DataFrame({"unique_id": "wb:IP.PAT.RESD:KOR", "ds": dates, "y": values}).to_csv(path, index=False)
    report = run_bench(path, 3, 2, models=["naive"], catalog=catalog,
                       overrides={"default": "drift", "switch_margin": 0.2, "candidates": ["naive"],
                                  "samples": 10})
    chosen = report["choices"]
    model = next(iter(chosen))
    if len(chosen) == 1:
        assert report["models"]["autarky"]["mase"] == pytest.approx(report["models"][model]["mase"])
    assert sum(chosen.values()) == 2


def test_bad_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("unique_id,ds,value\na,2000-01-01,1\n")
    with pytest.raises(BenchInputError, match="missing column.*y"):
        read_long_csv(path)
    path.write_text("unique_id,ds,y\na,2000-01-01,1\na,2001-01-01,x\n")
    with pytest.raises(BenchInputError, match="line 3"):
        read_long_csv(path)


def test_windows_of_real_series_for_the_speed_benchmark(cli_env):
    runner = CliRunner()
    path = cli_env / "windows.csv"
    result = runner.invoke(cli, ["bench", "export-series", "--output", str(path), "--windows", "5", "--length", "8"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(path, parse_dates=["ds"])
    sizes = frame.groupby("unique_id").size()
    assert len(sizes) == 5 and (sizes == 8).all()
    for _, window in frame.groupby("unique_id"):
        assert (window["ds"].dt.year.diff().dropna() == 1).all()   # consecutive years of one real series
    timed = runner.invoke(cli, ["bench", "refresh", "--input", str(path), "--workers", "1"])
    assert timed.exit_code == 0, timed.output
    assert "full refresh: 5 series: 5 forecast" in timed.output
    assert "no-change refresh: 5 series: 0 forecast, 0 skipped, 0 failed, 5 unchanged" in timed.output


def test_bundled_monthly_series_export(tmp_path):
    path = tmp_path / "monthly.csv"
    result = CliRunner().invoke(cli, ["bench", "export-series", "--dataset", "us-employment", "--last", "24",
                                      "--output", str(path)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(path)
    assert frame["unique_id"].nunique() == 148 and (frame.groupby("unique_id").size() == 24).all()
    retail = frame[frame["unique_id"] == "CEU4200000001"]           # retail trade, thousands, not adjusted
    assert list(retail["ds"].iloc[-2:]) == ["2019-08-01", "2019-09-01"]
    assert list(retail["y"].iloc[-2:]) == [15749.5, 15611.3]
    assert read_long_csv(path) and len(read_long_csv(path)) == 148
