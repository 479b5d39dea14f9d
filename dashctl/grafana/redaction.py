"""Keeping credentials out of every message: mask each form a credential can take, before any text is cut.

A message quotes what Grafana (or a proxy in front of it) answered, and such a body may echo the request: a debug
page listing the headers, a proxy error repeating the `Authorization` line, a login error naming the user and
password. Masking must come before shortening: a token cut in half no longer matches, so its first characters
would be printed (issue 9.4).

Masked: every known secret (the token, the password) and the forms it travels in (`user:password`, its base64 as
sent in `Authorization: Basic`, URL-encoded copies), the values of the cookies the session holds, and anything that
looks like a credential whoever's it is: `Bearer …`/`Basic …` values, Grafana service-account tokens, cookie
headers, and `user:password@` in URLs.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

__all__ = ["MASK", "Redactor", "shorten"]

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A Grafana service-account token (`glsa_<32>_<8 hex>`), or one cut short.
    (re.compile(r"glsa_[A-Za-z0-9_]*"), MASK),
    # Over-masks the odd word ("Basic authentication"): a mangled word costs less than a leaked credential.
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{MASK}"),
    (re.compile(r"(?i)\b((?:set-)?cookie\s*[:=]\s*)[^\r\n]*"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(grafana_session(?:_expiry)?|grafana_sess)=[^;\s\"']*"), rf"\1={MASK}"),
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*)[^\r\n\"']*"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@"), rf"\1{MASK}@"),
)


def _forms(secret: str) -> set[str]:
    """The spellings of `secret` a body may carry: as is, URL-encoded, JSON-escaped."""
    forms = {secret, quote(secret, safe=""), secret.replace("/", "\\/")}
    return {form for form in forms if form}


class Redactor:
    """Masks credentials in text. `secrets` are the known ones; `cookies` returns the session's cookie values
    when called (cookies arrive during the run, so they are read at masking time)."""

    def __init__(
        self,
        *,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        cookies: Callable[[], Iterable[str]] = tuple,
    ):
        known: set[str] = set()
        if token:
            known |= _forms(token)
            # Grafana also accepts the token as the password of user `api_key`.
            known |= _forms(base64.b64encode(f"api_key:{token}".encode()).decode())
        if basic_auth is not None:
            user, password = basic_auth
            pair = f"{user}:{password}"
            known |= _forms(pair) | _forms(password)
            encoded = base64.b64encode(pair.encode("latin-1")).decode()
            known |= _forms(encoded) | _forms(encoded.rstrip("="))
        # Longest first, so that `user:password` is masked whole before `password` is.
        self._known = tuple(sorted(known, key=len, reverse=True))
        self._cookies = cookies

    def __call__(self, text: str) -> str:
        for secret in (*self._known, *sorted((c for c in self._cookies() if c), key=len, reverse=True)):
            text = text.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters; cut only text already masked."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
