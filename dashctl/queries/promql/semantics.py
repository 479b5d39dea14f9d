"""What Prometheus checks in a query beyond what `promql_parser` checks: Go's regex dialect and experimental features.

Regexes. Prometheus parses every `=~`/`!~` matcher's value with Go's `regexp/syntax` (Perl flags) and compiles it
as `^(?s:<value>)$` (`model/labels/regexp.go`, `NewFastRegexMatcher`), so the value must parse on its own (`a)(b`
does not); `label_replace` compiles `^(?s:<regex>)$` when the query runs (`promql/functions.go`). `promql_parser`
is a Rust crate and compiles with Rust's `regex`, whose dialect differs: it refuses `\\Q...\\E` (valid in Go) and
accepts `a++` and `a{1001}` (invalid in Go). Each pattern is therefore checked with
`dashctl.queries.logql.regexsyntax`, written from Go's `regexp/syntax` parser (the checker LogQL uses: Loki compiles
with the same library), and a pattern Go accepts but the crate refuses is replaced, for the crate only, by a
stand-in of the same length that keeps its one property the grammar cares about (whether it matches the empty
string: a selector needs one matcher that does not).

Experimental functions. Prometheus refuses `sort_by_label`, `limitk` and the other functions marked `Experimental`
in `promql/parser/functions.go` unless it runs with `--enable-feature=promql-experimental-functions`; the crate
always accepts them. An environment declares that its Prometheus enables them with
`promql_experimental_functions = true` (docs/configuration.md); the build passes that on through
`experimental_functions(enabled=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import promql_parser

from dashctl.queries.logql.literals import LiteralError, unquote
from dashctl.queries.logql.regexsyntax import RegexError, parse_regex
from dashctl.queries.promql.dialect import experimental_functions, experimental_functions_enabled
from dashctl.queries.promql.lexer import Token
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = [
    "EXPERIMENTAL_AGGREGATIONS",
    "EXPERIMENTAL_FUNCTIONS",
    "RegexMatcher",
    "SemanticProblem",
    "experimental_functions",
    "experimental_functions_enabled",
    "find_experimental",
    "find_label_replace_problem",
    "find_regex_problem",
    "go_accepts",
    "needs_the_ast",
    "neutralise_regexes",
    "regex_matchers",
    "regexes_as_equalities",
    "regexes_pass",
]

EXPERIMENTAL_FUNCTIONS = frozenset(
    {"double_exponential_smoothing", "end", "first_over_time", "histogram_quantiles", "info", "integral",
     "mad_over_time", "range", "sort_by_label", "sort_by_label_desc", "start", "step", "ts_of_first_over_time",
     "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time"}
)  # fmt: skip
"""Functions with `Experimental: true` in Prometheus' `promql/parser/functions.go`."""

EXPERIMENTAL_AGGREGATIONS = frozenset({"limitk", "limit_ratio"})
"""Aggregations Prometheus' parser refuses unless experimental functions are enabled (`IsExperimentalAggregator`)."""

_REGEX_OPERATORS = ("=~", "!~")
_FEATURE_FLAG = "--enable-feature=promql-experimental-functions"
# A call's name is an identifier of the text, so a text without any of these words has no such call and needs no
# walk of its AST (most queries: the walk costs more than the parse).
_EXPERIMENTAL_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(EXPERIMENTAL_FUNCTIONS | EXPERIMENTAL_AGGREGATIONS)) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True, kw_only=True)
class RegexMatcher:
    """A `=~`/`!~` label matcher in the (substituted) query text: the string token and its value."""

    token: Token
    value: str


@dataclass(frozen=True, kw_only=True)
class SemanticProblem:
    """Something Prometheus refuses that the crate accepts: the message and the offset in the substituted text."""

    message: str
    position: int
    hint: str | None = None


