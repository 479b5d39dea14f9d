"""panel/units: a panel that draws numbers says what they are (grafana/dashboard-linter panel-units-rule)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.panel_types import NUMERIC_PANEL_TYPES
from dashctl.lint.registry import Scope, rule
from dashctl.lint.unit_ids import closest_unit, is_unit
from dashctl.lint.walk import PanelContext


@rule(id="panel/units", scope=Scope.PANEL, severity=Severity.WARNING, summary="panel without a valid unit")
def check(panel: PanelContext) -> Iterator[Problem]:
    if panel.type not in NUMERIC_PANEL_TYPES or "libraryPanel" in panel.panel:
        return
    if panel.field_defaults.get("mappings") or _stat_shows_text(panel.panel):
        return  # value mappings or a text field say what the values mean (as dashboard-linter)
    units = _units(panel.panel)
    if not units:
        yield Problem(
            message=f"the {panel.type} panel sets no unit: Grafana shows bare numbers, "
            "and nobody can tell seconds from milliseconds or bytes from requests",
            hint="unit=... with a constant of dashctl.dashboards.units; units.SHORT for plain counts, units.NONE "
            "for a number without a unit",
        )
        return
    for number, unit in enumerate(units):
        if is_unit(unit):
            continue
        guess = closest_unit(unit)
        yield Problem(
            # The panel's own unit is written as unit= (grafanalib's Stat: format=); an override's where it is.
            location=panel.keyword_location("unit", "format") if number == 0 else None,
            value=unit,
            message=f"unit {unit!r} is not one of Grafana's unit ids: Grafana prints it as a literal suffix and "
            "does not scale the values",
            hint=(f"did you mean {guess!r}? " if guess else "")
            + f"for a custom suffix write 'suffix:{unit}' (units.suffix(...))",
        )


def _units(panel: dict[str, Any]) -> list[str]:
    """The panel's unit, and the units its field overrides set."""
    field_config = panel.get("fieldConfig", {})
    units = []
    default = field_config.get("defaults", {}).get("unit") or panel.get("format")
    if isinstance(default, str) and default:
        units.append(default)
    for override in field_config.get("overrides", []):
        for item in override.get("properties", []) if isinstance(override, dict) else []:
            if isinstance(item, dict) and item.get("id") == "unit" and isinstance(item.get("value"), str):
                units.append(item["value"])
    return units


def _stat_shows_text(panel: dict[str, Any]) -> bool:
    """A stat panel told to show a text field (reduceOptions.fields) has nothing to scale."""
    fields = panel.get("options", {}).get("reduceOptions", {}).get("fields", "")
    return panel.get("type") == "stat" and bool(fields) and fields != "/^Value$/"
