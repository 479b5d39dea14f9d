"""Grafana's math expression language (server-side expressions, `type: math`): parsed, checked and translated.

A math expression combines the results of other queries and expressions by refId: `$A / $B > 0.05`,
`${A} > 14.4 && ${B} > 14.4`. Grafana evaluates it per series (joined by labels); a non-zero result means firing.
Operators, loosest first: `||`; `&&`; `== != > < >= <=`; `+ -`; `* / %`; `**`; unary `! -`. Functions: `abs`,
`ceil`, `floor`, `log` (natural), `round`, `is_inf`, `is_nan`, `is_null`, `is_number`
(grafana/grafana: pkg/expr/mathexp/parse, docs "Math" expression).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Binary",
    "Call",
    "MathSyntaxError",
    "Node",
    "Number",
    "Reference",
    "Unary",
    "evaluate_number",
    "parse_math",
    "references",
]

FUNCTIONS = ("abs", "ceil", "floor", "log", "round", "is_inf", "is_nan", "is_null", "is_number")
COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
_PRECEDENCE = {"||": 1, "&&": 2, **{op: 3 for op in COMPARISONS}, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "**": 6}
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<ref>\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|&&|\|\||==|!=|>=|<=|[-+*/%<>!()]))"
)


class MathSyntaxError(ValueError):
    """A math expression that does not parse; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Reference:
    """`$A` or `${A}`: the result of the query or expression with that refId."""

    ref_id: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "!"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    argument: Node


Node = Number | Reference | Unary | Binary | Call


def parse_math(text: str) -> Node:
    """The syntax tree of a Grafana math expression; MathSyntaxError with a position when it does not parse."""
    tokens = _tokenize(text)
    parser = _Parser(tokens, len(text))
    node = parser.expression(0)
    if parser.peek() is not None:
        kind, value, position = parser.peek()  # type: ignore[misc]
        raise MathSyntaxError(f"unexpected {value!r}", position)
    return node


def references(node: Node) -> list[str]:
    """The refIds an expression reads, in order of first use."""
    found: list[str] = []

    def walk(item: Node) -> None:
        if isinstance(item, Reference):
            if item.ref_id not in found:
                found.append(item.ref_id)
        elif isinstance(item, Unary):
            walk(item.operand)
        elif isinstance(item, Binary):
            walk(item.left)
            walk(item.right)
        elif isinstance(item, Call):
            walk(item.argument)

    walk(node)
    return found


def evaluate_number(node: Node, values: dict[str, float]) -> float:
    """Evaluate on plain numbers (one value per refId), with Grafana's semantics: comparisons and logic give 1 or 0."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Reference):
        return values[node.ref_id]
    if isinstance(node, Unary):
        operand = evaluate_number(node.operand, values)
        return -operand if node.op == "-" else float(operand == 0)
    if isinstance(node, Call):
        return _FUNCTIONS[node.function](evaluate_number(node.argument, values))
    left = evaluate_number(node.left, values)
    right = evaluate_number(node.right, values)
    return _BINARY[node.op](left, right)


def _divide(left: float, right: float) -> float:
    if right == 0:
        return math.nan if left == 0 else math.copysign(math.inf, left)
    return left / right


def _modulo(left: float, right: float) -> float:
    return math.nan if right == 0 else math.fmod(left, right)


_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": _modulo,
    "**": lambda a, b: a**b,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    ">": lambda a, b: float(a > b),
    "<": lambda a, b: float(a < b),
    ">=": lambda a, b: float(a >= b),
    "<=": lambda a, b: float(a <= b),
    "&&": lambda a, b: float(a != 0 and b != 0),
    "||": lambda a, b: float(a != 0 or b != 0),
}
_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "ceil": lambda v: float(math.ceil(v)) if math.isfinite(v) else v,
    "floor": lambda v: float(math.floor(v)) if math.isfinite(v) else v,
    "log": lambda v: math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan),
    "round": lambda v: float(math.floor(v + 0.5)) if math.isfinite(v) else v,
    "is_inf": lambda v: float(math.isinf(v)),
    "is_nan": lambda v: float(math.isnan(v)),
    "is_null": lambda v: 0.0,
    "is_number": lambda v: float(math.isfinite(v)),
}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise MathSyntaxError(f"unexpected character {text[start]!r}", start)
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append((kind, value, match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], length: int):
        self.tokens = tokens
        self.index = 0
        self.length = length

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise MathSyntaxError("unexpected end of expression", self.length)
        self.index += 1
        return token

    def expression(self, min_precedence: int) -> Node:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or token[1] not in _PRECEDENCE:
                return left
            precedence = _PRECEDENCE[token[1]]
            if precedence <= min_precedence:
                return left
            self.take()
            # `**` binds to the right, every other operator to the left.
            right = self.expression(precedence - 1 if token[1] == "**" else precedence)
            left = Binary(token[1], left, right)

    def unary(self) -> Node:
        kind, value, position = self.take()
        if kind == "op" and value in ("-", "!"):
            return Unary(value, self.unary())
        if kind == "op" and value == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if kind == "number":
            return Number(float(value))
        if kind == "ref":
            name = value[2:-1].strip() if value.startswith("${") else value[1:]
            if not name:
                raise MathSyntaxError("empty reference", position)
            return Reference(name)
        if kind == "name":
            if value not in FUNCTIONS:
                raise MathSyntaxError(
                    f"unknown function {value!r} (Grafana math knows {', '.join(FUNCTIONS)}); "
                    "refer to a query as $A",
                    position,
                )
            self.expect("(")
            argument = self.expression(0)
            self.expect(")")
            return Call(value, argument)
        raise MathSyntaxError(f"unexpected {value!r}", position)

    def expect(self, symbol: str) -> None:
        token = self.peek()
        if token is None or token[1] != symbol:
            position = token[2] if token else self.length
            raise MathSyntaxError(f"expected {symbol!r}", position)
        self.take()
