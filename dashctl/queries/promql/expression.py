"""The expression algebra under the PromQL and LogQL builders: literals, operators, precedence, errors.

Every node is a frozen, keyword-only dataclass and `str(node)` (or `node.render()`) is the query text. `+ - * / %
**` and unary `-` combine expressions and numbers; comparisons are methods (`.gt(0.05)`, `.gt(0.05,
as_bool=True)`) so that `==` keeps meaning equality of builder objects. Operands get parentheses only where
PromQL's precedence needs them.

LogQL metric queries use the same algebra (vector aggregations, binary operators and literals are PromQL's grammar
in Loki), so `dashctl.queries.logql_builder` builds on these nodes; an expression mixing the two languages is
refused. Mistakes raise DefinitionError located at the user's line that called the builder.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from dashctl.errors import DefinitionError, SourceLocation
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = [
    "BinaryOperation",
    "Expr",
    "Negation",
    "Number",
    "Raw",
    "String",
    "as_expr",
    "builder_error",
    "check_duration",
    "check_label",
    "check_offset",
    "label_names",
    "merge_languages",
    "number",
    "quote",
    "ratio",
    "raw",
    "require_expr",
    "string",
]

_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DURATION = re.compile(r"(?:[0-9]+(?:ms|[smhdwy]))+")

# Precedence, loosest first (prometheus/promql/parser/lex.go, ItemType.Precedence); ATOM never needs parentheses.
_OR, _AND, _COMPARISON, _ADDITION, _MULTIPLICATION, _UNARY, _POWER, _ATOM = range(1, 9)
_OPERATORS = {
    "or": _OR,
    "and": _AND,
    "unless": _AND,
    **dict.fromkeys(("==", "!=", ">", "<", ">=", "<="), _COMPARISON),
    "+": _ADDITION,
    "-": _ADDITION,
    **dict.fromkeys(("*", "/", "%", "atan2"), _MULTIPLICATION),
    "^": _POWER,
}
_COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
_SET_OPERATORS = frozenset({"and", "or", "unless"})
_QUERIES_PACKAGE = Path(__file__).resolve().parents[1]


# --- errors and checks --------------------------------------------------------------------------------------------


def _caller_location() -> SourceLocation | None:
    """The user's file and line that called into the builder, so the error points at the definition."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith("<") and not Path(filename).resolve().is_relative_to(_QUERIES_PACKAGE):
            return SourceLocation(file=filename, line=frame.f_lineno)
        frame = frame.f_back
    return None


def builder_error(message: str, hint: str | None = None) -> DefinitionError:
    """A DefinitionError located at the user's line that called the builder."""
    return DefinitionError(message, location=_caller_location(), hint=hint)


def check_label(label: str) -> str:
    if not isinstance(label, str) or not (_LABEL_NAME.fullmatch(label) or _is_variable(label)):
        raise builder_error(f"invalid label name {label!r}", hint="label names match [a-zA-Z_][a-zA-Z0-9_]*")
    return label


