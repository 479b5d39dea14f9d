"""Evaluate LogQL metric queries on log-line fixtures, the way Loki does, for alert unit tests.

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

from dashctl.alerts.testing.logql_syntax import (
    Aggregation,
    BinaryOp,
    KeepDrop,
    LabelFilter,
    LineFilter,
    LogRange,
    Parser,
    RangeAggregation,
    Scalar,
    StreamMatcher,
    Unwrap,
    UnsupportedLogQL,
    VectorLiteral,
)

__all__ = ["EvaluationError", "LogStream", "Vector", "evaluate"]

Labels = tuple[tuple[str, str], ...]
Vector = dict[Labels, float]
_INVALID_LABEL_CHARS = re.compile(r"[^A-Za-z0-9_]")
_LOGFMT = re.compile(r'([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))')


class EvaluationError(ValueError):
    """The query fails on these logs, as it would in Loki (e.g. a pipeline error that is not filtered)."""


@dataclass(frozen=True)
class LogStream:
    """One stream: its labels and its (seconds, line) entries in time order."""

    labels: Mapping[str, str]
    entries: tuple[tuple[float, str], ...]


def evaluate(tree: object, streams: Iterable[LogStream], time: float) -> Vector | float:
    """The value of a parsed LogQL query at `time` (seconds from the start of the test)."""
    return _Evaluator(list(streams)).value(tree, time)


class _Evaluator:
    def __init__(self, streams: list[LogStream]):
        self.streams = streams

    def value(self, node: object, time: float) -> Vector | float:
        if isinstance(node, Scalar):
            return node.value
        if isinstance(node, VectorLiteral):
            return {(): node.value}
        if isinstance(node, RangeAggregation):
            return self.range_aggregation(node, time)
        if isinstance(node, Aggregation):
            inner = self.value(node.expression, time)
            if not isinstance(inner, dict):
                raise EvaluationError(f"{node.operation}() needs a vector")
            return _aggregate(node.operation, inner, node.grouping)
        if isinstance(node, BinaryOp):
            return _binary(node, self.value(node.left, time), self.value(node.right, time))
        raise UnsupportedLogQL(f"cannot evaluate {type(node).__name__}")

    def range_aggregation(self, node: RangeAggregation, time: float) -> Vector:
        window = node.log_range
        end = time - window.offset_seconds
        start = end - window.range_seconds
        unwrap = next((stage for stage in window.stages if isinstance(stage, Unwrap)), None)
        if node.function in ("count_over_time", "rate", "bytes_over_time", "bytes_rate") and unwrap is not None:
            raise EvaluationError(f"{node.function} does not take an unwrapped range")
        if node.function not in ("count_over_time", "rate", "bytes_over_time", "bytes_rate") and unwrap is None:
            raise EvaluationError(f"{node.function} needs `| unwrap <label>`")
        samples: dict[Labels, list[float]] = {}
        for stream in self.streams:
            if not all(_stream_matches(matcher, stream.labels) for matcher in window.matchers):
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
                if node.function in ("bytes_over_time", "bytes_rate"):
                    value = float(len(line.encode()))
                samples.setdefault(key, []).append(value if value is not None else 1.0)
        return {key: _over_time(node, values) for key, values in samples.items()}


def _group_key(labels: Mapping[str, str], grouping: tuple[str, tuple[str, ...]] | None) -> Labels:
    """The series a sample belongs to: all its labels, or those a range aggregation's by/without keeps."""
    if grouping is None:
        return tuple(sorted(labels.items()))
    if grouping[0] == "by":
        return tuple(sorted((name, value) for name, value in labels.items() if name in grouping[1]))
    return tuple(sorted((name, value) for name, value in labels.items() if name not in grouping[1]))


def _over_time(node: RangeAggregation, values: list[float]) -> float:
    seconds = node.log_range.range_seconds
    function = node.function
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
    return _quantile(node.parameter or 0.0, values)


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


def _stream_matches(matcher: StreamMatcher, labels: Mapping[str, str]) -> bool:
    value = labels.get(matcher.name, "")
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    matched = re.fullmatch(_python_regex(matcher.value), value) is not None
    return matched if matcher.op == "=~" else not matched


