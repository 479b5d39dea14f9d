"""Where a datasource's HTTP API is and how to authenticate to it, from the configuration, flags and environment.

The URL of an environment's Prometheus is its `prometheus_url` value (`loki_url` for Loki), the same value the
bundled datasource definitions give Grafana; `--prometheus URL` / `--loki URL` override it (a cluster-internal
URL is not reachable from a laptop or CI). Credentials come from the process environment only, never from a flag
or a file in the repository, and are never printed:

    DASHCTL_PROMETHEUS_TOKEN                          bearer token, or
    DASHCTL_PROMETHEUS_USER + DASHCTL_PROMETHEUS_PASSWORD   basic auth
    DASHCTL_LOKI_TOKEN, DASHCTL_LOKI_USER + DASHCTL_LOKI_PASSWORD, DASHCTL_LOKI_TENANT (X-Scope-OrgID)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from dashctl.errors import ConfigError, UsageError
from dashctl.grafana.transport import redact_url

__all__ = ["Endpoint", "KINDS", "resolve_endpoint"]

KINDS = ("prometheus", "loki")
_URL_VALUE = {"prometheus": "prometheus_url", "loki": "loki_url"}
_FLAG = {"prometheus": "--prometheus", "loki": "--loki"}


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A datasource API: its kind (`prometheus` or `loki`), base URL, and credentials (kept out of repr)."""

    kind: str
    url: str
    token: str | None = field(default=None, repr=False)
    basic: tuple[str, str] | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential, so that error messages can be scrubbed of them."""
        found = [self.token or ""]
        if self.basic:
            found.extend(self.basic)
        return tuple(secret for secret in found if secret)

    @property
    def query_range_path(self) -> str:
        return "/loki/api/v1/query_range" if self.kind == "loki" else "/api/v1/query_range"


def resolve_endpoint(kind: str, environment: object, *, override: str | None = None,
                     env: Mapping[str, str] | None = None) -> Endpoint:
    """The `kind` API of `environment` (a `dashctl.project.environment.Environment`), the flag winning."""
    if kind not in KINDS:
        raise UsageError(f"dashctl cannot query a datasource of type {kind!r} (only {', '.join(KINDS)})")
    variables = os.environ if env is None else env
    name = getattr(environment, "name", "?")
    url = override or getattr(environment, "values", {}).get(_URL_VALUE[kind])
    if not url:
        raise ConfigError(
            f"environment {name!r} has no {kind} query URL",
            hint=f"set {_URL_VALUE[kind]} = \"http://...\" under [tool.dashctl.environments.{name}.values], "
            f"or pass {_FLAG[kind]} URL",
        )
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise UsageError(f"the {kind} URL of environment {name!r} must start with http:// or https://")
    prefix = f"DASHCTL_{kind.upper()}_"
    token = variables.get(prefix + "TOKEN") or None
    user, password = variables.get(prefix + "USER"), variables.get(prefix + "PASSWORD")
    parts = urlsplit(url)
    if parts.username is not None:
        # user:password@ in a URL would be shown wherever the URL is (findings, JSON): move it into basic auth.
        if not (user or token):
            user, password = unquote(parts.username), unquote(parts.password or "")
        url = redact_url(url)
    if bool(user) != bool(password):
        missing = prefix + ("PASSWORD" if user else "USER")
        raise UsageError(f"{prefix}USER and {prefix}PASSWORD go together: {missing} is not set")
    headers = {}
    tenant = variables.get(prefix + "TENANT")
    if tenant:
        headers["X-Scope-OrgID"] = tenant
    return Endpoint(kind=kind, url=url.rstrip("/"), token=token, basic=(user, password) if user and password else None,
                    headers=MappingProxyType(headers))
