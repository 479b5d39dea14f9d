"""How numbers and paths appear in messages: "1 dashboard", "2 dashboards" (never "0 file(s)"), paths as typed."""

from __future__ import annotations

from pathlib import Path

__all__ = ["counted", "shown_path"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it needs; the plural is the noun plus "s" unless given."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def shown_path(path: Path | str) -> str:
    """A path relative to the working directory when it is under it (as the user would type it), else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
