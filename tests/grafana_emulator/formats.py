"""Grafana's string formats: uids, slugs, and the two duration syntaxes (Go's and Prometheus')."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

MAX_UID_LENGTH = 40
_UID = re.compile(r"^[a-zA-Z0-9\-_]*$")

# pkg/infra/slugify/slugify.go: a fixed transliteration map (abridged here to the common letters).
_TRANSLITERATIONS = {
    "&": "and", "@": "at", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "à": "a", "á": "a", "â": "a", "ã": "a",
    "å": "a", "æ": "ae", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e", "ì": "i", "í": "i", "î": "i",
    "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o", "ø": "o", "ù": "u", "ú": "u", "û": "u",
    "ý": "y", "ÿ": "y",
}  # fmt: skip
_DROPPED = set(",\"'?.()\r\n\x00")
_MAX_SLUG = 50

_PROMETHEUS_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_PROMETHEUS_UNITS_MS = (
    ("y", 365 * 24 * 3600 * 1000, True),
    ("w", 7 * 24 * 3600 * 1000, True),
    ("d", 24 * 3600 * 1000, False),
    ("h", 3600 * 1000, False),
    ("m", 60 * 1000, False),
    ("s", 1000, False),
    ("ms", 1, False),
)
_GO_UNITS_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DATE_UNIT = re.compile(r"^(\d+)([dwMy])$")
_DATE_UNITS_SECONDS = {"d": 86400.0, "w": 7 * 86400.0, "M": 30 * 86400.0, "y": 365 * 86400.0}


def uid_problem(uid: str) -> str | None:
    """Why a dashboard or folder uid is rejected (legacy API messages), or None when it is fine."""
    if not _UID.match(uid):
        return "uid contains illegal characters"
    if len(uid) > MAX_UID_LENGTH:
        return "uid too long, max 40 characters"
    return None


def generate_uid() -> str:
    """A Grafana 11 style uid: a UUID whose first character is a letter a-f."""
    text = str(uuid.uuid4())
    return "abcdef"[int(text[0], 16) % 6] + text[1:]


def slugify(title: str) -> str:
    """Grafana's slug of a title: dashes are not collapsed, other runes become hex, overlong becomes a UUIDv5."""
    out: list[str] = []
    for char in title.strip().lower():
        if "a" <= char <= "z" or "0" <= char <= "9" or char in "-_":
            out.append(char)
        elif char == " ":
            out.append("-")
        elif char in _DROPPED:
            continue
        elif char in _TRANSLITERATIONS:
            out.append(_TRANSLITERATIONS[char])
        else:
            out.append(char.encode("utf-8").hex())
    slug = "".join(out)
    if not slug or len(slug.encode()) > _MAX_SLUG:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, title))
    return slug


def parse_prometheus_duration(text: str) -> int:
    """Milliseconds of a Prometheus duration such as "1h30m"; ValueError when it does not parse."""
    if text == "0":
        return 0
    match = _PROMETHEUS_DURATION.match(text)
    if not text or not match:
        raise ValueError(f"not a valid duration string: {text!r}")
    sizes = [size for _, size, _ in _PROMETHEUS_UNITS_MS]
    return sum(int(value) * size for value, size in zip(match.groups(), sizes, strict=True) if value)


def format_prometheus_duration(milliseconds: int) -> str:
    """Prometheus' canonical rendering (`model.Duration.String`): 300000 ms is "5m", years/weeks only if exact."""
    if milliseconds == 0:
        return "0s"
    out = ""
    for unit, size, exact in _PROMETHEUS_UNITS_MS:
        if exact and milliseconds % size:
            continue
        count, milliseconds = divmod(milliseconds, size)
        if count:
            out += f"{count}{unit}"
    return out


def parse_go_duration(text: str) -> float:
    """Seconds of a Grafana interval (`gtime.ParseDuration`: Go durations plus a single d/w/M/y unit)."""
    date = _DATE_UNIT.match(text)
    if date:
        return int(date.group(1)) * _DATE_UNITS_SECONDS[date.group(2)]
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    for match in _GO_PART.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _GO_UNITS_SECONDS[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise ValueError(f"invalid duration {text!r}")
    return total


def format_go_seconds(seconds: int) -> str:
    """Go's `time.Duration.String` for whole seconds: 0s, 15s, 1m30s, 2h0m0s."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"


def timestamp() -> str:
    """Now as Go marshals a UTC time.Time (RFC 3339 with fractional seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
