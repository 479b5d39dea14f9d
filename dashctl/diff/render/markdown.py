"""The pull-request comment: a summary table, then a collapsible section per object with before → after.

GitHub refuses comments over 65,536 characters, so sections are added while they fit and the rest is counted in a
closing note (the table above always counts everything). A change that is the same in several environments is one
section naming them all; where the values differ, each environment keeps its own. A changed dashboard gets a small
picture of its grid with the added, changed and moved panels marked (`dashctl.diff.render.layout`). A word-level diff
is inline HTML: `<del>` for what the change removes, `<ins>` for what it adds, inside `<code>`; every character
Markdown could read as markup is written as an HTML entity, so a query such as `rate(x[$__rate_interval])` prints as
it is.
"""

from __future__ import annotations

import html
import re

from dashctl.diff.changes import ADDED, CHANGED, MOVED, Diff, FieldChange, ObjectChange, Segment, group_changes
from dashctl.diff.render.layout import layout_picture
from dashctl.diff.render.text import secret_note, totals_line

__all__ = ["COMMENT_LIMIT", "SECTION_LIMIT", "render_markdown"]

COMMENT_LIMIT = 65_536
# One object's section never takes more than this, so a single huge dashboard cannot hide every other change.
SECTION_LIMIT = 16_000
# Alert rule sections are open: they are what a reviewer of an alerting change reads first.
_OPEN_KINDS = frozenset({"alert rule", "notification policy"})
# What Markdown (with GitHub's extensions: strikethrough, tables, `$` math) reads as markup inside a line.
_MARKUP = re.compile(r"[\\`*_\[\]<>|~&$]")
_VALUE_LIMIT = 500


def render_markdown(diff: Diff, *, limit: int = COMMENT_LIMIT, appendix: str = "") -> str:
    """The comment, at most `limit` characters; `appendix` (the backtest's sections) is kept within it too."""
    limit -= len(appendix)
    environments = ", ".join(diff.environments) or "none"
    head = [
        "### dashctl diff",
        "",
        f"Base `{diff.base_ref}`" + (f" (`{diff.base_commit[:12]}`)" if diff.base_commit else "")
        + f" → working tree · environments: {environments}",
        "",
    ]
    if not diff.has_differences:
        return "\n".join([*head, "No differences.", ""]) + appendix
    head.extend(["| environment | kind | added | changed | removed |", "| --- | --- | ---: | ---: | ---: |"])
    for row in diff.summary():
        head.append(f"| {_escape(row.environment)} | {_escape(row.kind)} | {row.added} | {row.changed} | "
                    f"{row.removed} |")
    head.extend(["", f"{totals_line(diff)}.", ""])
    text = "\n".join(head) + "\n"
    groups = group_changes(diff.changes)
    sections = [_section(change, environments) for environments, change in groups]
    for index, section in enumerate(sections):
        remaining = sum(len(environments) for environments, _ in groups[index:])
        if len(text) + len(section) + len(_truncation_note(remaining)) > limit:
            return text + _truncation_note(remaining) + appendix
        text += section
    return text + appendix


def _truncation_note(count: int) -> str:
    plural = "s are" if count != 1 else " is"
    return (
        f"> **Truncated:** {count} more changed object{plural} not shown: a GitHub comment holds at most "
        f"{COMMENT_LIMIT:,} characters. The table above counts everything; run `dashctl diff` for the rest.\n"
    )


def _section(change: ObjectChange, environments: tuple[str, ...] = ()) -> str:
    title = f" · {html.escape(change.title)}" if change.title else ""
    opened = " open" if change.kind in _OPEN_KINDS else ""
    where = ", ".join(environments or (change.environment,))
    head = (
        f"<details{opened}>\n<summary>{html.escape(where)} · {html.escape(change.kind)} "
        f"<code>{html.escape(change.key)}</code>{title} · <b>{change.status}</b></summary>\n\n"
    )
    tail = "\n</details>\n\n"
    body = ""
    picture = layout_picture(change.layout)
    if picture:
        body += _fenced(picture, "text", indent="") + "\n"
    for index, item in enumerate(change.fields):
        piece = _field(item, change.status)
        if len(head) + len(body) + len(piece) + len(tail) + 100 > SECTION_LIMIT:
            left = len(change.fields) - index
            body += f"- … {left} more field{'s' if left != 1 else ''} not shown\n"
            break
        body += piece
    if not change.fields:
        body = f"- {change.status}\n"
    return head + body + tail


def _field(item: FieldChange, status: str) -> str:
    label = f"- **{_escape(item.field)}**:"
    if item.words:
        return f"{label} {_words(item.words)}\n"
    if item.lines:
        return f"{label}\n\n{_fenced(item.lines, 'diff', indent='  ')}\n"
    if item.change == MOVED:
        return f"{label} moved {_code(item.before)} → {_code(item.after)}\n"
    if item.change == CHANGED:
        if _multiline(item.before) or _multiline(item.after):
            return (f"{label}\n\n{_fenced(['before:', *_lines(item.before)], '', indent='  ')}\n"
                    f"{_fenced(['after:', *_lines(item.after)], '', indent='  ')}\n")
        return f"{label} {_code(item.before)} → {_code(item.after)}{_escape(secret_note(item))}\n"
    value = item.after if item.change == ADDED else item.before
    verb = "" if status == item.change else f"{item.change} "
    if _multiline(value):
        return f"{label} {verb}\n\n{_fenced(_lines(value), '', indent='  ')}\n"
    return f"{label} {verb}{_code(value)}\n"


def _multiline(value: str | None) -> bool:
    return value is not None and "\n" in value


def _lines(value: str | None) -> list[str]:
    return (value or "").splitlines()


def _escape(text: str) -> str:
    """Text where Markdown would otherwise see emphasis, links, tables or HTML."""
    return _MARKUP.sub(lambda found: f"\\{found.group(0)}", text)


def _entities(text: str) -> str:
    """Text for inline HTML: escaped as HTML, and Markdown's markup characters as numeric entities.

    An `_` inside a word (`http_requests_total`) cannot start or end emphasis, so it stays readable.
    """

    def entity(found: re.Match[str]) -> str:
        character, start = found.group(0), found.start()
        if character == "_" and _inside_word(text, start):
            return character
        return f"&#{ord(character)};"

    return _MARKUP.sub(entity, text)


def _inside_word(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return before.isalnum() and after.isalnum()


def _shorten(text: str) -> str:
    return text if len(text) <= _VALUE_LIMIT else text[:_VALUE_LIMIT] + "…"


def _code(value: str | None) -> str:
    """An inline code span that survives any backticks in the value."""
    if value is None:
        return "(unset)"
    text = _shorten(value)
    if not text:
        return '""'
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _words(segments: tuple[Segment, ...]) -> str:
    out = []
    for segment in segments:
        text = _entities(segment.text)
        if segment.op == "delete":
            out.append(f"<del>{text}</del>")
        elif segment.op == "insert":
            out.append(f"<ins>{text}</ins>")
        else:
            out.append(text)
    return f"<code>{''.join(out)}</code>"


def _fenced(lines: list[str] | tuple[str, ...], language: str, *, indent: str) -> str:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join(f"{indent}{line}" for line in lines)
    return f"{indent}{fence}{language}\n{body}\n{indent}{fence}\n"
