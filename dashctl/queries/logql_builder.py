"""A typed LogQL builder: stream selectors with pipelines, and metric queries over them.

A log query is a stream selector followed by pipeline stages, built by chaining methods on an immutable `LogQuery`
(each returns a new query, so a base query can be shared):

    backend = stream(namespace="$namespace", app="backend")
    errors = backend.json().where(level="error")
    str(errors)             # {namespace="$namespace", app="backend"} | json | level="error"

Metric queries wrap a log query in a range aggregation over Grafana's `$__auto` window by default, then combine
with the PromQL builder's vector aggregations and operators (Loki's metric grammar is PromQL's):

    error_rate = sum_by(["app"], rate(errors))
    latency_p99 = quantile_over_time(0.99, backend.json().unwrap("responseTime").without_errors(), by=["req_url"])
    str(ratio(sum_by([], rate(errors)), sum_by([], rate(backend))))

Strings that hold quotes or backslashes (regexes, `pattern` expressions, templates) are written as back-quoted raw
strings, as Loki's documentation does, so that `\\d+` stays readable; the others in double quotes.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar

# Vector aggregations, operators and matcher values are the PromQL builder's (Loki's metric grammar is PromQL's);
# they are re-exported so that one import serves a logs dashboard.
from dashctl.queries.promql.expression import (
    Expr,
    Raw,
    builder_error,
    check_duration,
    check_label,
    check_offset,
    label_names,
    number,
    quote,
    ratio,
)
from dashctl.queries.promql.functions import (
    aggregate,
    avg_by,
    avg_without,
    count_by,
    count_without,
    max_by,
    max_without,
    min_by,
    min_without,
    sum_by,
    sum_without,
    topk,
)
from dashctl.queries.promql.selectors import LabelValue, Matcher, Not, NotRegex, Regex, render_matchers
from dashctl.spelling import did_you_mean

__all__ = [
    "AUTO",
    "DropLabels",
    "Eq",
    "Ge",
    "Gt",
    "KeepLabels",
    "LabelFilter",
    "LabelFormat",
    "Le",
    "LineFilter",
    "LineFormat",
    "LogQuery",
    "LogRange",
    "Lt",
    "Ne",
    "Not",
    "NotRegex",
    "Parser",
    "Regex",
    "Unwrap",
    "absent_over_time",
    "aggregate",
    "avg_by",
    "avg_over_time",
    "avg_without",
    "bytes_over_time",
    "bytes_rate",
    "count_by",
    "count_over_time",
    "count_without",
    "first_over_time",
    "last_over_time",
    "max_by",
    "max_over_time",
    "max_without",
    "min_by",
    "min_over_time",
    "min_without",
    "number",
    "quantile_over_time",
    "quote_logql",
    "rate",
    "rate_counter",
    "ratio",
    "raw",
    "stddev_over_time",
    "stdvar_over_time",
    "stream",
    "sum_by",
    "sum_over_time",
    "sum_without",
    "topk",
]

AUTO = "$__auto"
"""Grafana's window for Loki metric queries: the step Grafana picks for the panel's range and width."""

_LANGUAGE = "LogQL"
# A number, or a duration (`10s`, `1h30m`, `500ms`) or byte size (`20MB`, `1KiB`) as label filters compare with;
# the units themselves are left to Loki's parser.
_FILTER_LITERAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[A-Za-zµ]+(?:[0-9]+(?:\.[0-9]+)?[A-Za-zµ]+)*)?")
_CONVERSIONS = frozenset({"duration", "duration_seconds", "bytes"})
# grafana/loki pkg/logql/syntax/ast.go, RangeAggregationExpr.validate: which range functions refuse `| unwrap`,
# which need it, and which may group (`... ) by (label)`).
_WITHOUT_UNWRAP = frozenset({"count_over_time", "rate", "bytes_rate", "bytes_over_time", "absent_over_time"})
_WITH_UNWRAP = frozenset(
    {"rate", "rate_counter", "sum_over_time", "avg_over_time", "max_over_time", "min_over_time", "first_over_time",
     "last_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time", "absent_over_time"}
)  # fmt: skip
_GROUPABLE = frozenset(
    {"avg_over_time", "max_over_time", "min_over_time", "first_over_time", "last_over_time", "stddev_over_time",
     "stdvar_over_time", "quantile_over_time"}
)  # fmt: skip


def quote_logql(value: str) -> str:
    """`value` as a LogQL string: back-quoted when that spares escapes (regexes, patterns), else double-quoted."""
    if ("\\" in value or '"' in value) and "`" not in value:
        return f"`{value}`"
    return quote(value)


# --- label filter values ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Comparison:
    operator: ClassVar[str]
    value: float | str

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float | str):
            raise builder_error(f"expected a number, duration or byte size, got {self.value!r}")
        if isinstance(self.value, str) and not _FILTER_LITERAL.fullmatch(self.value):
            raise builder_error(
                f"invalid label filter value {self.value!r}",
                hint="compare with a number (500), a duration ('250ms') or a byte size ('20MB')",
            )

    def render(self) -> str:
        return f"{self.operator} {self.value}"


class Gt(_Comparison):
    """A label whose value, read as a number, duration or byte size, is greater: `| status > 499`."""

    operator = ">"


class Ge(_Comparison):
    """Greater or equal: `| status >= 500`."""

    operator = ">="


class Lt(_Comparison):
    """Less: `| responseTime < 100`."""

    operator = "<"


class Le(_Comparison):
    """Less or equal: `| duration <= 1s`."""

    operator = "<="


class Eq(_Comparison):
    """Numerically equal: `| status == 404`."""

    operator = "=="


class Ne(_Comparison):
    """Numerically different: `| status != 200`."""

    operator = "!="


# --- pipeline stages ----------------------------------------------------------------------------------------------


class Stage:
    """One pipeline stage; `render()` gives its text, starting with its operator (`|=`, `| json`, ...)."""

    __slots__ = ()

    def render(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class LineFilter(Stage):
    """Keep lines that contain (`|=`), lack (`!=`), match (`|~`) or do not match (`!~`) the text."""

    operator: str
    text: str

    def __post_init__(self) -> None:
        if self.operator not in ("|=", "!=", "|~", "!~"):
            raise builder_error(f"invalid line filter operator {self.operator!r}", hint="use |=, !=, |~ or !~")
        if not isinstance(self.text, str):
            raise builder_error(f"a line filter takes a string, not {self.text!r}")

    def render(self) -> str:
        return f"{self.operator} {quote_logql(self.text)}"


@dataclass(frozen=True, kw_only=True)
class Parser(Stage):
    """A parser stage: `json` and `logfmt` (optionally extracting only some fields), `pattern`, `regexp`, `unpack`."""

    kind: str
    expression: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        kinds = ("json", "logfmt", "regexp", "pattern", "unpack")
        if self.kind not in kinds:
            raise builder_error(f"unknown parser {self.kind!r}: {', '.join(kinds)}",
                                hint=did_you_mean(self.kind, kinds) if isinstance(self.kind, str) else None)
        if (self.expression is None) == (self.kind in ("pattern", "regexp")):
            needs = "needs" if self.expression is None else "takes no"
            raise builder_error(f"the {self.kind} parser {needs} expression")
        for label, _ in self.fields:
            check_label(label)

    def render(self) -> str:
        text = f"| {self.kind}"
        if self.expression is not None:
            text += f" {quote_logql(self.expression)}"
        if self.fields:
            text += " " + ", ".join(f"{label}={quote(path)}" for label, path in self.fields)
        return text


@dataclass(frozen=True, kw_only=True)
class LabelFilter(Stage):
    """Keep lines whose extracted label matches: `| level="error"`, `| status >= 500`."""

    label: str
    operator: str
    value: str
    numeric: bool = False
    """True to compare `value` as a number, duration or byte size (`status >= 500`), not as text."""

    def __post_init__(self) -> None:
        check_label(self.label)
        allowed = ("==", "!=", ">", ">=", "<", "<=") if self.numeric else ("=", "!=", "=~", "!~")
        if self.operator not in allowed:
            raise builder_error(f"invalid label filter operator {self.operator!r}", hint=f"use {', '.join(allowed)}")

    def render(self) -> str:
        if self.numeric:
            return f"| {self.label} {self.operator} {self.value}"
        return f"| {self.label}{self.operator}{quote_logql(self.value)}"

    @classmethod
    def of(cls, label: str, value: LabelValue | _Comparison) -> LabelFilter:
        """The filter for `label=value`: a string compares text; Regex, NotRegex, Not, Gt, Ge, ... pick the test."""
        if isinstance(value, _Comparison):
            return cls(label=label, operator=value.operator, value=str(value.value), numeric=True)
        matcher = Matcher.of(label, value)
        return cls(label=label, operator=matcher.operator, value=matcher.value)


@dataclass(frozen=True, kw_only=True)
class LineFormat(Stage):
    """Rewrite the line with a Go template: `| line_format "{{.level}} {{.msg}}"`."""

    template: str

    def render(self) -> str:
        return f"| line_format {quote_logql(self.template)}"


@dataclass(frozen=True, kw_only=True)
class LabelFormat(Stage):
    """Set labels from Go templates: `| label_format route="{{.req_url}}"`."""

    templates: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        if not self.templates:
            raise builder_error("label_format needs at least one label")
        for label, _ in self.templates:
            check_label(label)

    def render(self) -> str:
        return "| label_format " + ", ".join(f"{label}={quote_logql(text)}" for label, text in self.templates)


@dataclass(frozen=True, kw_only=True)
class DropLabels(Stage):
    """Drop labels from the result: `| drop pod, stream`."""

    labels: tuple[str, ...]

    def render(self) -> str:
        return "| drop " + ", ".join(self.labels)


@dataclass(frozen=True, kw_only=True)
class KeepLabels(Stage):
    """Keep only these labels: `| keep app, level`."""

    labels: tuple[str, ...]

    def render(self) -> str:
        return "| keep " + ", ".join(self.labels)


@dataclass(frozen=True, kw_only=True)
class Unwrap(Stage):
    """Use a label's value as the sample value: `| unwrap responseTime`, `| unwrap duration_seconds(took)`."""

    label: str
    conversion: str | None = None

    def __post_init__(self) -> None:
        check_label(self.label)
        if self.conversion is not None and self.conversion not in _CONVERSIONS:
            raise builder_error(
                f"unknown unwrap conversion {self.conversion!r}", hint=f"use one of {', '.join(sorted(_CONVERSIONS))}"
            )

    def render(self) -> str:
        value = f"{self.conversion}({self.label})" if self.conversion else self.label
        return f"| unwrap {value}"


