"""The commonest LogQL log queries, recognised as valid without the parser.

A Logs panel's query is nearly always a stream selector, a few line filters, a parser and label filters:
`{app="api"} |= "error" | logfmt | level="warn"`. One match of a regular expression that accepts only that shape
costs a few µs; the lexer, parser and checks (and importing them, about 20 ms) cost far more.

The pattern accepts a subset of what `parse_logql` accepts, nothing more (tests/queries/logql/test_logql_shapes.py
fuzzes it against the parser): a selector whose first matcher is an equality with a non-empty value (Loki's rule
that one matcher must not match the empty string), further matchers `=` or `!=`; line filters `|=` and `!=`;
the `json` and `logfmt` parsers without parameters; label filters `=` and `!=`. Names are not keywords; strings
are double-quoted without escapes or non-printable characters. No regex anywhere (those need RE2's rules), no
metric query, no variable outside a string. Anything else goes to the parser, which also places any problem.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["has_common_shape"]

# Words the lexer reads as keywords (Loki's `tokens`): never a label name here.
_KEYWORDS = (
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
    "json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "unwrap", "drop", "keep",
    "decolorize", "ip", "bytes", "duration", "duration_seconds", "distinct",
)  # fmt: skip

_ = r"[ \t\n]*"
_NOT_KEYWORD = r"(?!(?:" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + r")(?![A-Za-z0-9_]))"
_LABEL = _NOT_KEYWORD + r"(?!__)[A-Za-z_][A-Za-z0-9_]*"
_STRING = r'"[ !#-\[\]-~]*"'
_NON_EMPTY = r'"[ !#-\[\]-~]+"'
_SELECTOR = (
    r"\{" + _ + _LABEL + _ + "=" + _ + _NON_EMPTY
    + r"(?:" + _ + "," + _ + _LABEL + _ + r"!?=" + _ + _STRING + r")*" + _ + r"\}"
)
_STAGE = (
    r"(?:\|=|!=)" + _ + _STRING
    + r"|\|" + _ + r"(?:json|logfmt)(?=" + _ + r"(?:\||\Z))"
    + r"|\|" + _ + _LABEL + _ + r"!?=" + _ + _STRING
)


@lru_cache(maxsize=1)
def _shapes() -> re.Pattern[str]:
    return re.compile(_ + _SELECTOR + r"(?:" + _ + r"(?:" + _STAGE + r"))*" + _)


def has_common_shape(query: str) -> bool:
    """True when `query` has the common shape (module docstring) and so is valid LogQL; False means only "ask
    `parse_logql`"."""
    return _shapes().fullmatch(query) is not None
