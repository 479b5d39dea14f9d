"""Legacy dashboard JSON upgraded the way Grafana upgrades it on load, every change noted.

In Grafana's order: the early schemaVersion steps dashboards still carry traces of (14: `sharedCrosshair` ->
`graphTooltip`; 16: `rows` -> row panels with gridPos, by `DashboardMigrator.upgradeToGridLayout` in
public/app/features/dashboard/state/DashboardMigrator.ts; 17: `minSpan` -> `maxPerRow`; 24: a `table` with
`styles` is the old table; 28: variable tags dropped), then the steps 28-42 (`dashctl.importing.schema`), then the
Angular panels converted as Grafana 11+ converts them when it loads them (`dashctl.importing.angular`). Keys
Grafana's model does not have are dropped, with a note.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from dashctl.dashboards.model import DASHBOARD_KEYS
from dashctl.importing.angular import CONVERSIONS
from dashctl.importing.schema import upgrade_schema

__all__ = ["ANGULAR_PANELS", "MigrationError", "migrate_dashboard"]

GRID_COLUMNS = 24
_GRID_CELL_HEIGHT = 30
_GRID_CELL_VMARGIN = 8
_MIN_PANEL_HEIGHT = _GRID_CELL_HEIGHT * 3
_DEFAULT_ROW_HEIGHT = 250
_DEFAULT_PANEL_SPAN = 4

# Angular panel types that Grafana 11+ no longer renders and has no automatic migration for here.
ANGULAR_PANELS = frozenset(
    {
        "graph", "singlestat", "table-old", "grafana-piechart-panel", "grafana-worldmap-panel",
        "grafana-singlestat-panel", "natel-discrete-panel", "grafana-clock-panel", "briangann-gauge-panel",
        "vonage-status-panel", "flant-statusmap-panel", "michaeldmoore-annunciator-panel",
        "grafana-polystat-panel", "savantly-heatmap-panel", "jdbranham-diagram-panel", "btplc-status-dot-panel",
    }
)
_LEGACY_DASHBOARD_KEYS = ("rows", "style", "hideControls", "sharedCrosshair", "__inputs", "__requires", "__elements")

# Variable tags went in Grafana 8; a panel's `span` and `height` only meant something before the grid (v16);
# `editable`, `error`, `isNew` and a repeat copy's state are UI state Grafana does not save.
_LEGACY_VARIABLE_KEYS = ("tags", "tagsQuery", "tagValuesQuery", "useTags")
_LEGACY_PANEL_KEYS = ("span", "height", "editable", "error", "isNew", "scopedVars", "repeatIteration",
                      "repeatPanelId", "repeatedByRow")

Note = Callable[[str, str], None]  # (where, what changed)


class MigrationError(ValueError):
    """A legacy panel whose options have a shape its conversion cannot read; `hint` says what to do."""

    hint = "fix the panel's JSON, or open the dashboard in Grafana 11+, save it, and export it again"


def migrate_dashboard(model: dict[str, Any], note: Note, kept: Note | None = None) -> dict[str, Any]:
    """A copy of `model` upgraded to the current schema as Grafana would, each change passed to `note`; a panel
    Grafana no longer converts is kept as it is and passed to `kept`."""
    dashboard = copy.deepcopy(model)
    try:
        version = int(dashboard.get("schemaVersion") or 0)
    except (TypeError, ValueError):
        version = 0
    if version < 14 and "sharedCrosshair" in dashboard:
        dashboard["graphTooltip"] = 1 if dashboard.get("sharedCrosshair") else 0
        note("dashboard", f"sharedCrosshair {dashboard.get('sharedCrosshair')!r} became graphTooltip "
             f"{dashboard['graphTooltip']}")
    if dashboard.get("rows"):
        dashboard["panels"] = _rows_to_panels(dashboard["rows"]) + list(dashboard.get("panels") or [])
        note("dashboard", f"{len(dashboard['rows'])} legacy rows became row panels with grid positions "
             "(Grafana's schemaVersion 16 migration)")
    for key in _LEGACY_DASHBOARD_KEYS:
        if key in dashboard:
            value = dashboard.pop(key)
            if key not in ("rows", "__inputs", "__requires", "__elements") and value not in (None, "", False):
                note("dashboard", f"dropped legacy key {key!r} ({value!r}), which current Grafana ignores")
    for key in sorted(set(dashboard) - DASHBOARD_KEYS - {"iteration"}):
        dashboard.pop(key)
        note("dashboard", f"dropped key {key!r}: Grafana's dashboard model has no such field and ignores it")
    dashboard["panels"] = _without_repeat_copies(dashboard.get("panels") or [], note)
    upgrade_schema(dashboard, version, note)
    dashboard["panels"] = [_migrate_panel(panel, note, kept or note) for panel in dashboard.get("panels") or []]
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        for key in _LEGACY_VARIABLE_KEYS:
            if isinstance(variable, dict) and key in variable:
                value = variable.pop(key)
                if value not in (None, "", False, []):
                    note(f"variable {variable.get('name')!r}", f"dropped {key} {value!r}: variable tags were "
                         "removed in Grafana 8")
    return dashboard


def _without_repeat_copies(panels: list[Any], note: Note) -> list[Any]:
    """DashboardMigrator.removeRepeatedPanels: the copies a repeat made are rebuilt on every load, never kept."""
    kept = []
    for panel in panels:
        if isinstance(panel, dict) and (panel.get("repeatPanelId") or panel.get("repeatByRow")
                                        or panel.get("repeatedByRow")):
            note(f"panel {panel.get('title')!r}", "dropped: a copy made by a repeat, which Grafana makes again")
            continue
        if isinstance(panel, dict) and panel.get("type") == "row" and isinstance(panel.get("panels"), list):
            panel["panels"] = _without_repeat_copies(panel["panels"], note)
        kept.append(panel)
    return kept


def _grid_height(height: Any) -> int:
    if isinstance(height, str):
        digits = "".join(ch for ch in height.replace("px", "") if ch.isdigit())
        height = int(digits) if digits else _DEFAULT_ROW_HEIGHT
    height = max(float(height), _MIN_PANEL_HEIGHT)
    return math.ceil(height / (_GRID_CELL_HEIGHT + _GRID_CELL_VMARGIN))


class _RowArea:
    """Grafana's RowArea: which height of each column of the current row is filled."""

    def __init__(self, height: int, y: int) -> None:
        self.area = [0] * GRID_COLUMNS
        self.y = y
        self.height = height

    def add(self, pos: dict[str, int]) -> None:
        for i in range(pos["x"], min(pos["x"] + pos["w"], GRID_COLUMNS)):
            if not self.area[i] or pos["y"] + pos["h"] - self.y > self.area[i]:
                self.area[i] = pos["y"] + pos["h"] - self.y

    def position(self, width: int, once: bool = False) -> dict[str, int] | None:
        start = end = None
        for i in range(len(self.area) - 1, -1, -1):
            if self.height - self.area[i] > 0:
                if end is None:
                    end = i
                elif i < len(self.area) - 1 and self.area[i] <= self.area[i + 1]:
                    start = i
                else:
                    break
            else:
                break
        if start is not None and end is not None and end - start >= width - 1:
            return {"x": start, "y": max(self.area[start:])}
        if once:
            return None
        self.y += self.height
        self.area = [0] * GRID_COLUMNS
        return self.position(width, True)


