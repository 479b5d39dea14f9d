"""Prometheus alerting rules (a rule file's `groups`, or a `PrometheusRule`'s `spec.groups`) as rule drafts.

Prometheus fires an alert for every series its `expr` returns. Grafana fires where the rule's condition is not
zero, so the comparison that usually ends `expr` moves into the condition: a top-level comparison, without `bool`,
of a query with a number literal (`... > 0.05`, or `0.05 < ...`) becomes the query and `Threshold(above=0.05)`
(`>` and `<`; `>=`, `<=`, `==`, `!=` a math condition `$B >= 0.05` on the reduced value B). Both fire on exactly the
series whose value passes the comparison, with that value. Anything else (`a > b`, `x and y`, `absent(...)`, a
comparison inside a function) stays whole as the query, and the condition is true for every series it returns,
whatever the value, NaN included: `$B == $B || $B != $B` (`absent()` and `absent_over_time()`, in PromQL and
LogQL, return 1, so `Threshold(above=0)` says the same there). The PromQL syntax tree decides, from the real parser.

Templates: Prometheus' `$value` and `.Value` become `$values.B.Value` (B holds the compared value), `.Labels`
becomes `$labels`; `$externalLabels`, `$externalURL` and the `query` function have no Grafana counterpart and are
reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import promql_parser

from dashctl.alerts.model import LABEL_NAME, RESERVED_LABELS, LogQL, Math, PromQL, Reduce, Threshold
from dashctl.durations import canonical_duration, parse_duration
from dashctl.errors import DashctlError
from dashctl.importing.rule_draft import (
    NoteKind,
    RuleDraft,
    check_imported_query,
    format_number,
    map_severity,
    read_duration,
)
from dashctl.queries.promql.lexer import LexicalError, tokenize_promql

__all__ = ["COMPARE_ANY", "VALUE_REF", "prometheus_drafts", "rewrite_template", "split_comparison"]

VALUE_REF = "B"
"""The refId of the reduced query value in every imported Prometheus rule: what `$value` was."""
COMPARE_ANY = f"${VALUE_REF} == ${VALUE_REF} || ${VALUE_REF} != ${VALUE_REF}"
"""The math condition that is true for any value, NaN included: Prometheus fires for every series `expr` returns."""

_COMPARISONS = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}
_ABSENT = frozenset({"absent", "absent_over_time"})
_DEFAULT_INTERVAL = "1m"  # Prometheus' default global evaluation_interval
_SCHEDULER_MS = 10_000
_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_VALUE = re.compile(r"\$value\b(?!s)")
_DOT_VALUE = re.compile(r"(?<![\w$.\])])\.Value\b")
_DOT_LABELS = re.compile(r"(?<![\w$.\])])\.Labels\b")
_UNSUPPORTED = (
    (re.compile(r"\$externalLabels\b|(?<![\w$.])\.ExternalLabels\b"), "$externalLabels (Grafana has none)"),
    (re.compile(r"\$externalURL\b|(?<![\w$.])\.ExternalURL\b"), "$externalURL (Grafana has none)"),
    (re.compile(r"(?:\{\{-?|\(|\|)\s*query\s"), "the query function (Grafana templates cannot run queries)"),
)


def prometheus_drafts(
    groups: Any, *, folder: str, language: str | None
) -> Iterator[tuple[RuleDraft | None, str, tuple[tuple[NoteKind, str], ...]]]:
    """Each rule of `groups` as (draft or None, subject, notes); recording rules give None and the reason."""
    if not isinstance(groups, list):
        raise DashctlError("`groups` is not a list")
    for group in groups:
        if not isinstance(group, Mapping) or not isinstance(group.get("name"), str):
            raise DashctlError("a group has no name")
        name = group["name"]
        interval, interval_note = _interval(group.get("interval"))
        if interval_note:
            yield None, name, (("changed", interval_note),)
        dropped = sorted(set(group) - {"name", "interval", "rules", "labels"})
        if dropped:
            yield None, name, (("changed", f"group {', '.join(dropped)} dropped: Grafana's rule groups have no such "
                                "setting"),)
        # Prometheus 3 puts a group's labels on each of its rules, under the rule's own.
        group_labels = dict(group.get("labels") or {})
        for rule in group.get("rules") or []:
            if not isinstance(rule, Mapping):
                raise DashctlError(f"group {name!r} holds a rule that is not a mapping")
            if "record" in rule:
                subject = f"{name}/{rule.get('record')}"
                yield None, subject, (("not-imported", "a recording rule writes a new series into Prometheus; "
                                       "dashctl's rules are Grafana-managed alert rules, which do not record "
                                       "series (keep it in Prometheus, or use a Grafana recording rule)"),)
                continue
            subject = f"{name}/{rule.get('alert')}"
            if group_labels:
                rule = {**rule, "labels": {**group_labels, **(rule.get("labels") or {})}}
            try:
                draft = _draft(rule, group=name, folder=folder, interval=interval, language=language)
            except DashctlError as error:
                yield None, subject, (("not-imported", str(error)),)
                continue
            yield draft, subject, draft.notes


def _interval(value: Any) -> tuple[str, str | None]:
    if value is None:
        return _DEFAULT_INTERVAL, "the group has no interval; it is 1m, Prometheus' default evaluation interval"
    milliseconds = parse_duration(read_duration(value, "interval"))
    rounded = max(_SCHEDULER_MS, -(-milliseconds // _SCHEDULER_MS) * _SCHEDULER_MS)
    if rounded != milliseconds:
        text = canonical_duration(rounded)
        return text, f"interval {value} became {text}: Grafana evaluates groups every multiple of 10s"
    return canonical_duration(milliseconds), None


def _draft(rule: Mapping[str, Any], *, group: str, folder: str, interval: str, language: str | None) -> RuleDraft:
    alert = rule.get("alert")
    if not isinstance(alert, str) or not alert:
        raise DashctlError("the rule has neither `alert` nor `record`")
    expr = rule.get("expr")
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        expr = str(expr)
    if not isinstance(expr, str) or not expr.strip():
        raise DashctlError("the rule has no expr")
    notes: list[tuple[NoteKind, str]] = []
    language = language or _language_of(expr)
    experimental = check_imported_query(expr, language)
    if experimental:
        notes.append(("attention", experimental))
    split = split_comparison(expr, language)
    query_class = PromQL if language == "PromQL" else LogQL
    if split is not None:
        query_text, operator, number = split
        query = query_class(expr=query_text, ref_id="A")
        if operator in (">", "<"):
            condition: Threshold | Math = Threshold(**{"above" if operator == ">" else "below": number})
            queries: dict[str, Any] = {"query": query}
        else:
            condition = Math(expression=f"${VALUE_REF} {operator} {format_number(number)}")
            queries = {"queries": [query, Reduce(ref_id=VALUE_REF, input="A")]}
    elif _top_call(expr, language) in _ABSENT:
        condition, queries = Threshold(above=0), {"query": query_class(expr=expr.strip(), ref_id="A")}
    else:
        condition = Math(expression=COMPARE_ANY)
        queries = {"queries": [query_class(expr=expr.strip(), ref_id="A"), Reduce(ref_id=VALUE_REF, input="A")]}
        notes.append(("changed", "expr has no comparison with a number at its top, so it stays the whole query and "
                      "the condition fires for every series it returns, as Prometheus does"))
    labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
    severity, severity_note = map_severity(labels.pop("severity", None))
    if severity_note:
        notes.append(("changed", severity_note))
    team = labels.pop("team", None)
    for name in list(labels):
        if not LABEL_NAME.match(name) or name in RESERVED_LABELS or name.startswith("__"):
            notes.append(("changed", f"label {name!r} was dropped: Grafana reserves or rejects that name"))
            del labels[name]
    annotations = {str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}
    fields: dict[str, Any] = {"severity": severity, "condition": condition, **queries}
    if team:
        fields["team"] = rewrite_template(team, notes, "label team")
    for key in ("for", "keep_firing_for"):
        if rule.get(key) is not None:
            fields["for_" if key == "for" else key] = read_duration(rule[key], key)
    for key in ("summary", "description", "runbook_url"):
        if key in annotations:
            fields[key] = rewrite_template(annotations.pop(key), notes, f"annotation {key}")
    fields["labels"] = {k: rewrite_template(v, notes, f"label {k}") for k, v in labels.items()}
    fields["annotations"] = {k: rewrite_template(v, notes, f"annotation {k}") for k, v in annotations.items()}
    unknown = sorted(set(rule) - {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"})
    if unknown:
        notes.append(("changed", f"{', '.join(unknown)} dropped: Grafana-managed rules have no such field"))
    return RuleDraft(group=group, folder=folder, interval=interval, name=alert, fields=fields, value_ref=VALUE_REF,
                     notes=tuple(notes))


def _language_of(expr: str) -> str:
    """PromQL when the real PromQL parser takes `expr`, else LogQL when Loki's grammar does."""
    from dashctl.errors import QuerySyntaxError
    from dashctl.queries.logql import parse_logql
    from dashctl.queries.promql import check_promql

    try:
        check_promql(expr, experimental_functions=True)
        return "PromQL"
    except QuerySyntaxError as error:
        promql_problem = error.message
    try:
        parse_logql(expr)
    except QuerySyntaxError:
        raise DashctlError(f"expr is not valid PromQL ({promql_problem}), nor LogQL") from None
    return "LogQL"


