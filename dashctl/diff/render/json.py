"""The JSON format of `dashctl diff` (documented in docs/diff.md; `format_version` changes when it breaks)."""

from __future__ import annotations

from typing import Any

from dashctl.diff.changes import Diff, FieldChange
from dashctl.encoding import dump_json

__all__ = ["FORMAT_VERSION", "diff_document", "render_json"]

FORMAT_VERSION = 1


def diff_document(diff: Diff) -> dict[str, Any]:
    """The diff as plain data: base, environments, per-kind summary, every change with its fields."""
    return {
        "format_version": FORMAT_VERSION,
        "base": {"ref": diff.base_ref, "commit": diff.base_commit},
        "environments": list(diff.environments),
        "differences": diff.has_differences,
        "totals": diff.totals(),
        "summary": [
            {"environment": row.environment, "kind": row.kind, "added": row.added, "changed": row.changed,
             "removed": row.removed}
            for row in diff.summary()
        ],
        "changes": [
            {
                "environment": change.environment,
                "kind": change.kind,
                "key": change.key,
                "title": change.title,
                "status": change.status,
                "fields": [_field(item) for item in change.fields],
            }
            for change in diff.changes
        ],
        "warnings": list(diff.warnings),
    }


def _field(item: FieldChange) -> dict[str, Any]:
    document: dict[str, Any] = {
        "field": item.field,
        "change": item.change,
        "before": item.before,
        "after": item.after,
        "secret": item.secret,
    }
    if item.words:
        document["words"] = [{"op": segment.op, "text": segment.text} for segment in item.words]
    if item.lines:
        document["lines"] = list(item.lines)
    return document


def render_json(diff: Diff) -> str:
    return dump_json(diff_document(diff))
