"""Grafana's math expressions (`$B > 0.05`, `($A - $B) / $B * 100`, `abs($A) > 3 && $C < 1`), parsed and evaluated
over the numbers of each label set, as Grafana's server-side expressions do (pkg/expr/mathexp in grafana/grafana).

Operators, loosest first: `||`, `&&`, comparisons (`== != < <= > >=`), `+ -`, `* / %`, `**`, unary `- !`.
Functions: abs, ceil, floor, round, log, is_nan, is_inf, is_number, is_null. A binary operation between two sets of
numbers pairs the items whose labels are equal or one a subset of the other (the union Grafana's math takes);
a plain number applies to every item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["MathError", "Numbers", "evaluate_math", "parse_math"]

LabelsKey = tuple[tuple[str, str], ...]
Numbers = dict[LabelsKey, float]
Value = float | Numbers

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<ref>\$\{[^}]+\}|\$[A-Za-z0-9_]+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|&&|\|\||==|!=|<=|>=|[-+*/%<>!(),]))"
)
_BINARY = (("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%"), ("**",))
_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "ceil": lambda x: float(math.ceil(x)) if math.isfinite(x) else x,
    "floor": lambda x: float(math.floor(x)) if math.isfinite(x) else x,
    "round": lambda x: float(math.floor(x + 0.5)) if math.isfinite(x) else x,
    "log": lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan),
    "is_nan": lambda x: float(x != x),
    "is_inf": lambda x: float(math.isinf(x)),
    "is_number": lambda x: float(math.isfinite(x)),
    "is_null": lambda x: float(x != x),
}


class MathError(Exception):
    """A math expression that does not parse or refers to something unknown."""


@dataclass(frozen=True)
class _Node:
    kind: str  # number, ref, unary, binary, call
    value: object = None
    args: tuple[_Node, ...] = ()


def parse_math(text: str) -> _Node:
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    node = parser.expression(0)
    if parser.position != len(tokens):
        raise MathError(f"unexpected {tokens[parser.position][1]!r} in math expression {text!r}")
    return node


def references(node: _Node) -> set[str]:
    found = {str(node.value)} if node.kind == "ref" else set()
    for child in node.args:
        found |= references(child)
    return found


def evaluate_math(node: _Node, inputs: Mapping[str, Value]) -> Value:
    """The value of the parsed expression, each `$REF` taken from `inputs`."""
    if node.kind == "number":
        return float(node.value)  # type: ignore[arg-type]
    if node.kind == "ref":
        if node.value not in inputs:
            raise MathError(f"math expression refers to ${node.value}, which is not defined")
        return inputs[str(node.value)]
    if node.kind == "unary":
        operand = evaluate_math(node.args[0], inputs)
        op = (lambda x: -x) if node.value == "-" else (lambda x: float(x == 0))
        return _map(operand, op)
    if node.kind == "call":
        function = _FUNCTIONS[str(node.value)]
        return _map(evaluate_math(node.args[0], inputs), function)
    left, right = (evaluate_math(child, inputs) for child in node.args)
    return _combine(left, right, _OPERATORS[str(node.value)])


def _map(value: Value, function: Callable[[float], float]) -> Value:
    if isinstance(value, dict):
        return {key: function(item) for key, item in value.items()}
    return function(value)


def _combine(left: Value, right: Value, op: Callable[[float, float], float]) -> Value:
    if not isinstance(left, dict) and not isinstance(right, dict):
        return op(left, right)
    if not isinstance(left, dict):
        return {key: op(left, item) for key, item in right.items()}  # type: ignore[union-attr]
    if not isinstance(right, dict):
        return {key: op(item, right) for key, item in left.items()}
    result: Numbers = {}
    for lkey, lvalue in left.items():
        lset = set(lkey)
        for rkey, rvalue in right.items():
            rset = set(rkey)
            if lset <= rset or rset <= lset:
                result[lkey if len(lkey) >= len(rkey) else rkey] = op(lvalue, rvalue)
    if not result and len(left) == 1 and len(right) == 1:
        (lkey, lvalue), (rkey, rvalue) = next(iter(left.items())), next(iter(right.items()))
        result[tuple(sorted(set(lkey) | set(rkey)))] = op(lvalue, rvalue)
    return result


def _divide(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 or a != a else math.copysign(math.inf, a)
    return a / b


def _modulo(a: float, b: float) -> float:
    return math.fmod(a, b) if b != 0 else math.nan


def _power(a: float, b: float) -> float:
    try:
        return float(a ** b)
    except (OverflowError, ZeroDivisionError):
        return math.inf
    except TypeError:
        return math.nan


def _truth(x: float) -> bool:
    return x != 0 and x == x


_OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": _modulo,
    "**": _power,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "&&": lambda a, b: float(_truth(a) and _truth(b)),
    "||": lambda a, b: float(_truth(a) or _truth(b)),
}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise MathError(f"unexpected character {text[position:].strip()[0]!r} in math expression {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str):
        self.tokens, self.text, self.position = tokens, text, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise MathError(f"math expression {self.text!r} ends too early")
        self.position += 1
        return token

    def expect(self, op: str) -> None:
        token = self.take()
        if token != ("op", op):
            raise MathError(f"expected {op!r}, found {token[1]!r} in math expression {self.text!r}")

    def expression(self, level: int) -> _Node:
        if level == len(_BINARY):
            return self.unary()
        node = self.expression(level + 1)
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in _BINARY[level]:
            self.take()
            # `**` groups to the right; the others to the left.
            right = self.expression(level if token[1] == "**" else level + 1)
            node = _Node("binary", token[1], (node, right))
        return node

    def unary(self) -> _Node:
        token = self.peek()
        if token in (("op", "-"), ("op", "!")):
            self.take()
            return _Node("unary", token[1], (self.unary(),))  # type: ignore[index]
        return self.primary()

    def primary(self) -> _Node:
        kind, text = self.take()
        if kind == "number":
            return _Node("number", float(text))
        if kind == "ref":
            return _Node("ref", text[2:-1].strip() if text.startswith("${") else text[1:])
        if kind == "name":
            if text not in _FUNCTIONS:
                raise MathError(f"unknown function {text!r} in math expression {self.text!r}")
            self.expect("(")
            argument = self.expression(0)
            self.expect(")")
            return _Node("call", text, (argument,))
        if (kind, text) == ("op", "("):
            node = self.expression(0)
            self.expect(")")
            return node
        raise MathError(f"unexpected {text!r} in math expression {self.text!r}")