def split_comparison(expr: str, language: str) -> tuple[str, str, float] | None:
    """(query, operator with the query on its left, number) when `expr` is `query <op> number` at its top."""
    if language == "LogQL":
        return _split_logql(expr)
    try:
        tree = promql_parser.parse(expr)
        tokens = tokenize_promql(expr)
    except (ValueError, LexicalError):
        return None
    if not isinstance(tree, promql_parser.BinaryExpr) or str(tree.op) not in _COMPARISONS:
        return None
    if tree.modifier is not None and tree.modifier.return_bool:
        return None
    left, right = _unparen(tree.lhs), _unparen(tree.rhs)
    # The top node of a left-associative chain is its last comparison outside brackets.
    depth, operator_token = 0, None
    for token in tokens:
        if token.kind in ("(", "[", "{"):
            depth += 1
        elif token.kind in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and token.kind in _COMPARISONS:
            operator_token = token
    if operator_token is None:
        return None
    operator = str(tree.op)
    if isinstance(right, promql_parser.NumberLiteral) and not isinstance(left, promql_parser.NumberLiteral):
        return expr[: operator_token.start].strip(), operator, float(right.val)
    if isinstance(left, promql_parser.NumberLiteral) and not isinstance(right, promql_parser.NumberLiteral):
        return expr[operator_token.end :].strip(), _COMPARISONS[operator], float(left.val)
    return None


