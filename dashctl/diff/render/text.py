"""The terminal format: one header line per object (`+` added, `-` removed, `~` changed), one line per field.

Word-level diffs use git's `--word-diff=plain` notation: `[-removed-]{+inserted+}`.
"""

from __future__ import annotations

from dashctl.diff.changes import (
    ADDED,
    CHANGED,
    MOVED,
    REMOVED,
    Diff,
    FieldChange,
    ObjectChange,
    Segment,
    group_changes,
)

__all__ = ["describe_base", "render_text", "secret_note", "totals_line"]

_MARK = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
_INDENT = "    "


def describe_base(diff: Diff) -> str:
    commit = f" ({diff.base_commit[:12]})" if diff.base_commit else ""
    return f"{diff.base_ref}{commit}"


def secret_note(item: FieldChange) -> str:
    """Said where the masked values print alike, so the change would otherwise not show."""
    if item.secret and item.change == CHANGED and item.before == item.after:
        return " (secret value changed; not shown)"
    return ""


def totals_line(diff: Diff) -> str:
    if not diff.has_differences:
        return "no differences"
    totals = diff.totals()
    count = len(diff.changes)
    parts = ", ".join(f"{totals[status]} {status}" for status in (ADDED, CHANGED, REMOVED))
    return f"{count} object{'s differ' if count != 1 else ' differs'}: {parts}"


def render_text(diff: Diff) -> str:
    environments = ", ".join(diff.environments) or "none"
    lines = [f"dashctl diff: {describe_base(diff)} → working tree (environments: {environments})", ""]
    for environments, change in group_changes(diff.changes):
        lines.extend(_object(change, environments))
    if diff.changes:
        lines.append("")
    lines.append(totals_line(diff))
    return "\n".join(lines) + "\n"


def _object(change: ObjectChange, environments: tuple[str, ...] = ()) -> list[str]:
    title = f' "{change.title}"' if change.title else ""
    where = ",".join(environments or (change.environment,))
    lines = [f"{_MARK[change.status]} {where} {change.kind} {change.key}{title}: {change.status}"]
    for item in change.fields:
        lines.extend(_field(item, change.status))
    return lines


def _field(item: FieldChange, status: str) -> list[str]:
    head = f"{_INDENT}{item.field}:"
    if item.words:
        return [f"{head} {words(item.words)}"]
    if item.lines:
        return [head, *(f"{_INDENT}  {line}" for line in item.lines)]
    if item.change == MOVED:
        return [f"{head} moved {item.before} → {item.after}"]
    if item.change == CHANGED:
        return _value_lines(head, f"{_shown(item.before)} → {_shown(item.after)}{secret_note(item)}")
    value = item.after if item.change == ADDED else item.before
    verb = "" if status == item.change else f"{item.change} "
    return _value_lines(head, f"{verb}{value}")


def _shown(value: str | None) -> str:
    """A value that would print as nothing (a unit set back to "") shown as such, as the Markdown format does."""
    if value is None:
        return "(unset)"
    return value if value else '""'


def _value_lines(head: str, text: str) -> list[str]:
    if "\n" not in text:
        return [f"{head} {text}"]
    return [f"{head} |", *(f"{_INDENT}  {line}" for line in text.splitlines())]


def words(segments: tuple[Segment, ...]) -> str:
    out = []
    for segment in segments:
        if segment.op == "delete":
            out.append(f"[-{segment.text}-]")
        elif segment.op == "insert":
            out.append(f"{{+{segment.text}+}}")
        else:
            out.append(segment.text)
    return "".join(out)