def _rows_to_panels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    panel_ids = [panel.get("id") for row in rows for panel in row.get("panels") or [] if panel.get("id")]
    next_row_id = max(panel_ids, default=0) + 1
    show_rows = any(row.get("collapse") or row.get("showTitle") or row.get("repeat") for row in rows)
    out: list[dict[str, Any]] = []
    y = 0
    for row in rows:
        if row.get("repeatIteration"):
            continue
        row_height = _grid_height(row.get("height") or _DEFAULT_ROW_HEIGHT)
        row_panel: dict[str, Any] | None = None
        if show_rows:
            row_panel = {"id": next_row_id, "type": "row", "title": row.get("title"),
                         "collapsed": bool(row.get("collapse")), "panels": [],
                         "gridPos": {"x": 0, "y": y, "w": GRID_COLUMNS, "h": row_height}}
            if row.get("repeat"):
                row_panel["repeat"] = row["repeat"]
            next_row_id += 1
            y += 1
        area = _RowArea(row_height, y)
        for panel in row.get("panels") or []:
            panel = dict(panel)
            span = panel.pop("span", None) or _DEFAULT_PANEL_SPAN
            if panel.get("minSpan"):
                panel["minSpan"] = min(GRID_COLUMNS, GRID_COLUMNS // 12 * panel["minSpan"])
            width = math.floor(span) * GRID_COLUMNS // 12
            height = _grid_height(panel["height"]) if panel.get("height") else row_height
            place = area.position(width) or {"x": 0, "y": 0}
            y = area.y
            panel["gridPos"] = {"x": place["x"], "y": y + place["y"], "w": width, "h": height}
            panel.pop("height", None)
            area.add(panel["gridPos"])
            if row_panel is not None and row_panel["collapsed"]:
                row_panel["panels"].append(panel)
            else:
                out.append(panel)
        if row_panel is not None:
            out.append(row_panel)
        if not (row_panel is not None and row_panel["collapsed"]):
            y += row_height
    # Grafana appends each row panel after its panels, then sorts panels by position.
    out.sort(key=lambda panel: (panel["gridPos"]["y"], panel["gridPos"]["x"]))
    return out


def _migrate_panel(panel: dict[str, Any], note: Note, kept: Note) -> dict[str, Any]:
    kind = panel.get("type")
    where = f"panel {panel.get('title') or '#' + str(panel.get('id'))!r}"
    if not isinstance(panel.get("gridPos"), dict):
        # PanelModel's defaults: a panel without a position gets one (and the grid then packs it upwards).
        panel["gridPos"] = {"x": 0, "y": 0, "w": GRID_COLUMNS if kind == "row" else 6, "h": 1 if kind == "row" else 3}
        note(where, f"had no gridPos; placed at Grafana's default {panel['gridPos']}")
    if panel.get("minSpan"):
        # schemaVersion 17: minSpan (of 24 columns) becomes maxPerRow, the largest factor of 24 that fits.
        most = GRID_COLUMNS / panel["minSpan"]
        factors = [1, 2, 3, 4, 6, 8, 12, 24]
        fitting = [factor for factor in factors if factor <= most]
        panel["maxPerRow"] = fitting[-1] if fitting else 1
        note(where, f"minSpan (at least {panel['minSpan']} of 24 columns) became maxPerRow {panel['maxPerRow']}")
    panel.pop("minSpan", None)
    for key in _LEGACY_PANEL_KEYS:
        if key in panel:
            value = panel.pop(key)
            if key in ("span", "height") and value not in (None, ""):
                note(where, f"dropped legacy {key} {value!r}: the panel's gridPos places it")
    if kind == "row":
        panel["panels"] = [_migrate_panel(child, note, kept) for child in panel.get("panels") or []]
        return panel
    if kind == "table" and "styles" in panel and "fieldConfig" not in panel:
        kind = "table-old"  # Grafana's schemaVersion 24 step: a table with `styles` is the old Angular table
    if kind in CONVERSIONS:
        try:
            return CONVERSIONS[kind](panel, lambda what: note(where, what))
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
            # Hand-edited or truncated Angular options: say which panel, rather than crash or guess.
            raise MigrationError(f"{where}: the {kind} panel's options have a shape its conversion cannot read "
                                 f"({type(error).__name__}: {error})") from None
    if kind in ANGULAR_PANELS:
        kept(where, f"Angular panel {kind!r} kept as it is: Grafana 11+ shows it only with Angular support")
    return panel


