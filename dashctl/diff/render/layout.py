"""A changed dashboard's layout as a small picture: Grafana's 24-column grid drawn in text, panels as boxes.

Each grid column is 3 characters wide and each grid unit one line (two units a line on a dashboard taller than
`_TALL` units), so a reviewer sees what moved without opening Grafana. Changed panels are drawn with `#`/`=`
borders and a mark before the title: `A` added, `C` changed, `M` moved; removed panels are listed under the
picture with where they were. Rows are a line across the grid.
"""

from __future__ import annotations

from dashctl.diff.changes import ADDED, CHANGED, MOVED, REMOVED, PanelBox

__all__ = ["layout_picture"]

_COLUMN = 3
_TALL = 60
_MARK = {ADDED: "A", CHANGED: "C", MOVED: "M"}


def layout_picture(boxes: tuple[PanelBox, ...]) -> list[str]:
    """The lines of the picture (without a code fence), and a line per removed panel."""
    shown = [box for box in boxes if box.change != REMOVED]
    if not shown:
        return []
    bottom = max(box.grid[1] + box.grid[3] for box in shown)
    scale = 2 if bottom > _TALL else 1
    width = 24 * _COLUMN + 1
    canvas = [[" "] * width for _ in range(-(-bottom // scale) + 1)]
    # Unmarked boxes first, so a marked one's border wins where they touch.
    for box in sorted(shown, key=lambda item: bool(item.change)):
        _draw(canvas, box, scale)
    lines = ["".join(row).rstrip() for row in canvas]
    while lines and not lines[-1]:
        lines.pop()
    marks = sorted({box.change for box in shown if box.change})
    legend = ", ".join(f"{_MARK[change]} {change}" for change in (ADDED, CHANGED, MOVED) if change in marks)
    lines.append(f"(24-column grid; {legend})" if legend else "(24-column grid)")
    for box in boxes:
        if box.change == REMOVED:
            x, y, w, h = box.grid
            lines.append(f"removed: {box.title or '(untitled)'} (was at x={x} y={y} w={w} h={h})")
    return lines


def _draw(canvas: list[list[str]], box: PanelBox, scale: int) -> None:
    x, y, w, h = box.grid
    left, right = x * _COLUMN, min((x + w) * _COLUMN, len(canvas[0]) - 1)
    top = y // scale
    marked = bool(box.change)
    title = f"{_MARK.get(box.change, '')} {box.title}".strip() if marked else box.title
    if box.row:
        label = f"─ {title} " if title else ""
        text = (label + "─" * (right - left))[: right - left + 1]
        for offset, character in enumerate(text):
            canvas[top][left + offset] = character
        return
    bottom = max(top + 1, (y + h) // scale - (1 if scale == 1 else 0))
    bottom = min(bottom, len(canvas) - 1)
    horizontal, vertical, corner = ("=", "#", "#") if marked else ("-", "|", "+")
    for column in range(left, right + 1):
        canvas[top][column] = horizontal
        canvas[bottom][column] = horizontal
    for line in range(top, bottom + 1):
        canvas[line][left] = vertical
        canvas[line][right] = vertical
    for line, column in ((top, left), (top, right), (bottom, left), (bottom, right)):
        canvas[line][column] = corner
    if bottom - top >= 2:
        room = right - left - 2
        text = title if len(title) <= room else title[: max(0, room - 1)] + "…"
        for offset, character in enumerate(text):
            canvas[top + 1][left + 2 + offset] = character
