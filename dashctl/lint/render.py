"""Lint reports as text for people, JSON for programs, and workflow commands for GitHub Actions.

Text, like pint's console reporter: one `file:line: severity[rule]: message (object, panel)` line per finding,
then the source line it points at with a caret under it, the query with a caret under the position where the
rule knows one, and the hint.

JSON (`--format json`), keys sorted, two-space indent:

    {
      "environments": ["dev", "prod"],
      "findings": [
        {"rule": "panel/units", "severity": "warning", "summary": "panel without a unit", "message": "...",
         "hint": "..." | null, "file": "dashboards/shop.py", "line": 12,
         "object": {"kind": "dashboard" | "alert rule", "uid": "shop"} | null,
         "panel": {"id": 3, "title": "Requests"} | null,
         "query": {"ref_id": "A", "expr": "..." | null, "position": 17 | null} | null,
         "environments": ["dev", "prod"]}
      ],
      "suppressed": [ {same keys as a finding, and "suppression": {"file": ..., "line": ..., "reason": ...}} ],
      "summary": {"error": 0, "warning": 1, "info": 0, "suppressed": 2}
    }

SARIF (`--format sarif`): a SARIF 2.1.0 log for code scanning (`github/codeql-action/upload-sarif`), one run
whose driver lists every rule (id, summary, default level) and one result per finding with
its file, line, message and hint. Paths are relative to the repository, as code scanning requires.

Colour: `render_text` takes a `paint(text, severity)` callable from the CLI, which colours on a terminal only.

GitHub (`--format github`): one workflow command per finding, `::warning file=...,line=...,title=rule::message`
(`error`, `warning`, `notice` for info), which Actions shows as an annotation on the line of the pull request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashctl.credentials import mask_literal_secrets
from dashctl.errors import SourceLocation
from dashctl.lint.engine import LintReport, SuppressedFinding
from dashctl.lint.finding import Finding, Severity
from dashctl.lint.source import SourceIndex

__all__ = ["render_github", "render_json", "render_sarif", "render_summary", "render_text"]

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _plain(text: str, severity: Severity) -> str:
    return text


def render_text(report: LintReport, *, paint: Callable[[str, Severity], str] = _plain) -> str:
    """Every finding with its source line and caret; an empty string when there is none. `paint` styles the
    severity word (the CLI colours it on a terminal)."""
    source = SourceIndex(report.root or Path.cwd())
    blocks = [_text_block(finding, report, source, paint) for finding in report.findings]
    return "".join(block + "\n" for block in blocks)


def _text_block(finding: Finding, report: LintReport, source: SourceIndex,
                paint: Callable[[str, Severity], str]) -> str:
    severity = paint(finding.severity.label, finding.severity)
    head = f"{finding.location}: {severity}[{finding.rule}]: {finding.message}"
    if finding.where:
        head += f" ({finding.where})"
    if finding.environments and set(finding.environments) != set(report.environments):
        head += f" [{', '.join(finding.environments)}]"
    lines = [head]
    number = str(finding.location.line or "")
    gutter = " " * len(number)
    text = source.line(finding.location)
    if text is not None:
        stripped = mask_literal_secrets(text.rstrip())
        start = len(stripped) - len(stripped.lstrip())
        lines.append(f"  {number} | {stripped}")
        lines.append(f"  {gutter} | {' ' * start}{'^' * max(1, len(stripped) - start)}")
    if finding.query is not None and finding.position is not None:
        label = f"query {finding.query_ref}: " if finding.query_ref else "query: "
        lines.append(f"  {gutter} | {label}{mask_literal_secrets(finding.query)}")
        lines.append(f"  {gutter} | {' ' * (len(label) + finding.position)}^ column {finding.position + 1}")
    if finding.hint:
        lines.append(f"  {gutter} = hint: {finding.hint}")
    return "\n".join(lines)


def render_summary(report: LintReport) -> str:
    """One line for stderr: how many findings of each severity, and how many were suppressed."""
    counts = report.counts()
    parts = [f"{count} {name}{'s' if count != 1 and name != 'info' else ''}"
             for name, count in sorted(counts.items(), key=lambda item: -Severity.parse(item[0])) if count]
    where = ", ".join(report.environments) or "no environment"
    text = f"{', '.join(parts)} in {where}" if parts else f"no findings in {where}"
    if report.suppressed:
        text += f"; {len(report.suppressed)} suppressed"
    return text


def render_json(report: LintReport) -> str:
    document = {
        "environments": list(report.environments),
        "findings": [_finding_json(finding) for finding in report.findings],
        "suppressed": [_suppressed_json(item) for item in report.suppressed],
        "summary": {**report.counts(), "suppressed": len(report.suppressed)},
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.label,
        "summary": finding.summary,
        "message": finding.message,
        "hint": finding.hint,
        "file": finding.location.file,
        "line": finding.location.line,
        "object": {"kind": finding.object_kind, "uid": finding.object_uid} if finding.object_kind else None,
        "panel": (
            {"id": finding.panel_id, "title": finding.panel_title}
            if finding.panel_title is not None or finding.panel_id is not None else None
        ),
        "query": (
            {"ref_id": finding.query_ref, "expr": finding.query, "position": finding.position}
            if finding.query_ref or finding.query is not None else None
        ),
        "environments": list(finding.environments),
    }


def _suppressed_json(item: SuppressedFinding) -> dict[str, Any]:
    where = item.suppression.location
    return {**_finding_json(item.finding),
            "suppression": {"file": where.file, "line": where.line, "reason": item.suppression.reason}}


def render_github(report: LintReport, *, prefix: str = "") -> str:
    """Workflow commands; `prefix` is the project's directory relative to the repository (the workspace)."""
    lines = []
    for finding in report.findings:
        location = SourceLocation(file=f"{prefix.rstrip('/')}/{finding.location.file}" if prefix
                                  else finding.location.file, line=finding.location.line)
        properties = f"file={_escape_property(location.file)}"
        if location.line:
            properties += f",line={location.line}"
        properties += f",title={_escape_property(finding.rule)}"
        message = finding.message + (f" ({finding.where})" if finding.where else "")
        if finding.environments and set(finding.environments) != set(report.environments):
            message += f" [{', '.join(finding.environments)}]"
        if finding.hint:
            message += f"\nhint: {finding.hint}"
        lines.append(f"::{_GITHUB_LEVEL[finding.severity]} {properties}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def render_sarif(report: LintReport, *, version: str, prefix: str = "") -> str:
    """A SARIF 2.1.0 log; `prefix` is the project's directory relative to the repository root."""
    from dashctl.lint.registry import all_rules

    rules = all_rules()
    index = {rule.id: number for number, rule in enumerate(rules)}
    results = []
    for finding in report.findings:
        message = finding.message + (f" ({finding.where})" if finding.where else "")
        if finding.environments and set(finding.environments) != set(report.environments):
            message += f" [{', '.join(finding.environments)}]"
        if finding.hint:
            message += f"\nhint: {finding.hint}"
        uri = f"{prefix.rstrip('/')}/{finding.location.file}" if prefix else finding.location.file
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri},
                # Code scanning needs a line; a finding about a whole file points at its first.
                "region": {"startLine": finding.location.line or 1},
            }}],
        }
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        results.append(result)
    document = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dashctl",
                "version": version,
                "rules": [{
                    "id": rule.id,
                    "name": rule.id,
                    "shortDescription": {"text": rule.summary},
                    "fullDescription": {"text": rule.summary},
                    "help": {"text": f"{rule.summary}. See docs/lint.md, rule {rule.id}."},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                    "properties": {"tags": [rule.scope.value]},
                } for rule in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData / escapeProperty)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
