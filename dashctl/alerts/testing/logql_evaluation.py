"""Evaluate LogQL metric queries on log-line fixtures, the way Loki does, for alert unit tests.

The query is the syntax tree of dashctl's LogQL parser (`dashctl.queries.logql.parse_logql`), so the evaluator
reads the same grammar as every other part of dashctl. It implements a subset: stream selectors (`=`, `!=`, `=~`,
`!~`); line filters (`|=`, `!=`, `|~`, `!~`); the `json`, `logfmt`, `pattern` and `regexp` parsers; label filters
(string, regex and numeric comparisons, `and`/`or`/`,`); `keep` and `drop`; `unwrap` (plain, `duration()`,
`bytes()`); the range aggregations `count_over_time`, `rate`, `bytes_over_time`, `bytes_rate`, `sum_over_time`,
`avg_over_time`, `min_over_time`, `max_over_time`, `first_over_time`, `last_over_time`, `quantile_over_time` with
`offset`; the vector aggregations `sum`, `avg`, `min`, `max`, `count` with `by`/`without`; arithmetic, comparisons
(with `bool`), `and`, `or`, `unless`, `on`/`ignoring`; `vector(n)`. Anything else (Grafana variables included:
unit-tested rules hold concrete values) raises UnsupportedLogQL, which the test runner reports as
"not unit-testable" with the reason: never a silent skip.

Semantics follow Loki (grafana/loki: pkg/logql): a range aggregation at time t reads the entries of the window
(t - range - offset, t - offset]; parsers add labels (`json` flattens nested keys with `_`, an extracted label that
clashes with a stream label gets the suffix `_extracted`); a line that a parser or a numeric label filter cannot
handle keeps an `__error__` label, and a metric query that still has such samples fails (as in Loki) unless the
query filters them with `| __error__=""`; `unwrap` takes the sample value from a label and drops that label.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql import ast, parse_logql
from dashctl.queries.logql.literals import parse_float

__all__ = ["EvaluationError", "LogStream", "UnsupportedLogQL", "Vector", "evaluate", "parse_testable_query"]

Labels = tuple[tuple[str, str], ...]
Vector = dict[Labels, float]
_RANGE_FUNCTIONS = ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time", "avg_over_time",
                    "min_over_time", "max_over_time", "first_over_time", "last_over_time", "quantile_over_time")
_COUNTING_FUNCTIONS = ("count_over_time", "rate", "bytes_over_time", "bytes_rate")
_AGGREGATIONS = ("sum", "avg", "min", "max", "count")
_UNSUPPORTED_STAGES = {ast.LineFormat: "line_format", ast.LabelFormatStage: "label_format",
                       ast.Decolorize: "decolorize"}
_INVALID_LABEL_CHARS = re.compile(r"[^A-Za-z0-9_]")
_LOGFMT = re.compile(r'([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))')


class UnsupportedLogQL(ValueError):
    """A query (or part of one) the test evaluator does not implement, or cannot parse."""


class EvaluationError(ValueError):
    """The query fails on these logs, as it would in Loki (e.g. a pipeline error that is not filtered)."""


@dataclass(frozen=True)
class LogStream:
    """One stream: its labels and its (seconds, line) entries in time order."""

    labels: Mapping[str, str]
    entries: tuple[tuple[float, str], ...]


def parse_testable_query(query: str) -> ast.Expr:
    """The syntax tree of a LogQL metric query; UnsupportedLogQL when it does not parse or is outside the subset."""
    try:
        expr = parse_logql(query)
    except QuerySyntaxError as error:
        column = "" if error.position is None else f" at column {error.position + 1}"
        raise UnsupportedLogQL(f"invalid LogQL: {error.message}{column}") from None
    _check_supported(expr)
    return expr


def evaluate(tree: ast.Expr, streams: Iterable[LogStream], time: float) -> Vector | float:
    """The value of a parsed LogQL query at `time` (seconds from the start of the test).

    UnsupportedLogQL when the query is outside the evaluated subset, whether or not the logs reach that part.
    """
    _check_supported(tree)
    return _Evaluator(list(streams)).value(tree, time)


# The supported subset ----------------------------------------------------------------------------------------------


def _check_supported(expr: ast.Expr) -> None:
    """Raise UnsupportedLogQL, naming the construct, at the first part of `expr` the evaluator does not implement."""
    for node in ast.iter_nodes(expr):
        if isinstance(node, (ast.ScalarLiteral, ast.VectorLiteral)):
            _number(node.value.text)
        elif isinstance(node, ast.RangeAggregation):
            _check_range_aggregation(node)
        elif isinstance(node, ast.VectorAggregation):
            if node.op not in _AGGREGATIONS:
                raise UnsupportedLogQL(f"{node.op}() is not supported by the test evaluator")
            _check_label_names(node.grouping.labels if node.grouping else ())
        elif isinstance(node, ast.BinaryOperation):
            if node.matching is not None and node.matching.cardinality != "one-to-one":
                modifier = "group_left" if node.matching.cardinality == "many-to-one" else "group_right"
                raise UnsupportedLogQL(f"{modifier} is not supported by the test evaluator")
            _check_label_names(node.matching.labels if node.matching else ())
        elif isinstance(node, ast.LogQuery):
            raise UnsupportedLogQL("a log query: alert rules need a metric query, e.g. count_over_time(...)")
        elif isinstance(node, ast.LabelReplace):
            raise UnsupportedLogQL("label_replace() is not supported by the test evaluator")
        else:
            raise UnsupportedLogQL(f"{type(node).__name__} is not supported by the test evaluator")


def _check_range_aggregation(node: ast.RangeAggregation) -> None:
    if node.op not in _RANGE_FUNCTIONS:
        raise UnsupportedLogQL(f"{node.op}() is not supported by the test evaluator")
    if node.param is not None:
        _number(node.param.text)
    _check_label_names(node.grouping.labels if node.grouping else ())
    log_range = node.range
    _seconds(log_range.range)
    # The ruler cannot read logs from the future; the fixtures can hold some, so the result would differ from Loki's.
    if log_range.offset is not None and _seconds(log_range.offset) < 0:
        raise UnsupportedLogQL(f"the negative offset {log_range.offset.text} is not supported by the test evaluator")
    for stage in log_range.query.stages:
        _check_stage(stage)
    if log_range.unwrap is not None:
        if node.op in _COUNTING_FUNCTIONS:
            # Valid in Loki (rate over unwrapped values is their per-second sum), but not in the evaluator's subset.
            raise UnsupportedLogQL(f"{node.op} over an unwrapped range is not supported by the test evaluator")
        for predicate in log_range.unwrap.post_filters:
            _check_predicate(predicate)


def _check_stage(stage: ast.Stage) -> None:
    if type(stage) in _UNSUPPORTED_STAGES:
        raise UnsupportedLogQL(f"the {_UNSUPPORTED_STAGES[type(stage)]} stage is not supported by the test evaluator")
    if isinstance(stage, ast.LineFilter):
        if stage.op in ("|>", "!>"):
            raise UnsupportedLogQL(f"the pattern line filter {stage.op} is not supported by the test evaluator")
        if any(term.ip for term in stage.terms):
            raise UnsupportedLogQL("ip() line filters are not supported by the test evaluator")
        if len(stage.terms) > 1:
            raise UnsupportedLogQL("'or' between line filters")
    elif isinstance(stage, ast.LabelParser):
        if stage.kind == "unpack":
            raise UnsupportedLogQL("the unpack stage is not supported by the test evaluator")
        if stage.flags:
            raise UnsupportedLogQL(f"{stage.kind} {' '.join(stage.flags)} is not supported by the test evaluator")
        if stage.kind == "logfmt" and stage.extractions:
            raise UnsupportedLogQL("logfmt with parameters")
    elif isinstance(stage, ast.LabelFilterStage):
        _check_predicate(stage.predicate)
    elif isinstance(stage, (ast.KeepLabels, ast.DropLabels)):
        if any(isinstance(label, ast.Matcher) for label in stage.labels):
            name = "keep" if isinstance(stage, ast.KeepLabels) else "drop"
            raise UnsupportedLogQL(f"{name} with matchers")
    else:
        raise UnsupportedLogQL(f"the stage {type(stage).__name__} is not supported by the test evaluator")


def _check_predicate(predicate: ast.LabelPredicate) -> None:
    if isinstance(predicate, ast.LogicalLabelFilter):
        _check_predicate(predicate.left)
        _check_predicate(predicate.right)
    elif isinstance(predicate, ast.IpLabelFilter):
        raise UnsupportedLogQL("ip() label filters are not supported by the test evaluator")
    elif isinstance(predicate, ast.LabelComparison):
        if predicate.kind != "number":
            raise UnsupportedLogQL("duration and bytes label filters are not supported by the test evaluator")
        _number(predicate.value)


def _check_label_names(names: tuple[str, ...]) -> None:
    for name in names:
        # The parser keeps a Grafana variable where a label name is listed (`by ($group)`); an identifier has no `$`.
        if "$" in name or name.startswith("[["):
            raise UnsupportedLogQL(_variable_reason(name))


def _variable_reason(text: str) -> str:
    return f"the Grafana variable {text}: a unit-tested rule needs a concrete value"


def _number(text: str) -> float:
    """The value of a number as written (`ast.NumberLiteral.text`, a label comparison's value)."""
    if "$" in text or "[[" in text:
        raise UnsupportedLogQL(_variable_reason(text))
    return parse_float(text)


def _seconds(duration: ast.Duration) -> float:
    if duration.nanoseconds is None:
        raise UnsupportedLogQL(_variable_reason(duration.text))
    return duration.nanoseconds / 1e9


# Evaluation --------------------------------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, streams: list[LogStream]):
        self.streams = streams

    def value(self, node: ast.Expr, time: float) -> Vector | float:
        if isinstance(node, ast.ScalarLiteral):
            return _number(node.value.text)
        if isinstance(node, ast.VectorLiteral):
            return {(): _number(node.value.text)}
        if isinstance(node, ast.RangeAggregation):
            return self.range_aggregation(node, time)
        if isinstance(node, ast.VectorAggregation):
            inner = self.value(node.expr, time)
            if not isinstance(inner, dict):
                raise EvaluationError(f"{node.op}() needs a vector")
            return _aggregate(node.op, inner, node.grouping)
        if isinstance(node, ast.BinaryOperation):
            return _binary(node, self.value(node.left, time), self.value(node.right, time))
        raise UnsupportedLogQL(f"cannot evaluate {type(node).__name__}")

    def range_aggregation(self, node: ast.RangeAggregation, time: float) -> Vector:
        window = node.range
        range_seconds = _seconds(window.range)
        end = time - (_seconds(window.offset) if window.offset is not None else 0.0)
        start = end - range_seconds
        if node.op in _COUNTING_FUNCTIONS and window.unwrap is not None:
            # Valid in Loki (rate over unwrapped values is their per-second sum), but not in the evaluator's subset.
            raise UnsupportedLogQL(f"{node.op} over an unwrapped range")
        if node.op not in _COUNTING_FUNCTIONS and window.unwrap is None:
            raise EvaluationError(f"{node.op} needs `| unwrap <label>`")
        samples: dict[Labels, list[float]] = {}
        for stream in self.streams:
            if not all(_matches(matcher, stream.labels.get(matcher.name, ""))
                       for matcher in window.query.selector.matchers):
                continue
            for timestamp, line in stream.entries:
                if not start < timestamp <= end:
                    continue
                result = _run_pipeline(window, stream.labels, line)
                if result is None:
                    continue
                labels, value = result
                if "__error__" in labels:
                    raise EvaluationError(
                        f"pipeline error {labels['__error__']!r} on line {line[:60]!r}; Loki fails such a query",
                    )
                key = _group_key(labels, node.grouping)
                if node.op in ("bytes_over_time", "bytes_rate"):
                    value = float(len(line.encode()))
                samples.setdefault(key, []).append(value if value is not None else 1.0)
        return {key: _over_time(node, range_seconds, values) for key, values in samples.items()}


def _group_key(labels: Mapping[str, str], grouping: ast.Grouping | None) -> Labels:
    """The series a sample belongs to: all its labels, or those a range aggregation's by/without keeps."""
    if grouping is None:
        return tuple(sorted(labels.items()))
    if not grouping.without:
        return tuple(sorted((name, value) for name, value in labels.items() if name in grouping.labels))
    return tuple(sorted((name, value) for name, value in labels.items() if name not in grouping.labels))


def _over_time(node: ast.RangeAggregation, seconds: float, values: list[float]) -> float:
    function = node.op
    if function == "count_over_time":
        return float(len(values))
    if function == "rate":
        return len(values) / seconds
    if function == "bytes_over_time":
        return sum(values)
    if function == "bytes_rate":
        return sum(values) / seconds
    if function == "sum_over_time":
        return sum(values)
    if function == "avg_over_time":
        return sum(values) / len(values)
    if function == "min_over_time":
        return min(values)
    if function == "max_over_time":
        return max(values)
    if function == "first_over_time":
        return values[0]
    if function == "last_over_time":
        return values[-1]
    return _quantile(_number(node.param.text) if node.param is not None else 0.0, values)


def _quantile(q: float, values: list[float]) -> float:
    """Prometheus' quantile: linear interpolation between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    rank = q * (len(ordered) - 1)
    lower = math.floor(rank)
    upper = min(lower + 1, len(ordered) - 1)
    weight = rank - lower
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _matches(matcher: ast.Matcher, value: str) -> bool:
    """Whether a stream matcher or a string label filter holds for the label's value ("" when it is missing)."""
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    matched = re.fullmatch(_python_regex(matcher.value), value) is not None
    return matched if matcher.op == "=~" else not matched


def _run_pipeline(
    window: ast.LogRange, stream_labels: Mapping[str, str], line: str
) -> tuple[dict[str, str], float | None] | None:
    labels = dict(stream_labels)
    value: float | None = None
    for stage in window.query.stages:
        if isinstance(stage, ast.LineFilter):
            term = stage.terms[0].value
            if stage.op in ("|=", "!="):
                found = term in line
            else:
                found = re.search(_python_regex(term), line) is not None
            if found != (stage.op in ("|=", "|~")):
                return None
        elif isinstance(stage, ast.LabelParser):
            _parse_into(stage, line, labels)
        elif isinstance(stage, ast.LabelFilterStage):
            if not _label_filter(stage.predicate, labels):
                return None
        elif isinstance(stage, ast.KeepLabels):
            labels = {name: v for name, v in labels.items() if name in stage.labels or name == "__error__"}
        elif isinstance(stage, ast.DropLabels):
            labels = {name: v for name, v in labels.items() if name not in stage.labels}
    unwrap = window.unwrap
    if unwrap is not None:
        raw = labels.pop(unwrap.label, "")
        try:
            if unwrap.conversion in ("duration", "duration_seconds"):
                value = _go_duration_seconds(raw)
            elif unwrap.conversion == "bytes":
                value = _bytes(raw)
            else:
                value = float(raw)
        except ValueError:
            labels["__error__"] = "SampleExtractionErr"
        for predicate in unwrap.post_filters:
            if not _label_filter(predicate, labels):
                return None
    return labels, value


def _parse_into(stage: ast.LabelParser, line: str, labels: dict[str, str]) -> None:
    extracted: dict[str, str] = {}
    if stage.kind == "json":
        try:
            document = json.loads(line)
        except ValueError:
            labels["__error__"] = "JSONParserErr"
            return
        if not isinstance(document, dict):
            labels["__error__"] = "JSONParserErr"
            return
        if stage.extractions:
            for extraction in stage.extractions:
                found = _json_path(document, extraction.expression)
                if found is not None:
                    extracted[extraction.label] = found
        else:
            _flatten(document, "", extracted)
    elif stage.kind == "logfmt":
        for match in _LOGFMT.finditer(line):
            raw = match.group(2) if match.group(2) is not None else match.group(3)
            extracted[_sanitize(match.group(1))] = re.sub(r"\\(.)", r"\1", raw)
    elif stage.kind == "pattern":
        match = re.match(_pattern_regex(stage.param or ""), line)
        if match:
            extracted = {name: value for name, value in match.groupdict().items() if not name.startswith("_")}
    else:
        match = re.search(_python_regex(stage.param or ""), line)
        if match:
            extracted = {name: value for name, value in match.groupdict().items() if value is not None}
    for name, value in extracted.items():
        target = f"{name}_extracted" if name in labels and name != "__error__" else name
        labels[target] = value


def _flatten(value: object, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}_{_sanitize(key)}" if prefix else _sanitize(key), out)
    elif isinstance(value, list):
        return  # Loki's json parser skips arrays
    elif value is None:
        out[prefix] = ""
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif isinstance(value, (int, float)):
        out[prefix] = json.dumps(value)
    else:
        out[prefix] = str(value)


def _json_path(document: dict, path: str) -> str | None:
    current: object = document
    for part in re.findall(r"[^.\[\]\"]+", path):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    if isinstance(current, (dict, list)):
        return json.dumps(current, separators=(",", ":"))
    if isinstance(current, bool):
        return "true" if current else "false"
    return "" if current is None else (json.dumps(current) if isinstance(current, (int, float)) else str(current))


def _sanitize(name: str) -> str:
    cleaned = _INVALID_LABEL_CHARS.sub("_", name)
    return f"_{cleaned}" if cleaned[:1].isdigit() else cleaned


def _pattern_regex(pattern: str) -> str:
    """Loki's pattern parser as a regex: each `<name>` captures up to the next literal, the last one to the end."""
    parts = re.split(r"(<[A-Za-z_][A-Za-z0-9_]*>)", pattern)
    regex = ["^"]
    unnamed = 0
    captures = [index for index, part in enumerate(parts) if part.startswith("<") and part.endswith(">")]
    for index, part in enumerate(parts):
        if index in captures:
            name = part[1:-1]
            if name == "_":
                unnamed += 1
                name = f"_unnamed{unnamed}"
            regex.append(f"(?P<{name}>.*)" if index == captures[-1] and not "".join(parts[index + 1:]) else
                         f"(?P<{name}>.*?)")
        else:
            regex.append(re.escape(part))
    return "".join(regex)


def _python_regex(go_regex: str) -> str:
    """A Go RE2 regex for Python's re: the `(?<name>...)` group syntax differs."""
    return go_regex.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")


def _label_filter(predicate: ast.LabelPredicate, labels: dict[str, str]) -> bool:
    if isinstance(predicate, ast.LogicalLabelFilter):
        if predicate.op == "and":
            return _label_filter(predicate.left, labels) and _label_filter(predicate.right, labels)
        return _label_filter(predicate.left, labels) or _label_filter(predicate.right, labels)
    if isinstance(predicate, ast.LabelFilter):
        return _matches(predicate.matcher, labels.get(predicate.matcher.name, ""))
    assert isinstance(predicate, ast.LabelComparison)  # duration, bytes and ip filters are refused before evaluation
    name = predicate.name
    # Loki's NumericLabelFilter: a line already in error passes, a missing label does not.
    if "__error__" in labels:
        return True
    if name not in labels:
        return False
    try:
        number = float(labels[name])
    except ValueError:
        # Loki keeps the line and marks it; the metric query then fails unless __error__ is filtered out.
        labels["__error__"] = "LabelFilterErr"
        return True
    target = _number(predicate.value)
    return {"=": number == target, "==": number == target, "!=": number != target, ">": number > target,
            ">=": number >= target, "<": number < target, "<=": number <= target}[predicate.op]


def _go_duration_seconds(text: str) -> float:
    total = 0.0
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(a + b for a, b in parts) != text.lstrip("+"):
        raise ValueError(text)
    for number, unit in parts:
        total += float(number) * units[unit]
    return total


def _bytes(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)\s*([KMGTP]?i?B)?", text.strip())
    if not match:
        raise ValueError(text)
    unit = match.group(2) or "B"
    power = "BKMGTP".index(unit[0])
    base = 1024 if "i" in unit else 1000
    return float(match.group(1)) * base**power


def _aggregate(operation: str, vector: Vector, grouping: ast.Grouping | None) -> Vector:
    groups: dict[Labels, list[float]] = {}
    for key, value in vector.items():
        if grouping is None:
            labels: Labels = ()
        elif not grouping.without:
            labels = tuple((name, v) for name, v in key if name in grouping.labels)
        else:
            labels = tuple((name, v) for name, v in key if name not in grouping.labels)
        groups.setdefault(labels, []).append(value)
    functions = {"sum": sum, "min": min, "max": max, "count": lambda v: float(len(v)),
                 "avg": lambda v: sum(v) / len(v)}
    return {labels: float(functions[operation](values)) for labels, values in groups.items()}


_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a)),
               "%": lambda a, b: math.fmod(a, b) if b else math.nan, "^": lambda a, b: a**b}
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
            "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}


