"""The one-line signatures docs/panels.md shows for each panel factory, rendered from the code."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any


def render_signature(function: Callable[..., Any], name: str | None = None) -> str:
    """`name(*, a, b=1, ...)`: parameter names and defaults, without annotations (those are in the code)."""
    parts = []
    star = False
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = parameter.name
        if parameter.default is not parameter.empty:
            default = parameter.default
            text += "=" + (type(default).__name__ + "()" if type(default).__name__ == "FieldConfig" else repr(default))
        parts.append(text)
    text = f"{name or function.__name__}({', '.join(parts)})"
    return textwrap.fill(text, width=110, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)


def factories() -> dict[str, Callable[..., Any]]:
    """Every panel factory of dashctl.panels (the presets' ones under their names there)."""
    import dashctl.panels as panels

    return {name: getattr(panels, name) for name in panels.__all__
            if name[0].islower() and inspect.isfunction(getattr(panels, name))}