# --- log queries --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LogQuery:
    """A stream selector and its pipeline: what a logs panel shows, and what range aggregations count."""

    matchers: tuple[Matcher, ...]
    stages: tuple[Stage, ...] = ()

    def to_json_data(self) -> str:
        """The query text, for grafanalib's JSON encoder: `Target(expr=stream(...).json())` works like a string."""
        return str(self)

    def __post_init__(self) -> None:
        if not self.matchers:
            raise builder_error("a stream selector needs at least one label matcher", hint='e.g. stream(app="backend")')
        if not any(_selects_something(matcher) for matcher in self.matchers):
            raise builder_error(
                "a stream selector needs a matcher that selects something",
                hint="Loki refuses selectors whose matchers all match the empty value; add e.g. namespace=...",
            )

    @property
    def unwrapped(self) -> bool:
        """True when the pipeline has an `unwrap` stage, so the query feeds sum_over_time() and friends."""
        return any(isinstance(stage, Unwrap) for stage in self.stages)

    def render(self) -> str:
        return " ".join([render_matchers(self.matchers), *(stage.render() for stage in self.stages)])

    def __str__(self) -> str:
        return self.render()

    def then(self, stage: Stage) -> LogQuery:
        """This query with one more stage at the end."""
        if not isinstance(stage, Stage):
            raise builder_error(f"expected a pipeline stage, got {type(stage).__name__}")
        if self.unwrapped and not isinstance(stage, LabelFilter):
            raise builder_error("only label filters may follow unwrap", hint="move the stage before .unwrap()")
        return dataclasses.replace(self, stages=self.stages + (stage,))

    # Line filters.
    def contains(self, text: str) -> LogQuery:
        """Lines containing `text`: `|= "text"`."""
        return self.then(LineFilter(operator="|=", text=text))

    def not_contains(self, text: str) -> LogQuery:
        """Lines without `text`: `!= "text"`."""
        return self.then(LineFilter(operator="!=", text=text))

    def matches(self, regex: str) -> LogQuery:
        """Lines matching the RE2 `regex` anywhere: `|~ "regex"`."""
        return self.then(LineFilter(operator="|~", text=regex))

    def not_matches(self, regex: str) -> LogQuery:
        """Lines not matching `regex`: `!~ "regex"`."""
        return self.then(LineFilter(operator="!~", text=regex))

    # Parsers.
    def json(self, **fields: str) -> LogQuery:
        """Extract JSON fields as labels (`req.url` becomes `req_url`); with fields only those: `json url="req.url"`."""
        return self.then(Parser(kind="json", fields=tuple(fields.items())))

    def logfmt(self, **fields: str) -> LogQuery:
        """Extract logfmt `key=value` pairs as labels."""
        return self.then(Parser(kind="logfmt", fields=tuple(fields.items())))

    def pattern(self, expression: str) -> LogQuery:
        """Extract labels with a pattern: `pattern "<ip> - - [<_>] \\"<method> <uri> <_>\\" <status> <_>"`."""
        return self.then(Parser(kind="pattern", expression=expression))

    def regexp(self, expression: str) -> LogQuery:
        """Extract labels with named RE2 groups: `regexp "(?P<status>\\\\d{3})"`."""
        return self.then(Parser(kind="regexp", expression=expression))

    def unpack(self) -> LogQuery:
        """Unpack labels packed by Promtail's `pack` stage."""
        return self.then(Parser(kind="unpack"))

    # Label filters and formatting.
    def where(self, **labels: LabelValue | _Comparison) -> LogQuery:
        """Filter on extracted labels: `.where(level="error", status=Ge(500), route=Regex("/api/.*"))`."""
        query = self
        for label, value in labels.items():
            query = query.then(LabelFilter.of(label, value))
        return query

    def without_errors(self) -> LogQuery:
        """Drop lines a parser or unwrap failed on: `| __error__=""`."""
        return self.then(LabelFilter(label="__error__", operator="=", value=""))

    def line_format(self, template: str) -> LogQuery:
        """Rewrite each line with a Go template."""
        return self.then(LineFormat(template=template))

    def label_format(self, **templates: str) -> LogQuery:
        """Set labels from Go templates: `.label_format(route="{{.req_url}}")`."""
        return self.then(LabelFormat(templates=tuple(templates.items())))

    def drop(self, *labels: str) -> LogQuery:
        """Drop labels: `| drop a, b`."""
        return self.then(DropLabels(labels=label_names(labels) or ()))

    def keep(self, *labels: str) -> LogQuery:
        """Keep only these labels: `| keep a, b`."""
        return self.then(KeepLabels(labels=label_names(labels) or ()))

    def unwrap(self, label: str, conversion: str | None = None) -> LogQuery:
        """Take sample values from `label` (optionally `duration`, `duration_seconds` or `bytes`).

        Loki accepts an unwrapped query only inside a range aggregation: pass it to sum_over_time() and friends.
        """
        return self.then(Unwrap(label=label, conversion=conversion))


