"""Output formats of `dashctl diff`: text for a terminal, Markdown for a pull-request comment, JSON for tools."""

from __future__ import annotations

from dashctl.diff.changes import Diff
from dashctl.diff.render.json import render_json
from dashctl.diff.render.markdown import COMMENT_LIMIT, render_markdown
from dashctl.diff.render.text import render_text

__all__ = ["COMMENT_LIMIT", "FORMATS", "render", "render_json", "render_markdown", "render_text"]

FORMATS = ("text", "markdown", "json")


def render(diff: Diff, output_format: str) -> str:
    """`diff` in one of FORMATS."""
    if output_format == "markdown":
        return render_markdown(diff)
    if output_format == "json":
        return render_json(diff)
    return render_text(diff)
