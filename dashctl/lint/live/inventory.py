"""What an environment's Prometheus knows about a metric: its recent series, their label names, its type, and
when it was last seen; read through Prometheus' HTTP API and cached for the run.

    /api/v1/series?match[]=...&start=...   the label sets of a metric in a window
    /api/v1/metadata?metric=...            the TYPE its exporters declare (counter, gauge, histogram, ...)
    /api/v1/label/__name__/values          every metric name (for "did you mean")
    /api/v1/query_range count(metric)      when a metric that is gone was last seen

The same endpoints pint's online checks use (promql/series, promql/label, promql/metric-type's counter check).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dashctl.datasource_api import DatasourceClient, QueryRejected

__all__ = ["LOOKBACK", "PrometheusInventory", "RECENT"]

RECENT = 3_600
"""Seconds: a metric has series 'now' when it has some in the last hour."""
LOOKBACK = 7 * 86_400
"""Seconds: how far back a missing metric is looked for, to tell 'disappeared' from 'never existed'."""
_LAST_SEEN_STEP = 300


@dataclass
class PrometheusInventory:
    """Cached answers of one Prometheus; `url` is shown in findings, never with credentials."""

    client: DatasourceClient
    now: float = field(default_factory=time.time)
    _series: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _types: dict[str, str | None] | None = None
    _names: list[str] | None = None
    _last_seen: dict[str, float | None] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.client.endpoint.url

    def series(self, metric: str) -> list[dict[str, str]]:
        """The label sets `metric` had in the last RECENT seconds."""
        if metric not in self._series:
            data = self.client.get("/api/v1/series", [("match[]", _selector(metric)),
                                                      ("start", str(self.now - RECENT)), ("end", str(self.now))])
            self._series[metric] = [item for item in data or [] if isinstance(item, dict)]
        return self._series[metric]

    def label_names(self, metric: str) -> set[str]:
        return {name for labels in self.series(metric) for name in labels if name != "__name__"}

    def metric_type(self, metric: str) -> str | None:
        """The type the exporters declare (`counter`, `gauge`, `histogram`, `summary`, ...), or None if unknown."""
        if self._types is None:
            data = self.client.get("/api/v1/metadata", {})
            self._types = {}
            for name, entries in (data or {}).items():
                kinds = {entry.get("type") for entry in entries if isinstance(entry, dict)} - {None, "unknown"}
                self._types[name] = kinds.pop() if len(kinds) == 1 else None
        return self._types.get(metric)

    def metric_names(self) -> list[str]:
        if self._names is None:
            data = self.client.get("/api/v1/label/__name__/values",
                                   {"start": str(self.now - LOOKBACK), "end": str(self.now)})
            self._names = sorted(str(name) for name in data or [])
        return self._names

    def last_seen(self, metric: str) -> float | None:
        """When `metric` last had a sample in the last LOOKBACK seconds, or None if it had none."""
        if metric not in self._last_seen:
            start = int(self.now - LOOKBACK) // _LAST_SEEN_STEP * _LAST_SEEN_STEP
            try:
                data = self.client.get("/api/v1/query_range", {
                    "query": f"count({_selector(metric)})", "start": str(start), "end": str(int(self.now)),
                    "step": str(_LAST_SEEN_STEP)})
            except QueryRejected:
                data = None
            stamps = [float(point[0]) for item in (data or {}).get("result", []) for point in item.get("values", [])]
            self._last_seen[metric] = max(stamps) if stamps else None
        return self._last_seen[metric]


def _selector(metric: str) -> str:
    return '{__name__="' + metric.replace("\\", "\\\\").replace('"', '\\"') + '"}'
