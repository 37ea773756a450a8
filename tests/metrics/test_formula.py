"""Formulas: parsed with clear errors, evaluated without ever producing NaN or infinity."""

from __future__ import annotations

import math

import pytest

from autarky.metrics.formula import (DIVISION_BY_ZERO, MISSING_INPUT, NOT_FINITE, FormulaError, Missing, Ref,
                                     evaluate, parse, references, rename)


def test_parse_reads_codes_pinned_countries_and_precedence():
    expr = parse("GB.XPD.RSDV.GD.ZS / GB.XPD.RSDV.GD.ZS@USA")
    assert references(expr) == [Ref("GB.XPD.RSDV.GD.ZS"), Ref("GB.XPD.RSDV.GD.ZS", "USA")]
    share = parse("IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES)")
    assert str(share) == "IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES)"
    assert evaluate(parse("1 + 2 * 3 - 4 / 2"), lambda ref: None) == 5
    assert evaluate(parse("-(2 - 5) * 1e9"), lambda ref: None) == 3e9
    assert references(parse("(CT.8542.M - CT.8542.X) / (CT.8542.M + CT.8542.X)")) == [Ref("CT.8542.M"),
                                                                                        Ref("CT.8542.X")]


@pytest.mark.parametrize("text, message", [
    ("IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES", "expected ')', found the end"),
    ("IP.PAT.RESD + * IP.PAT.NRES", "found '*' at character 15"),
    ("IP.PAT.RESD % 2", "cannot read '% 2' at character 13"),
    ("IP.PAT.RESD IP.PAT.NRES", "unexpected 'IP.PAT.NRES' at character 13"),
    ("", "found the end"),
    ("GB.XPD.RSDV.GD.ZS@usa", "cannot read '@usa'"),
])
def test_bad_formula_names_formula_and_position(text, message):
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert f"formula {text!r}" in str(info.value)
    assert message in str(info.value)


def test_division_by_zero_is_a_reason_not_a_value():
    expr = parse("A / (B - C)")
    with pytest.raises(Missing) as info:
        evaluate(expr, lambda ref: {"A": 1.0, "B": 2.0, "C": 2.0}[ref.code])
    assert info.value.kind == DIVISION_BY_ZERO
    assert info.value.detail == "(B - C) = 0"


def test_missing_input_and_non_finite_results_are_reasons():
    with pytest.raises(Missing) as info:
        evaluate(parse("A / B"), lambda ref: None if ref.code == "B" else 1.0)
    assert (info.value.kind, info.value.detail) == (MISSING_INPUT, "B")
    with pytest.raises(Missing) as info:
        evaluate(parse("A * A * A"), lambda ref: 1e200)
    assert info.value.kind == NOT_FINITE
    with pytest.raises(Missing):
        evaluate(parse("A + 1"), lambda ref: math.nan)


def test_rename_swaps_template_names():
    expr = rename(parse("(M - X) / (M + X)"), {"M": "CT.8542.M", "X": "CT.8542.X"})
    assert str(expr) == "(CT.8542.M - CT.8542.X) / (CT.8542.M + CT.8542.X)"


def test_a_lagged_reference_reads_an_earlier_period():
    from autarky.metrics.formula import shift
    import datetime as dt

    expr = parse("PV.SEMI.GRANTS / PV.SEMI.GRANTS[-12] - 1")
    assert references(expr) == [Ref("PV.SEMI.GRANTS"), Ref("PV.SEMI.GRANTS", None, 12)]
    assert str(expr) == "(PV.SEMI.GRANTS / PV.SEMI.GRANTS[-12]) - 1"
    assert references(parse("X.Y@USA[-1]")) == [Ref("X.Y", "USA", 1)]
    assert rename(parse("M[-1]"), {"M": "CT.8542.M"}) == Ref("CT.8542.M", None, 1)
    values = {Ref("PV.SEMI.GRANTS"): 5.0, Ref("PV.SEMI.GRANTS", None, 12): 4.0}
    assert evaluate(expr, values.get) == pytest.approx(0.25)
    assert shift(dt.date(2026, 1, 1), 12, "M") == dt.date(2025, 1, 1)
    assert shift(dt.date(2026, 3, 1), 3, "M") == dt.date(2025, 12, 1)
    assert shift(dt.date(2026, 4, 1), 2, "Q") == dt.date(2025, 10, 1)
    assert shift(dt.date(2021, 1, 1), 1, "A") == dt.date(2020, 1, 1)
    with pytest.raises(FormulaError, match=r"expected a lag of at least one period, such as \[-1\]"):
        parse("X.Y[-0]")
    with pytest.raises(FormulaError, match="cannot read"):
        parse("X.Y[+1]")
