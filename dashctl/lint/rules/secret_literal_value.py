"""secret/literal-value: a value that looks like a credential in a datasource, contact point or dashboard link."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dashctl.credentials import (
    is_reference,
    literal_secret_in_query,
    literal_secret_in_url,
    looks_like_secret,
    strip_references,
    token_like,
)
from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import SettingsContext


@rule(id="secret/literal-value", scope=Scope.SETTINGS, severity=Severity.WARNING,
      summary="a value that looks like a credential in a datasource, contact point or dashboard link")
def check(settings: SettingsContext) -> Iterator[Problem]:
    for path, value in sorted(settings.values.items()):
        key = path.rsplit(".", 1)[-1]
        # A uid can look generated (Grafana makes 14-character ones, users write longer) without being secret.
        why = None if key.lower().endswith("uid") or key in ("type", "name") else _why(value)
        if why:
            # The value itself is never repeated, not even in part: the finding names where it is, at the line of
            # the keyword that holds it where the call writes one (`json_data=` of `Loki(`).
            yield Problem(
                location=settings.keyword_location(_keyword(path)),
                message=f"{path} {why}; it is written in plain text to a ConfigMap",
                hint="keep credentials in Grafana's environment and reference them: env_secret('NAME') in "
                "secure_json_data or a contact point's credential setting; a link should not carry one at all",
            )


def _why(value: str) -> str | None:
    if is_reference(value) or "$" in value and not strip_references(value).strip():
        return None
    kind = looks_like_secret(value)
    if kind:
        return f"contains {kind}"
    if "://" in value:
        why = literal_secret_in_url(value)
        return f"is a URL where {why}" if why else None
    if "=" in value and " " not in value:
        why = literal_secret_in_query(value.lstrip("?"))
        return f"is a query string where {why}" if why else None
    if token_like(value):
        return "looks like a generated token"
    return None


def _keyword(path: str) -> str:
    """The Python keyword of a value's top-level provisioning key: `jsonData.tenant` is written as `json_data=`."""
    key = re.split(r"[.\[]", path, maxsplit=1)[0]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