def regex_matchers(tokens: list[Token]) -> list[RegexMatcher]:
    """Every regex matcher's value string in `tokens`, left to right (matchers sit inside `{...}`)."""
    found = []
    for index in range(1, len(tokens) - 1):
        if tokens[index].kind in _REGEX_OPERATORS and tokens[index + 1].kind == "string":
            string = tokens[index + 1]
            try:
                value = unquote(string.text)
            except LiteralError:
                continue  # the crate reports a malformed string itself
            found.append(RegexMatcher(token=string, value=value))
    return found


# Strings (with the lexer's backslash escapes, in all three quotes), comments, the regex operators, and runs of
# anything else: enough to find every string that follows `=~`/`!~` without the full tokenizer.
_REGEX_SCAN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)
      |(?P<skip>\#[^\r\n]*|\s+)
      |(?P<operator>[=!]~)
      |[^"'`\#=!\s]+
      |.""",
    re.DOTALL | re.VERBOSE,
)


def go_accepts(pattern: str) -> bool:
    """Whether Go's regexp package compiles `pattern` (a regex matcher's value, unquoted): memoised per pattern."""
    return _go_regex_error(pattern) is None


def regexes_pass(text: str) -> bool:
    """True when every string that follows `=~` or `!~` in `text` is a regex Go accepts.

    A quick check of the valid query: it finds every matcher `regex_matchers` would find in the tokens of a text
    that lexes (and perhaps more), so True with a text the crate parses means `find_regex_problem` finds nothing.
    False says only "look closer" (with the tokens).
    """
    after_operator = False
    for match in _REGEX_SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "string" and after_operator:
            try:
                value = unquote(match.group())
            except LiteralError:
                return False
            if _go_regex_error(value) is not None:
                return False
        after_operator = kind == "operator"
    return True


_NAME_CHARACTER = re.compile(r"[A-Za-z0-9_:]")
_EXPERIMENTAL_LOWERED = tuple(sorted(name.lower() for name in EXPERIMENTAL_FUNCTIONS | EXPERIMENTAL_AGGREGATIONS))


def needs_the_ast(text: str) -> bool:
    """Whether `find_experimental` or `find_label_replace_problem` may find something in `text` (then they must see
    the crate's AST of it as it is)."""
    lowered = text.lower()
    if "label_replace" in lowered:
        return True
    # A substring search per name first: the word regex costs more than the whole quick parse.
    return any(name in lowered for name in _EXPERIMENTAL_LOWERED) and _EXPERIMENTAL_WORD.search(text) is not None


def regexes_as_equalities(text: str) -> str | None:
    """`text` with every regex matcher made an equality matcher of the same value (`=~` → `= `, `!~` → `!=`: the
    same length), for a parse that compiles no regex; None where that could change the verdict on the query.

    The crate compiles each regex it meets (most of a query's parse); the only other thing a regex matcher decides
    is whether its selector has a matcher that cannot match the empty string. So only matchers inside the braces of
    a named selector (`x{...}`), on another label than `__name__`, are made equalities; any other regex matcher
    gives None, and so does a regex Go's rules refuse (what `regexes_pass` checks, in the same scan).
    """
    pieces, last = [], 0
    named: bool | None = None  # inside braces: whether a metric name precedes them
    label, previous = "", ""
    for match in _REGEX_SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "string":
            if previous == "operator":
                try:
                    if _go_regex_error(unquote(match.group())) is not None:
                        return None
                except LiteralError:
                    return None
            previous = kind
            continue
        if kind == "operator":
            if not named or label == "__name__" or previous == "string":  # a quoted label name: not read here
                return None
            pieces.append(text[last:match.start()])
            pieces.append("= " if match.group() == "=~" else "!=")
            last, previous = match.end(), kind
            continue
        run = match.group()
        for offset, character in enumerate(run):
            if character == "{":
                position = match.start() + offset
                named = position > 0 and _NAME_CHARACTER.match(text, position - 1) is not None
            elif character == "}":
                named = None
        label, previous = re.split(r"[{,\s]", run)[-1], "run"
    pieces.append(text[last:])
    return "".join(pieces)


@lru_cache(maxsize=1024)  # the same few patterns recur across thousands of queries (`code=~"5.."`)
def _go_regex_error(pattern: str, *, anchored: bool = False) -> RegexError | None:
    # A Grafana variable inside the pattern stands for text Grafana fills in: read it as a letter.
    pattern = VARIABLE_PATTERN.sub("x", pattern)
    try:
        parse_regex("^(?s:" + pattern + ")$" if anchored else pattern)
    except RegexError as error:
        return error
    return None


def find_regex_problem(matchers: list[RegexMatcher]) -> SemanticProblem | None:
    """The first matcher whose regex Go's `regexp` refuses, as Prometheus reports it."""
    for matcher in matchers:
        error = _go_regex_error(matcher.value)
        if error is not None:
            return SemanticProblem(
                message=str(error),
                position=matcher.token.start,
                hint="Prometheus compiles regexes with Go's RE2 syntax: no lookaround, backreferences or possessive "
                "repeats, at most 1000 repetitions",
            )
    return None


def neutralise_regexes(text: str, matchers: list[RegexMatcher]) -> str:
    """`text` with each matcher's string replaced by a same-length regex the crate accepts, of the same emptiness."""
    pieces = []
    last = 0
    for matcher in matchers:
        token = matcher.token
        inner = token.end - token.start - 2
        empty = parse_regex(VARIABLE_PATTERN.sub("x", matcher.value)).matches_empty
        stand_in = ("^" * (inner % 2) + "x?" * (inner // 2)) if empty else "x" * inner
        pieces.append(text[last : token.start + 1] + stand_in)
        last = token.end - 1
    pieces.append(text[last:])
    return "".join(pieces)


def find_experimental(
    expr: promql_parser.Expr, text: str, tokens: Callable[[], list[Token]]
) -> SemanticProblem | None:
    """The first experimental function or aggregation in `expr` (parsed from `text`), worded as Prometheus words
    it; `tokens` gives the tokens of `text`, asked for only to place a problem."""
    if _EXPERIMENTAL_WORD.search(text) is None:
        return None
    from dashctl.queries.promql.analysis import walk_promql

    for node in walk_promql(expr):
        if isinstance(node, promql_parser.Call) and node.func.name in EXPERIMENTAL_FUNCTIONS:
            name, message = node.func.name, f"function {node.func.name!r} is not enabled".replace("'", '"')
        elif isinstance(node, promql_parser.AggregateExpr) and str(node.op) in EXPERIMENTAL_AGGREGATIONS:
            name = str(node.op)
            message = f"{name}() is experimental and must be enabled with {_FEATURE_FLAG}"
        else:
            continue
        return SemanticProblem(
            message=message,
            position=_call_position(tokens(), name),
            hint="if the environment's Prometheus runs with --enable-feature=promql-experimental-functions, set "
            "promql_experimental_functions = true under [tool.dashctl.environments.<env>]",
        )
    return None


def find_label_replace_problem(
    expr: promql_parser.Expr, text: str, tokens: Callable[[], list[Token]]
) -> SemanticProblem | None:
    """A `label_replace` whose regex Go refuses: Prometheus fails such a query every time it runs it. `text` and
    `tokens` as for `find_experimental`."""
    if "label_replace" not in text.lower():
        return None
    from dashctl.queries.promql.analysis import walk_promql

    for node in walk_promql(expr):
        if not (isinstance(node, promql_parser.Call) and node.func.name == "label_replace" and len(node.args) == 5):
            continue
        regex = node.args[4]
        if not isinstance(regex, promql_parser.StringLiteral):
            continue
        error = _go_regex_error(regex.val, anchored=True)
        if error is not None:
            return SemanticProblem(
                message=f"invalid regular expression in label_replace(): {error}",
                position=_call_position(tokens(), "label_replace"),
            )
    return None


def _call_position(tokens: list[Token], name: str) -> int:
    for index, token in enumerate(tokens[:-1]):
        if token.text.lower() == name and tokens[index + 1].kind == "(":  # LIMITK is an aggregation too
            return token.start
    return 0
