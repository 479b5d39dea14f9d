"""Python source for imported alert rules, in the project's authoring style (alerts/*.py, docs/alerts.md).

One `@rule_group` function per group returning its `AlertRule`s, one keyword a line, only the fields that differ
from their defaults; queries as plain strings (a multi-line query keeps its lines, one string literal each); long
texts wrapped at 120 columns. The unit-test skeleton has one `@alert_tests` function per group with a test per rule
whose input series come from the rule's own selectors, to be given values that make the rule fire.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import promql_parser

from dashctl.alerts.model import AlertRule, LogQL, Math, PromQL, Reduce, Threshold
from dashctl.durations import canonical_duration, parse_duration
from dashctl.importing.rule_draft import format_number

__all__ = ["GroupCode", "render_rules", "render_tests"]

_WIDTH = 120
_INDENT = "    "


@dataclass(frozen=True, kw_only=True)
class GroupCode:
    """One rule group to write: its `@rule_group` options and its rules (already validated `AlertRule`s)."""

    name: str
    folder: str
    interval: str
    rules: tuple[AlertRule, ...]
    comments: Mapping[str, tuple[str, ...]]
    """Comment lines to put above a rule, by uid (placeholders to replace, a dashboard link to restore)."""


def render_rules(groups: Sequence[GroupCode], *, source: str) -> str:
    """The Python module defining `groups`."""
    names = _function_names(group.name for group in groups)
    used = {"AlertRule", "rule_group"}
    bodies = []
    for group, function in zip(groups, names):
        lines = [f"@rule_group(name={_string(group.name)}, folder={_string(group.folder)}, "
                 f"interval={_string(group.interval)})",
                 f"def {function}(env):",
                 f"{_INDENT}return ["]
        for rule in group.rules:
            for comment in group.comments.get(rule.uid, ()):
                lines.append(f"{_INDENT * 2}# {comment}")
            lines.extend(_rule(rule, used, depth=2))
        lines.append(f"{_INDENT}]")
        bodies.append("\n".join(lines))
    header = [f'"""Alert rules imported from {_docstring_text(source)} by `dashctl import`."""', "",
              f"from dashctl.alerts import {', '.join(sorted(used))}", "", "", ""]
    return "\n".join(header) + "\n\n\n".join(bodies) + "\n"


def render_tests(groups: Sequence[GroupCode], *, source: str) -> str:
    """A unit-test skeleton for `groups`: per rule, its input series with values to fill in and an expectation."""
    names = _function_names(group.name for group in groups)
    used = {"AlertTest", "Expect", "alert_tests"}
    bodies = []
    for group, function in zip(groups, names):
        lines = ["@alert_tests", f"def {function}_tests(env):", f"{_INDENT}return ["]
        for rule in group.rules:
            lines.extend(_test(rule, group.interval, used))
        lines.append(f"{_INDENT}]")
        bodies.append("\n".join(lines))
    header = [f'"""Unit-test skeleton for the alert rules imported from {_docstring_text(source)}.', "",
              "Each test lists the series its rule reads, all flat at 0: give them values that make the rule fire",
              "(promtool's notation, one sample per interval: `0+10x30`, `1x30`, `_`), and list the alert it raises",
              "at `at` with all its labels. Put the tests next to the rules, in the same file or beside it.",
              '"""', "", f"from dashctl.alerts import {', '.join(sorted(used))}", "", "", ""]
    return "\n".join(header) + "\n\n\n".join(bodies) + "\n"


def _function_names(group_names: Iterable[str]) -> list[str]:
    taken: set[str] = set()
    names = []
    for name in group_names:
        base = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower() or "rules"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = f"rules_{base}"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        taken.add(candidate)
        names.append(candidate)
    return names


