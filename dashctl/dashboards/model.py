"""The keys of Grafana's classic dashboard JSON model (schemaVersion 42) that dashctl emits.

grafanalib still writes keys that current Grafana dropped long ago (`rows`, `hideControls`, `sharedCrosshair`,
`style`, a panel's `editable`, `error`, `span`, ...); the dashboard JSON schema rejects them, so the compiler keeps
only the keys below. The lists follow Grafana's dashboard kind (kinds/dashboard/dashboard_kind.cue).
"""

from __future__ import annotations

__all__ = [
    "DASHBOARD_KEYS",
    "LEGACY_PANEL_KEYS",
    "LEGACY_TARGET_KEYS",
    "LEGACY_VARIABLE_KEYS",
    "PANEL_KEYS",
    "ROW_KEYS",
    "SCHEMA_VERSION",
    "TIMEPICKER_KEYS",
    "VARIABLE_KEYS",
]

SCHEMA_VERSION = 42

DASHBOARD_KEYS = frozenset(
    {
        "id", "uid", "title", "description", "revision", "gnetId", "tags", "timezone", "editable", "graphTooltip",
        "time", "timepicker", "fiscalYearStartMonth", "liveNow", "weekStart", "refresh", "schemaVersion",
        "version", "panels", "templating", "annotations", "links", "snapshot", "preload",
    }
)
PANEL_KEYS = frozenset(
    {
        "type", "id", "pluginVersion", "targets", "title", "description", "transparent", "datasource", "gridPos",
        "links", "repeat", "repeatDirection", "maxPerRow", "maxDataPoints", "transformations", "interval",
        "timeFrom", "timeShift", "hideTimeOverride", "timeCompare", "libraryPanel", "cacheTimeout",
        "queryCachingTTL", "options", "fieldConfig",
    }
)
ROW_KEYS = frozenset({"type", "collapsed", "title", "datasource", "gridPos", "id", "panels", "repeat"})
TIMEPICKER_KEYS = frozenset({"hidden", "refresh_intervals", "quick_ranges", "nowDelay"})
VARIABLE_KEYS = frozenset(
    {
        "type", "name", "label", "hide", "skipUrlSync", "description", "query", "datasource", "current", "multi",
        "allowCustomValue", "options", "refresh", "sort", "includeAll", "allValue", "regex", "auto", "auto_min",
        "auto_count", "definition",
    }
)
# Target keys grafanalib emits for Graphite or pre-7 Grafana; no current datasource reads them.
LEGACY_TARGET_KEYS = frozenset({"target", "metric", "step", "intervalFactor", "query"})
# Panel keys that even a verbatim (imported) panel loses: pre-5 layout (`span`, `height`), UI state of the editor
# and of repeated copies, which Grafana itself never saves (PanelModel's notPersistedProperties, and the
# repeat clones it drops on save); and the compiler's own mark for verbatim JSON.
LEGACY_PANEL_KEYS = frozenset(
    {
        "span", "height", "editable", "error", "isNew", "scopedVars", "repeatIteration", "repeatPanelId",
        "repeatedByRow", "__dashctlVerbatim__",
    }
)
# Variable tags were removed in Grafana 8 (nothing reads them); grafanalib still writes them.
LEGACY_VARIABLE_KEYS = frozenset({"tagValuesQuery", "tags", "tagsQuery", "useTags"})
