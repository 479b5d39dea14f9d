"""Grafana template variables inside PromQL and LogQL queries.

Grafana interpolates `$__rate_interval`, `$__interval`, `$__range`, `$__auto`, `$namespace`, `${var}`,
`${var:csv}`, `[[var]]` and friends into a query before the datasource ever sees it, so a raw query is not valid
PromQL as written. To validate it with a real parser we replace each variable by a placeholder of the type its
position demands, keep where every placeholder came from, and translate the parser's error positions back to the
query the user wrote.

Placeholder types, decided from the surrounding text (not from the variable's name, which says nothing reliable):

- inside a double-, single- or back-quoted string, or a `#` comment: left alone. Grafana interpolates the value
  into the string (`namespace="$namespace"`, `pod=~"${pod:regex}"`); the parser only needs a valid string, and
  `$` is a valid regex anchor, so the raw text parses and means the same thing structurally.
- inside `[...]` (a range or subquery) or after `offset` (and `offset -`): a duration. When a unit follows the
  variable directly, as in `[${__range_s}s]`, a bare number, so that number and unit make the duration.
- inside `{...}`, inside the label list of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`, glued to a
  name (`node_${device}_bytes`, `$job:rate5m`), or followed by `{`, `[`, `offset` or `@`: an identifier, because
  only a name may stand there.
- between two operands (after a name, number, string, closing bracket or another operand variable, and before
  the start of an operand), as in `a $op b`: a binary operator (`+`). Grafana fills in the text `>` or `/`, and
  two operands side by side are never PromQL, so nothing else could stand there.
- before `(`, or before `by`/`without` and a label list, where no operand ends: a function or aggregation name
  (`$agg(...)`, `$fn(x[5m])`), as the call's arguments fit: `rate` for one range, `quantile_over_time` for a
  number and a range, `topk` for a number and a vector, else `sum`.
- anywhere else: a number. A number is a complete expression wherever one may stand, and it also satisfies the
  scalar parameters (`topk($k, ...)`, `histogram_quantile($q, ...)`, `x > $threshold`). Such a placeholder is
  marked ambiguous: the value might be a metric name instead (`sum($metric)` needs a vector), so a validator that
  gets a type error retries with `Substitution.ambiguous` placeholders as identifiers (`substitute_variables(...,
  as_identifiers=...)`) before reporting it.

Duration placeholders are distinct per occurrence (1000003s, 1000004s, ...; no dashboard writes those) so that a
lint rule looking at a parsed range can ask `Substitution.duration_variable()` which variable it was, e.g. whether
a `rate()` window was `$__rate_interval`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BUILTIN_PREFIX",
    "Placeholder",
    "Substitution",
    "VARIABLE_PATTERN",
    "VariableReference",
    "find_variables",
    "substitute_variables",
    "variable_names",
]

# Grafana's own pattern, public/app/features/variables/utils.ts (`variableRegex`): `$name`, `[[name(:format)]]`,
# `${name(.fieldPath)(:format)}`. JavaScript's \w is ASCII, hence re.ASCII.
VARIABLE_PATTERN = re.compile(
    r"\$(?P<plain>\w+)"
    r"|\[\[(?P<bracket>\w+?)(?::(?P<bracket_format>\w+))?\]\]"
    r"|\$\{(?P<braced>\w+)(?:\.(?P<field>[^:^}]+))?(?::(?P<braced_format>[^}]+))?\}",
    re.ASCII,
)

BUILTIN_PREFIX = "__"
"""Grafana reserves names starting with `__` for its own variables (`$__interval`, `$__range`, `$__auto`, ...)."""

_DURATION_BASE = 1_000_003
_IDENTIFIER_PREFIX = "grafana_var_"
_NUMBER = "1"
_OPENERS = {"(": "paren", "[": "bracket", "{": "brace"}
_GROUPING_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_NAME_CHARACTER = re.compile(r"[A-Za-z0-9_:]")

# One alternative per lexical element the scanner cares about; everything else is a single other character.
_SCANNER = re.compile(
    r"""(?P<variable>\$\{[^}]*\}|\$\w+|\[\[\w+?(?::\w+)?\]\])
      |(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)
      |(?P<comment>\#[^\r\n]*)
      |(?P<word>[A-Za-z_:][A-Za-z0-9_:]*)
      |(?P<number>[0-9.][0-9A-Za-z.]*)
      |(?P<space>\s+)
      |(?P<other>.)""",
    re.ASCII | re.VERBOSE | re.DOTALL,
)

# `_SCANNER`'s strings, comments and variables (the same patterns, in its order), for `_only_range_variables`.
_STRINGS_AND_VARIABLES = re.compile(
    r"""(?P<variable>\$\{[^}]*\}|\$\w+|\[\[\w+?(?::\w+)?\]\])
      |(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)
      |(?P<comment>\#[^\r\n]*)""",
    re.ASCII | re.VERBOSE | re.DOTALL,
)

