"""The literal values of LogQL: durations, byte sizes, numbers and quoted strings, read the way Loki reads them.

Loki's lexer (grafana/loki `pkg/logql/syntax/lex.go`) leans on Go's standard library for these, so each reader here
follows the Go function Loki calls: Prometheus' `model.ParseDuration` for ranges, with Go's `time.ParseDuration` as a
fallback elsewhere, go-humanize's `ParseBytes`, `strconv.ParseFloat`/`Atoi`, and Prometheus' `strutil.Unquote`.
Every reader raises `LiteralError` with the message the Go function would give.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "LiteralError",
    "go_quote",
    "parse_bytes",
    "parse_float",
    "parse_go_duration",
    "parse_int",
    "parse_loki_duration",
    "parse_prometheus_duration",
    "unquote",
]

_MAX_INT64 = (1 << 63) - 1

# Prometheus' units must appear from the largest to the smallest; the value is (rank, nanoseconds).
_PROMETHEUS_UNITS = {
    "y": (1, 365 * 24 * 3600 * 10**9),
    "w": (2, 7 * 24 * 3600 * 10**9),
    "d": (3, 24 * 3600 * 10**9),
    "h": (4, 3600 * 10**9),
    "m": (5, 60 * 10**9),
    "s": (6, 10**9),
    "ms": (7, 10**6),
}

_GO_UNITS = {
    "ns": 1,
    "us": 10**3,
    "\u00b5s": 10**3,  # micro sign
    "\u03bcs": 10**3,  # Greek small letter mu
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}

# go-humanize's table (`bytesSizeTable`), keyed by the lower-cased unit.
_BYTE_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "ki": 2**10,
    "kib": 2**10,
    "m": 10**6,
    "mb": 10**6,
    "mi": 2**20,
    "mib": 2**20,
    "g": 10**9,
    "gb": 10**9,
    "gi": 2**30,
    "gib": 2**30,
    "t": 10**12,
    "tb": 10**12,
    "ti": 2**40,
    "tib": 2**40,
    "p": 10**15,
    "pb": 10**15,
    "pi": 2**50,
    "pib": 2**50,
    "e": 10**18,
    "eb": 10**18,
    "ei": 2**60,
    "eib": 2**60,
}

_DECIMAL_FLOAT = re.compile(r"[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:_?[0-9a-fA-F]+)*(?:\.(?:[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)?)?[pP][+-]?\d+(?:_\d+)*")
_DECIMAL_INT = re.compile(r"[+-]?\d+")


class LiteralError(ValueError):
    """A literal that the Go function Loki uses would reject; the message is that function's."""


def go_quote(text: str) -> str:
    """Quote `text` the way Go's `%q` does, for messages that repeat a user's value."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def parse_prometheus_duration(text: str) -> int:
    """Return nanoseconds for a Prometheus duration such as `5m` or `1h30m` (used inside `[...]`)."""
    if text == "0":
        return 0
    if text == "":
        raise LiteralError("empty duration string")
    rest = text
    total = 0
    last_rank = 0
    while rest:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if digits == 0:
            raise LiteralError(f"not a valid duration string: {go_quote(text)}")
        value = int(rest[:digits])
        rest = rest[digits:]
        unit_length = _non_digit_prefix_length(rest)
        if unit_length == 0:
            raise LiteralError(f"not a valid duration string: {go_quote(text)}")
        unit, rest = rest[:unit_length], rest[unit_length:]
        if unit not in _PROMETHEUS_UNITS:
            raise LiteralError(f"unknown unit {go_quote(unit)} in duration {go_quote(text)}")
        rank, multiplier = _PROMETHEUS_UNITS[unit]
        if rank <= last_rank:
            raise LiteralError(f"not a valid duration string: {go_quote(text)}")
        last_rank = rank
        if value > (1 << 63) // multiplier:
            raise LiteralError("duration out of range")
        total += value * multiplier
        if total > _MAX_INT64:
            raise LiteralError("duration out of range")
    return total


def _non_digit_prefix_length(text: str) -> int:
    for index, char in enumerate(text):
        if "0" <= char <= "9":
            return index
    return len(text)


def parse_go_duration(text: str) -> int:
    """Return nanoseconds for a Go duration such as `1.5h` or `-300ms` (`time.ParseDuration`)."""
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if rest == "":
        raise LiteralError(f"time: invalid duration {go_quote(text)}")
    total = 0.0
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            raise LiteralError(f"time: invalid duration {go_quote(text)}")
        match = re.match(r"([0-9]*)(?:\.([0-9]*))?", rest)
        assert match is not None
        whole, fraction = match.group(1), match.group(2)
        if not whole and not fraction:
            raise LiteralError(f"time: invalid duration {go_quote(text)}")
        rest = rest[match.end() :]
        unit_length = 0
        while unit_length < len(rest) and not (rest[unit_length] == "." or "0" <= rest[unit_length] <= "9"):
            unit_length += 1
        if unit_length == 0:
            raise LiteralError(f"time: missing unit in duration {go_quote(text)}")
        unit, rest = rest[:unit_length], rest[unit_length:]
        if unit not in _GO_UNITS:
            raise LiteralError(f"time: unknown unit {go_quote(unit)} in duration {go_quote(text)}")
        value = int(whole or "0") * _GO_UNITS[unit]
        if fraction:
            value += int(fraction) * _GO_UNITS[unit] / 10 ** len(fraction)
        total += value
        if total > _MAX_INT64 + (1 if negative else 0):
            raise LiteralError(f"time: invalid duration {go_quote(text)}")
    return int(-total if negative else total)


def parse_loki_duration(text: str) -> int:
    """Return nanoseconds the way Loki's lexer reads a duration outside `[...]`: Prometheus first, then Go."""
    try:
        return parse_prometheus_duration(text)
    except LiteralError:
        return parse_go_duration(text)


