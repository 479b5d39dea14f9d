"""Render Grafana alert annotation templates (Go templates) for the LogQL test evaluator.

Covered: `{{ $labels.name }}`, `{{ index $labels "name" }}`, `{{ $values.B.Value }}` (or `$values.B`),
`{{ $values.B.Labels.name }}`, literals, pipelines, and the functions humanize, humanize1024,
humanizePercentage, humanizeDuration, printf, title, toUpper, toLower, as Prometheus and Grafana define them
(prometheus/prometheus: template/template.go). Control structures (if, range, with) and Grafana's `$value`
(a string of every value) raise UnsupportedTemplate, which the runner reports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["UnsupportedTemplate", "humanize", "render_annotation"]

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)
_ARGUMENT = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s|()]+|\|')


class UnsupportedTemplate(ValueError):
    """A template construct the test evaluator does not render."""


def render_annotation(
    template: str, *, labels: Mapping[str, str], values: Mapping[str, tuple[dict[str, str], float]]
) -> str:
    """Render `template` for one alert: its labels, and each refId's (labels, value)."""
    output: list[str] = []
    position = 0
    for match in _ACTION.finditer(template):
        text = template[position:match.start()]
        if match.group(1):
            text = text.rstrip()
        output.append(text)
        output.append(_action(match.group(2), labels, values))
        position = match.end()
        if match.group(3):
            rest = template[position:]
            position += len(rest) - len(rest.lstrip())
    output.append(template[position:])
    return "".join(output)


def _action(body: str, labels: Mapping[str, str], values: Mapping[str, tuple[dict[str, str], float]]) -> str:
    words = body.split()
    if not words:
        return ""
    if words[0] in ("if", "else", "end", "range", "with", "define", "template", "block") or body.startswith("/*"):
        raise UnsupportedTemplate(f"{{{{ {words[0]} }}}} is not supported by the test evaluator")
    commands = [command.strip() for command in _split_pipeline(body)]
    result: Any = None
    for index, command in enumerate(commands):
        arguments = _ARGUMENT.findall(command)
        if not arguments:
            raise UnsupportedTemplate(f"empty command in {{{{ {body} }}}}")
        head, rest = arguments[0], [_operand(a, labels, values) for a in arguments[1:]]
        if index > 0:
            rest.append(result)
        if head in _FUNCTIONS:
            result = _FUNCTIONS[head](*rest)
        elif not rest:
            result = _operand(head, labels, values)
        else:
            raise UnsupportedTemplate(f"unknown function {head!r}")
    return _text(result)


def _split_pipeline(body: str) -> list[str]:
    parts, current, quote = [], [], ""
    for character in body:
        if quote:
            current.append(character)
            if character == quote:
                quote = ""
        elif character in "\"`":
            quote = character
            current.append(character)
        elif character == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def _operand(token: str, labels: Mapping[str, str], values: Mapping[str, tuple[dict[str, str], float]]) -> Any:
    if token.startswith('"'):
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), token[1:-1])
    if token.startswith("`"):
        return token[1:-1]
    if re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", token):
        return float(token) if any(c in token for c in ".eE") else int(token)
    if token == "$labels":
        return dict(labels)
    if token.startswith("$labels."):
        return labels.get(token[len("$labels."):], "")
    if token == "$value":
        raise UnsupportedTemplate("Grafana's $value is a string of every query's value; use $values.B.Value")
    match = re.fullmatch(r"\$values\.([A-Za-z0-9_]+)(?:\.(Value|Labels)(?:\.([A-Za-z0-9_]+))?)?", token)
    if match:
        ref, field, label = match.groups()
        if ref not in values:
            raise UnsupportedTemplate(f"$values.{ref}: the rule has no reduce/math/instant result {ref!r}")
        ref_labels, value = values[ref]
        if field == "Labels":
            return ref_labels.get(label or "", "") if label else dict(ref_labels)
        return value
    raise UnsupportedTemplate(f"{token!r} is not supported by the test evaluator")


def humanize(value: Any) -> str:
    """Prometheus' humanize: 4 significant digits with an SI prefix (1234 → 1.234k, 0.0123 → 12.3m)."""
    v = float(value)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    if abs(v) >= 1:
        for candidate in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = candidate, v / 1000
        return _g4(v) + prefix
    for candidate in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = candidate, v * 1000
    return _g4(v) + prefix


def _humanize_1024(value: Any) -> str:
    v = float(value)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    for candidate in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = candidate, v / 1024
    return _g4(v) + prefix


def _humanize_duration(value: Any) -> str:
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return _g4(v)
    if v == 0:
        return "0s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        days, rest = divmod(int(v), 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        seconds_float = seconds + (v - int(v))
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {int(seconds_float)}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {int(seconds_float)}s"
        if minutes:
            return f"{sign}{minutes}m {int(seconds_float)}s"
        return f"{sign}{_g4(seconds_float)}s"
    prefix = ""
    for candidate in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = candidate, v * 1000
    return f"{_g4(v)}{prefix}s"


def _g4(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return "%.4g" % value


def _printf(pattern: str, *arguments: Any) -> str:
    converted = tuple(float(a) if isinstance(a, (int, float)) and re.search(r"%[-+ #0]*\d*(\.\d+)?[fegEG]", pattern)
                      else a for a in arguments)
    try:
        return pattern % converted
    except (TypeError, ValueError) as error:
        raise UnsupportedTemplate(f"printf {pattern!r}: {error}") from None


def _text(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return "" if value is None else str(value)


_FUNCTIONS = {
    "humanize": humanize,
    "humanize1024": _humanize_1024,
    "humanizePercentage": lambda v: _g4(float(v) * 100) + "%",
    "humanizeDuration": _humanize_duration,
    "printf": _printf,
    "title": lambda s: str(s).title(),
    "toUpper": lambda s: str(s).upper(),
    "toLower": lambda s: str(s).lower(),
    "index": lambda mapping, key: (mapping or {}).get(key, "") if isinstance(mapping, dict) else "",
}