PlaceholderKind = Literal["duration", "number", "identifier", "operator", "function"]
_OPERATOR = "+"
# Words after which an operand has not ended: operators, modifiers and aggregations (`sum $x` is no operand pair).
_NOT_OPERAND_END = frozenset(
    {"and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
     "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values", "quantile",
     "limitk", "limit_ratio"}
)  # fmt: skip
_GROUPED_AGGREGATION = re.compile(r"(by|without)\s*\(", re.IGNORECASE)
_OPERAND_START = re.compile(r"[A-Za-z_:0-9.({\"'`$+-]|\[\[")


@dataclass(frozen=True, kw_only=True)
class VariableReference:
    """One use of a Grafana template variable: `$name`, `${name:format}`, `${name.field}` or `[[name:format]]`."""

    name: str
    text: str
    start: int
    end: int
    format: str | None = None
    field: str | None = None

    @property
    def builtin(self) -> bool:
        """True for Grafana's own variables (`$__interval`, `$__rate_interval`, `${__from:date}`, ...)."""
        return self.name.startswith(BUILTIN_PREFIX)


@dataclass(frozen=True, kw_only=True)
class Placeholder:
    """What one variable was replaced by, and where it sits in the substituted text."""

    variable: VariableReference
    kind: PlaceholderKind
    text: str
    start: int
    end: int
    ambiguous: bool = False


@dataclass(frozen=True, kw_only=True)
class Substitution:
    """A query with its variables replaced by typed placeholders, and the way back to the original offsets."""

    original: str
    text: str
    placeholders: tuple[Placeholder, ...] = ()

    @property
    def ambiguous(self) -> tuple[int, ...]:
        """Indexes (into `placeholders`) of numbers that might as well be metric names."""
        return tuple(index for index, placeholder in enumerate(self.placeholders) if placeholder.ambiguous)

    def original_offset(self, position: int) -> int:
        """Translate a 0-based offset in `text` into one in `original`; inside a placeholder, the variable's start."""
        shift = 0
        for placeholder in self.placeholders:
            if position < placeholder.start:
                break
            if position < placeholder.end:
                return placeholder.variable.start
            shift += (placeholder.end - placeholder.start) - (placeholder.variable.end - placeholder.variable.start)
        return max(0, min(len(self.original), position - shift))

    def duration_variable(self, seconds: float) -> VariableReference | None:
        """The variable whose duration placeholder parses to `seconds`, if any (e.g. a rate window)."""
        seconds = abs(seconds)
        for placeholder in self.placeholders:
            if placeholder.kind == "duration" and seconds == int(seconds) and placeholder.text == f"{int(seconds)}s":
                return placeholder.variable
        return None

    def restore(self, name: str) -> str:
        """`name` from the parsed text with identifier placeholders turned back into the variables written."""
        for placeholder in sorted(self.placeholders, key=lambda p: len(p.text), reverse=True):
            if placeholder.kind == "identifier":
                name = name.replace(placeholder.text, placeholder.variable.text)
        return name

    def identifier_variable(self, name: str) -> VariableReference | None:
        """The variable whose identifier placeholder is exactly `name` (a metric or label name), if any."""
        for placeholder in self.placeholders:
            if placeholder.kind == "identifier" and placeholder.text == name:
                return placeholder.variable
        return None


def find_variables(query: str) -> tuple[VariableReference, ...]:
    """Every variable reference in `query`, in order, wherever it is (strings and comments included)."""
    return tuple(_reference(match) for match in VARIABLE_PATTERN.finditer(query))


def variable_names(query: str) -> tuple[str, ...]:
    """The dashboard variables `query` uses, in order of first use, without Grafana's built-in `__` ones.

    Names made only of digits are left out: `$1` and `${1}` are regex capture groups in `label_replace`
    replacements and LogQL templates, and Grafana leaves a reference it cannot resolve as it is.
    """
    names: dict[str, None] = {}
    for reference in find_variables(query):
        if not reference.builtin and not reference.name.isdigit():
            names.setdefault(reference.name)
    return tuple(names)


