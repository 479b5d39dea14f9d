"""The datasource model: what Grafana's datasource provisioning file holds, typed.

Secrets only by reference. Grafana expands `$__env{NAME}` and `$__file{PATH}` in provisioning values from its
own container (pkg/services/provisioning/values/values.go), so the secret itself lives in a Kubernetes Secret that
Grafana mounts, never in the definitions, the build output or a log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from dashctl.credentials import (
    literal_secret_in_query,
    literal_secret_in_url,
    looks_like_secret,
    secure_json_key,
    strip_references,
)
from dashctl.definitions import caller_location as _caller_location
from dashctl.definitions import validate_uid
from dashctl.errors import DefinitionError, SourceLocation, raise_problems
from dashctl.interpolation import escape_value, escape_values

__all__ = ["Datasource", "Loki", "Prometheus", "SECRET_REFERENCE", "env_secret", "file_secret", "is_secret_reference"]

SECRET_REFERENCE = re.compile(r"^\$__(env|file)\{[^{}]+\}$")
# jsonData keys that Grafana treats as secret in some plugins, or that users put secrets in by mistake.
_SECRET_LOOKING = re.compile(r"(password|secret|token|apikey|api_key|credential|private)", re.IGNORECASE)


# jsonData settings that Grafana appends to the datasource URL as a query string (Prometheus' custom query
# parameters): a credential there is a credential in the URL.
_QUERY_STRING_KEYS = frozenset({"customQueryParameters"})
_REFERENCE_HINT = ("reference it instead: env_secret('NAME') (Grafana reads $__env{NAME} from its container) or "
                   "file_secret('/path') for a mounted file, in secure_json_data")


def env_secret(name: str) -> str:
    """A reference Grafana expands from its container's environment variable `name`."""
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise DefinitionError(f"{name!r} is not an environment variable name")
    return f"$__env{{{name}}}"


def file_secret(path: str) -> str:
    """A reference Grafana expands from a file mounted into its container (e.g. a Secret volume)."""
    if not path.startswith("/"):
        raise DefinitionError(f"{path!r} must be an absolute path inside the Grafana container")
    return f"$__file{{{path}}}"


def is_secret_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(SECRET_REFERENCE.match(value))


