"""`query_range` over a long window, in chunks the server accepts, as one matrix per label set.

Prometheus refuses more than 11,000 points per series in one answer ("exceeded maximum resolution of 11,000
points per timeseries", web/api/v1/api.go) and Loki has the same limit; each chunk asks for at most
`MAX_POINTS` steps. Chunks start on multiples of the step, as Grafana aligns a query's range to its step, so the
samples line up with the rule's evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from dashctl.datasource_api.client import DatasourceClient

__all__ = ["MAX_POINTS", "Matrix", "labels_key", "query_range"]

MAX_POINTS = 10_000
LabelsKey = tuple[tuple[str, str], ...]


def labels_key(labels: dict[str, str]) -> LabelsKey:
    return tuple(sorted((str(key), str(value)) for key, value in labels.items()))


@dataclass(frozen=True, kw_only=True)
class Matrix:
    """Samples of each label set, `{labels: {unix seconds: value}}`, over the whole window."""

    series: dict[LabelsKey, dict[int, float]]


def query_range(client: DatasourceClient, expr: str, *, start: float, end: float, step: int, origin: int = 0,
                progress: Callable[[str], None] | None = None) -> Matrix:
    """Every sample of `expr` from `start` to `end` at `step` seconds, fetched chunk by chunk.

    Sample times are `origin` plus multiples of `step` (0: multiples of the step, as Grafana aligns ranges).

    Raises `QueryRejected` when the server refuses the query, `DatasourceError` when it cannot be reached.
    """
    series: dict[LabelsKey, dict[int, float]] = {}
    first = origin + math.floor((start - origin) / step) * step
    chunk = step * (MAX_POINTS - 1)
    position = first
    while position <= end:
        stop = min(position + chunk, end)
        data = client.get(client.endpoint.query_range_path,
                          {"query": expr, "start": str(position), "end": str(stop), "step": str(step)})
        for item in (data or {}).get("result", []) if isinstance(data, dict) else []:
            labels = labels_key(item.get("metric") or {})
            points = series.setdefault(labels, {})
            for timestamp, value in item.get("values") or []:
                points[int(round(float(timestamp)))] = float(value)
        if progress:
            progress(f"{position}..{stop}")
        position = stop + step
    return Matrix(series=series)