def _selects_something(matcher: Matcher) -> bool:
    """False for matchers that also match streams without the label (`a!="x"`, `a=""`, `a=~".*"`), as Loki sees it."""
    if matcher.operator == "=":
        return matcher.value != ""
    if matcher.operator == "=~":
        try:
            return re.fullmatch(matcher.value, "") is None
        except re.error:  # RE2 syntax Python does not know; leave the verdict to Loki
            return True
    return False


def stream(**labels: LabelValue) -> LogQuery:
    """Select log streams by their labels: `stream(namespace="$namespace", app="backend")`."""
    return LogQuery(matchers=tuple(Matcher.of(label, value) for label, value in labels.items()))


# --- metric queries -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LogRange(Expr):
    """A range aggregation over a log query: `count_over_time({...} |= "error" [$__auto])`."""

    language: ClassVar[str | None] = _LANGUAGE
    function: str
    query: LogQuery
    window: str = AUTO
    parameter: float | None = None
    by: tuple[str, ...] | None = None
    without: tuple[str, ...] | None = None
    offset: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.query, LogQuery):
            raise builder_error(f"{self.function}() needs a log query such as stream(...), got {self.query!r}")
        check_duration(self.window, "range")
        if self.offset is not None:
            check_offset(self.offset)
        if self.query.unwrapped and self.function not in _WITH_UNWRAP:
            raise builder_error(f"{self.function}() counts log lines; it cannot take an unwrapped query")
        if not self.query.unwrapped and self.function not in _WITHOUT_UNWRAP:
            raise builder_error(
                f"{self.function}() needs sample values", hint="add .unwrap('<label>') to the log query"
            )
        if (self.by is not None or self.without is not None) and self.function not in _GROUPABLE:
            raise builder_error(f"{self.function}() cannot group", hint="group with sum_by([...], ...) around it")
        if self.by is not None and self.without is not None:
            raise builder_error(f"{self.function}: give either by or without, not both")
        if (self.parameter is None) == (self.function == "quantile_over_time"):
            raise builder_error(f"{self.function} {'needs' if self.parameter is None else 'takes no'} parameter")
        if self.parameter is not None and not 0 <= self.parameter <= 1:
            raise builder_error(f"quantile {self.parameter!r} is outside [0, 1]", hint="write p99 as 0.99")

    def render(self) -> str:
        selection = self.query.render()
        selection += f"[{self.window}]" if not self.query.stages else f" [{self.window}]"
        if self.offset is not None:
            selection += f" offset {self.offset}"
        arguments = selection if self.parameter is None else f"{number(self.parameter).render()}, {selection}"
        text = f"{self.function}({arguments})"
        if self.without is not None:
            text += f" without ({', '.join(self.without)})"
        elif self.by is not None:
            text += f" by ({', '.join(self.by)})"
        return text