def _split_logql(expr: str) -> tuple[str, str, float] | None:
    from dashctl.queries.logql import ast, parse_logql

    tree = parse_logql(expr)
    if not isinstance(tree, ast.BinaryOperation) or tree.op not in _COMPARISONS or tree.return_bool:
        return None
    after = tree.position + len(tree.op)
    if isinstance(tree.right, ast.ScalarLiteral) and not isinstance(tree.left, ast.ScalarLiteral):
        return expr[: tree.position].strip(), tree.op, float(tree.right.value.text)
    if isinstance(tree.left, ast.ScalarLiteral) and not isinstance(tree.right, ast.ScalarLiteral):
        return expr[after:].strip(), _COMPARISONS[tree.op], float(tree.left.value.text)
    return None


def _unparen(node: Any) -> Any:
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def _top_call(expr: str, language: str) -> str | None:
    """The function `expr` is a call of at its top (LogQL: its range aggregation), if it is one."""
    if language == "LogQL":
        from dashctl.queries.logql import ast, parse_logql

        tree = parse_logql(expr)
        return tree.op if isinstance(tree, ast.RangeAggregation) else None
    try:
        tree = _unparen(promql_parser.parse(expr))
    except ValueError:
        return None
    return tree.func.name if isinstance(tree, promql_parser.Call) else None


def rewrite_template(text: str, notes: list[tuple[NoteKind, str]], where: str, value_ref: str = VALUE_REF) -> str:
    """A Prometheus template in Grafana's dialect: `$value`, `.Value` → `$values.<ref>.Value`; `.Labels` → `$labels`.

    Only the text inside `{{ }}` actions changes; each change and each unsupported variable becomes a note.
    """

    def action(match: re.Match[str]) -> str:
        body = match.group()
        for pattern, what in _UNSUPPORTED:
            if pattern.search(body):
                notes.append(("attention", f"{where} uses {what}; rewrite it by hand"))
        body = _VALUE.sub(f"$values.{value_ref}.Value", body)
        body = _DOT_VALUE.sub(f"$values.{value_ref}.Value", body)
        return _DOT_LABELS.sub("$labels", body)

    rewritten = _ACTION.sub(action, text)
    if rewritten != text:
        notes.append(("changed", f"templates: Prometheus' $value and .Value became $values.{value_ref}.Value "
                      "(the compared value), .Labels became $labels"))
    return rewritten
