"""The commonest PromQL shapes, recognised as valid without the parser.

Dashboards and alert rules are mostly made of a few shapes: a selector, a rate of one, an aggregation of those,
`histogram_quantile` over an aggregation, ratios and comparisons of them with numbers. Validating one through
`parse_promql` costs the variable substitution and the crate's parse (about 25 µs, the crate compiling each regex
twice as much); one match of a regular expression that accepts only those shapes costs a few µs.

The pattern accepts a subset of what the exact path accepts, nothing more (a seeded fuzz test in
tests/queries/test_promql_shapes.py holds it to that): names that are not keywords, aggregations, functions or
`__` names; strings in double quotes without escapes or non-printable characters; whole-range variables only
(`[$__rate_interval]`, which the substitution makes a duration); binary chains whose first operand is a vector and
whose operators are arithmetic or comparisons without `bool` (so no comparison of two numbers); no `offset`, `@`,
subquery, vector matching or set operator. Regex matchers pass where Go compiles their regex, as in the exact
path. Anything else, and any doubt, is left to `parse_promql`, which also places and words any problem.
"""

from __future__ import annotations

import re
from functools import lru_cache


__all__ = ["has_common_shape"]

# Functions of one range-vector argument (a selector with a range), returning an instant vector.
_RANGE_FUNCTIONS = (
    "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "avg_over_time", "min_over_time",
    "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "stddev_over_time", "stdvar_over_time",
    "present_over_time",
)
# Functions of one instant-vector argument.
_VECTOR_FUNCTIONS = ("abs", "absent", "ceil", "exp", "floor", "ln", "log10", "log2", "sort", "sort_desc", "sqrt")
_AGGREGATIONS = ("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar")
# Never a metric or label name here: PromQL's keywords, in any case. (Aggregation and function names are names
# like any other there, for Prometheus and for the crate; the fuzz test tries every one of them in every place.)
_KEYWORDS = ("and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
             "atan2", "inf", "nan", "start", "end", "step")