def _range(
    function: str,
    query: LogQuery,
    window: str,
    *,
    parameter: float | None = None,
    by: list[str] | tuple[str, ...] | str | None = None,
    without: list[str] | tuple[str, ...] | str | None = None,
    offset: str | None = None,
) -> LogRange:
    return LogRange(
        function=function,
        query=query,
        window=window,
        parameter=parameter,
        by=label_names(by),
        without=label_names(without),
        offset=offset,
    )


def count_over_time(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
    """Lines per window: `count_over_time({...}[$__auto])`."""
    return _range("count_over_time", query, window, offset=offset)


def rate(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
    """Lines per second, or of an unwrapped query the per-second sum of its values: `rate({...}[$__auto])`."""
    return _range("rate", query, window, offset=offset)


def bytes_rate(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
    """Log bytes per second."""
    return _range("bytes_rate", query, window, offset=offset)


def bytes_over_time(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
    """Log bytes per window."""
    return _range("bytes_over_time", query, window, offset=offset)


def absent_over_time(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
    """1 when the query found no line in the window: for "the service stopped logging" alerts."""
    return _range("absent_over_time", query, window, offset=offset)


def _unwrapped(function: str, summary: str):
    def build(query: LogQuery, window: str = AUTO, *, offset: str | None = None) -> LogRange:
        return _range(function, query, window, offset=offset)

    build.__name__ = build.__qualname__ = function
    build.__doc__ = f"{summary} of an unwrapped query's values: `{function}({{...}} | unwrap x [$__auto])`."
    return build


def _unwrapped_grouped(function: str, summary: str):
    def build(
        query: LogQuery,
        window: str = AUTO,
        *,
        by: list[str] | None = None,
        without: list[str] | None = None,
        offset: str | None = None,
    ) -> LogRange:
        return _range(function, query, window, by=by, without=without, offset=offset)

    build.__name__ = build.__qualname__ = function
    build.__doc__ = (
        f"{summary} of an unwrapped query's values, optionally per label: "
        f"`{function}({{...}} | unwrap x [$__auto]) by (route)`."
    )
    return build


sum_over_time = _unwrapped("sum_over_time", "The sum")
rate_counter = _unwrapped("rate_counter", "The per-second rate, the values read as a counter,")
avg_over_time = _unwrapped_grouped("avg_over_time", "The average")
max_over_time = _unwrapped_grouped("max_over_time", "The maximum")
min_over_time = _unwrapped_grouped("min_over_time", "The minimum")
first_over_time = _unwrapped_grouped("first_over_time", "The first")
last_over_time = _unwrapped_grouped("last_over_time", "The last")
stddev_over_time = _unwrapped_grouped("stddev_over_time", "The standard deviation")
stdvar_over_time = _unwrapped_grouped("stdvar_over_time", "The variance")


def quantile_over_time(
    quantile: float,
    query: LogQuery,
    window: str = AUTO,
    *,
    by: list[str] | None = None,
    without: list[str] | None = None,
    offset: str | None = None,
) -> LogRange:
    """The φ-quantile of an unwrapped query's values: `quantile_over_time(0.99, {...} | unwrap x [$__auto])`."""
    return _range("quantile_over_time", query, window, parameter=quantile, by=by, without=without, offset=offset)



def raw(text: str) -> Raw:
    """LogQL text used as written, the escape hatch; validate the final query with check_logql()."""
    return Raw(text=text, raw_language=_LANGUAGE)
