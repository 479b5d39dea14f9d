"""What Grafana does to what it is sent, so that a stored object can be compared with the one dashctl would send.

Grafana owns some fields (a dashboard's `id` and `version`) and normalises others on save (trimmed titles, the
minimum refresh, canonical durations, query model defaults; spec §3.2, §6.2). Two objects that compare equal here
are the same to Grafana: writing one over the other would change nothing but the version number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dashctl.durations import canonical_duration, parse_duration

__all__ = ["comparable_dashboard", "comparable_rule_group"]

# Grafana raises a refresh below [dashboards] min_refresh_interval (default 5s) on save.
_MIN_REFRESH_MS = 5000


def comparable_dashboard(model: Mapping[str, Any]) -> dict[str, Any]:
    """The model without what Grafana owns (id, version) and with what it normalises on save (title, refresh)."""
    comparable = {key: value for key, value in model.items() if key not in ("id", "version")}
    if isinstance(comparable.get("title"), str):
        comparable["title"] = comparable["title"].strip()
    refresh = comparable.get("refresh")
    if isinstance(refresh, str) and refresh not in ("", "auto"):
        try:
            if parse_duration(refresh) < _MIN_REFRESH_MS:
                comparable["refresh"] = "5s"
        except ValueError:
            comparable["refresh"] = "5s"
    return comparable


def comparable_rule_group(interval: int, rules: Iterable[Mapping[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """A rule group's interval (seconds) and rules as Grafana stores them."""
    return interval, [_comparable_rule(rule) for rule in rules]


def _comparable_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as Grafana stores it: canonical durations, query models with intervalMs and maxDataPoints."""
    data = []
    for query in rule.get("data", []):
        model = dict(query.get("model") or {})
        model.setdefault("refId", query.get("refId"))
        if not model.get("intervalMs"):
            model["intervalMs"] = 1000
        if not model.get("maxDataPoints"):
            model["maxDataPoints"] = 43200
        data.append(
            {
                "refId": query.get("refId"),
                "datasourceUid": query.get("datasourceUid"),
                # Grafana stores a missing range (expressions) as {from: 0, to: 0}.
                "relativeTimeRange": query.get("relativeTimeRange") or {"from": 0, "to": 0},
                "queryType": query.get("queryType") or model.get("queryType") or "",
                "model": model,
            }
        )
    return {
        "uid": rule.get("uid"),
        "title": rule.get("title"),
        "condition": rule.get("condition"),
        "data": data,
        "noDataState": rule.get("noDataState"),
        "execErrState": rule.get("execErrState"),
        "for": canonical_duration(str(rule.get("for") or "0s")),
        "keep_firing_for": canonical_duration(str(rule.get("keep_firing_for") or "0s")),
        "labels": dict(rule.get("labels") or {}),
        "annotations": dict(rule.get("annotations") or {}),
        "isPaused": bool(rule.get("isPaused")),
    }
