"""The subset of LogQL that alert unit tests evaluate, parsed into a small syntax tree.

Covered: stream selectors (`=`, `!=`, `=~`, `!~`); line filters (`|=`, `!=`, `|~`, `!~`); the `json`, `logfmt`,
`pattern` and `regexp` parsers; label filters (string, regex and numeric comparisons, `and`/`or`/`,`); `keep` and
`drop`; `unwrap` (plain, `duration()`, `bytes()`); the range aggregations `count_over_time`, `rate`,
`bytes_over_time`, `bytes_rate`, `sum_over_time`, `avg_over_time`, `min_over_time`, `max_over_time`,
`first_over_time`, `last_over_time`, `quantile_over_time` with `offset`; the vector aggregations `sum`, `avg`,
`min`, `max`, `count` with `by`/`without`; arithmetic, comparisons (with `bool`), `and`, `or`, `unless`,
`on`/`ignoring`; `vector(n)`. Anything else raises UnsupportedLogQL, which the test runner reports as
"not unit-testable" with the reason: never a silent skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashctl.durations import parse_duration

__all__ = [
    "Aggregation",
    "BinaryOp",
    "LabelFilter",
    "LineFilter",
    "LogRange",
    "Parser",
    "RangeAggregation",
    "Scalar",
    "UnsupportedLogQL",
    "VectorLiteral",
    "parse_logql",
]

RANGE_FUNCTIONS = ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time", "avg_over_time",
                   "min_over_time", "max_over_time", "first_over_time", "last_over_time", "quantile_over_time")
AGGREGATIONS = ("sum", "avg", "min", "max", "count")
_UNSUPPORTED_STAGES = ("line_format", "label_format", "unpack", "decolorize", "distinct")
_PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, "<": 3, ">=": 3, "<=": 3,
               "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
    | (?P<duration>\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)(?![A-Za-z0-9_])
    | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>\|=|\|~|!=|!~|=~|==|>=|<=|[|=><(){}\[\],+\-*/%^])
    )""",
    re.VERBOSE,
)


class UnsupportedLogQL(ValueError):
    """A query (or part of one) the test evaluator does not implement, or cannot parse."""


@dataclass(frozen=True)
class Scalar:
    value: float


@dataclass(frozen=True)
class VectorLiteral:
    value: float


@dataclass(frozen=True)
class StreamMatcher:
    name: str
    op: str
    value: str


@dataclass(frozen=True)
class LineFilter:
    op: str  # |= != |~ !~
    value: str


@dataclass(frozen=True)
class Parser:
    kind: str  # json, logfmt, pattern, regexp
    argument: str | None = None
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LabelFilter:
    """A label filter tree: ("cmp", name, op, value, numeric) or ("and"|"or", left, right)."""

    node: tuple


@dataclass(frozen=True)
class KeepDrop:
    kind: str  # keep / drop
    names: tuple[str, ...]


@dataclass(frozen=True)
class Unwrap:
    label: str
    conversion: str | None = None  # duration, duration_seconds, bytes


Stage = LineFilter | Parser | LabelFilter | KeepDrop | Unwrap


@dataclass(frozen=True)
class LogRange:
    matchers: tuple[StreamMatcher, ...]
    stages: tuple[Stage, ...]
    range_seconds: float
    offset_seconds: float = 0.0


@dataclass(frozen=True)
class RangeAggregation:
    function: str
    log_range: LogRange
    parameter: float | None = None
    grouping: tuple[str, tuple[str, ...]] | None = None  # ("by"|"without", labels)


@dataclass(frozen=True)
class Aggregation:
    operation: str
    expression: object
    grouping: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class BinaryOp:
    op: str
    left: object
    right: object
    return_bool: bool = False
    matching: tuple[str, tuple[str, ...]] | None = None  # ("on"|"ignoring", labels)


def parse_logql(text: str) -> object:
    """The syntax tree of a LogQL metric query; UnsupportedLogQL when outside the evaluated subset."""
    parser = _Parser(_tokenize(text))
    tree = parser.expression(0)
    if parser.peek() is not None:
        _, value, column = parser.peek()  # type: ignore[misc]
        raise UnsupportedLogQL(f"unexpected {value!r} at column {column + 1}")
    return tree


