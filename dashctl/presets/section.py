"""A preset's result: a row of panels and the template variables its queries use.

    red = red_row(...)
    logs = logs_row(...)
    Dashboard(title=..., templating=templating(namespace_variable(env.namespace), red, logs),
              panels=[*red.panels, *logs.panels])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grafanalib.core import Templating

from dashctl.errors import DefinitionError
from dashctl.presets.variables import Variable, merge_variables

__all__ = ["Section", "sentence", "templating"]


@dataclass(frozen=True, kw_only=True)
class Section:
    """A row header followed by its panels (grafanalib objects), and the variables those panels need."""

    panels: tuple[Any, ...]
    variables: tuple[Variable, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "panels", tuple(self.panels))
        object.__setattr__(self, "variables", merge_variables(self.variables))

    def queries(self) -> list[str]:
        """Every query of the section's panels, in order (for tests and reviews)."""
        found = []
        for panel in self.panels:
            for inner in [panel, *getattr(panel, "panels", [])]:
                found.extend(target.expr for target in getattr(inner, "targets", []) if target.expr)
        return found


def sentence(name: str) -> str:
    """`name` with its first letter capitalised and the rest kept: `MongoDB`, `Backend`."""
    return name[:1].upper() + name[1:]


def templating(*parts: Section | Variable | Iterable[Variable]) -> Templating:
    """The dashboard's `templating` from variables and sections, each variable once, in order of appearance."""
    variables: list[Variable] = []
    for part in parts:
        if isinstance(part, Section):
            variables.extend(part.variables)
        elif isinstance(part, Variable):
            variables.append(part)
        elif isinstance(part, Iterable) and not isinstance(part, str):
            variables.extend(part)
        else:
            raise DefinitionError(f"templating() takes sections and variables, not {part!r}")
    return Templating(list=list(merge_variables(variables)))
