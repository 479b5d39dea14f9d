"""Counts in messages for people: "1 dashboard", "2 dashboards", never "1 dashboards" or "0 file(s)"."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it needs; the plural is the noun plus "s" unless given."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
