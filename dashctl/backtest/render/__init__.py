"""Output formats of `dashctl backtest`: text for a terminal, Markdown for a pull request (with Mermaid charts
GitHub draws inside the comment), JSON for tools; PNG charts in `dashctl.backtest.plots`."""

from __future__ import annotations

from dashctl.backtest.render.json import render_json
from dashctl.backtest.render.markdown import render_markdown, rule_sections
from dashctl.backtest.render.text import render_text, summary_sentence

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text", "rule_sections",
           "summary_sentence"]

FORMATS = ("text", "markdown", "json")


def render(report, output_format: str, *, artifact_url: str | None = None) -> str:
    if output_format == "json":
        return render_json(report)
    if output_format == "markdown":
        return render_markdown(report, artifact_url=artifact_url)
    return render_text(report)
