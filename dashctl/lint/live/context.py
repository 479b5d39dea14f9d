"""The context a live rule is called with: a PromQL query (`dashctl.lint.walk.QueryContext`) and the inventory
of its environment's Prometheus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashctl.lint.live.inventory import PrometheusInventory
from dashctl.lint.walk import QueryContext, Subject

__all__ = ["LiveQueryContext"]


@dataclass(frozen=True, kw_only=True)
class LiveQueryContext:
    query: QueryContext
    prometheus: PrometheusInventory

    @property
    def parsed(self) -> Any:
        return self.query.parsed

    def labels_of(self, metric: str) -> set[str] | None:
        """The label names of `metric`'s recent series; None when it has none (promql/series reports that)."""
        return self.prometheus.label_names(metric) if self.prometheus.series(metric) else None

    def subject(self) -> Subject:
        return self.query.subject()
