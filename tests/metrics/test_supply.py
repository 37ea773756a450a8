"""Supply metrics on bilateral series: China's share of tool imports from the controlling group, and the HHI."""

from __future__ import annotations

import pytest

from autarky.metrics.formula import FormulaError, Ref, parse, references
from autarky.metrics.runner import recompute
from tests.support.metrics import TOOLS_BY_PARTNER as BY_PARTNER
from tests.support.metrics import TOOLS_WORLD_2020 as WORLD_2020
from tests.support.metrics import store_tool_imports


def test_partner_references_parse_and_name_the_bilateral_series():
    expr = parse("(CT.848620.M#USA + CT.848620.M@CHN#JPN[-1]) / CT.848620.M")
    assert references(expr) == [Ref("CT.848620.M", None, 0, "USA"), Ref("CT.848620.M", "CHN", 1, "JPN"),
                                Ref("CT.848620.M")]
    assert str(expr) == "(CT.848620.M#USA + CT.848620.M@CHN#JPN[-1]) / CT.848620.M"
    with pytest.raises(FormulaError, match="cannot read"):
        parse("CT.848620.M#usa")


def test_control_group_share_and_hhi_are_stored_by_the_metrics_stage(make_app):
    app = make_app()
    store_tool_imports(app.store, app.catalog)
    report = recompute(app, None)
    assert "derived:SR.SUPPLY.CTRL.848620:CHN" in report.changed
    frame = app.store.observations(keys=["derived:SR.SUPPLY.CTRL.848620:CHN", "derived:SR.SUPPLY.HHI.848620:CHN"])
    values = {(k, p.year): v for k, p, v in zip(frame["series_key"], frame["period"], frame["value"])}
    control = (2.0e9 + 4.0e9 + 3.0e9) / WORLD_2020  # 0.6587
    hhi = sum((v / WORLD_2020) ** 2 for v in BY_PARTNER.values())  # 0.1665
    assert values == {("derived:SR.SUPPLY.CTRL.848620:CHN", 2020): pytest.approx(control),
                      ("derived:SR.SUPPLY.HHI.848620:CHN", 2020): pytest.approx(hhi)}
    # 2016-2019 have a World value but no supplier value: not computed, never zero.
    series = app.store.series(keys=["derived:SR.SUPPLY.CTRL.848620:CHN"]).iloc[0]
    assert series["formula"].startswith("(CT.848620.M#USA + CT.848620.M#JPN + CT.848620.M#NLD)")
    assert "comtrade:CT.848620.M:CHN:USA" in series["inputs"]


def test_a_partner_the_indicator_does_not_declare_is_refused():
    from autarky.app import load_catalog
    from autarky.errors import MetricsError

    metric = {"code": "X.FRA", "name": "x", "formula": "CT.848620.M#FRA / CT.848620.M", "inputs": ["CT.848620.M"],
              "unit": "share", "direction": 1, "category": "supply"}
    with pytest.raises(MetricsError, match=r"CT.848620.M#FRA: FRA is not among the partners of CT.848620.M"):
        load_catalog(extra={"metrics": {"metric": [metric]}})


# ---------------------------------------------------------------------------- chokepoint flags from CSET shares

def _flags(app) -> dict[str, tuple[int, float]]:  # noqa: ANN001
    frame = app.store.observations(indicators=[c for c in app.catalog.indicators if c.startswith("SR.CSET.CHOKE.")])
    latest = frame.sort_values("period").groupby("indicator").tail(1)
    return {code: (period.year, value) for code, period, value in zip(latest["indicator"], latest["period"],
                                                                     latest["value"])}


def test_chokepoint_flags_are_stored_from_the_bundled_cset_shares(make_app):
    from autarky.snapshot import load_snapshot

    app = make_app()
    load_snapshot(app.store, app.catalog)
    report = recompute(app, None)
    flags = _flags(app)
    # Lithography tools (2025): China 0.2%, the top three 98.1%: a chokepoint. CMP tools: China 12.6% (> 10%): not one.
    assert flags["SR.CSET.CHOKE.N19"][1] == 1.0
    assert flags["SR.CSET.CHOKE.N86"][1] == 0.0
    assert report.tallies["SR.CSET.CHOKE"].values == len(flags)
    indicator = app.catalog.indicator("SR.CSET.CHOKE.N19")
    assert app.catalog.licence(indicator) == "CC BY-NC 4.0" and "CSET" in app.catalog.attribution(indicator)
    series = app.store.series(keys=["derived:SR.CSET.CHOKE.N19:CHN"]).iloc[0]
    assert "cset:CSET.N19:CHN" in series["inputs"] and "cset:CSET.N19:USA" in series["inputs"]
    # Nothing changed, nothing written; a changed share recomputes the flags only.
    again = recompute(app, frozenset({"cset:CSET.N19:CHN"}))
    assert again.written.inserted == again.written.updated == 0 and set(again.tallies) == {"SR.CSET.CHOKE"}


def test_chokepoint_thresholds_come_from_config(make_app):
    from autarky.snapshot import load_snapshot

    app = make_app("[metrics.supply]\nchokepoint_china_max = 0.1\nchokepoint_top3_min = 99\n")
    load_snapshot(app.store, app.catalog)
    recompute(app, None)
    assert _flags(app)["SR.CSET.CHOKE.N19"][1] == 0.0  # China's 0.2% is above 0.1%


def test_chokepoint_thresholds_must_be_numbers(make_app):
    from autarky.errors import ConfigError

    app = make_app('[metrics.supply]\nchokepoint_china_max = "ten"\n')
    with pytest.raises(ConfigError, match=r"\[metrics.supply\] chokepoint_china_max: expected a number"):
        recompute(app, None)


def test_chokepoint_flags_are_not_forecast(make_app):
    from autarky.forecast.runner import plan_refresh
    from autarky.snapshot import load_snapshot

    app = make_app()
    load_snapshot(app.store, app.catalog)
    recompute(app, None)
    flags = [k for k in app.store.series()["key"] if ":SR.CSET.CHOKE." in k]
    assert flags
    tasks, considered, _ = plan_refresh(app.store, app.catalog, {}, keys=flags + ["cset:CSET.N19:CHN"])
    assert [task.key for task, *_ in tasks] == ["cset:CSET.N19:CHN"] and considered == 1


def test_no_cset_shares_no_flags(make_app):
    from autarky.snapshot import load_snapshot

    app = make_app()
    load_snapshot(app.store, app.catalog, frozenset({"cset"}))
    recompute(app, None)
    assert _flags(app) == {}
