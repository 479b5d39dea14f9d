"""Validate PromQL with the real parser and say where it is wrong.

The parser is `promql_parser` (Python bindings of GreptimeTeam/promql-parser, a Rust port of Prometheus' parser,
compatible with Prometheus 2.45 and later additions). It raises `ValueError` whose text is the whole report: no
position, and for every grammar error the same text, "invalid promql query" (the crate drops lrpar's error list,
`src/parser/parse.rs`). dashctl therefore finds the position itself:

1. lexical errors (an unclosed parenthesis or string, a stray character): `lexer.tokenize_promql` follows the
   crate's lexer and knows the offset; an unclosed parenthesis or bracket points at the end of the query, as
   Prometheus does.
2. grammar errors ("invalid promql query", "unexpected ... in label matching", ...): the first token after which
   no completion parses. Each prefix of the token stream is closed with a handful of completions (an operand, a
   label matcher, a duration, the closing brackets) and given to the real parser; a prefix that none of them turns
   into a query marks the offending token. When every prefix can still be completed the query ended too early,
   and the position is its end.
3. type errors (a rate over an instant vector, an unknown function, a bad regex): the first token before which
   the query closes a bracket or ends, and whose prefix, closed with brackets only, reproduces the same message;
   for a message naming a function, the start of that function's name.

Grafana variables are replaced by typed placeholders first (`dashctl.queries.variables`) and positions are
translated back to the query as written.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import promql_parser

from dashctl.errors import QuerySyntaxError
from dashctl.queries.promql.lexer import LexicalError, Token, tokenize_promql
from dashctl.queries.promql.semantics import (
    experimental_functions_enabled,
    find_experimental,
    find_label_replace_problem,
    find_regex_problem,
    neutralise_regexes,
    regex_matchers,
    needs_the_ast,
    regexes_as_equalities,
    regexes_pass,
)
from dashctl.queries.promql.shapes import has_common_shape
from dashctl.queries.variables import Substitution, substitute_variables
from dashctl.spelling import closest

__all__ = ["ParsedPromQL", "check_promql", "parse_promql"]

LANGUAGE = "PromQL"
_GENERIC_SYNTAX_ERROR = "invalid promql query"
_CRATE_REGEX_ERROR = "illegal regex"
# Messages that mean "this text is not PromQL grammar", as opposed to a well-formed query that does not type-check.
_SYNTAX_MESSAGE = re.compile(
    r"^(invalid promql query|invalid syntax|unexpected |invalid label matcher|trailing commas not allowed"
    r"|no (offset|@) modifiers allowed before range|.* is not valid label in grouping opts"
    r"|unclosed left parenthesis|too many left parentheses|unterminated quoted string|unknown escape sequence"
    r"|escape sequence not terminated|bad number or duration syntax|'!' can not be at the end"
    r"|expect duration before first colon|no expression found in input)"
)
# Tried, in this order, at the end of a prefix before its brackets are closed; see the module docstring.
_COMPLETIONS = (
    "",
    " 1",
    " a",
    ' a="a"',
    '="a"',
    ' "a"',
    " 5m",
    " (1)",
    " (a)",
    " (a) (1)",
    " (a) 1",
    "()",
    ":",
)
_GROUPING = frozenset({"by", "without"})
_MATCHING = frozenset({"on", "ignoring", "group_left", "group_right"})
_FUNCTION_MESSAGE = re.compile(r"function (?:with name )?'(?P<name>\w+)'|in call to '(?P<call>\w+)'")
_MAX_AMBIGUOUS = 4
_UNKNOWN_FUNCTION = re.compile(r"unknown function with name '(\w+)'")
# Prometheus' functions (promql/parser/functions.go) and aggregation operators; `_known_functions` keeps those
# the parser in use knows.
_FUNCTION_NAMES = (
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg", "avg_over_time",
    "bottomk", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count", "count_over_time",
    "count_values", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv",
    "double_exponential_smoothing", "exp", "floor", "group", "histogram_avg", "histogram_count",
    "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum",
    "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
    "limit_ratio", "limitk", "ln", "log10", "log2", "mad_over_time", "max", "max_over_time", "min",
    "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile",
    "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label",
    "sort_by_label_desc", "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar", "stdvar_over_time", "sum",
    "sum_over_time", "tan", "tanh", "time", "timestamp", "topk", "vector", "year",
)  # fmt: skip
_TOKEN_TEXT = re.compile(r"\$\{[^}]*\}|\$\w+|\[\[\w+(?::\w+)?\]\]|[\w:.]+|[=!<>]=|=~|!~|\S")
# How to fix the mistakes people make most, keyed by the start of the parser's message.
_HINTS = (
    ("unclosed left parenthesis", "every '(' needs its ')'"),
    ("unexpected character inside brackets", "a range is a duration (5m) or a variable ($__rate_interval), then ']'"),
    ("expected type matrix in call to function", "give the function a range, e.g. x[$__rate_interval]"),
    ("unknown function", "see https://prometheus.io/docs/prometheus/latest/querying/functions/"),
    ("comparisons between scalars must use BOOL modifier", "write `> bool` to compare two numbers"),
)


@dataclass(frozen=True, kw_only=True)
class ParsedPromQL:
    """A query that parsed: the original text, what the parser saw, and the AST (`promql_parser.Expr`).

    The AST has no positions. Durations and names that came from Grafana variables are placeholders;
    `substitution.duration_variable(seconds)` and `substitution.identifier_variable(name)` say which variable.
    """

    query: str
    substitution: Substitution
    expr: promql_parser.Expr


def check_promql(query: str, *, experimental_functions: bool | None = None) -> None:
    """Raise QuerySyntaxError (with the 0-based position in `query`) unless `query` is valid PromQL for Grafana.

    `experimental_functions`: whether the Prometheus enables them; None reads `semantics.experimental_functions`.
    """
    if has_common_shape(query):  # the commonest shapes, at a fraction of the cost (valid however Prometheus is run)
        return
    if experimental_functions is None:
        experimental_functions = experimental_functions_enabled()
    if not _valid_without_compiling_regexes(query):
        parse_promql(query, experimental_functions=experimental_functions)


def _valid_without_compiling_regexes(query: str) -> bool:
    """True when `query` is certainly valid, found without the crate compiling its regexes (most of the parse of a
    query that has them): its regex matchers pass Go's rules, and with each made an equality matcher
    (`semantics.regexes_as_equalities`) the crate parses it. False means only "ask `parse_promql`", which also
    places and words any problem; so does a query naming an experimental function or `label_replace`, whose
    checks need the real AST."""
    if "=~" not in query and "!~" not in query:  # no regex to skip: the exact path costs as little
        return False
    text = substitute_variables(query).text
    if needs_the_ast(text):
        return False
    converted = regexes_as_equalities(text)  # None too when a regex breaks Go's rules
    if converted is None:
        return False
    try:
        promql_parser.parse(converted)
    except ValueError:
        return False
    return True


def parse_promql(query: str, *, experimental_functions: bool | None = None) -> ParsedPromQL:
    """Parse `query`, Grafana variables and all, into a `promql_parser` AST, or raise QuerySyntaxError.

    Beyond the grammar it checks what Prometheus checks and the crate does not (`semantics`): regexes with Go's
    rules, and experimental functions unless `experimental_functions` (default: the context's setting).
    """
    if experimental_functions is None:
        experimental_functions = experimental_functions_enabled()
    return _parse_promql(query, experimental_functions)


# Small on purpose: each parse holds a tree of a few kB in the parser's Rust heap, and a build validates thousands
# of distinct queries once each (validation is memoised per string in `dashctl.queries.validation`, lint keeps its
# own parses), so a large memo only held memory for the whole build, growing with the repository.
@lru_cache(maxsize=256)
def _parse_promql(query: str, experimental_functions: bool) -> ParsedPromQL:
    substitution = substitute_variables(query)
    text = substitution.text

    tokenized: list[list[Token]] = []

    def tokens() -> list[Token]:
        # Tokenizing costs more than the crate's whole parse, and a valid query needs the tokens only for its regex
        # matchers: they are asked for where a problem must be placed, or where `=~`/`!~` occur.
        if not tokenized:
            try:
                tokenized.append(tokenize_promql(text))
            except LexicalError:
                tokenized.append([])  # the crate reports it; _locate_error finds where
        return tokenized[0]

    parsed = _parse_valid_regexes(query, substitution) if "=~" in text or "!~" in text else None
    problem = None
    matchers: list = []
    if parsed is None:
        matchers = regex_matchers(tokens()) if "=~" in text or "!~" in text else []
        problem = find_regex_problem(matchers)
    if problem is None:
        parsed = parsed or _parse_grammar(query, substitution, matchers)
        problem = None if experimental_functions else find_experimental(parsed.expr, parsed.substitution.text, tokens)
        problem = problem or find_label_replace_problem(parsed.expr, parsed.substitution.text, tokens)
        if problem is None:
            return parsed
    original = substitution.original_offset(problem.position)
    raise QuerySyntaxError(problem.message, query=query, position=original, language=LANGUAGE, hint=problem.hint)


def _parse_valid_regexes(query: str, substitution: Substitution) -> ParsedPromQL | None:
    """The crate's AST when every regex matcher passes Go's check and the crate parses the text as it is, else None
    (the caller then goes the exact way, with the tokens). Equal to that way's result where it returns one."""
    if not regexes_pass(substitution.text):
        return None
    try:
        return ParsedPromQL(query=query, substitution=substitution, expr=promql_parser.parse(substitution.text))
    except ValueError:
        return None


def _parse_grammar(query: str, substitution: Substitution, matchers: list) -> ParsedPromQL:
    """The crate's AST of `substitution`; regexes Go accepted and the crate refuses get a stand-in (`semantics`)."""
    try:
        return ParsedPromQL(query=query, substitution=substitution, expr=promql_parser.parse(substitution.text))
    except ValueError as error:
        message = str(error)
    if message.startswith(_CRATE_REGEX_ERROR) and matchers:
        neutral = replace(substitution, text=neutralise_regexes(substitution.text, matchers))
        try:
            return ParsedPromQL(query=query, substitution=neutral, expr=promql_parser.parse(neutral.text))
        except ValueError as error:
            substitution, message = neutral, str(error)
    if not _is_syntax_message(message):
        for alternative in _alternatives(query, substitution):
            try:
                return ParsedPromQL(query=query, substitution=alternative, expr=promql_parser.parse(alternative.text))
            except ValueError:
                continue
    position = _locate_error(substitution.text, message)
    original = None if position is None else substitution.original_offset(position)
    raise QuerySyntaxError(
        _describe(message, query, original),
        query=query,
        position=original,
        language=LANGUAGE,
        hint=_hint(message),
    )


def _locate_error(text: str, message: str) -> int | None:
    """The 0-based offset in `text` that the parser's `message` is about, or None when it cannot be told."""
    if message.startswith("no expression found in input"):
        return 0
    try:
        tokens = tokenize_promql(text)
    except LexicalError as error:
        return error.position
    if _is_syntax_message(message):
        for index, token in enumerate(tokens):
            if not any(_acceptable(candidate) for candidate in _candidates(text, tokens, index, _COMPLETIONS)):
                return token.start
        return len(text)
    for index, token in enumerate(tokens):
        # Only where the query itself closes a bracket or ends: closing earlier can invent the same mistake
        # (`sum(rate(x` closed as `sum(rate(x))` is a rate over an instant vector the query never wrote).
        closes_next = index + 1 == len(tokens) or tokens[index + 1].kind in (")", "]", "}")
        if closes_next and any(_reproduces(c, message) for c in _candidates(text, tokens, index, ("",))):
            named = _function_name_position(tokens, index, message)
            return token.start if named is None else named
    return None


def _is_syntax_message(message: str) -> bool:
    return _SYNTAX_MESSAGE.match(message) is not None


@lru_cache(maxsize=4096)
def _outcome(text: str) -> str | None:
    """None when `text` parses, else the parser's message; cached because probing repeats candidates."""
    try:
        promql_parser.parse(text)
    except ValueError as error:
        return str(error)
    return None


def _acceptable(text: str) -> bool:
    """True when `text` is grammatical PromQL (it may still fail to type-check)."""
    outcome = _outcome(text)
    return outcome is None or not _is_syntax_message(outcome)


def _reproduces(text: str, message: str) -> bool:
    return _outcome(text) == message


def _candidates(text: str, tokens: list[Token], index: int, middles: tuple[str, ...]):
    """`text` up to and including tokens[index], each middle, then every way to close the open brackets."""
    prefix = text[: tokens[index].end]
    closings = _closings(tokens[: index + 1])
    for middle in middles:
        for closing in closings:
            yield prefix + middle + closing


def _closings(tokens: list[Token]) -> list[str]:
    """Texts that close the brackets open after `tokens`, innermost first.

    A closed `by (...)` label list may still need its aggregated expression, and an `on (...)` list the right-hand
    operand, so those get each alternative.
    """
    stack: list[tuple[str, str]] = []
    previous = ""
    for token in tokens:
        if token.kind in ("(", "[", "{"):
            stack.append((token.kind, previous))
        elif token.kind in (")", "]", "}") and stack:
            stack.pop()
        previous = token.text.lower()
    options: list[tuple[str, ...]] = []
    for opener, before in reversed(stack):
        closer = {"(": ")", "[": "]", "{": "}"}[opener]
        if opener == "(" and before in _GROUPING:
            options.append((closer, closer + " (1)"))
        elif opener == "(" and before in _MATCHING:
            options.append((closer + " 1",))
        else:
            options.append((closer,))
    return ["".join(parts) for parts in itertools.product(*options)]


def _function_name_position(tokens: list[Token], index: int, message: str) -> int | None:
    """For a message about a named function, the start of that name at or before tokens[index]."""
    match = _FUNCTION_MESSAGE.search(message)
    if match is None:
        return None
    name = match.group("name") or match.group("call")
    for position in range(index, -1, -1):
        token = tokens[position]
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token.text == name and following is not None and following.kind == "(":
            return token.start
    return None


def _alternatives(query: str, substitution: Substitution):
    """Substitutions with ambiguous number placeholders turned into metric names, fewest changes first."""
    ambiguous = substitution.ambiguous
    if not ambiguous:
        return
    if len(ambiguous) > _MAX_AMBIGUOUS:
        yield substitute_variables(query, as_identifiers=frozenset(ambiguous))
        return
    for size in range(1, len(ambiguous) + 1):
        for chosen in itertools.combinations(ambiguous, size):
            yield substitute_variables(query, as_identifiers=frozenset(chosen))


def _describe(message: str, query: str, position: int | None) -> str:
    """The parser's message, made specific where the parser only says "invalid promql query"."""
    if message.startswith("no expression found in input"):
        return "empty query"
    if message != _GENERIC_SYNTAX_ERROR or position is None:
        return message
    if position >= len(query.rstrip()):
        return "unexpected end of input"
    return f"unexpected {_token_at(query, position)!r}"


def _token_at(query: str, position: int) -> str:
    """The word, number, string start or operator starting at `position`, for an error message."""
    match = _TOKEN_TEXT.match(query, position)
    return match.group() if match else query[position]


def _hint(message: str) -> str | None:
    unknown = _UNKNOWN_FUNCTION.match(message)
    if unknown:
        guess = closest(unknown.group(1), _known_functions())
        if guess:
            return f"did you mean {guess}()?"
    for start, hint in _HINTS:
        if message.startswith(start):
            return hint
    return None


@lru_cache(maxsize=1)
def _known_functions() -> tuple[str, ...]:
    """Prometheus' function and aggregation names that the real parser knows (for "did you mean")."""
    return tuple(name for name in _FUNCTION_NAMES if not (_outcome(f"{name}()") or "").startswith("unknown function"))
