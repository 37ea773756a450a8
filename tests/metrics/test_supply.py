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
