"""Word-level diffs of queries and other one-line text, line diffs of multi-line text.

A query is split into the tokens a reader sees as words: identifiers and label names, numbers and durations
(`0.05`, `5m`), quoted strings, variables (`$__rate_interval`), single operator characters and runs of spaces.
Changing `[5m]` to `[10m]` then reads as one replaced word, not as a rewritten line.
"""

from __future__ import annotations

import difflib
import re

from dashctl.diff.changes import Segment

__all__ = ["diff_lines", "diff_words", "tokenize"]

_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"'             # "double quoted"
    r"|'(?:[^'\\]|\\.)*'"            # 'single quoted'
    r"|`[^`]*`"                      # `raw`
    r"|\$\{[^}]*\}"                  # ${variable:format}
    r"|\$?[A-Za-z_:][A-Za-z0-9_:.]*"  # identifiers, metric and label names, $variables
    r"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]*"  # numbers and durations
    r"|\s+"
    r"|.",
    re.DOTALL,
)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_words(before: str, after: str) -> tuple[Segment, ...]:
    """Segments that turn `before` into `after`, merged so each change reads as one replacement."""
    old, new = tokenize(before), tokenize(after)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment(op="equal", text="".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment(op="delete", text="".join(old[i1:i2])))
        if j2 > j1:
            segments.append(Segment(op="insert", text="".join(new[j1:j2])))
    return _merge(_absorb_spaces(segments))


def _absorb_spaces(segments: list[Segment]) -> list[Segment]:
    """A lone space between two changes joins them: `[-a b-]{+c d+}` reads better than `[-a-]{+c+} [-b-]{+d+}`."""
    out: list[Segment] = []
    for index, segment in enumerate(segments):
        between = 0 < index < len(segments) - 1
        if (segment.op == "equal" and between and not segment.text.strip() and segments[index - 1].op != "equal"
                and segments[index + 1].op != "equal"):
            out.append(Segment(op="delete", text=segment.text))
            out.append(Segment(op="insert", text=segment.text))
        else:
            out.append(segment)
    return out


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    """Deletions before insertions within each run of changes, adjacent pieces of one kind joined."""
    out: list[Segment] = []
    run: dict[str, str] = {"delete": "", "insert": ""}

    def flush() -> None:
        for op in ("delete", "insert"):
            if run[op]:
                out.append(Segment(op=op, text=run[op]))
                run[op] = ""

    for segment in segments:
        if segment.op == "equal":
            flush()
            if out and out[-1].op == "equal":
                out[-1] = Segment(op="equal", text=out[-1].text + segment.text)
            elif segment.text:
                out.append(segment)
        else:
            run[segment.op] += segment.text
    flush()
    return tuple(out)


def diff_lines(before: str, after: str) -> tuple[str, ...]:
    """A line diff with three lines of context: each line prefixed `-`, `+` or ` `; `…` between hunks."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[str] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(3):
        if lines:
            lines.append("…")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(f" {line}" for line in old[i1:i2])
                continue
            lines.extend(f"-{line}" for line in old[i1:i2])
            lines.extend(f"+{line}" for line in new[j1:j2])
    return tuple(lines)