def _binary(node: ast.BinaryOperation, left: Vector | float, right: Vector | float) -> Vector | float:
    op = node.op
    if op in ("and", "or", "unless"):
        if not (isinstance(left, dict) and isinstance(right, dict)):
            raise EvaluationError(f"{op} needs vectors on both sides")
        keys = {_match_key(key, node.matching): key for key in right}
        if op == "and":
            return {key: value for key, value in left.items() if _match_key(key, node.matching) in keys}
        if op == "unless":
            return {key: value for key, value in left.items() if _match_key(key, node.matching) not in keys}
        result = dict(left)
        left_keys = {_match_key(key, node.matching) for key in left}
        result.update({key: value for key, value in right.items() if _match_key(key, node.matching) not in left_keys})
        return result
    if not isinstance(left, dict) and not isinstance(right, dict):
        if op in _COMPARE:
            if not node.return_bool:
                raise EvaluationError("comparisons between scalars need `bool`")
            return float(_COMPARE[op](left, right))
        return _ARITHMETIC[op](left, right)
    pairs: list[tuple[Labels, float, float]] = []
    if isinstance(left, dict) and isinstance(right, dict):
        by_key: dict[Labels, tuple[Labels, float]] = {}
        for key, value in right.items():
            match = _match_key(key, node.matching)
            if match in by_key:
                raise EvaluationError("many-to-many matching is not allowed")
            by_key[match] = (key, value)
        for key, value in left.items():
            found = by_key.get(_match_key(key, node.matching))
            if found is not None:
                pairs.append((key, value, found[1]))
    elif isinstance(left, dict):
        pairs = [(key, value, float(right)) for key, value in left.items()]  # type: ignore[arg-type]
    else:
        pairs = [(key, float(left), value) for key, value in right.items()]  # type: ignore[union-attr]
    result: Vector = {}
    for key, a, b in pairs:
        if op in _COMPARE:
            holds = _COMPARE[op](a, b)
            if node.return_bool:
                result[key] = float(holds)
            elif holds:
                result[key] = a if isinstance(left, dict) else b
        else:
            result[key] = _ARITHMETIC[op](a, b)
    return result


def _match_key(key: Labels, matching: ast.VectorMatching | None) -> Labels:
    if matching is None:
        return key
    if matching.on:
        return tuple((name, value) for name, value in key if name in matching.labels)
    return tuple((name, value) for name, value in key if name not in matching.labels)
