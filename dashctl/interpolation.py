"""How Grafana interpolates values in provisioning files, and how dashctl writes values that survive it.

When Grafana reads a provisioning file (datasources, alerting) it passes string values through `interpolateValue`
(grafana/grafana: pkg/services/provisioning/values/values.go): the value is split on `$$`, which stands for a
literal `$`; in each part the setting expanders replace `$__<name>{argument}` (`env` and `file`, plus `vault` in
Grafana Enterprise; pkg/setting/expanders.go, pattern `\\$(|__\\w+){([^}]+)}`), then `os.ExpandEnv` replaces
`$NAME` and `${NAME}`.

Expanded that way: every string of a datasource entry (`jsonData` and `secureJsonData` nested values included),
rule titles, labels, group and folder names, contact-point names and settings, notification policies. Annotations
are read raw by released Grafana (grafana#54975), but a change to expand their braced forms is under way
(grafana#84250), so dashctl refuses `${...}` and `$__name{...}` there instead of relying on either behaviour.
Query models, templates and mute timings are not expanded.

So in every expanded field dashctl doubles each `$`: a Slack title `{{ $labels.pod }}` or a Loki derived-field URL
`${__value.raw}` reaches Grafana as written, and a `$__env{GF_SECURITY_ADMIN_PASSWORD}` in a rule title stays that
text instead of becoming the admin password in every notification. Only the documented secret-reference fields
(`secure_json_data`, the credential settings of contact points) keep `$__env{NAME}`/`$__file{path}` references
for Grafana to expand.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EXPANSION", "REFERENCE", "escape_value", "escape_values", "find_expansion", "unescape_value"]

# A secret reference as dashctl writes it deliberately (`env_secret`, `file_secret`).
REFERENCE = re.compile(r"\$__(env|file)\{[^{}]+\}")
# Anything Grafana (or an Enterprise expander such as `vault`) could expand in a braced form.
EXPANSION = re.compile(r"\$(?:__\w+)?\{[^}]*\}?")


def escape_value(value: str, *, keep_references: bool = False) -> str:
    """`value` as written in an expanded field: every `$` doubled; `$__env{}`/`$__file{}` kept if asked."""
    if "$" not in value:
        return value
    if not keep_references:
        return value.replace("$", "$$")
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


def escape_values(value: Any, *, keep_references: bool = False) -> Any:
    """Escape every string in a nested structure (datasource jsonData, a policy tree)."""
    if isinstance(value, str):
        return escape_value(value, keep_references=keep_references)
    if isinstance(value, dict):
        return {key: escape_values(item, keep_references=keep_references) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_values(item, keep_references=keep_references) for item in value]
    return value


def find_expansion(value: Any) -> str | None:
    """The braced form Grafana could expand in `value` (`$__env{`, `$__vault{`, `${`), shortened; or None.

    Only the opening is returned, never the argument: the argument may name a secret's location.
    """
    if not isinstance(value, str) or "$" not in value:
        return None
    match = EXPANSION.search(value)
    if match is None:
        return None
    text = match.group(0)
    return text[: text.index("{") + 1] + "…}"