def unquote(token: str) -> str:
    """A LogQL string's value: backtick strings are raw, double-quoted ones use Go escapes."""
    if token.startswith("`"):
        return token[1:-1]
    body = token[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), body)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = len(text) - len(text[position:].lstrip())
            raise UnsupportedLogQL(f"unexpected character {text[column]!r} at column {column + 1}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]):
        self.tokens = tokens
        self.index = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int] | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise UnsupportedLogQL("unexpected end of query")
        self.index += 1
        return token

    def _kind(self, offset: int) -> str | None:
        token = self.peek(offset)
        return token[0] if token else None

    def _value(self, offset: int) -> str | None:
        token = self.peek(offset)
        return token[1] if token else None

    def accept(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token[1] == value and token[0] in ("op", "ident"):
            self.index += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            token = self.peek()
            found = repr(token[1]) if token else "the end"
            raise UnsupportedLogQL(f"expected {value!r}, found {found}")

    def take(self, kind: str) -> str:
        token = self.next()
        if token[0] != kind:
            raise UnsupportedLogQL(f"expected a {kind}, found {token[1]!r}")
        return token[1]

    # expressions --------------------------------------------------------------------------------------

    def expression(self, min_precedence: int) -> object:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[1] not in _PRECEDENCE or token[0] not in ("op", "ident"):
                return left
            precedence = _PRECEDENCE[token[1]]
            if precedence <= min_precedence:
                return left
            self.next()
            return_bool = self.accept("bool")
            matching = None
            if self.peek() and self.peek()[1] in ("on", "ignoring"):  # type: ignore[index]
                kind = self.next()[1]
                matching = (kind, self.label_list())
                if self.peek() and self.peek()[1] in ("group_left", "group_right"):  # type: ignore[index]
                    raise UnsupportedLogQL("group_left/group_right")
            right = self.expression(precedence - 1 if token[1] == "^" else precedence)
            left = BinaryOp(token[1], left, right, return_bool, matching)

    def unary(self) -> object:
        if self.accept("-"):
            operand = self.unary()
            return BinaryOp("*", Scalar(-1.0), operand)
        if self.accept("+"):
            return self.unary()
        return self.primary()

    def primary(self) -> object:
        kind, value, _ = self.next()
        if kind == "number":
            return Scalar(float(value))
        if value == "(" and kind == "op":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if kind != "ident":
            raise UnsupportedLogQL(f"unexpected {value!r}")
        if value == "vector":
            self.expect("(")
            number = float(self.take("number"))
            self.expect(")")
            return VectorLiteral(number)
        if value in AGGREGATIONS:
            grouping = self.grouping()
            self.expect("(")
            inner = self.expression(0)
            self.expect(")")
            grouping = grouping or self.grouping()
            return Aggregation(value, inner, grouping)
        if value in RANGE_FUNCTIONS:
            self.expect("(")
            parameter = None
            if value == "quantile_over_time":
                parameter = float(self.take("number"))
                self.expect(",")
            log_range = self.log_range()
            self.expect(")")
            return RangeAggregation(value, log_range, parameter, self.grouping())
        raise UnsupportedLogQL(f"{value}() is not supported by the test evaluator")

    def grouping(self) -> tuple[str, tuple[str, ...]] | None:
        token = self.peek()
        if token is not None and token[1] in ("by", "without") and token[0] == "ident":
            self.next()
            return token[1], self.label_list()
        return None

    def label_list(self) -> tuple[str, ...]:
        self.expect("(")
        names = []
        while not self.accept(")"):
            names.append(self.take("ident"))
            self.accept(",")
        return tuple(names)

    # log queries --------------------------------------------------------------------------------------

    def log_range(self) -> LogRange:
        parenthesised = self.accept("(")
        matchers = self.selector()
        range_seconds = None
        if self.peek() and self.peek()[1] == "[":  # type: ignore[index]
            range_seconds = self.range()
        stages = self.pipeline()
        if parenthesised:
            self.expect(")")
        if range_seconds is None:
            range_seconds = self.range()
        offset = 0.0
        if self.accept("offset"):
            offset = parse_duration(self.take("duration")) / 1000
        return LogRange(matchers, tuple(stages), range_seconds, offset)

    def range(self) -> float:
        self.expect("[")
        seconds = parse_duration(self.take("duration")) / 1000
        self.expect("]")
        return seconds

    def selector(self) -> tuple[StreamMatcher, ...]:
        self.expect("{")
        matchers = []
        while not self.accept("}"):
            name = self.take("ident")
            op = self.next()[1]
            if op not in ("=", "!=", "=~", "!~"):
                raise UnsupportedLogQL(f"stream matcher operator {op!r}")
            matchers.append(StreamMatcher(name, op, unquote(self.take("string"))))
            self.accept(",")
        return tuple(matchers)

    def pipeline(self) -> list[Stage]:
        stages: list[Stage] = []
        while True:
            token = self.peek()
            if token is None or token[0] != "op":
                return stages
            if token[1] in ("|=", "!=", "|~", "!~"):
                self.next()
                stages.append(LineFilter(token[1], unquote(self.take("string"))))
                if self.peek() and self.peek()[1] == "or":  # type: ignore[index]
                    raise UnsupportedLogQL("'or' between line filters")
            elif token[1] == "|":
                self.next()
                stages.append(self.stage())
            else:
                return stages

    def stage(self) -> Stage:
        name = self.take("ident")
        if name in _UNSUPPORTED_STAGES:
            raise UnsupportedLogQL(f"the {name} stage is not supported by the test evaluator")
        if name in ("json", "logfmt"):
            params = []
            while self._kind(0) == "ident" and self._value(1) == "=":
                label = self.take("ident")
                self.expect("=")
                params.append((label, unquote(self.take("string"))))
                self.accept(",")
            if name == "logfmt" and params:
                raise UnsupportedLogQL("logfmt with parameters")
            return Parser(name, None, tuple(params))
        if name in ("pattern", "regexp"):
            return Parser(name, unquote(self.take("string")))
        if name in ("keep", "drop"):
            names = [self.take("ident")]
            while self.accept(","):
                names.append(self.take("ident"))
            if self.peek() and self.peek()[1] == "=":  # type: ignore[index]
                raise UnsupportedLogQL(f"{name} with matchers")
            return KeepDrop(name, tuple(names))
        if name == "unwrap":
            label = self.take("ident")
            if label in ("duration", "duration_seconds", "bytes") and self.accept("("):
                inner = self.take("ident")
                self.expect(")")
                return Unwrap(inner, label)
            return Unwrap(label)
        self.index -= 1
        return LabelFilter(self.label_or())

    def label_or(self) -> tuple:
        left = self.label_and()
        while self.accept("or"):
            left = ("or", left, self.label_and())
        return left

    def label_and(self) -> tuple:
        left = self.label_primary()
        while True:
            if self.accept("and") or self.accept(","):
                left = ("and", left, self.label_primary())
            elif self.peek() and self.peek()[0] == "ident" and self.peek(1) and \
                    self.peek(1)[1] in ("=", "==", "!=", "=~", "!~", ">", ">=", "<", "<="):  # type: ignore[index]
                left = ("and", left, self.label_primary())  # `a="x" b="y"` means and
            else:
                return left

    def label_primary(self) -> tuple:
        if self.accept("("):
            inner = self.label_or()
            self.expect(")")
            return inner
        name = self.take("ident")
        op = self.next()[1]
        if op not in ("=", "==", "!=", "=~", "!~", ">", ">=", "<", "<="):
            raise UnsupportedLogQL(f"label filter operator {op!r}")
        kind, value, _ = self.next()
        if kind == "string":
            if op in (">", ">=", "<", "<="):
                raise UnsupportedLogQL("comparing a label with a string")
            return ("cmp", name, op, unquote(value), False)
        if kind == "number":
            if op in ("=~", "!~"):
                raise UnsupportedLogQL("a regex filter with a number")
            return ("cmp", name, op, value, True)
        if kind == "duration":
            raise UnsupportedLogQL("duration and bytes label filters are not supported by the test evaluator")
        raise UnsupportedLogQL(f"unexpected {value!r} in a label filter")
