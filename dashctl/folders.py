"""Grafana folder titles as dashctl writes them: safe as the directory name the sidecar makes of them.

The Grafana sidecar joins a dashboard's folder annotation (`grafana_folder` / `k8s-sidecar-target-directory`)
into the path it writes the dashboard to, and Grafana's file provisioning (`foldersFromFilesStructure`) turns
that directory back into a folder title. So a title is one path component a filesystem accepts: not `.` or `..`,
no `/` or `\\`, no NUL, newline or other control character, no bidi control that makes it read as something
else, at most 255 bytes (the usual NAME_MAX).
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["NAME_MAX", "folder_title_problem", "shorten_title"]

NAME_MAX = 255
# Unicode's explicit directional formatting characters and marks (UAX #9): they reorder how a title reads.
_BIDI_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
_BIDI_MARKS = frozenset({"\u200e", "\u200f", "\u061c"})


def folder_title_problem(title: Any) -> str | None:
    """What makes `title` unfit as a folder title (and sidecar directory), or None when it is fine."""
    if not isinstance(title, str) or not title.strip():
        return "must be a non-empty folder title"
    if title != title.strip():
        return "has spaces around it"
    if title in (".", ".."):
        return "is a relative path component, which the sidecar would resolve to a directory outside its own"
    if "/" in title or "\\" in title:
        return "must be one folder title without '/' or '\\' (the sidecar would make a path of it)"
    for character in title:
        category = unicodedata.category(character)
        if category == "Cc" or category in ("Zl", "Zp"):
            return f"contains the control character {_describe(character)}"
        if unicodedata.bidirectional(character) in _BIDI_CLASSES or character in _BIDI_MARKS:
            return f"contains the bidi control {_describe(character)}, which changes how the title reads"
    size = len(title.encode("utf-8"))
    if size > NAME_MAX:
        return f"is {size} bytes long; a directory name holds at most {NAME_MAX}"
    return None


def shorten_title(title: Any) -> str:
    """The title for an error message: quoted with control characters escaped, a long one cut."""
    if isinstance(title, str) and len(title) > 60:
        return repr(title[:57]) + f"… ({len(title)} characters)"
    return repr(title)


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} {name}" if name else code
