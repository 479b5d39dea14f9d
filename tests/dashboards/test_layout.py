"""The automatic grid layout: no overlaps, wrapping at 24 columns, rows full width, stable ids."""

from __future__ import annotations

from dashctl.dashboards.layout import assign_layout


def boxes(panels):
    return [(p["id"], p["gridPos"]["x"], p["gridPos"]["y"], p["gridPos"]["w"], p["gridPos"]["h"]) for p in panels]


def test_panels_flow_left_to_right_and_wrap():
    panels = [{"type": "timeseries"}, {"type": "timeseries"}, {"type": "timeseries"}, {"type": "logs"}]
    assert boxes(assign_layout(panels)) == [
        (1, 0, 0, 12, 8),
        (2, 12, 0, 12, 8),
        (3, 0, 8, 12, 8),
        (4, 0, 16, 24, 10),
    ]


def test_rows_start_a_new_line_and_span_the_grid():
    panels = [{"type": "stat"}, {"type": "row", "title": "R"}, {"type": "stat", "gridPos": {"w": 8, "h": 3}}]
    assert boxes(assign_layout(panels)) == [(1, 0, 0, 6, 4), (2, 0, 4, 24, 1), (3, 0, 5, 8, 3)]


def test_collapsed_row_children_are_numbered_and_placed():
    panels = [{"type": "row", "collapsed": True, "panels": [{"type": "stat"}, {"type": "stat"}]}, {"type": "logs"}]
    laid = assign_layout(panels)
    assert boxes(laid[0]["panels"]) == [(2, 0, 1, 6, 4), (3, 6, 1, 6, 4)]
    assert boxes([laid[1]]) == [(4, 0, 5, 24, 10)]


def test_no_two_panels_overlap():
    panels = [{"type": t} for t in ["stat", "timeseries", "stat", "logs", "gauge", "timeseries", "table", "stat"]]
    cells = set()
    for _, x, y, w, h in boxes(assign_layout(panels)):
        assert x + w <= 24
        for cx in range(x, x + w):
            for cy in range(y, y + h):
                assert (cx, cy) not in cells
                cells.add((cx, cy))


def test_manual_layout_keeps_positions():
    panels = [{"type": "stat", "gridPos": {"x": 18, "y": 3, "w": 6, "h": 2}}]
    assert boxes(assign_layout(panels, manual=True)) == [(1, 18, 3, 6, 2)]


def test_the_panels_given_are_left_as_they_were():
    # assign_layout numbers its own copies in place; the caller's panels (a manual row's children too) keep theirs.
    placed = {"type": "stat", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 2}}
    panels = [{"type": "row", "panels": [dict(placed), {"type": "stat"}]}, dict(placed), {"type": "logs"}]
    before = repr(panels)
    for manual in (False, True):
        laid = assign_layout(panels, manual=manual)
        assert [panel["id"] for panel in laid] == [1, 4, 5]
        assert repr(panels) == before