def _run_pipeline(
    window: LogRange, stream_labels: Mapping[str, str], line: str
) -> tuple[dict[str, str], float | None] | None:
    labels = dict(stream_labels)
    value: float | None = None
    for stage in window.stages:
        if isinstance(stage, LineFilter):
            if stage.op in ("|=", "!="):
                found = stage.value in line
            else:
                found = re.search(_python_regex(stage.value), line) is not None
            if found != (stage.op in ("|=", "|~")):
                return None
        elif isinstance(stage, Parser):
            _parse_into(stage, line, labels)
        elif isinstance(stage, LabelFilter):
            if not _label_filter(stage.node, labels):
                return None
        elif isinstance(stage, KeepDrop):
            if stage.kind == "keep":
                labels = {name: v for name, v in labels.items() if name in stage.names or name == "__error__"}
            else:
                labels = {name: v for name, v in labels.items() if name not in stage.names}
        elif isinstance(stage, Unwrap):
            raw = labels.pop(stage.label, "")
            try:
                if stage.conversion in ("duration", "duration_seconds"):
                    value = _go_duration_seconds(raw)
                elif stage.conversion == "bytes":
                    value = _bytes(raw)
                else:
                    value = float(raw)
            except ValueError:
                labels["__error__"] = "SampleExtractionErr"
    return labels, value


def _parse_into(stage: Parser, line: str, labels: dict[str, str]) -> None:
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
        if stage.params:
            for name, path in stage.params:
                found = _json_path(document, path)
                if found is not None:
                    extracted[name] = found
        else:
            _flatten(document, "", extracted)
    elif stage.kind == "logfmt":
        for match in _LOGFMT.finditer(line):
            raw = match.group(2) if match.group(2) is not None else match.group(3)
            extracted[_sanitize(match.group(1))] = re.sub(r"\\(.)", r"\1", raw)
    elif stage.kind == "pattern":
        match = re.match(_pattern_regex(stage.argument or ""), line)
        if match:
            extracted = {name: value for name, value in match.groupdict().items() if not name.startswith("_")}
    else:
        match = re.search(_python_regex(stage.argument or ""), line)
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


def _label_filter(node: tuple, labels: dict[str, str]) -> bool:
    if node[0] == "and":
        return _label_filter(node[1], labels) and _label_filter(node[2], labels)
    if node[0] == "or":
        return _label_filter(node[1], labels) or _label_filter(node[2], labels)
    _, name, op, expected, numeric = node
    actual = labels.get(name, "")
    if numeric:
        # Loki's NumericLabelFilter: a line already in error passes, a missing label does not.
        if "__error__" in labels:
            return True
        if name not in labels:
            return False
        try:
            number = float(actual)
        except ValueError:
            # Loki keeps the line and marks it; the metric query then fails unless __error__ is filtered out.
            labels["__error__"] = "LabelFilterErr"
            return True
        target = float(expected)
        return {"=": number == target, "==": number == target, "!=": number != target, ">": number > target,
                ">=": number >= target, "<": number < target, "<=": number <= target}[op]
    if op in ("=", "=="):
        return actual == expected
    if op == "!=":
        return actual != expected
    matched = re.fullmatch(_python_regex(expected), actual) is not None
    return matched if op == "=~" else not matched


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


def _aggregate(operation: str, vector: Vector, grouping: tuple[str, tuple[str, ...]] | None) -> Vector:
    groups: dict[Labels, list[float]] = {}
    for key, value in vector.items():
        if grouping is None:
            labels: Labels = ()
        elif grouping[0] == "by":
            labels = tuple((name, v) for name, v in key if name in grouping[1])
        else:
            labels = tuple((name, v) for name, v in key if name not in grouping[1])
        groups.setdefault(labels, []).append(value)
    functions = {"sum": sum, "min": min, "max": max, "count": lambda v: float(len(v)),
                 "avg": lambda v: sum(v) / len(v)}
    return {labels: float(functions[operation](values)) for labels, values in groups.items()}


_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a)),
               "%": lambda a, b: math.fmod(a, b) if b else math.nan, "^": lambda a, b: a**b}
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
            "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}


def _binary(node: BinaryOp, left: Vector | float, right: Vector | float) -> Vector | float:
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


def _match_key(key: Labels, matching: tuple[str, tuple[str, ...]] | None) -> Labels:
    if matching is None:
        return key
    if matching[0] == "on":
        return tuple((name, value) for name, value in key if name in matching[1])
    return tuple((name, value) for name, value in key if name not in matching[1])
