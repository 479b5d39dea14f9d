"""What a lint rule reports: a Problem from inside a rule, and the Finding the engine makes of it.

A rule sees one object (a dashboard, a panel, a query, an alert rule) and yields Problems: a message, and where
that is more precise than the object itself, a source line or a position in the query. The engine turns each into
a Finding that carries everything a reader needs: the rule and its severity, the file and line of the user's
definition, the object and panel, and the environments in which it was found (one finding for dev and prod when
both say the same).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from dashctl.errors import SourceLocation, UsageError

__all__ = ["Finding", "Problem", "Severity"]


class Severity(enum.IntEnum):
    """How bad a finding is: `info` < `warning` < `error` (pint's Information, Warning and Bug)."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(member.label for member in cls)

    @classmethod
    def parse(cls, text: str) -> Severity:
        """`info`, `warning` or `error` (any case); pint's `information` and `bug` are accepted too."""
        name = {"information": "info", "bug": "error"}.get(text.lower(), text.lower())
        for member in cls:
            if member.label == name:
                return member
        raise UsageError(f"unknown severity {text!r} (one of {', '.join(cls.names())})")


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing a rule found in the object it was given.

    `location` points at a more precise line than the object's own (the `for_=` of an alert rule); `position` is
    a 0-based offset into the query the rule looked at, shown with a caret; `severity` overrides the rule's.
    `value` is the bad value itself (a unit): when the definition read it from the configuration with
    `env.value(...)`, the engine reports the finding at the configuration's line that writes it.
    """

    message: str
    hint: str | None = None
    location: SourceLocation | None = None
    position: int | None = None
    severity: Severity | None = None
    value: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A problem as reported: which rule, how bad, where in the user's code, in which object and environments."""

    rule: str
    severity: Severity
    summary: str
    """The rule's short lowercase summary, e.g. `panel without a unit`."""
    message: str
    """The full message about this object."""
    location: SourceLocation
    """File (relative to the project) and line of the user's definition."""
    hint: str | None = None
    object_kind: str | None = None
    """`dashboard` or `alert rule`; None for a finding about a source file (a suppression comment)."""
    object_uid: str | None = None
    panel_title: str | None = None
    panel_id: int | None = None
    query_ref: str | None = None
    query: str | None = field(default=None, compare=False)
    """The query's text (of the first environment, when the finding merges several)."""
    position: int | None = None
    """0-based offset in `query` that the message is about."""
    environments: tuple[str, ...] = ()
    anchors: tuple[SourceLocation, ...] = field(default=(), compare=False, repr=False)
    """Lines where a suppression comment for this finding may sit (the finding's own line comes first)."""

    @property
    def where(self) -> str:
        """`dashboard backend-api, panel "Errors", query A`: the object the finding is about."""
        parts = []
        if self.object_kind:
            parts.append(f"{self.object_kind} {self.object_uid}")
        if self.panel_title is not None or self.panel_id is not None:
            title = f'"{self.panel_title}"' if self.panel_title else f"#{self.panel_id}"
            parts.append(f"panel {title}")
        if self.query_ref:
            parts.append(f"query {self.query_ref}")
        return ", ".join(parts)

    def sort_key(self) -> tuple:
        return (self.location.file, self.location.line or 0, self.rule, self.object_uid or "",
                self.panel_id or 0, self.query_ref or "", self.message, self.environments)
