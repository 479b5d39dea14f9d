"""Literal secrets in provisioning files (alerting, datasources, dashboard links): found and refused.

The provisioning files land in ConfigMaps, which anyone with read access to the namespace can read and ArgoCD shows
in its diffs. A secret must therefore be a reference that Grafana expands from its own container when it reads
the file: `$__env{NAME}` (an environment variable, from the `grafana-env` Secret) or `$__file{/path}` (a mounted
file) (grafana/grafana: pkg/services/provisioning/values/values.go).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dashctl.interpolation import REFERENCE

__all__ = [
    "REFERENCE",
    "SECRET_NAME",
    "SECURE_JSON_KEYS",
    "has_reference",
    "is_reference",
    "literal_secret_in_query",
    "literal_secret_in_url",
    "looks_like_secret",
    "mask_literal_secrets",
    "scan_for_secrets",
    "secure_json_key",
    "string_leaves",
    "strip_references",
    "token_like",
]

_WHOLE_REFERENCE = re.compile(r"^\$__(env|file)\{[^{}]+\}$")
# Query parameters and keys whose value is a credential.
SECRET_NAME = re.compile(
    r"(pass(word)?|secret|token|api[-_]?key|apikey|key|auth|credential|signature|sig|private|session|access)",
    re.IGNORECASE,
)
# Keys Grafana reads from a datasource's secureJsonData, never from jsonData: the generic HTTP client's
# (grafana-plugin-sdk-go backend/common.go: basicAuthPassword, password, httpHeaderValue<N>, tls*, sigV4*,
# secureSocksProxyPassword), Azure's (azureClientSecret), and those of core plugins that keep a credential there
# (clientSecret, accessKey, secretKey, privateKey, token, apiKey). A value under one of these keys in jsonData is
# stored and served by Grafana's API in plain text, even when it came from a reference.
SECURE_JSON_KEYS = frozenset({
    "accessKey", "apiKey", "authHeader", "azureClientSecret", "basicAuthPassword", "clientSecret", "password",
    "privateKey", "secretKey", "secureSocksProxyPassword", "sigV4AccessKey", "sigV4SecretKey",
    "sigV4SessionToken", "tlsCACert", "tlsClientCert", "tlsClientKey", "token",
})
_HEADER_VALUE = re.compile(r"^httpHeaderValue\d+$")
# Well-known credential formats, wherever they appear.
_KNOWN_FORMATS = (
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+")),
    ("a Discord webhook URL", re.compile(r"discord(app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}")),
    ("a Microsoft Teams webhook URL", re.compile(r"\.webhook\.office\.com/webhookb2/[^\s\"']+")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("an AWS access key", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]{16,}")),
    ("a URL with a password", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
)
# One pass over a string first: most strings (queries, summaries) match none of the formats.
_ANY_KNOWN_FORMAT = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _KNOWN_FORMATS))
# A path segment or value that reads like a generated token: long, letters and digits mixed.
_TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$")


def secure_json_key(key: str) -> bool:
    """Whether Grafana keeps `key` in secureJsonData (so it never belongs in jsonData)."""
    return key in SECURE_JSON_KEYS or bool(_HEADER_VALUE.match(key))


def token_like(value: Any) -> bool:
    """A value that reads like a generated credential: 20+ letters and digits mixed, no spaces."""
    return isinstance(value, str) and bool(_TOKEN_LIKE.match(value))


def is_reference(value: Any) -> bool:
    """The whole value is one secret reference."""
    return isinstance(value, str) and bool(_WHOLE_REFERENCE.match(value))


def has_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(REFERENCE.search(value))


def strip_references(value: str) -> str:
    """The literal part of a value: what is left once the references are taken out."""
    return REFERENCE.sub("", value)


def literal_secret_in_url(url: str) -> str | None:
    """Why a URL carries a literal credential (userinfo, a secret-named parameter, a token in the path), or None."""
    if is_reference(url):
        return None
    literal = strip_references(url)
    try:
        parts = urlsplit(literal)
    except ValueError:
        return None
    if parts.password or (parts.username and "@" in parts.netloc):
        return "it carries user credentials"
    why = literal_secret_in_query(parts.query)
    if why:
        return why
    for number, segment in enumerate(parts.path.split("/")[1:], start=1):
        if _TOKEN_LIKE.match(segment):
            return f"its path segment {number} looks like a token"
    return None


def literal_secret_in_query(query: str) -> str | None:
    """Why a query string (`a=1&token=...`) carries a literal credential, or None."""
    for name, value in parse_qsl(strip_references(query), keep_blank_values=True):
        if value and SECRET_NAME.search(name):
            return f"its query parameter {name!r} holds a literal value"
        if _TOKEN_LIKE.match(value):
            return f"its query parameter {name!r} looks like a token"
    return None


def looks_like_secret(text: str) -> str | None:
    """What kind of well-known credential `text` contains (a Slack token, a URL with a password...), or None."""
    match = _ANY_KNOWN_FORMAT.search(text)
    if match is None:
        return None
    literal = strip_references(text)
    for what, pattern in _KNOWN_FORMATS:
        if pattern.search(literal):
            return what
    return None


def scan_for_secrets(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, kind) in a nested structure where a well-known credential format appears literally."""
    clean = _CLEAN
    for text in _strings(value):
        if text not in clean:
            if _ANY_KNOWN_FORMAT.search(text):
                break
            if len(text) <= 200:  # short strings recur (states, refIds, labels); long ones would pin memory
                if len(clean) > 100_000:
                    clean.clear()
                clean.add(text)
    else:
        return  # nearly always (every alert rule of a build): no path is spelt out
    for where, text in string_leaves(value, path):
        found = looks_like_secret(text)
        if found:
            yield where, found


def _strings(value: Any) -> Iterator[str]:
    """The strings of a nested structure, as `string_leaves` finds them, without spelling out their paths."""
    kind = type(value)
    if kind is str:
        yield value
    elif kind is dict:
        for item in value.values():
            if type(item) is str:
                yield item
            elif item is not None and type(item) not in _SCALARS:
                yield from _strings(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


_SCALARS = frozenset({int, float, bool})
_CLEAN: set[str] = set()  # strings in which no known format was found, searched once per process


_STRING_LITERAL = re.compile(r"""(?P<quote>['"])(?P<text>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""")
_KEY_BEFORE = re.compile(r"""(?:(\w+)\s*=|['"]([\w.-]+)['"]\s*:)\s*$""")


def mask_literal_secrets(line: str) -> str:
    """A line of source with every string literal that holds, or is named as, a credential replaced by `***`:
    for messages that quote the user's code (lint shows the line a finding points at), which must never repeat a
    secret, not even in part."""

    def masked(match: re.Match[str]) -> str:
        text = match.group("text")
        key = _KEY_BEFORE.search(line, 0, match.start())
        named = key is not None and bool(SECRET_NAME.search(key.group(1) or key.group(2) or ""))
        if text and not is_reference(text) and (named or _credential_like(text)):
            return f"{match.group('quote')}***{match.group('quote')}"
        return match.group(0)

    return _STRING_LITERAL.sub(masked, line)


def _credential_like(text: str) -> bool:
    if looks_like_secret(text) or token_like(text):
        return True
    if "://" in text:
        return literal_secret_in_url(text) is not None
    return "=" in text and " " not in text and literal_secret_in_query(text.lstrip("?")) is not None


def string_leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, string) of a nested structure of settings, paths as `jsonData.derivedFields[0].url`."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from string_leaves(item, f"{path}[{index}]")