def substitute_variables(query: str, *, as_identifiers: frozenset[int] = frozenset()) -> Substitution:
    """Replace every variable outside strings and comments by a placeholder a PromQL parser accepts.

    `as_identifiers` holds indexes of ambiguous placeholders (see `Substitution.ambiguous`, numbered as in the
    substitution made without it) to render as metric names instead of numbers.
    """
    if "$" not in query and "[[" not in query:
        return Substitution(original=query, text=query)
    if not as_identifiers:
        ranged = _only_range_variables(query)
        if ranged is not None:
            return ranged
    pieces: list[str] = []
    placeholders: list[Placeholder] = []
    stack: list[str] = []  # "paren", "labels" (a grouping label list), "brace", "bracket"
    recent: list[str] = ["", ""]  # the last two significant tokens, lowercased, to spot `offset` and `offset -`
    length = 0
    durations = 0
    for match in _SCANNER.finditer(query):
        kind = match.lastgroup
        text = match.group()
        variable = VARIABLE_PATTERN.fullmatch(text) if kind == "variable" else None
        if variable is not None:
            reference = _reference(variable, offset=match.start())
            placeholder_kind, ambiguous = _placeholder_kind(query, match.start(), match.end(), stack, recent)
            index = len(placeholders)
            if placeholder_kind == "duration":
                replacement = f"{_DURATION_BASE + durations}s"
                durations += 1
            elif placeholder_kind == "operator":
                replacement = _OPERATOR
            elif placeholder_kind == "function":
                replacement = _function_placeholder(query, match.end())
            elif placeholder_kind == "identifier" or index in as_identifiers:
                replacement = f"{_IDENTIFIER_PREFIX}{reference.name}"
                placeholder_kind = "identifier"
            else:
                replacement = _NUMBER
            placeholders.append(
                Placeholder(
                    variable=reference,
                    kind=placeholder_kind,
                    text=replacement,
                    start=length,
                    end=length + len(replacement),
                    ambiguous=ambiguous,
                )
            )
            pieces.append(replacement)
            length += len(replacement)
            recent = [recent[1], "variable"]
            continue
        pieces.append(text)
        length += len(text)
        if kind in ("space", "comment"):
            continue
        if kind == "other" and text in _OPENERS:
            opener = _OPENERS[text]
            stack.append("labels" if opener == "paren" and recent[1] in _GROUPING_KEYWORDS else opener)
        elif kind == "other" and text in ")]}" and stack:
            stack.pop()
        recent = [recent[1], text.lower() if kind == "word" else text]
    return Substitution(original=query, text="".join(pieces), placeholders=tuple(placeholders))


def _only_range_variables(query: str) -> Substitution | None:
    """The substitution of a query whose every variable is a whole range (`[$__rate_interval]`), found without the
    full scan; None for any other query.

    Most dashboard queries are of this kind. The scan skips strings and comments as `_SCANNER` reads them (no word,
    number or other token of its holds a quote, `#`, `$` or `[`, so both see the same ones), and a variable right
    after a `[` that is not in a string or comment is in a bracket: `_placeholder_kind` makes it a duration when a
    `]` follows.
    """
    pieces: list[str] = []
    placeholders: list[Placeholder] = []
    last = 0
    length = 0
    for match in _STRINGS_AND_VARIABLES.finditer(query):
        if match.lastgroup != "variable":
            continue
        start, end = match.span()
        variable = VARIABLE_PATTERN.fullmatch(match.group())
        if variable is None or query[start - 1 : start] != "[" or query[end : end + 1] != "]":
            return None
        replacement = f"{_DURATION_BASE + len(placeholders)}s"
        pieces.append(query[last:start])
        length += start - last
        placeholders.append(Placeholder(variable=_reference(variable, offset=start), kind="duration",
                                        text=replacement, start=length, end=length + len(replacement)))
        pieces.append(replacement)
        length += len(replacement)
        last = end
    pieces.append(query[last:])
    return Substitution(original=query, text="".join(pieces), placeholders=tuple(placeholders))


def _placeholder_kind(
    query: str, start: int, end: int, stack: list[str], recent: list[str]
) -> tuple[PlaceholderKind, bool]:
    """The placeholder type for the variable at query[start:end], and whether it is an ambiguous number."""
    context = stack[-1] if stack else None
    after = query[end : end + 1]
    if context == "bracket":
        return ("number" if after.isalnum() else "duration"), False
    if recent[1] == "offset" or recent == ["offset", "-"]:
        return "duration", False
    if context in ("brace", "labels"):
        return "identifier", False
    before = query[start - 1 : start] if start else ""
    if _NAME_CHARACTER.fullmatch(before or " ") or _NAME_CHARACTER.fullmatch(after or " "):
        return "identifier", False
    following = query[end:].lstrip()
    if following[:1] in ("{", "[", "@") or re.match(r"offset\b", following, re.IGNORECASE):
        return "identifier", False
    if _ends_operand(recent[1]) and _OPERAND_START.match(following):
        return "operator", False
    if following.startswith("(") or _GROUPED_AGGREGATION.match(following):
        return "function", False
    return "number", True


def _function_placeholder(query: str, end: int) -> str:
    """A function or aggregation whose arguments fit the call after query[end:] (see the module docstring)."""
    opening = query.find("(", end)
    depth, comma, matrix = 0, False, False
    for char in query[opening:]:
        if char in "([{":
            depth += 1
            matrix |= char == "[" and depth == 2
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                break
        elif char == "," and depth == 1:
            comma = True
    if matrix:
        return "quantile_over_time" if comma else "rate"
    return "topk" if comma else "sum"


def _ends_operand(token: str) -> bool:
    """Whether the significant token `token` (lowercased words) can be the last one of an operand."""
    if token in (")", "]", "}", "variable") or token[:1] in ("\"", "'", "`"):
        return True
    if token[:1].isdigit() or token[:1] == ".":
        return True
    return bool(token) and (token[0].isalpha() or token[0] in "_:") and token not in _NOT_OPERAND_END


def _reference(match: re.Match[str], offset: int = 0) -> VariableReference:
    name = match.group("plain") or match.group("bracket") or match.group("braced")
    return VariableReference(
        name=name,
        text=match.group(),
        start=offset + match.start(),
        end=offset + match.end(),
        format=match.group("bracket_format") or match.group("braced_format"),
        field=match.group("field"),
    )