def _rule(rule: AlertRule, used: set[str], *, depth: int) -> list[str]:
    pad = _INDENT * depth
    inner = _INDENT * (depth + 1)
    lines = [f"{pad}AlertRule("]

    def field(name: str, value: str) -> None:
        lines.append(f"{inner}{name}={value},")

    field("uid", _string(rule.uid))
    field("title", _wrapped(rule.title, inner, len("title=")))
    field("severity", _string(rule.severity))
    nodes = rule.queries
    if len(nodes) == 1:
        field("query", _node(nodes[0], used, inner))
    else:
        lines.append(f"{inner}queries=[")
        for node in nodes:
            lines.append(f"{inner}{_INDENT}{_node(node, used, inner + _INDENT)},")
        lines.append(f"{inner}],")
    field("condition", _condition(rule.condition, used))
    if canonical_duration(parse_duration(rule.for_)) != "0s":
        field("for_", _string(rule.for_))
    if canonical_duration(parse_duration(rule.keep_firing_for)) != "0s":
        field("keep_firing_for", _string(rule.keep_firing_for))
    if rule.no_data_state != "NoData":
        field("no_data_state", _string(rule.no_data_state))
    if rule.exec_err_state != "Error":
        field("exec_err_state", _string(rule.exec_err_state))
    field("summary", _wrapped(rule.summary, inner, len("summary=")))
    if rule.description:
        field("description", _wrapped(rule.description, inner, len("description=")))
    if rule.runbook_url:
        field("runbook_url", _string(rule.runbook_url))
    if rule.team:
        field("team", _string(rule.team))
    if rule.labels:
        field("labels", _mapping(rule.labels, inner))
    if rule.annotations:
        field("annotations", _mapping(rule.annotations, inner))
    if rule.dashboard is not None:
        used.add("DashboardPanel")
        field("dashboard", f"DashboardPanel(uid={_string(rule.dashboard.uid)}, panel={rule.dashboard.panel!r})")
    if rule.paused:
        field("paused", "True")
    lines.append(f"{pad}),")
    return lines


def _node(node: object, used: set[str], indent: str) -> str:
    if isinstance(node, (PromQL, LogQL)):
        used.add(type(node).__name__)
        options = [f"expr={_expression(node.expr, indent + _INDENT)}"]
        if node.ref_id != "A":
            options.append(f"ref_id={_string(node.ref_id)}")
        if node.datasource != node.default_datasource:
            options.append(f"datasource={_string(node.datasource)}")
        if node.range is not None:
            options.append(f"range={_string(node.range)}")
            options.append(f"step={_string(node.step)}")
        if "\n" in options[0]:
            rest = "".join(f",\n{indent}{_INDENT}{option}" for option in options[1:])
            return f"{type(node).__name__}(\n{indent}{_INDENT}{options[0]}{rest},\n{indent})"
        return f"{type(node).__name__}({', '.join(options)})"
    if isinstance(node, Reduce):
        used.add("Reduce")
        reducer = "" if node.reducer == "last" else f", reducer={_string(node.reducer)}"
        return f"Reduce(ref_id={_string(node.ref_id)}, input={_string(node.input)}{reducer})"
    if isinstance(node, Math):
        used.add("Math")
        return f"Math(ref_id={_string(node.ref_id or '')}, expression={_string(node.expression)})"
    raise TypeError(f"cannot render {type(node).__name__}")


def _condition(condition: Threshold | Math, used: set[str]) -> str:
    if isinstance(condition, Math):
        used.add("Math")
        return f"Math(expression={_string(condition.expression)})"
    used.add("Threshold")
    options = []
    for name in ("above", "below", "within", "outside"):
        value = getattr(condition, name)
        if value is not None:
            options.append(f"{name}={_value(value)}")
    if condition.reduce != "last":
        options.append(f"reduce={_string(condition.reduce) if condition.reduce else 'None'}")
    if condition.input is not None:
        options.append(f"input={_string(condition.input)}")
    return f"Threshold({', '.join(options)})"


def _value(value: object) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(_value(item) for item in value)})"
    return format_number(value)  # type: ignore[arg-type]


def _string(text: str) -> str:
    # Queries hold double quotes: single-quote those, as the project's definitions do; JSON's syntax is Python's
    # for the rest, with non-ASCII left readable.
    if '"' in text and "'" not in text and "\\" not in text and text.isprintable():
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def _docstring_text(text: str) -> str:
    return text.replace("\\", "/").replace('"""', "'''")


def _expression(text: str, indent: str) -> str:
    """A query: one literal, or one literal per line of a multi-line query, so its layout survives."""
    text = text.strip("\n")
    if "\n" not in text:
        return _string(text)
    lines = text.split("\n")
    pieces = [_string(line + "\n") for line in lines[:-1]] + [_string(lines[-1])]
    return "(\n" + "".join(f"{indent}{_INDENT}{piece}\n" for piece in pieces) + f"{indent})"


