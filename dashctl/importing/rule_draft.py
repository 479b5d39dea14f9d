"""An imported alert rule before it becomes an `AlertRule`: its fields, its group, and the notes on what changed.

Readers of the source formats (`prometheus_rules`, `grafana_rules`) produce drafts; `alerts` gives them uids and
titles that are unique, then builds the `AlertRule`s (which validate every field) and the Python source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dashctl.alerts.model import SEVERITIES
from dashctl.durations import canonical_duration, parse_duration
from dashctl.errors import DashctlError, QuerySyntaxError

__all__ = ["ImportNote", "NoteKind", "RuleDraft", "check_imported_query", "format_number", "map_severity", "read_duration"]

NoteKind = Literal["changed", "not-imported", "attention"]

# Severities seen in the wild, by what they mean to whoever is notified; dashctl knows critical, warning, info.
_SEVERITY_SYNONYMS = {
    "page": "critical", "error": "critical", "high": "critical", "major": "critical", "p1": "critical",
    "emergency": "critical", "alert": "critical", "fatal": "critical",
    "warn": "warning", "medium": "warning", "minor": "warning", "ticket": "warning", "p2": "warning",
    "p3": "warning",
    "none": "info", "low": "info", "notice": "info", "information": "info", "informational": "info", "p4": "info",
    "p5": "info", "debug": "info",
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ImportNote:
    """One line of the import report: what was changed, what could not be imported, or what needs a look."""

    kind: NoteKind
    source: str
    """The file (or URL) imported."""
    subject: str
    """Which rule or group: `group/alert` as the source names it."""
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "source": self.source, "subject": self.subject, "message": self.message}


@dataclass(frozen=True, kw_only=True)
class RuleDraft:
    """The `AlertRule` keyword arguments of one imported rule (`fields`), and where it goes."""

    group: str
    folder: str
    interval: str
    name: str
    """The rule's name in the source (a Prometheus alert name, a Grafana title): the title it gets."""
    fields: Mapping[str, Any]
    """Everything AlertRule takes but uid and title."""
    uid: str | None = None
    """The source's uid (Grafana rules have one; Prometheus rules get one derived from their name)."""
    value_ref: str | None = None
    """The refId whose value templates show as `$values.<ref>.Value` (Prometheus' `$value`)."""
    refs: tuple[str, ...] = ()
    """The source's refIds in the order the built rule lists its nodes, to carry `$values.<ref>` over."""
    notes: tuple[tuple[NoteKind, str], ...] = field(default=())


def map_severity(value: str | None) -> tuple[str, str | None]:
    """dashctl's severity for a source's `severity` label value, and a note when it is not the same word."""
    if value is None:
        return "warning", "had no severity label; it is warning (critical, warning and info are known)"
    word = value.strip().lower()
    if value in SEVERITIES:
        return value, None
    if word in SEVERITIES:
        return word, f"severity {value!r} is written {word!r}"
    mapped = _SEVERITY_SYNONYMS.get(word, "warning")
    return mapped, f"severity {value!r} became {mapped!r} (dashctl knows critical, warning and info)"


def format_number(value: float) -> str:
    """A number as Python and Grafana's math both read it: `5` rather than `5.0`, `float("inf")` for infinity."""
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return f'float("{number}")'
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def read_duration(value: Any, what: str) -> str:
    """`value` as dashctl writes a duration (`5m`), or DashctlError naming `what` when it is none."""
    try:
        return canonical_duration(parse_duration(str(value)))
    except ValueError as error:
        raise DashctlError(f"{what}: {error}") from None


def check_imported_query(expr: str, language: str) -> str | None:
    """Raise DashctlError when `expr` is not valid `language`; a note when it needs experimental PromQL functions.

    Whether the environment's Prometheus enables those is the project's to say, so they do not stop the import.
    """
    from dashctl.queries.logql import check_logql
    from dashctl.queries.promql import check_promql

    try:
        if language == "LogQL":
            check_logql(expr)
            return None
        check_promql(expr, experimental_functions=True)
    except QuerySyntaxError as error:
        raise DashctlError(f"the {language} query does not parse: {error.message}") from None
    try:
        check_promql(expr, experimental_functions=False)
    except QuerySyntaxError as error:
        return (f"{error.message}: set promql_experimental_functions = true for the environments whose Prometheus "
                "enables them")
    return None
