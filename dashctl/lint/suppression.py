"""Suppressions: a comment next to the definition that silences named rules for it, with a reason.

    # dashctl-lint: ignore[panel/units] reason: the panel shows a count
    @dashboard(uid="orders", folder="Shop")

    AlertRule(  # dashctl-lint: ignore[alert/for, alert/dashboard-link] reason: paging at once is the point
        uid="checkout-down", ...

A suppression sits on the line a finding points at or on the line(s) right above it (a block of comment lines
directly above counts), or next to the definition that finding belongs to: the `@dashboard` decorator, the
`title=` line or the call of a panel, the `AlertRule(` call (the `SLO(` call for burn-rate rules), a query's
`PromQL(`/`LogQL(` call. It names the rules it silences, never all of them; the reason after `reason:` is
required and shown in the JSON report. A suppression without a reason silences nothing and is itself a finding
(`lint/suppression-reason`), as is one that silences nothing (`lint/suppression-unused`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dashctl.errors import SourceLocation
from dashctl.lint.finding import Finding
from dashctl.lint.source import SourceIndex

__all__ = ["MARKER", "Suppression", "SuppressionContext", "find_suppressions", "match_suppression"]

MARKER = "dashctl-lint:"
_COMMENT = re.compile(r"^#+\s*dashctl-lint:\s*(?P<body>.*?)\s*$")
_BODY = re.compile(r"^ignore\[(?P<rules>[^\]]*)\](?:\s+reason:\s*(?P<reason>.*?))?\s*$")
_RULE = re.compile(r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """One `# dashctl-lint:` comment: where it is, which rules it names, its reason, and what it stands for."""

    location: SourceLocation
    text: str
    rules: tuple[str, ...] = ()
    reason: str | None = None
    own_line: bool = False
    """Alone on its line (then it also covers the line below it)."""
    malformed: bool = False
    """The comment starts with the marker but is not `ignore[rule, ...] reason: ...`."""

    @property
    def effective(self) -> bool:
        """Whether it silences anything: well formed, with rules and a reason."""
        return not self.malformed and bool(self.rules) and bool(self.reason)


@dataclass(frozen=True, kw_only=True)
class SuppressionContext:
    """What the `lint/suppression-*` rules see: one suppression and what became of it in this run."""

    suppression: Suppression
    known_rules: frozenset[str]
    used_rules: frozenset[str] = field(default_factory=frozenset)
    """The rules it named that did silence a finding."""
    complete: bool = True
    """Whether every environment of the project was linted (only then is "silences nothing" certain)."""


def find_suppressions(source: SourceIndex, files: Iterable[Path]) -> tuple[Suppression, ...]:
    """Every `# dashctl-lint:` comment in `files` (paths under the project root)."""
    found = []
    for path in sorted(set(files)):
        try:
            name = str(path.relative_to(source.root)) if path.is_absolute() else str(path)
        except ValueError:
            name = str(path)
        if MARKER not in source.file(name).text:
            continue
        for comment in source.comments(name):
            match = _COMMENT.match(comment.text)
            if match is None:
                continue
            found.append(_parse(match.group("body"), comment.text, SourceLocation(file=name, line=comment.line),
                                comment.own_line))
    return tuple(found)


def _parse(body: str, text: str, location: SourceLocation, own_line: bool) -> Suppression:
    match = _BODY.match(body)
    if match is None:
        return Suppression(location=location, text=text, own_line=own_line, malformed=True)
    rules = tuple(dict.fromkeys(part.strip() for part in match.group("rules").split(",") if part.strip()))
    malformed = not rules or not all(_RULE.match(rule) for rule in rules)
    return Suppression(location=location, text=text, rules=rules, reason=match.group("reason") or None,
                       own_line=own_line, malformed=malformed)


def match_suppression(finding: Finding, suppressions: Iterable[Suppression], source: SourceIndex) -> Suppression | None:
    """The first effective suppression that names the finding's rule and sits next to one of its anchors."""
    anchors = (finding.location, *finding.anchors)
    for suppression in suppressions:
        if not suppression.effective or finding.rule not in suppression.rules:
            continue
        if any(_covers(suppression, anchor, source) for anchor in anchors):
            return suppression
    return None


def _covers(suppression: Suppression, anchor: SourceLocation, source: SourceIndex) -> bool:
    where = suppression.location
    if where.file != anchor.file or where.line is None or anchor.line is None:
        return False
    if where.line == anchor.line:
        return True
    if not suppression.own_line or where.line > anchor.line:
        return False
    # A block of comment lines directly above the anchor: every line in between is a comment.
    return all(source.is_comment_line(where.file, line) for line in range(where.line + 1, anchor.line))