def parse_bytes(text: str) -> int:
    """Return the byte count of a size such as `20MB` or `2.5KiB` (go-humanize's `ParseBytes`)."""
    digits = 0
    for char in text:
        if not (char.isdecimal() or char in ".,"):
            break
        digits += 1
    number = text[:digits].replace(",", "")
    value = parse_float(number)
    unit = text[digits:].strip().lower()
    if unit not in _BYTE_UNITS:
        raise LiteralError(f"unhandled size name: {unit}")
    result = value * _BYTE_UNITS[unit]
    if result >= 2.0**64:
        raise LiteralError(f"too large: {text}")
    return int(result)


def parse_float(text: str) -> float:
    """Return the value of a number the way Go's `strconv.ParseFloat(text, 64)` reads it."""
    error = f"strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax"
    body = text.lstrip("+-")
    if _HEX_FLOAT.fullmatch(text):
        sign = -1.0 if text.startswith("-") else 1.0
        value = sign * float.fromhex(body.replace("_", ""))
    elif _DECIMAL_FLOAT.fullmatch(text) and _valid_underscores(body):
        value = float(text.replace("_", ""))
    else:
        raise LiteralError(error)
    if math.isinf(value):
        raise LiteralError(f"strconv.ParseFloat: parsing {go_quote(text)}: value out of range")
    return value


def _valid_underscores(text: str) -> bool:
    # Go accepts `_` only between two digits (strconv's underscoreOK).
    for index, char in enumerate(text):
        if char == "_" and not (0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()):
            return False
    return True


def parse_int(text: str) -> int:
    """Return the value of a base-10 integer the way Go's `strconv.Atoi` reads it."""
    if not _DECIMAL_INT.fullmatch(text):
        raise LiteralError(f"strconv.Atoi: parsing {go_quote(text)}: invalid syntax")
    value = int(text)
    if not -(1 << 63) <= value <= _MAX_INT64:
        raise LiteralError(f"strconv.Atoi: parsing {go_quote(text)}: value out of range")
    return value


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPE_DIGITS = {"x": (2, 16), "u": (4, 16), "U": (8, 16)}


def unquote(token: str) -> str:
    """Return the value of a quoted LogQL string, `"..."` with Go escapes or a raw `` `...` `` string."""
    if len(token) < 2 or token[0] != token[-1] or token[0] not in "\"'`":
        raise LiteralError("invalid syntax")
    quote, body = token[0], token[1:-1]
    if quote == "`":
        if "`" in body:
            raise LiteralError("invalid syntax")
        return body
    if "\n" in body:
        raise LiteralError("invalid syntax")
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == quote:
            raise LiteralError("invalid syntax")
        if char != "\\":
            out.append(char)
            index += 1
            continue
        if index + 1 >= len(body):
            raise LiteralError("invalid syntax")
        escape = body[index + 1]
        index += 2
        if escape in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[escape])
        elif escape == quote:
            out.append(quote)
        elif escape in _ESCAPE_DIGITS:
            count, base = _ESCAPE_DIGITS[escape]
            digits = body[index : index + count]
            if len(digits) < count or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise LiteralError("invalid syntax")
            value = int(digits, base)
            index += count
            if escape != "x" and (value > 0x10FFFF or 0xD800 <= value <= 0xDFFF):
                raise LiteralError("invalid syntax")
            out.append(chr(value))
        elif "0" <= escape <= "7":
            digits = body[index - 1 : index + 2]
            if len(digits) < 3 or any(d not in "01234567" for d in digits):
                raise LiteralError("invalid syntax")
            value = int(digits, 8)
            if value > 255:
                raise LiteralError("invalid syntax")
            index += 2
            out.append(chr(value))
        else:
            raise LiteralError("invalid syntax")
    return "".join(out)
