"""Secrets in a diff: shown as `***`, yet a change to them is still detected and reported.

A value under a key that reads like a credential (contact-point `url`, `token`, `password`, `integrationKey`,
`routingKey`, anything in a datasource's `secureJsonData`...) is masked unless it is a reference that Grafana
expands when it reads the file (`$__env{NAME}`, `$__file{/path}`, `$__vault{...}`, `${NAME}`, `$NAME`; see
grafana/grafana pkg/services/provisioning/values/values.go): a reference names where the secret lives, not the
secret. A URL with a password in it keeps its password masked wherever it appears. Like `kubectl diff`, the
masked values are compared through a keyed digest, so "the secret changed" can be said without showing it; the
key is random per process, so the digest cannot be looked up either (and it is never printed).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MASK", "Masked", "is_reference", "is_secret_key", "mask_tree", "mask_value"]

MASK = "***"
_REFERENCE = re.compile(
    r"^(\$__(env|file|vault)\{[^{}]+\}|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$"
)
# Contact-point settings and datasource fields whose value is (or may embed) a credential. `url` is here
# because a Slack, Teams, Discord or Google Chat webhook URL is itself the credential.
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|key|credential|auth|signature|private|session|url|webhook|dsn)", re.IGNORECASE
)
_USERINFO = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*):([^/\s@]+)@")
_KEY = os.urandom(32)


@dataclass(frozen=True)
class Masked:
    """A secret value: `display` is what may be printed, equality is by a keyed digest of the real value."""

    display: str = field(compare=False)
    digest: str = field(repr=False)

    def __str__(self) -> str:
        return self.display


def _digest(value: Any) -> str:
    return hmac.new(_KEY, repr(value).encode(), hashlib.sha256).hexdigest()


def is_reference(value: Any) -> bool:
    """The whole value is a reference Grafana expands from its own environment or files."""
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def mask_value(value: Any, *, secret: bool) -> Any:
    """`value` as it may be shown: masked when `secret` (references excepted), a URL's password masked always."""
    if value is None or isinstance(value, bool) or is_reference(value):
        return value
    if secret and isinstance(value, (str, int, float)):
        return Masked(display=MASK, digest=_digest(value))
    if isinstance(value, str) and _USERINFO.search(value):
        return Masked(display=_USERINFO.sub(rf"\1:{MASK}@", value), digest=_digest(value))
    return value


def mask_tree(value: Any, *, secret_key: Callable[[str], bool] = is_secret_key, secret: bool = False) -> Any:
    """A copy of a JSON-like tree with every secret leaf masked; below a secret key everything is secret."""
    if isinstance(value, Mapping):
        return {
            key: mask_tree(item, secret_key=secret_key, secret=secret or secret_key(str(key)))
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_tree(item, secret_key=secret_key, secret=secret) for item in value]
    return mask_value(value, secret=secret)
