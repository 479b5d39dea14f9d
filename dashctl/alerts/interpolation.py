"""How Grafana interpolates values in alerting provisioning files, and how dashctl writes values that survive it.

When Grafana reads an alerting file it expands `$__env{NAME}`, `$__file{path}`, `$NAME` and `${NAME}` in rule
titles, labels, group and folder names, contact-point settings and notification policies; `$$` stands for a
literal `$` (grafana/grafana: pkg/services/provisioning/values/values.go, `interpolateValue`). Annotations, query
models, templates and mute timings are not expanded. So in the expanded fields dashctl doubles every `$` that is
not part of a secret reference: a Slack title `{{ $labels.pod }}` reaches Grafana as written instead of losing
`$labels` to an empty environment variable.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REFERENCE", "escape_value", "escape_values", "unescape_value"]

REFERENCE = re.compile(r"\$__(env|file)\{[^{}]+\}")


def escape_value(value: str) -> str:
    """`value` as written in an expanded field: `$` doubled, secret references kept."""
    if "$" not in value:
        return value
    parts = []
    position = 0
    for match in REFERENCE.finditer(value):
        parts.append(value[position:match.start()].replace("$", "$$"))
        parts.append(match.group(0))
        position = match.end()
    parts.append(value[position:].replace("$", "$$"))
    return "".join(parts)


def unescape_value(value: str) -> str:
    """What Grafana makes of an escaped value, references left unexpanded (for preview and diff)."""
    return value.replace("$$", "$")


def escape_values(value: Any) -> Any:
    """Escape every string in a nested structure (contact-point settings, a policy tree)."""
    if isinstance(value, str):
        return escape_value(value)
    if isinstance(value, dict):
        return {key: escape_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_values(item) for item in value]
    return value
