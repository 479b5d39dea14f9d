"""The syntax tree of a parsed LogQL query: immutable nodes, each remembering where it starts in the query.

A LogQL query is either a log query (a stream selector and a pipeline, `{app="api"} |= "error" | json`) that returns
log lines, or a metric query (`rate(...)`, `sum by (...)`, arithmetic, literals) that returns samples; the node
names follow Loki's own (`pkg/logql/syntax/ast.go`). `position` is always the 0-based offset of the node's first
character in the query string the user wrote, Grafana variables included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "BinaryOperation",
    "Decolorize",
    "DropLabels",
    "Duration",
    "Expr",
    "Grouping",
    "IpLabelFilter",
    "KeepLabels",
    "LabelComparison",
    "LabelExtraction",
    "LabelFilter",
    "LabelFilterStage",
    "LabelFormat",
    "LabelFormatStage",
    "LabelParser",
    "LabelPredicate",
    "LabelReplace",
    "LineFilter",
    "LineFilterTerm",
    "LineFormat",
    "LogQuery",
    "LogRange",
    "LogicalLabelFilter",
    "Matcher",
    "MetricExpr",
    "NumberLiteral",
    "RangeAggregation",
    "ScalarLiteral",
    "Stage",
    "StreamSelector",
    "Unwrap",
    "VectorAggregation",
    "VectorLiteral",
    "VectorMatching",
    "iter_log_queries",
    "iter_nodes",
]

@dataclass(frozen=True, kw_only=True)
class Matcher:
    """A label matcher such as `app="api"` or `level=~"warn|error"`, in a selector or a pipeline."""

    name: str
    op: str
    """`=`, `!=`, `=~` or `!~`."""
    value: str
    position: int

    def as_tuple(self) -> tuple[str, str, str]:
        """Return `(name, op, value)`, the shape lint rules compare."""
        return (self.name, self.op, self.value)


@dataclass(frozen=True, kw_only=True)
class StreamSelector:
    """`{...}`: the label matchers that choose which log streams a query reads."""

    matchers: tuple[Matcher, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class Duration:
    """A duration as written: `5m`, `-1h`, or a Grafana variable (`$__auto`), whose length is unknown."""

    text: str
    nanoseconds: int | None
    """None when the duration holds a Grafana template variable."""

    @property
    def is_variable(self) -> bool:
        """Whether Grafana fills this duration in (`[$__rate_interval]`)."""
        return self.nanoseconds is None


@dataclass(frozen=True, kw_only=True)
class NumberLiteral:
    """A number (`0.99`, `-1`, `0x1p3`) or a Grafana variable standing where a number must (`topk($k, ...)`)."""

    text: str
    position: int

    @property
    def is_variable(self) -> bool:
        """Whether Grafana fills this number in."""
        return "$" in self.text or "[[" in self.text


# Pipeline stages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LineFilterTerm:
    """One alternative of a line filter: a string, or `ip("...")`."""

    value: str
    ip: bool
    position: int


@dataclass(frozen=True, kw_only=True)
class LineFilter:
    """`|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, `|> "<_> pattern"`, `!> ...`; `or` adds alternatives."""

    op: str
    """`|=`, `!=`, `|~`, `!~`, `|>` or `!>`."""
    terms: tuple[LineFilterTerm, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelExtraction:
    """`label="expression"` (or a bare `label`) after `| json` or `| logfmt`."""

    label: str
    expression: str
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelParser:
    """`| json`, `| logfmt`, `| regexp "re"`, `| pattern "<a> <b>"` or `| unpack`: labels extracted from the line."""

    kind: str
    """`json`, `logfmt`, `regexp`, `pattern` or `unpack`."""
    param: str | None
    """The regex or pattern of `regexp`/`pattern`."""
    flags: tuple[str, ...]
    """`--strict`, `--keep-empty` (logfmt only)."""
    extractions: tuple[LabelExtraction, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelComparison:
    """`label > 250ms`, `label <= 20MB`, `status >= 400`: a label compared as a duration, a size or a number."""

    name: str
    op: str
    """`=`, `!=`, `==`, `>`, `>=`, `<` or `<=`."""
    value: str
    kind: str
    """`duration`, `bytes` or `number` (a number may be a Grafana variable)."""
    position: int


@dataclass(frozen=True, kw_only=True)
class IpLabelFilter:
    """`label = ip("10.0.0.0/8")` or `label != ip(...)`."""

    name: str
    op: str
    """`=` or `!=`."""
    pattern: str
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelFilter:
    """A string matcher used as a label filter: `| level="error"`."""

    matcher: Matcher
    position: int


@dataclass(frozen=True, kw_only=True)
class LogicalLabelFilter:
    """Two label filters joined by `and` (also `,` or a blank) or by `or`."""

    op: str
    """`and` (written `and`, `,` or a blank) or `or`."""
    left: LabelPredicate
    right: LabelPredicate
    position: int


LabelPredicate = LabelFilter | LabelComparison | IpLabelFilter | LogicalLabelFilter


@dataclass(frozen=True, kw_only=True)
class LabelFilterStage:
    """`| <label filters>`: keep the lines whose labels pass."""

    predicate: LabelPredicate
    position: int


@dataclass(frozen=True, kw_only=True)
class LineFormat:
    """`| line_format "{{.a}}"`: rewrite the line with a Go template."""

    template: str
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelFormat:
    """One `name=other_label` (rename) or `name="{{ template }}"` of `| label_format`."""

    name: str
    value: str
    rename: bool
    position: int


@dataclass(frozen=True, kw_only=True)
class LabelFormatStage:
    """`| label_format a=b, c="{{.d}}"`."""

    formats: tuple[LabelFormat, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class Decolorize:
    """`| decolorize`: strip ANSI colour codes from the line."""

    position: int


@dataclass(frozen=True, kw_only=True)
class DropLabels:
    """`| drop a, b="x"`: remove labels, by name or only where a matcher holds."""

    labels: tuple[str | Matcher, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class KeepLabels:
    """`| keep a, b="x"`: keep only these labels."""

    labels: tuple[str | Matcher, ...]
    position: int


Stage = (
    LineFilter | LabelParser | LabelFilterStage | LineFormat | LabelFormatStage | Decolorize | DropLabels | KeepLabels
)


# Log and metric expressions ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LogQuery:
    """A log query: a stream selector and its pipeline stages (possibly none)."""

    selector: StreamSelector
    stages: tuple[Stage, ...]
    position: int

    @property
    def is_metric(self) -> bool:
        """Always False: a log query returns lines."""
        return False


@dataclass(frozen=True, kw_only=True)
class Unwrap:
    """`| unwrap latency` or `| unwrap duration(latency)`: the label whose value becomes the sample."""

    label: str
    conversion: str | None
    """`bytes`, `duration` or `duration_seconds` when the value is converted."""
    post_filters: tuple[LabelPredicate, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class LogRange:
    """The argument of a range aggregation: a log query over a window, `{...} | json [5m] offset 1h`."""

    query: LogQuery
    range: Duration
    offset: Duration | None
    unwrap: Unwrap | None
    position: int


@dataclass(frozen=True, kw_only=True)
class Grouping:
    """`by (a, b)` or `without (a)`; `labels` may be empty (`by ()`)."""

    without: bool
    labels: tuple[str, ...]
    position: int


@dataclass(frozen=True, kw_only=True)
class RangeAggregation:
    """`rate(...)`, `count_over_time(...)`, `quantile_over_time(0.99, ...) by (app)` and the other `*_over_time`."""

    op: str
    range: LogRange
    param: NumberLiteral | None
    grouping: Grouping | None
    position: int

    @property
    def is_metric(self) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True, kw_only=True)
class VectorAggregation:
    """`sum`, `avg`, `min`, `max`, `count`, `stddev`, `stdvar`, `topk`, `bottomk`, `approx_topk`, `sort(_desc)`."""

    op: str
    expr: MetricExpr | LogQuery
    param: NumberLiteral | None
    grouping: Grouping | None
    position: int

    @property
    def is_metric(self) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True, kw_only=True)
class VectorMatching:
    """`on (...)`/`ignoring (...)` and `group_left (...)`/`group_right (...)` of a binary operation."""

    on: bool
    labels: tuple[str, ...]
    cardinality: str
    """`one-to-one`, `many-to-one` (`group_left`) or `one-to-many` (`group_right`)."""
    include: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class BinaryOperation:
    """`a + b`, `a > bool b`, `a / on (x) group_left b`, `a or b`, ..."""

    op: str
    left: Expr
    right: Expr
    return_bool: bool
    matching: VectorMatching | None
    position: int
    """Where the operator is."""

    @property
    def is_metric(self) -> bool:
        """Always True (Loki rejects a binary operation on log queries after parsing)."""
        return True


@dataclass(frozen=True, kw_only=True)
class LabelReplace:
    """`label_replace(expr, "dst", "replacement", "src", "regex")`."""

    expr: MetricExpr | LogQuery
    destination: str
    replacement: str
    source: str
    regex: str
    regex_position: int
    position: int

    @property
    def is_metric(self) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True, kw_only=True)
class VectorLiteral:
    """`vector(1)`."""

    value: NumberLiteral
    position: int

    @property
    def is_metric(self) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True, kw_only=True)
class ScalarLiteral:
    """A number standing as an expression: `1`, `-0.5`, `$threshold`."""

    value: NumberLiteral
    position: int

    @property
    def is_metric(self) -> bool:
        """Always True: Loki evaluates a literal as a sample."""
        return True


MetricExpr = RangeAggregation | VectorAggregation | BinaryOperation | LabelReplace | VectorLiteral | ScalarLiteral
Expr = LogQuery | MetricExpr


def iter_nodes(expr: Expr) -> Iterator[Expr]:
    """Yield `expr` and every expression inside it, each before its operands, left to right."""
    pending = [expr]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, BinaryOperation):
            pending.extend((node.right, node.left))
        elif isinstance(node, (VectorAggregation, LabelReplace)):
            pending.append(node.expr)


def iter_log_queries(expr: Expr) -> Iterator[LogQuery]:
    """Yield every log query inside `expr`, left to right (the query itself when it is one)."""
    for node in iter_nodes(expr):
        if isinstance(node, LogQuery):
            yield node
        elif isinstance(node, RangeAggregation):
            yield node.range.query
