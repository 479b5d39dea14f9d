"""Automatic 24-column grid layout and stable panel ids.

Grafana's grid is 24 columns wide; panels flow left to right and wrap, rows span the full width. A panel's own
`gridPos` w and h are kept as size hints, its x and y are computed, so reordering panels in Python never leaves
overlaps or holes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GRID_COLUMNS", "assign_layout", "default_size"]

GRID_COLUMNS = 24

_SIZES = {
    "row": (24, 1),
    "logs": (24, 10),
    "table": (24, 8),
    "text": (24, 3),
    "stat": (6, 4),
    "gauge": (6, 4),
    "bargauge": (12, 6),
}


def default_size(panel_type: str) -> tuple[int, int]:
    """Width and height of a panel of this type when its definition gives none."""
    return _SIZES.get(panel_type, (12, 8))


def assign_layout(panels: list[dict[str, Any]], *, manual: bool = False) -> list[dict[str, Any]]:
    """Return the panels with gridPos and ids assigned in reading order (ids from 1, nested row panels included)."""
    next_id = 1
    out: list[dict[str, Any]] = []
    x = y = line_height = 0

    def place(panel: dict[str, Any]) -> dict[str, Any]:
        nonlocal x, y, line_height
        width, height = _size(panel)
        if x + width > GRID_COLUMNS:
            x, y, line_height = 0, y + line_height, 0
        positioned = {**panel, "gridPos": {"h": height, "w": width, "x": x, "y": y}}
        x += width
        line_height = max(line_height, height)
        return positioned

    def newline() -> None:
        nonlocal x, y, line_height
        if x:
            x, y, line_height = 0, y + line_height, 0

    def number(panel: dict[str, Any]) -> dict[str, Any]:
        """Give the panel, a copy made here, its id."""
        nonlocal next_id
        panel["id"] = next_id
        next_id += 1
        return panel

    for panel in panels:
        if manual and "gridPos" in panel and panel["gridPos"] is not None:
            positioned = dict(panel)
        elif panel.get("type") == "row":
            newline()
            positioned = {**panel, "gridPos": {"h": 1, "w": GRID_COLUMNS, "x": 0, "y": y}}
            y += 1
        else:
            positioned = place(panel)
        positioned = number(positioned)
        if positioned.get("type") == "row" and positioned.get("panels"):
            # A collapsed row carries its panels; they are laid out as if the row were open.
            nested = []
            for child in positioned["panels"]:
                nested.append(number(dict(child) if manual and child.get("gridPos") else place(child)))
            newline()
            positioned["panels"] = nested
        out.append(positioned)
    return out


def _size(panel: dict[str, Any]) -> tuple[int, int]:
    default_width, default_height = default_size(str(panel.get("type", "")))
    grid = panel.get("gridPos") or {}
    width = int(grid.get("w") or default_width)
    height = int(grid.get("h") or default_height)
    return max(1, min(width, GRID_COLUMNS)), max(1, height)
