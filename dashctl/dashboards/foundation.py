"""Dashboards written with the grafana-foundation-sdk (PyPI `grafana-foundation-sdk`), as the plain JSON dict the
compiler takes from any definition.

A definition may return the SDK's dashboard builder (`grafana_foundation_sdk.builders.dashboard.Dashboard`) or
the model it builds (`...models.dashboard.Dashboard`). The SDK is optional: dashctl never imports it unless a
definition returned one of its objects. What the SDK writes that the compiler would misread is mended here: its
empty `annotations`/`templating` objects and null `options`. Everything else (logical datasource names in
`DataSourceRef(uid="metrics")`, query validation, layout, ids) goes through the compiler like any dashboard.
"""

from __future__ import annotations

import json
from typing import Any

from dashctl.errors import DefinitionError

__all__ = ["foundation_json", "is_foundation_object"]

_PACKAGE = "grafana_foundation_sdk."


def is_foundation_object(value: Any) -> bool:
    """Whether `value` is a grafana-foundation-sdk builder or model (decided by its class's module)."""
    return type(value).__module__.startswith(_PACKAGE)


def foundation_json(value: Any, *, label: str) -> dict[str, Any]:
    """The dashboard JSON of an SDK dashboard builder or model, without nulls."""
    from grafana_foundation_sdk.cog.encoder import JSONEncoder

    built = value.build() if hasattr(value, "build") else value
    if type(built).__name__ != "Dashboard":
        raise DefinitionError(
            f"{label} returned a grafana-foundation-sdk {type(built).__name__}, not a Dashboard",
            hint="return grafana_foundation_sdk.builders.dashboard.Dashboard(...) or its .build()",
        )
    data = json.loads(json.dumps(built, cls=JSONEncoder), object_hook=_without_none)
    for key in ("annotations", "templating"):
        if not data.get(key, {}).get("list"):
            data[key] = {"list": []}
    return data


def _without_none(members: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}