def label_names(labels: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = (labels,)
    return tuple(check_label(label) for label in labels)


def _is_variable(text: str) -> bool:
    return VARIABLE_PATTERN.fullmatch(text) is not None


def check_duration(value: str, what: str = "duration") -> str:
    """Return `value` if it is a PromQL duration (`5m`, `1h30m`) or a Grafana variable (`$__rate_interval`)."""
    if isinstance(value, str):
        if _is_variable(value) or _DURATION.fullmatch(VARIABLE_PATTERN.sub("1", value)):
            return value
    raise builder_error(
        f"invalid {what} {value!r}",
        hint="write a Prometheus duration such as '5m' or '1h30m', or a Grafana variable such as '$__rate_interval'",
    )


def check_offset(value: str) -> str:
    check_duration(value.removeprefix("-") if isinstance(value, str) else value, "offset")
    return value


# --- literals and quoting -----------------------------------------------------------------------------------------


def quote(value: str) -> str:
    """`value` as a double-quoted PromQL/LogQL string literal (Go escaping; `$variables` stay as they are)."""
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# --- the algebra --------------------------------------------------------------------------------------------------


class Expr:
    """Base of every node: `str()` renders it; arithmetic operators and comparison methods combine nodes."""

    __slots__ = ()
    language: ClassVar[str | None] = None
    """The query language a node belongs to; None for literals that fit both."""

    @property
    def precedence(self) -> int:
        return _ATOM

    def render(self) -> str:
        raise NotImplementedError

    def query_language(self) -> str | None:
        """PromQL, LogQL, or None for an expression of literals only."""
        return self.language

    def __str__(self) -> str:
        return self.render()

    def to_json_data(self) -> str:
        """The query text, for grafanalib's JSON encoder: `Target(expr=sum_by(...))` works like a string."""
        return self.render()

    # Arithmetic: PromQL's operators on vectors and scalars.
    def __add__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="+", left=self, right=as_expr(other))

    def __radd__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="+", left=as_expr(other), right=self)

    def __sub__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="-", left=self, right=as_expr(other))

    def __rsub__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="-", left=as_expr(other), right=self)

    def __mul__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="*", left=self, right=as_expr(other))

    def __rmul__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="*", left=as_expr(other), right=self)

    def __truediv__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="/", left=self, right=as_expr(other))

    def __rtruediv__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="/", left=as_expr(other), right=self)

    def __mod__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="%", left=self, right=as_expr(other))

    def __rmod__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="%", left=as_expr(other), right=self)

    def __pow__(self, other: Expr | float) -> BinaryOperation:
        return BinaryOperation(operator="^", left=self, right=as_expr(other))

    def __rpow__(self, other: float) -> BinaryOperation:
        return BinaryOperation(operator="^", left=as_expr(other), right=self)

    def __neg__(self) -> Negation:
        return Negation(operand=self)

    # Comparisons: filters by default, 0/1 results with as_bool=True.
    def gt(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self > other`."""
        return _binary(">", self, other, as_bool, matching)

    def ge(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self >= other`."""
        return _binary(">=", self, other, as_bool, matching)

    def lt(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self < other`."""
        return _binary("<", self, other, as_bool, matching)

    def le(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self <= other`."""
        return _binary("<=", self, other, as_bool, matching)

    def eq(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self == other`."""
        return _binary("==", self, other, as_bool, matching)

    def ne(self, other: Expr | float, *, as_bool: bool = False, **matching: Iterable[str]) -> BinaryOperation:
        """`self != other`."""
        return _binary("!=", self, other, as_bool, matching)

    # Set operators between vectors.
    def and_(self, other: Expr, **matching: Iterable[str]) -> BinaryOperation:
        """`self and other`: the samples of self that have a match in other."""
        return _binary("and", self, other, False, matching)

    def or_(self, other: Expr, **matching: Iterable[str]) -> BinaryOperation:
        """`self or other`: self, plus the samples of other without a match in self."""
        return _binary("or", self, other, False, matching)

    def unless(self, other: Expr, **matching: Iterable[str]) -> BinaryOperation:
        """`self unless other`: the samples of self without a match in other."""
        return _binary("unless", self, other, False, matching)


def as_expr(value: Expr | float) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Number(value=value)
    raise builder_error(
        f"expected a query expression or a number, got {type(value).__name__} {value!r}",
        hint="PromQL text goes in raw('...'), a function's string argument in string('...'), and a log query "
        "becomes a number with count_over_time(...) or rate(...)",
    )


def _binary(
    operator: str, left: Expr, right: Expr | float, as_bool: bool, matching: dict[str, Iterable[str]]
) -> BinaryOperation:
    unknown = set(matching) - {"on", "ignoring", "group_left", "group_right"}
    if unknown:
        raise builder_error(f"unknown vector matching keyword(s): {', '.join(sorted(unknown))}")
    return BinaryOperation(
        operator=operator,
        left=left,
        right=as_expr(right),
        return_bool=as_bool,
        **{keyword: label_names(labels) for keyword, labels in matching.items()},
    )


def require_expr(what: str, *nodes: object) -> None:
    for node in nodes:
        if not isinstance(node, Expr):
            raise builder_error(f"{what}: expected a query expression, got {type(node).__name__} {node!r}")


def merge_languages(*nodes: object) -> str | None:
    languages = {node.query_language() for node in nodes if isinstance(node, Expr)} - {None}
    if len(languages) > 1:
        raise builder_error("an expression cannot mix PromQL and LogQL", hint="query each datasource in its own target")
    return languages.pop() if languages else None


def _operand(node: Expr, parent_precedence: int, parenthesise_equal: bool) -> str:
    text = node.render()
    if node.precedence < parent_precedence or (parenthesise_equal and node.precedence == parent_precedence):
        return f"({text})"
    return text


@dataclass(frozen=True, kw_only=True)
class Number(Expr):
    """A float literal: `0.05`, `100`, `+Inf`, `NaN`."""

    value: float

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise builder_error(f"expected a number, got {self.value!r}")

    @property
    def precedence(self) -> int:
        return _UNARY if self.value < 0 else _ATOM

    def render(self) -> str:
        return _format_number(self.value)


@dataclass(frozen=True, kw_only=True)
class String(Expr):
    """A string literal, as functions such as `label_replace` and `count_values` take."""

    value: str

    def render(self) -> str:
        return quote(self.value)


@dataclass(frozen=True, kw_only=True)
class Raw(Expr):
    """Query text used as written: the escape hatch for what the builder does not model. Parenthesised when nested."""

    text: str
    raw_language: str | None = "PromQL"

    def query_language(self) -> str | None:
        return self.raw_language

    @property
    def precedence(self) -> int:
        return 0

    def render(self) -> str:
        return self.text


@dataclass(frozen=True, kw_only=True)
class BinaryOperation(Expr):
    """`left <operator> right` with PromQL's modifiers: `bool`, `on`/`ignoring`, `group_left`/`group_right`."""

    operator: str
    left: Expr
    right: Expr
    return_bool: bool = False
    on: tuple[str, ...] | None = None
    ignoring: tuple[str, ...] | None = None
    group_left: tuple[str, ...] | None = None
    group_right: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.operator not in _OPERATORS:
            raise builder_error(f"unknown binary operator {self.operator!r}")
        require_expr(f"operator {self.operator}", self.left, self.right)
        if self.return_bool and self.operator not in _COMPARISONS:
            raise builder_error(f"bool applies to comparisons, not {self.operator!r}")
        if self.on is not None and self.ignoring is not None:
            raise builder_error("give either on or ignoring, not both")
        grouped = self.group_left is not None or self.group_right is not None
        if grouped and (self.on is None and self.ignoring is None):
            raise builder_error("group_left/group_right need on or ignoring", hint="e.g. .ratio(..., on=['pod'])")
        if self.group_left is not None and self.group_right is not None:
            raise builder_error("give either group_left or group_right, not both")
        scalars = isinstance(self.left, Number) or isinstance(self.right, Number)
        if self.operator in _SET_OPERATORS and scalars:
            raise builder_error(f"{self.operator!r} works between vectors, not numbers")
        if self.operator in _SET_OPERATORS and grouped:
            raise builder_error(f"{self.operator!r} is many-to-many; group_left/group_right do not apply")
        both_numbers = isinstance(self.left, Number) and isinstance(self.right, Number)
        if both_numbers and self.operator in _COMPARISONS and not self.return_bool:
            raise builder_error("a comparison between two numbers needs as_bool=True")
        merge_languages(self.left, self.right)

    def query_language(self) -> str | None:
        return merge_languages(self.left, self.right)

    @property
    def precedence(self) -> int:
        return _OPERATORS[self.operator]

    def render(self) -> str:
        right_associative = self.operator == "^"
        left = _operand(self.left, self.precedence, parenthesise_equal=right_associative)
        right = _operand(self.right, self.precedence, parenthesise_equal=not right_associative)
        modifiers = " bool" if self.return_bool else ""
        for keyword in ("on", "ignoring"):
            labels = getattr(self, keyword)
            if labels is not None:
                modifiers += f" {keyword} ({', '.join(labels)})"
        for keyword in ("group_left", "group_right"):
            labels = getattr(self, keyword)
            if labels is not None:
                modifiers += f" {keyword} ({', '.join(labels)})" if labels else f" {keyword}"
        return f"{left} {self.operator}{modifiers} {right}"


@dataclass(frozen=True, kw_only=True)
class Negation(Expr):
    """Unary minus: `-x`."""

    operand: Expr

    def __post_init__(self) -> None:
        require_expr("unary minus", self.operand)
        if self.operand.query_language() == "LogQL":
            raise builder_error("LogQL has no unary minus for expressions", hint="write -1 * (...) instead")

    def query_language(self) -> str | None:
        return self.operand.query_language()

    @property
    def precedence(self) -> int:
        return _UNARY

    def render(self) -> str:
        return "-" + _operand(self.operand, _UNARY, parenthesise_equal=False)


def ratio(
    numerator: Expr,
    denominator: Expr,
    *,
    on: Iterable[str] | str | None = None,
    ignoring: Iterable[str] | str | None = None,
) -> BinaryOperation:
    """`numerator / denominator`, e.g. errors over requests; `on`/`ignoring` pick the labels that must match."""
    return BinaryOperation(
        operator="/", left=numerator, right=as_expr(denominator), on=label_names(on), ignoring=label_names(ignoring)
    )


def number(value: float) -> Number:
    """A number literal, for where a bare Python number would not do (`number(1) - ratio(...)` works either way)."""
    return Number(value=value)


def string(value: str) -> String:
    """A string literal argument: `call("label_replace", x, string("dst"), string("$1"), ...)`."""
    return String(value=value)


def raw(text: str, language: str = "PromQL") -> Raw:
    """Query text used as written, e.g. `raw("$threshold")`; validate the final query with check_promql()."""
    return Raw(text=text, raw_language=language)


