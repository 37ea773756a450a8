"""Metric formulas: a small arithmetic language over indicator codes, parsed once and evaluated per period.

Grammar: numbers, indicator codes (`IP.PAT.RESD`, `CT.8542.M`), a code pinned to one country (`CODE@USA`), a code
lagged by n periods of the metric's frequency (`CODE[-1]`: last year for annual data, `CODE[-12]`: the same month a
year earlier for monthly data; also `CODE@USA[-1]`), a bilateral series of a code with one partner (`CT.848620.M#USA`:
the reporter's flow with the USA), `+ - * /`, unary minus and parentheses. Evaluation never yields NaN or infinity: a missing input or a zero
denominator gives no value and a reason instead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Union

from autarky.errors import MetricsError
from autarky.periods import frequency_of

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<ref>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?:@(?P<country>[A-Z]{3})\b)?(?:\#(?P<partner>[A-Z]{3})\b)?(?:\[-(?P<lag>\d+)\])?
    | (?P<op>[-+*/()])
    )""", re.VERBOSE)


class FormulaError(MetricsError):
    """A formula does not parse or names something it may not."""


@dataclass(frozen=True)
class Ref:
    """An input: an indicator code, for the series' own country or pinned to `country`, with the World or one
    `partner`, `lag` periods back."""

    code: str
    country: str | None = None
    lag: int = 0
    partner: str | None = None

    def __str__(self) -> str:
        text = f"{self.code}@{self.country}" if self.country else self.code
        text += f"#{self.partner}" if self.partner else ""
        return f"{text}[-{self.lag}]" if self.lag else text


@dataclass(frozen=True)
class Num:
    value: float

    def __str__(self) -> str:
        return format(self.value, "g")


@dataclass(frozen=True)
class Neg:
    operand: "Expr"

    def __str__(self) -> str:
        return f"-{_wrap(self.operand)}"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Expr"
    right: "Expr"

    def __str__(self) -> str:
        return f"{_wrap(self.left)} {self.op} {_wrap(self.right)}"


Expr = Union[Ref, Num, Neg, BinOp]


def _wrap(expr: Expr) -> str:
    return f"({expr})" if isinstance(expr, BinOp) else str(expr)


class Missing(Exception):
    """Raised inside evaluation: this period has no value, for the reason given."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


MISSING_INPUT = "missing input"
DIVISION_BY_ZERO = "division by zero"
NOT_FINITE = "non-finite result"


def parse(text: str) -> Expr:
    """Parse a formula; FormulaError names the formula and the position of the first problem."""
    tokens = list(_tokenize(text))
    parser = _Parser(text, tokens)
    expr = parser.expression()
    if parser.position < len(tokens):
        kind, value, at = tokens[parser.position]
        raise FormulaError(f"formula {text!r}: unexpected {value!r} at character {at + 1}")
    return expr


def _tokenize(text: str) -> Iterator[tuple[str, str, int]]:
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        start = position + len(text[position:]) - len(text[position:].lstrip())
        if not match:
            raise FormulaError(f"formula {text!r}: cannot read {text[start:start + 12]!r} at character {start + 1}")
        kind = "number" if match.group("number") else "ref" if match.group("ref") else "op"
        yield kind, match.group(0).strip(), start
        position = match.end()


class _Parser:
    """Recursive descent: expression = term (('+'|'-') term)*; term = factor (('*'|'/') factor)*."""

    def __init__(self, text: str, tokens: list[tuple[str, str, int]]):
        self.text, self.tokens, self.position = text, tokens, 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _fail(self, expected: str) -> FormulaError:
        token = self._peek()
        where = f"{token[1]!r} at character {token[2] + 1}" if token else "the end"
        return FormulaError(f"formula {self.text!r}: expected {expected}, found {where}")

    def expression(self) -> Expr:
        return self._chain("+-", self.term)

    def term(self) -> Expr:
        return self._chain("*/", self.factor)

    def _chain(self, operators: str, operand: Callable[[], Expr]) -> Expr:
        """Left-associative run of `operand (op operand)*` for the given operators."""
        expr = operand()
        while (token := self._peek()) and token[0] == "op" and token[1] in operators:
            self.position += 1
            expr = BinOp(token[1], expr, operand())
        return expr

    def factor(self) -> Expr:
        token = self._peek()
        if token is None:
            raise self._fail("a number, an indicator code or '('")
        kind, value, _ = token
        self.position += 1
        if kind == "number":
            return Num(float(value))
        if kind == "ref":
            match = _TOKEN.match(value)
            lag = int(match.group("lag") or 0)
            if match.group("lag") is not None and lag == 0:
                self.position -= 1
                raise self._fail("a lag of at least one period, such as [-1]")
            return Ref(match.group("ref"), match.group("country"), lag, match.group("partner"))
        if value == "-":
            return Neg(self.factor())
        if value == "+":
            return self.factor()
        if value == "(":
            expr = self.expression()
            closing = self._peek()
            if closing is None or closing[1] != ")":
                raise self._fail("')'")
            self.position += 1
            return expr
        self.position -= 1
        raise self._fail("a number, an indicator code or '('")


def references(expr: Expr) -> list[Ref]:
    """Every input the formula reads, in order of first appearance."""
    found: list[Ref] = []

    def walk(node: Expr) -> None:
        if isinstance(node, Ref):
            if node not in found:
                found.append(node)
        elif isinstance(node, Neg):
            walk(node.operand)
        elif isinstance(node, BinOp):
            walk(node.left)
            walk(node.right)

    walk(expr)
    return found


def rename(expr: Expr, mapping: dict[str, str]) -> Expr:
    """The same formula with indicator codes replaced (trade templates name their inputs M and X)."""
    if isinstance(expr, Ref):
        return Ref(mapping.get(expr.code, expr.code), expr.country, expr.lag, expr.partner)
    if isinstance(expr, Neg):
        return Neg(rename(expr.operand, mapping))
    if isinstance(expr, BinOp):
        return BinOp(expr.op, rename(expr.left, mapping), rename(expr.right, mapping))
    return expr


def shift(period: dt.date, lag: int, frequency: str) -> dt.date:
    """The start of the period `lag` periods of `frequency` before `period` (A: years, Q: quarters, M: months)."""
    return frequency_of(frequency).shift(period, -lag)


def evaluate(expr: Expr, lookup: Callable[[Ref], float | None]) -> float:
    """The formula's value; raises Missing (missing input, division by zero, non-finite result) instead of NaN."""
    value = _eval(expr, lookup)
    if not math.isfinite(value):
        raise Missing(NOT_FINITE, str(expr))
    return value


def _eval(expr: Expr, lookup: Callable[[Ref], float | None]) -> float:
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Ref):
        value = lookup(expr)
        if value is None or not math.isfinite(value):
            raise Missing(MISSING_INPUT, str(expr))
        return value
    if isinstance(expr, Neg):
        return -_eval(expr.operand, lookup)
    left, right = _eval(expr.left, lookup), _eval(expr.right, lookup)
    if expr.op == "+":
        return left + right
    if expr.op == "-":
        return left - right
    if expr.op == "*":
        return left * right
    if right == 0:
        raise Missing(DIVISION_BY_ZERO, f"{_wrap(expr.right)} = 0")
    return left / right