def _wrapped(text: str, indent: str, prefix: int) -> str:
    """A string literal, split on spaces into implicitly joined pieces when it would pass 120 columns."""
    literal = _string(text)
    if len(indent) + prefix + len(literal) + 1 <= _WIDTH or "\n" in text:
        return literal
    room = _WIDTH - len(indent) - len(_INDENT) - 2
    pieces, current = [], ""
    for word in re.split(r"(?<= )", text):
        if current and len(_string(current + word)) > room:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    inner = indent + _INDENT
    return "(\n" + "".join(f"{inner}{_string(piece)}\n" for piece in pieces) + f"{indent})"


def _mapping(values: dict[str, str] | object, indent: str) -> str:
    items = sorted(dict(values).items())  # type: ignore[call-overload]
    flat = "{" + ", ".join(f"{_string(k)}: {_string(v)}" for k, v in items) + "}"
    if len(indent) + len("annotations=") + len(flat) + 1 <= _WIDTH:
        return flat
    inner = indent + _INDENT
    body = "".join(f"{inner}{_string(k)}: {_wrapped(v, inner, len(_string(k)) + 2)},\n" for k, v in items)
    return "{\n" + body + indent + "}"


def _test(rule: AlertRule, interval: str, used: set[str]) -> list[str]:
    pad, inner = _INDENT * 2, _INDENT * 3
    window = parse_duration(rule.for_) + parse_duration(rule.keep_firing_for)
    at = canonical_duration(max(parse_duration("30m"), window + parse_duration("10m")))
    steps = parse_duration(at) // parse_duration(interval) + 1
    name = _string(f"{rule.title} fires (skeleton: fill in values and the alert)")
    lines = [f"{pad}AlertTest(", f"{inner}name={name},", f"{inner}interval={_string(interval)},"]
    queries = rule.datasource_queries
    if all(isinstance(query, PromQL) for query in queries):
        selectors = [s for query in queries for s in _selectors(query.expr)]
        if selectors:
            used.add("Series")
            lines.append(f"{inner}series=[")
            lines.extend(f"{inner}{_INDENT}Series(series={_string(s)}, values=\"0x{steps}\")," for s in selectors)
            lines.append(f"{inner}],")
    else:
        used.add("LogLines")
        lines.append(f"{inner}logs=[")
        for labels in _streams([query.expr for query in queries if isinstance(query, LogQL)]):
            lines.append(f"{inner}{_INDENT}LogLines(labels={_mapping(labels, inner)}, line=\"a line the rule counts\", "
                         f"every={_string(interval)}, end={_string(at)}),")
        lines.append(f"{inner}],")
    lines.append(f"{inner}expect=[Expect(rule={_string(rule.uid)}, at={_string(at)}, alerts=[])],")
    lines.append(f"{pad}),")
    return lines


def _selectors(expr: str) -> list[str]:
    """The series a PromQL query reads, as `name{label="value"}` with its equality matchers, each once."""
    from dashctl.queries.promql.analysis import walk_promql

    try:
        tree = promql_parser.parse(expr)
    except ValueError:
        return []
    found: dict[str, None] = {}
    for node in walk_promql(tree):
        if not isinstance(node, promql_parser.VectorSelector):
            continue
        labels = [f"{m.name}={_string(m.value)}" for m in node.matchers.matchers
                  if str(m.op) == "MatchOp.Equal" and m.name != "__name__"]
        name = node.name or ""
        text = name + ("{" + ", ".join(labels) + "}" if labels or not name else "")
        found.setdefault(text)
    return list(found)


def _streams(exprs: list[str]) -> list[dict[str, str]]:
    """One stream per LogQL stream selector: its equality matchers as labels (Loki needs at least one)."""
    from dashctl.errors import QuerySyntaxError
    from dashctl.queries.logql import iter_selectors, parse_logql

    streams: list[dict[str, str]] = []
    for expr in exprs:
        try:
            selectors = list(iter_selectors(parse_logql(expr)))
        except QuerySyntaxError:
            continue
        for matchers in selectors:
            labels = {name: value for name, op, value in matchers if op == "="}
            if labels and labels not in streams:
                streams.append(labels)
    return streams or [{"app": "example"}]
