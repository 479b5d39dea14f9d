"""What an import did: one entry per migration, changed value, datasource decision, kept-as-is panel, skipped
file and round-trip difference, for a person (stderr) or a tool (`--format json`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["KINDS", "ReportEntry", "render_json", "render_text"]

# The last three are the alert import's (dashctl.importing.alerts: ImportNote kinds).
KINDS = ("written", "migration", "datasource", "kept", "note", "difference", "warning", "unavailable", "changed",
         "not-imported", "attention")


@dataclass(frozen=True, kw_only=True)
class ReportEntry:
    """One line of the report: its kind (one of KINDS), the source it concerns, the dashboard uid (if any), where
    in the dashboard (`panel 'CPU'`), and what happened."""

    kind: str
    source: str
    message: str
    uid: str | None = None
    where: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def render_text(entries: Iterable[ReportEntry]) -> list[str]:
    """Lines for stderr, grouped by source."""
    lines: list[str] = []
    current = None
    for entry in entries:
        if entry.source != current:
            current = entry.source
            lines.append(f"{entry.source}:")
        where = f"{entry.where}: " if entry.where and entry.where != "dashboard" else ""
        lines.append(f"  {entry.kind}: {where}{entry.message}")
    return lines


def render_json(entries: Iterable[ReportEntry], *, files: Iterable[str] = ()) -> dict[str, Any]:
    entries = list(entries)
    counts = {kind: sum(1 for entry in entries if entry.kind == kind) for kind in KINDS}
    return {"files": list(files), "entries": [entry.to_json() for entry in entries],
            "counts": {kind: count for kind, count in counts.items() if count}}