def _alternatives(words: list[str]) -> str:
    """`words` as a regex that branches on one character at a time (a trie): a name that is no keyword is told
    after a comparison or two, where a flat alternation tries every word in turn."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words):
        by_first.setdefault(word[:1], []).append(word[1:])
    optional = "" in by_first
    branches = [re.escape(first) + _alternatives(rests) for first, rests in by_first.items() if first]
    body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
    return body + "?" if optional else body


_ = r"[ \t\n]*"
_NAME_END = r"(?![A-Za-z0-9_:])"
_NOT_KEYWORD = r"(?!(?i:" + _alternatives(list(_KEYWORDS)) + r")" + _NAME_END + r")"
_METRIC = _NOT_KEYWORD + r"[A-Za-z_:][A-Za-z0-9_:]*"
_LABEL = _NOT_KEYWORD + r"(?!__)[A-Za-z_][A-Za-z0-9_]*"
_STRING = r'"[ !#-\[\]-~]*"'
_MATCHER = _LABEL + _ + r"(?:=~|!~|!=|=)" + _ + _STRING
# Lists written with the item once: each item is followed by a comma that another item follows, or by the end.
_SELECTOR = (_METRIC + r"(?:" + _ + r"\{(?:" + _ + _MATCHER + _ + r"(?:,(?!" + _ + r"\})|(?=" + _ + r"\})))*" + _
             + r"\})?")
_GROUPING = (r"(?:by|without)" + _ + r"\((?:" + _ + _LABEL + _ + r"(?:,(?!" + _ + r"\))|(?=" + _ + r"\))))+" + _
             + r"\)")
_RANGE = r"\[(?:[1-9][0-9]*(?:ms|[smhdwy])|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})\]"
_NUMBER = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_OPERATOR = r"(?:==|!=|>=|<=|[-+*/%^<>])"
_TERM_START = r"(?=[A-Za-z0-9_:(])"
_DEPTH = 3  # calls and parentheses nested in one another; deeper queries go the exact way


_SIMPLE = (
    r"(?:(?:" + "|".join(_RANGE_FUNCTIONS) + r")" + _ + r"\(" + _ + _SELECTOR + _RANGE + _ + r"\)|" + _SELECTOR + ")"
)


def _pattern() -> str:
    """Built level by level, each holding the chain of the level below once, so that the pattern grows linearly
    with the depth. (No conditional group: Python keeps a group's capture from an earlier repetition, so a
    condition could be met by another term's call.) A grouping after a call is taken after any call here, and
    `_groupings_fit` keeps it to aggregations."""
    chain = _SIMPLE
    for level in range(_DEPTH + 1):
        vector = _SIMPLE if level == 0 else (
            r"(?:(?:(?:" + "|".join(_AGGREGATIONS) + r")" + _NAME_END + _ + r"(?:" + _GROUPING + _ + r")?\("
            + r"|(?:" + "|".join(_VECTOR_FUNCTIONS) + r")" + _ + r"\("
            + r"|histogram_quantile" + _ + r"\(" + _ + _NUMBER + _ + r","
            + r"|\()"
            + _ + chain + _ + r"\)(?:" + _ + _GROUPING + r")?"
            + "|" + _SIMPLE + ")"
        )
        term = r"(?:" + vector + "|" + _NUMBER + r")"
        # A chain starts with a vector (never two numbers compared); each term is followed by an operator and
        # another term, or ends the chain, so that the term is written once.
        chain = r"(?![0-9])(?:" + term + r"(?:" + _ + _OPERATOR + _ + _TERM_START + r"|(?=" + _ + r"(?:\)|\Z))))+"
    return _ + chain + _


_GROUPING_AFTER_CALL = re.compile(r"\)" + _ + r"(?:by|without)" + _ + r"\(")
_STRING_OR_PARENTHESIS = re.compile(r'"[^"]*"|[()]')


def _word_before(query: str, end: int) -> str:
    """The name that ends just before `end`, whitespace skipped (a walk back over a few characters, not a search
    from the start: a long query holds many parentheses)."""
    while end and query[end - 1] in " \t\n":
        end -= 1
    start = end
    while start and (query[start - 1].isalnum() or query[start - 1] in "_:"):
        start -= 1
    return query[start:end]


def _groupings_fit(query: str) -> bool:
    """Whether every grouping written after a call's `)` in `query` (of the pattern's shapes) follows an
    aggregation without a grouping of its own: `sum(x) by (a)`, not `abs(x) by (a)` or `sum by (a) (x) by (b)`."""
    if _GROUPING_AFTER_CALL.search(query) is None:  # nearly always
        return True
    openings: list[bool] = []  # per open parenthesis: whether it opens an aggregation's call without a grouping
    for match in _STRING_OR_PARENTHESIS.finditer(query):
        if match.group() == "(":
            openings.append(_word_before(query, match.start()) in _AGGREGATIONS)
        elif match.group() == ")":
            aggregation = openings.pop()
            if _GROUPING_AFTER_CALL.match(query, match.start()) and not aggregation:
                return False
    return True


_REGEX_VALUES = re.compile(r'"[^"]*"|[=!]~' + _ + r'"([^"]*)"')


@lru_cache(maxsize=1)
def _shapes() -> re.Pattern[str]:
    # Compiled on first use: about 10 ms, less than importing the parser's modules (about 40 ms), which a build of
    # queries of these shapes never does.
    return re.compile(_pattern())


def has_common_shape(query: str) -> bool:
    """True when `query` has one of the common shapes (module docstring) and so is valid PromQL for Grafana;
    False means only "ask `parse_promql`"."""
    if _shapes().fullmatch(query) is None or not _groupings_fit(query):
        return False
    if "~" not in query:
        return True
    from dashctl.queries.promql.semantics import go_accepts  # Go's regex rules: only for a query with a regex

    # The strings of an accepted query hold no quote or backslash: each string is skipped whole, and the value of
    # each regex matcher is its text as written (what `regexes_pass` unquotes).
    return all(go_accepts(value) for value in _REGEX_VALUES.findall(query) if value)
