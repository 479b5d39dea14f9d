"""Colour on a terminal, none when the output is piped or NO_COLOR is set (https://no-color.org)."""

from __future__ import annotations

import os
import sys

import click

__all__ = ["STATUS_STYLES", "colour_enabled", "paint"]

# What a word means decides its colour, the same in every command.
STATUS_STYLES: dict[str, dict[str, object]] = {
    "PASS": {"fg": "green", "bold": True},
    "FAIL": {"fg": "red", "bold": True},
    "ERROR": {"fg": "red", "bold": True},
    "NOT TESTABLE": {"fg": "yellow"},
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "info": {"fg": "cyan"},
}


def colour_enabled(*, err: bool = False) -> bool:
    """True when the stream is a terminal and NO_COLOR is unset or empty."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stderr if err else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, word: str, *, enabled: bool) -> str:
    """`text` styled as `word` (a key of STATUS_STYLES) when colour is enabled."""
    style = STATUS_STYLES.get(word)
    return click.style(text, **style) if enabled and style else text  # type: ignore[arg-type]