@dataclass(frozen=True, kw_only=True)
class Datasource:
    """One Grafana datasource (provisioning file entry): name, type, uid, URL and plugin settings.

    `secure_json_data` values must be secret references (`env_secret("LOKI_TOKEN")`); a literal secret is refused.
    """

    name: str
    type: str
    uid: str
    url: str | None = None
    access: str = "proxy"
    is_default: bool = False
    editable: bool = False
    basic_auth: bool = False
    basic_auth_user: str | None = None
    user: str | None = None
    database: str | None = None
    json_data: Mapping[str, Any] = field(default_factory=dict)
    secure_json_data: Mapping[str, str] = field(default_factory=dict)
    org_id: int = 1
    location: SourceLocation = field(default_factory=_caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "json_data", MappingProxyType(dict(self.json_data)))
        object.__setattr__(self, "secure_json_data", MappingProxyType(dict(self.secure_json_data)))
        # A name that is itself a credential (pasted in the wrong field) is not repeated either.
        what = "a datasource" if isinstance(self.name, str) and looks_like_secret(self.name) else \
            f"datasource {self.name!r}"
        if not self.name or not isinstance(self.name, str):
            raise DefinitionError("a datasource needs a name", location=self.location)
        if not self.type or not isinstance(self.type, str):
            raise DefinitionError(f"{what} needs a type", location=self.location)
        validate_uid(self.uid, what=what, location=self.location)
        if self.access not in ("proxy", "direct"):
            raise DefinitionError(f"{what} access must be 'proxy' or 'direct'", location=self.location)
        problems = [*self._url_problems(what), *self._secure_problems(what), *self._json_problems(what)]
        for name, value in (("user", self.user), ("basic_auth_user", self.basic_auth_user),
                            ("database", self.database), ("name", self.name)):
            kind = looks_like_secret(value) if isinstance(value, str) else None
            if kind:
                problems.append(self._refused(f"{what} {name} contains {kind}"))
        raise_problems(problems)

    def _refused(self, message: str, hint: str | None = None) -> DefinitionError:
        return DefinitionError(message, location=self.location, hint=hint or _REFERENCE_HINT)

    def _url_problems(self, what: str) -> list[DefinitionError]:
        if self.url is None:
            return []
        if not isinstance(self.url, str):
            return [self._refused(f"{what} url must be a string", hint="url=\"http://prometheus:9090\"")]
        if urlsplit(strip_references(self.url)).password:
            return [self._refused(
                f"{what} URL carries a password",
                hint="set basic_auth=True, basic_auth_user=... and "
                "secure_json_data={'basicAuthPassword': env_secret('NAME')}",
            )]
        why = literal_secret_in_url(self.url) or looks_like_secret(self.url)
        if why:
            return [self._refused(
                f"{what} URL has a literal secret: {why}",
                hint="send credentials as a header: json_data={'httpHeaderName1': 'Authorization'}, "
                "secure_json_data={'httpHeaderValue1': env_secret('NAME')}; or reference the whole URL "
                "with env_secret('NAME')",
            )]
        return []

    def _secure_problems(self, what: str) -> list[DefinitionError]:
        return [
            self._refused(f"{what} secure_json_data[{key!r}] is a literal secret")
            for key, value in self.secure_json_data.items()
            if not is_secret_reference(value)
        ]

    def _json_problems(self, what: str) -> list[DefinitionError]:
        problems = []
        for path, key, value in _walk(self.json_data, "json_data"):
            if not isinstance(value, str) or not value:
                continue
            if secure_json_key(key):
                problems.append(self._refused(
                    f"{what} {path} is a secret in json_data, which Grafana stores and serves in plain text",
                    hint=f"move it to secure_json_data={{{key!r}: env_secret('NAME')}}: Grafana reads "
                    f"{key} only from there",
                ))
            elif _SECRET_LOOKING.search(key) and not is_secret_reference(value):
                problems.append(self._refused(
                    f"{what} {path} looks like a secret and is stored in plain text",
                    hint="move it to secure_json_data as env_secret('NAME')",
                ))
            else:
                why = ((literal_secret_in_url(value) if "://" in value else None) or looks_like_secret(value)
                       or (literal_secret_in_query(value) if key in _QUERY_STRING_KEYS else None))
                if why:
                    problems.append(self._refused(f"{what} {path} has a literal secret: {why}"))
        return problems

    @property
    def carries_secret(self) -> bool:
        """Whether Grafana needs a secret for it; such a provisioning file is packaged as a Secret."""
        return bool(self.secure_json_data)

    def to_provisioning(self) -> dict[str, Any]:
        """The entry of Grafana's datasource provisioning file (camelCase, as Grafana reads it).

        Grafana interpolates every string of it (`dashctl.interpolation`): `$` is doubled, except in the fields
        where a reference is meant (the connection settings and secure_json_data).
        """
        entry: dict[str, Any] = {
            "name": escape_value(self.name),
            "type": self.type,
            "uid": self.uid,
            "access": self.access,
            "orgId": self.org_id,
            "isDefault": self.is_default,
            "editable": self.editable,
        }
        optional = {
            "url": self.url,
            "user": self.user,
            "database": self.database,
            "basicAuthUser": self.basic_auth_user,
        }
        entry.update({key: escape_value(value, keep_references=True) for key, value in optional.items()
                      if value is not None})
        if self.basic_auth:
            entry["basicAuth"] = True
        if self.json_data:
            entry["jsonData"] = escape_values(dict(self.json_data))
        if self.secure_json_data:
            entry["secureJsonData"] = dict(self.secure_json_data)
        return entry


def _walk(value: Any, path: str, key: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every (path, key, leaf value) of a nested jsonData, e.g. `json_data['derivedFields'][0]['url']`."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _walk(item, f"{path}[{name!r}]", str(name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", key)
    else:
        yield path, key, value


def Prometheus(*, name: str, uid: str, url: str, scrape_interval: str = "30s", **options: Any) -> Datasource:  # noqa: N802 - reads as a type
    """A Prometheus datasource with the settings the platform wants by default (POST queries, scrape interval)."""
    json_data = {"httpMethod": "POST", "timeInterval": scrape_interval, **options.pop("json_data", {})}
    return Datasource(name=name, type="prometheus", uid=uid, url=url, json_data=json_data,
                      location=options.pop("location", None) or _caller_location(), **options)


def Loki(*, name: str, uid: str, url: str, max_lines: int = 1000, **options: Any) -> Datasource:  # noqa: N802
    """A Loki datasource."""
    json_data = {"maxLines": max_lines, **options.pop("json_data", {})}
    return Datasource(name=name, type="loki", uid=uid, url=url, json_data=json_data,
                      location=options.pop("location", None) or _caller_location(), **options)
