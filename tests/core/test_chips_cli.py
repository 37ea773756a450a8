"""The chip figures of issue 12 through the CLI on a fresh SQLite store, and leaving the CSET part out."""

from __future__ import annotations

import csv
import io
import json

from tests.support.serving import run

# (series key, period, value as published): Comtrade download 2021-08-16 (China's HS 848620 imports, US$),
# Korean trade statistics (exports of HS 8542 to China, thousand US$), CSET/ETO provision.csv (CHN, N19, 2025).
DONE_WHEN = [("comtrade:CT.848620.M:CHN", "2020", "13663292442"),
             ("kortrade:KR.8542.X:KOR:CHN", "2023-05", "3932188"),
             ("cset:CSET.N19:CHN", "2025", "0.2")]


def _export(env: dict[str, str], *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run("export", *args, env=env).stdout)))


def test_fresh_install_exports_the_chip_figures(tmp_path):
    env = {"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    run("init", env=env)
    for key, period, value in DONE_WHEN:
        rows = {r["period"]: r for r in _export(env, "--series", key)}
        assert rows[period]["value"] == value, key
    korea = _export(env, "--series", "kortrade:KR.8542.X:KOR:CHN")
    assert {(r["country"], r["partner"], r["unit"]) for r in korea} == {("KOR", "CHN", "thousand US$")}
    assert len(korea) == 89 and korea[0]["period"] == "2016-01"
    usa = {r["period"]: r["value"] for r in _export(env, "--series", "comtrade:CT.8542.M:CHN:USA")}
    assert usa["2010"] == "7903767147" and len(usa) == 15
    # Issue 13's figure on the bundled series: the October 2022 US rules against the forecast made before them.
    impact = json.loads(run("impact", "--event", "2022-10-07", "--series", "kortrade:KR.8542.X:KOR:CHN", "--json",
                            env=env).stdout)
    assert impact["lo95_pct"] < impact["gap_pct"] < impact["hi95_pct"] < 0  # fell below, beyond the 95% band
    assert impact["placebo"]["rank"] >= 1 and impact["placebo"]["of"] > 1


def test_config_can_leave_the_cset_part_out(tmp_path):
    config = tmp_path / "autarky.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "nc.db"}"\n[snapshot]\nexclude = ["cset"]\n')
    out = run("--config", str(config), "init").stdout
    assert "cset:" not in out and "kortrade: 178 inserted" in out
    left_out = run("--config", str(config), "export", "--indicator", "CSET.N19", check=False)
    assert left_out.returncode == 1 and left_out.stdout == "" and "CSET.N19" in left_out.stderr


def test_unknown_snapshot_part_is_a_one_line_error(tmp_path):
    config = tmp_path / "autarky.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "x.db"}"\n[snapshot]\nexclude = ["csett"]\n')
    result = run("--config", str(config), "init", check=False)
    assert result.returncode != 0
    assert "[snapshot] exclude: unknown part 'csett'" in result.stderr
