"""PromQL selectors: a metric name, label matchers with escaped values, and an offset."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from dashctl.queries.promql.expression import Expr, builder_error, check_label, check_offset, quote
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = [
    "LabelValue",
    "Matcher",
    "Not",
    "NotRegex",
    "Regex",
    "Selector",
    "metric",
    "offset",
    "one_of",
    "render_matchers",
]

_METRIC_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


@dataclass(frozen=True)
class Regex:
    """A label value that must match this RE2 regex, fully anchored: `label=~"pattern"`."""

    pattern: str


@dataclass(frozen=True)
class NotRegex:
    """A label value that must not match this RE2 regex: `label!~"pattern"`."""

    pattern: str


@dataclass(frozen=True)
class Not:
    """A label value that must differ from this one: `label!="value"`."""

    value: str


LabelValue = str | int | Regex | NotRegex | Not


def one_of(*values: str) -> Regex:
    """A regex matching exactly one of `values`, each taken literally: `one_of("GET", "POST")` is `GET|POST`."""
    if not values:
        raise builder_error("one_of() needs at least one value")
    return Regex("|".join(_REGEX_SPECIAL.sub(r"\\\1", value) for value in values))


@dataclass(frozen=True, kw_only=True)
class Matcher:
    """One label matcher of a selector: `label`, one of `=`, `!=`, `=~`, `!~`, and a value."""

    label: str
    operator: str
    value: str

    def __post_init__(self) -> None:
        check_label(self.label)
        if self.operator not in ("=", "!=", "=~", "!~"):
            raise builder_error(f"invalid matcher operator {self.operator!r}", hint="use =, !=, =~ or !~")
        if not isinstance(self.value, str):
            raise builder_error(f"label {self.label!r}: the value must be a string, not {type(self.value).__name__}")

    @classmethod
    def of(cls, label: str, value: LabelValue) -> Matcher:
        """The matcher for `label=value`, where Regex, NotRegex and Not choose the operator."""
        if isinstance(value, Regex):
            return cls(label=label, operator="=~", value=value.pattern)
        if isinstance(value, NotRegex):
            return cls(label=label, operator="!~", value=value.pattern)
        if isinstance(value, Not):
            return cls(label=label, operator="!=", value=value.value)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(label=label, operator="=", value=str(value))
        return cls(label=label, operator="=", value=value)

    def render(self) -> str:
        return f"{self.label}{self.operator}{quote(self.value)}"

    def __str__(self) -> str:
        return self.render()


def render_matchers(matchers: Iterable[Matcher]) -> str:
    """`{a="b", c=~"d"}` for the given matchers."""
    return "{" + ", ".join(matcher.render() for matcher in matchers) + "}"


@dataclass(frozen=True, kw_only=True)
class Selector(Expr):
    """An instant vector selector: a metric name and label matchers, optionally shifted by `offset`."""

    language: ClassVar[str | None] = "PromQL"
    metric: str | None
    matchers: tuple[Matcher, ...] = ()
    offset: str | None = None

    def __post_init__(self) -> None:
        if self.metric is not None and not _METRIC_NAME.fullmatch(VARIABLE_PATTERN.sub("x", self.metric)):
            raise builder_error(
                f"invalid metric name {self.metric!r}", hint="metric names match [a-zA-Z_:][a-zA-Z0-9_:]*"
            )
        if self.metric is None and not self.matchers:
            raise builder_error("a selector needs a metric name or at least one label matcher")
        if self.offset is not None:
            check_offset(self.offset)

    def where(self, **labels: LabelValue) -> Selector:
        """This selector with more label matchers; `Regex`, `NotRegex` and `Not` values choose the operator."""
        added = tuple(Matcher.of(label, value) for label, value in labels.items())
        return dataclasses.replace(self, matchers=self.matchers + added)

    def render(self) -> str:
        return self._render(None)

    def render_range(self, window: str) -> str:
        """The range vector selector `name{...}[window]`, with the offset after the range as PromQL wants it."""
        return self._render(window)

    def _render(self, window: str | None) -> str:
        text = self.metric or ""
        if self.matchers or not self.metric:
            text += render_matchers(self.matchers)
        if window is not None:
            text += f"[{window}]"
        if self.offset is not None:
            text += f" offset {self.offset}"
        return text


def metric(name: str | None, /, **labels: LabelValue) -> Selector:
    """Select a metric: `metric("up", job="api", status_code=Regex("5.."))`; `name=None` for labels only."""
    return Selector(metric=name, matchers=tuple(Matcher.of(label, value) for label, value in labels.items()))


def offset(expr: Expr, duration: str) -> Expr:
    """`expr` with every selector in it shifted back by `duration`: the same query a week ago."""
    check_offset(duration)
    return _map_selectors(expr, lambda selector: dataclasses.replace(selector, offset=duration))


def _map_selectors(node: object, change: Callable[[Selector], Selector]) -> object:
    if isinstance(node, Selector):
        return change(node)
    if isinstance(node, tuple):
        return tuple(_map_selectors(item, change) for item in node)
    if not (isinstance(node, Expr) and dataclasses.is_dataclass(node)):
        return node
    changes = {f.name: _map_selectors(getattr(node, f.name), change) for f in dataclasses.fields(node) if f.init}
    return dataclasses.replace(node, **changes)

