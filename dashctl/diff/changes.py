"""What `dashctl diff` found: typed, immutable changes that every output format renders.

    Diff                   the base revision, the environments compared, and
    └── ObjectChange       one object added, removed or changed (environment, kind, key), with
        ├── FieldChange    one field: before → after, a word-level diff for queries, or a panel move
        └── PanelBox       (dashboards) each panel's place on the grid after the change, and how it changed

Values are display strings with secrets already masked; a FieldChange with `secret=True` says that a masked
value changed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Diff", "FieldChange", "ObjectChange", "PanelBox", "Segment", "SummaryRow", "group_changes"]

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A piece of a word-level diff: `op` is `equal`, `delete` (only before) or `insert` (only after)."""

    op: str
    text: str


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One field of an object.

    `change` is `changed`, `added` or `removed` (the field or sub-object appeared or disappeared), or `moved` (a
    panel's position). `words` is a word-level diff of a one-line query or text, `lines` a line diff (`-`, `+`,
    ` ` prefixed) of a multi-line one.
    """

    field: str
    change: str
    before: str | None = None
    after: str | None = None
    secret: bool = False
    words: tuple[Segment, ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PanelBox:
    """A dashboard panel on Grafana's 24-column grid; `change` is `added`, `changed`, `moved`, `removed` or ""."""

    title: str
    grid: tuple[int, int, int, int]
    """x, y, w, h: of the new version, or of the old one for a removed panel."""
    change: str = ""
    row: bool = False


@dataclass(frozen=True, kw_only=True)
class ObjectChange:
    """One object that differs; for an added or removed object, `fields` shows what it is (or was)."""

    environment: str
    kind: str
    key: str
    title: str
    status: str
    fields: tuple[FieldChange, ...] = ()
    layout: tuple[PanelBox, ...] = ()
    """A changed dashboard's panels, for a picture of what moved (empty for other objects)."""


@dataclass(frozen=True, kw_only=True)
class SummaryRow:
    environment: str
    kind: str
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass(frozen=True, kw_only=True)
class Diff:
    """The comparison of the base revision's committed output with a fresh build of the working tree."""

    base_ref: str
    base_commit: str
    environments: tuple[str, ...]
    changes: tuple[ObjectChange, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_differences(self) -> bool:
        return bool(self.changes)

    def summary(self) -> tuple[SummaryRow, ...]:
        """Counts per environment and kind, in the order of the changes."""
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for change in self.changes:
            row = counts.setdefault((change.environment, change.kind), {ADDED: 0, CHANGED: 0, REMOVED: 0})
            row[change.status] += 1
        return tuple(
            SummaryRow(environment=environment, kind=kind, added=row[ADDED], changed=row[CHANGED],
                       removed=row[REMOVED])
            for (environment, kind), row in counts.items()
        )

    def totals(self) -> dict[str, int]:
        totals = {ADDED: 0, CHANGED: 0, REMOVED: 0}
        for change in self.changes:
            totals[change.status] += 1
        return totals


def group_changes(changes: tuple[ObjectChange, ...] | list[ObjectChange]
                  ) -> list[tuple[tuple[str, ...], ObjectChange]]:
    """The changes with those that are identical in several environments merged: (environments, change).

    Identical means the same object, status and every field's before and after; where the values differ (a
    threshold of 0.10 in dev and 0.05 in prod), each environment keeps its own entry. Order: first appearance.
    """
    groups: dict[tuple, list[str]] = {}
    first: dict[tuple, ObjectChange] = {}
    for change in changes:
        key = (change.kind, change.key, change.title, change.status, change.fields, change.layout)
        groups.setdefault(key, []).append(change.environment)
        first.setdefault(key, change)
    return [(tuple(environments), first[key]) for key, environments in groups.items()]
