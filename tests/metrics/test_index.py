"""The index computation: base-period normalisation, direction, weights, the k-of-n rule and carry-forward."""

from __future__ import annotations

import math

import pytest

from autarky.metrics.index import TOO_FEW_COMPONENTS, compute_index, parse_index
from tests.support.metrics import year

RD, RESEARCHERS, NONRESIDENT = "GB.XPD.RSDV.GD.ZS", "SP.POP.SCIE.RD.P6", "IP.PAT.NRES"  # NONRESIDENT: direction -1


def _spec(catalog, **settings):
    table = {"components": [RD, RESEARCHERS, NONRESIDENT], "base_period": [2010, 2011], "min_components": 2,
             "normalisation": "minmax", "carry_forward": 0, "exclude": ["WLD"]}
    table.update(settings)
    return parse_index(table, {}, catalog.indicators, catalog, "test", "test")


# Small hand-checkable inputs (not data): R&D % GDP, researchers per million, nonresident filings.
INPUTS = {
    RD: {"CHN": {year(2010): 1.0, year(2011): 2.0, year(2012): 2.5}, "USA": {year(2010): 3.0, year(2011): 4.0}},
    RESEARCHERS: {"CHN": {year(2010): 1000.0, year(2011): 1500.0}, "USA": {year(2010): 4000.0, year(2011): 5000.0}},
    NONRESIDENT: {"CHN": {year(2010): 100.0}, "USA": {year(2010): 300.0, year(2011): 200.0},
                  "WLD": {year(2010): 1e9}},  # excluded: must not move the goalposts
}


def test_minmax_scores_turned_by_direction_and_equal_weights(catalog):
    result = compute_index(_spec(catalog), INPUTS, ["CHN", "USA"])
    rows = {r.component: r for r in result.contributions[("CHN", year(2010))]}
    assert rows[RD].score == 0.0  # the base minimum of 1.0
    assert rows[RESEARCHERS].score == 0.0
    assert rows[NONRESIDENT].score == 100.0  # fewest nonresident filings = most self-reliant
    assert (rows[NONRESIDENT].base.minimum, rows[NONRESIDENT].base.maximum) == (100.0, 300.0)
    assert result.values["CHN"][year(2010)] == pytest.approx(100 / 3)
    usa = {r.component: r.score for r in result.contributions[("USA", year(2011))]}
    assert usa == {RD: 100.0, RESEARCHERS: 100.0, NONRESIDENT: 50.0}
    assert result.values["USA"][year(2011)] == pytest.approx(250 / 3)


def test_missing_component_rule_requires_k_and_reweights_the_rest(catalog):
    spec = _spec(catalog, weights={RD: 3.0})
    result = compute_index(spec, INPUTS, ["CHN", "USA"])
    rows = {r.component: r for r in result.contributions[("CHN", year(2011))]}  # no nonresident value in 2011
    assert set(rows) == {RD, RESEARCHERS}
    assert (rows[RD].effective_weight, rows[RESEARCHERS].effective_weight) == (0.75, 0.25)
    rd_score, res_score = 100 * (2 - 1) / 3, 100 * (1500 - 1000) / 4000
    assert result.values["CHN"][year(2011)] == pytest.approx(0.75 * rd_score + 0.25 * res_score)
    assert year(2012) not in result.values["CHN"]  # only R&D observed: 1 of 3 < 2
    reason = result.missing["CHN"][year(2012)]
    assert reason.kind == TOO_FEW_COMPONENTS
    assert reason.detail == f"1 of 3 observed ({RD}), need 2"


def test_carry_forward_fills_an_unpublished_component_but_does_not_count_it_as_observed(catalog):
    result = compute_index(_spec(catalog, carry_forward=1), INPUTS, ["CHN"])
    rows = {r.component: r for r in result.contributions[("CHN", year(2011))]}
    assert rows[NONRESIDENT].value_period == year(2010) and rows[NONRESIDENT].raw_value == 100.0
    assert [r.effective_weight for r in rows.values()] == pytest.approx([1 / 3] * 3)
    assert year(2012) not in result.values["CHN"]  # 2012 still has one observed component only


def test_zscore_uses_base_mean_and_population_sd(catalog):
    result = compute_index(_spec(catalog, normalisation="zscore"), INPUTS, ["CHN", "USA"])
    base_rd = [1.0, 2.0, 3.0, 4.0]
    mean, sd = sum(base_rd) / 4, math.sqrt(sum((v - 2.5) ** 2 for v in base_rd) / 4)
    rd = next(r for r in result.contributions[("USA", year(2011))] if r.component == RD)
    assert rd.score == pytest.approx((4.0 - mean) / sd)
    nonres = next(r for r in result.contributions[("CHN", year(2010))] if r.component == NONRESIDENT)
    base_nonres = [100.0, 300.0, 200.0]
    sd_nonres = math.sqrt(sum((v - 200.0) ** 2 for v in base_nonres) / 3)
    assert nonres.score == pytest.approx(-(100.0 - 200.0) / sd_nonres)  # turned: few filings score positive


def test_log_transform_and_a_component_without_base_spread(catalog):
    inputs = {**INPUTS, RESEARCHERS: {"CHN": {year(2010): 7.0}, "USA": {year(2010): 7.0}}}
    result = compute_index(_spec(catalog, log=[RD]), inputs, ["CHN", "USA"])
    assert result.warnings == [f"{RESEARCHERS}: no base-period spread (2010-2011); left out of the index"]
    rd = next(r for r in result.contributions[("USA", year(2011))] if r.component == RD)
    assert rd.value_used == pytest.approx(math.log(4.0)) and rd.score == 100.0
    assert {r.component for r in result.contributions[("CHN", year(2010))]} == {RD, NONRESIDENT}
