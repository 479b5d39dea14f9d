"""LogQL's tokens, read the way Loki's lexer reads them, plus the Grafana template variables a dashboard query holds.

Loki scans with Go's `text/scanner` (Go identifiers, numbers, `"..."` and `` `...` `` strings, `//` and `/* */`
comments skipped) and then, in `pkg/logql/syntax/lex.go`, turns the scanner's tokens into LogQL's: `#` starts a
comment, `[...]` is read raw as a range duration, a number glued to a unit becomes a duration or a byte size,
`--strict` is a parser flag, function names such as `rate` are keywords only when `(` (or `by (`/`without (`)
follows, and keywords are case-insensitive. An unknown character becomes an IDENTIFIER, as in Loki.

Grafana template variables (`$var`, `${var:fmt}`, `[[var]]`, `$__auto`) are one VARIABLE token outside strings; inside
a range `[...]` they make the range a RANGE token whose duration is unknown.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import NoReturn

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql.literals import (
    LiteralError,
    go_quote,
    parse_bytes,
    parse_loki_duration,
    parse_prometheus_duration,
    unquote,
)
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = ["FUNCTION_KEYWORDS", "Token", "display_kind", "raise_syntax_error", "tokenize"]

MAX_QUERY_BYTES = 131072
"""Loki refuses a query of this many bytes or more (`maxInputSize` in parser.go)."""

# Keywords that stand alone (Loki's `tokens` map); the kind is the grammar's token name.
_KEYWORDS = {
    "by": "BY",
    "without": "WITHOUT",
    "bool": "BOOL",
    "label_replace": "LABEL_REPLACE",
    "offset": "OFFSET",
    "on": "ON",
    "ignoring": "IGNORING",
    "group_left": "GROUP_LEFT",
    "group_right": "GROUP_RIGHT",
    "or": "OR",
    "and": "AND",
    "unless": "UNLESS",
    "json": "JSON",
    "regexp": "REGEXP",
    "logfmt": "LOGFMT",
    "unpack": "UNPACK",
    "pattern": "PATTERN",
    "label_format": "LABEL_FMT",
    "line_format": "LINE_FMT",
    "ip": "IP",
    "decolorize": "DECOLORIZE",
    "drop": "DROP",
    "keep": "KEEP",
    "unwrap": "UNWRAP",
}

# Keywords only when a call follows (Loki's `functionTokens`); otherwise they are plain identifiers.
FUNCTION_KEYWORDS = {
    "rate": "RATE",
    "rate_counter": "RATE_COUNTER",
    "count_over_time": "COUNT_OVER_TIME",
    "bytes_rate": "BYTES_RATE",
    "bytes_over_time": "BYTES_OVER_TIME",
    "avg_over_time": "AVG_OVER_TIME",
    "sum_over_time": "SUM_OVER_TIME",
    "min_over_time": "MIN_OVER_TIME",
    "max_over_time": "MAX_OVER_TIME",
    "stdvar_over_time": "STDVAR_OVER_TIME",
    "stddev_over_time": "STDDEV_OVER_TIME",
    "quantile_over_time": "QUANTILE_OVER_TIME",
    "first_over_time": "FIRST_OVER_TIME",
    "last_over_time": "LAST_OVER_TIME",
    "absent_over_time": "ABSENT_OVER_TIME",
    "vector": "VECTOR",
    "sum": "SUM",
    "avg": "AVG",
    "max": "MAX",
    "min": "MIN",
    "count": "COUNT",
    "stddev": "STDDEV",
    "stdvar": "STDVAR",
    "bottomk": "BOTTOMK",
    "topk": "TOPK",
    "sort": "SORT",
    "sort_desc": "SORT_DESC",
    "label_replace": "LABEL_REPLACE",
    "approx_topk": "APPROX_TOPK",
    "bytes": "BYTES_CONV",
    "duration": "DURATION_CONV",
    "duration_seconds": "DURATION_SECONDS_CONV",
    "ip": "IP",
}

_TWO_CHAR_OPERATORS = {
    "!=": "NEQ",
    "=~": "RE",
    "!~": "NRE",
    "!>": "NPA",
    "|=": "PIPE_EXACT",
    "|~": "PIPE_MATCH",
    "|>": "PIPE_PATTERN",
    "==": "CMP_EQ",
    ">=": "GTE",
    "<=": "LTE",
}

_ONE_CHAR_OPERATORS = {
    ",": "COMMA",
    ".": "DOT",
    "{": "OPEN_BRACE",
    "}": "CLOSE_BRACE",
    "=": "EQ",
    "|": "PIPE",
    "(": "OPEN_PARENTHESIS",
    ")": "CLOSE_PARENTHESIS",
    "]": "CLOSE_BRACKET",
    "+": "ADD",
    "-": "SUB",
    "*": "MUL",
    "/": "DIV",
    "%": "MOD",
    "^": "POW",
    ">": "GT",
    "<": "LT",
}

# How Loki names a token in "unexpected X": the literal text for keywords and operators, the kind otherwise.
_DISPLAY = {kind: text for text, kind in (_KEYWORDS | _TWO_CHAR_OPERATORS | _ONE_CHAR_OPERATORS).items()}
_DISPLAY |= {"OPEN_BRACKET": "[", "EOF": "$end"}

_PARSER_FLAGS = frozenset({"--strict", "--keep-empty"})
_DURATION_CHARACTERS = frozenset("numsdhwy\u00b5.")
_BYTES_CHARACTERS = frozenset("BikKMGTP.")
_GO_WHITESPACE = frozenset("\t\n\r ")


@dataclass(frozen=True, kw_only=True)
class Token:
    """One token: its grammar kind, where it starts and ends in the query, and its decoded value."""

    kind: str
    text: str
    start: int
    end: int
    value: object = None
    """STRING: the unquoted text; DURATION and RANGE: nanoseconds (None for a RANGE holding a variable); BYTES: int."""


def display_kind(token: Token) -> str:
    """Name `token` as Loki's parser does in its syntax errors."""
    return _DISPLAY.get(token.kind, token.kind)


def raise_syntax_error(query: str, message: str, position: int) -> NoReturn:
    """Raise the QuerySyntaxError every LogQL problem becomes."""
    raise QuerySyntaxError(message, query=query, position=position, language="LogQL")


def tokenize(query: str) -> list[Token]:
    """Return every token of `query`, ending with an EOF token; raise QuerySyntaxError at the first bad one.

    Loki reports a lexing error only when its parser asks for the token, so a syntax error earlier in the query wins;
    `Lexer` gives tokens one at a time for the parser to keep that order.
    """
    lexer = Lexer(query)
    tokens = [lexer.next_token()]
    while tokens[-1].kind != "EOF":
        tokens.append(lexer.next_token())
    return tokens


class Lexer:
    """Produce LogQL tokens from a query string, one per call."""

    def __init__(self, query: str):
        self.query = query
        self.position = 1 if query.startswith("\ufeff") else 0
        size = len(query.encode("utf-8", "surrogatepass"))
        if size >= MAX_QUERY_BYTES:
            raise_syntax_error(query, f"input size too long ({size} > {MAX_QUERY_BYTES})", 0)
        nul = query.find("\x00")
        if nul >= 0:
            raise_syntax_error(query, "invalid character NUL", nul)

    def _error(self, message: str, position: int) -> NoReturn:
        raise_syntax_error(self.query, message, position)

    def _token(self, kind: str, start: int, end: int, value: object = None) -> Token:
        self.position = end
        return Token(kind=kind, text=self.query[start:end], start=start, end=end, value=value)

    def next_token(self) -> Token:
        """Return the next token, or an EOF token at the end of the query."""
        query = self.query
        self._skip_space_and_comments()
        start = self.position
        if start >= len(query):
            return self._token("EOF", len(query), len(query))
        char = query[start]
        variable = VARIABLE_PATTERN.match(query, start) if char in "$[" else None
        if variable:
            return self._token("VARIABLE", start, variable.end())
        if char == "_" or char.isalpha():
            return self._word(start)
        if _is_ascii_digit(char) or (char == "." and _is_ascii_digit(query[start + 1 : start + 2])):
            return self._number(start)
        if char == '"':
            return self._string(start, '"')
        if char == "`":
            return self._string(start, "`")
        if char == "'":
            return self._char_literal(start)
        if char == "[":
            return self._range(start)
        if char == "-":
            token = self._flag_or_negative_duration(start)
            if token is not None:
                return token
        pair = query[start : start + 2]
        if pair in _TWO_CHAR_OPERATORS:
            return self._token(_TWO_CHAR_OPERATORS[pair], start, start + 2)
        if char in _ONE_CHAR_OPERATORS:
            return self._token(_ONE_CHAR_OPERATORS[char], start, start + 1)
        return self._token("IDENTIFIER", start, start + 1)

    def _skip_space_and_comments(self) -> None:
        query = self.query
        while self.position < len(query):
            char = query[self.position]
            if char in _GO_WHITESPACE:
                self.position += 1
            elif char == "#":
                newline = query.find("\n", self.position)
                self.position = len(query) if newline < 0 else newline
            elif query.startswith("//", self.position):
                newline = query.find("\n", self.position)
                self.position = len(query) if newline < 0 else newline
            elif query.startswith("/*", self.position):
                end = query.find("*/", self.position + 2)
                if end < 0:
                    self._error("comment not terminated", self.position)
                self.position = end + 2
            else:
                return

    def _word(self, start: int) -> Token:
        query = self.query
        end = start + 1
        while end < len(query) and (query[end] == "_" or query[end].isalpha() or query[end].isdecimal()):
            end += 1
        lowered = query[start:end].lower()
        if lowered in FUNCTION_KEYWORDS:
            kind = FUNCTION_KEYWORDS[lowered] if self._call_follows(end) else "IDENTIFIER"
            return self._token(kind, start, end)
        return self._token(_KEYWORDS.get(lowered, "IDENTIFIER"), start, end)

    def _call_follows(self, position: int) -> bool:
        # Loki's isFunction: `(` next, or `by`/`without` and then `(`, blanks allowed in between.
        query = self.query
        position = _skip_blanks(query, position)
        if query.startswith("(", position):
            return True
        for keyword in ("by", "without"):
            end = position + len(keyword)
            if query[position:end].lower() == keyword:
                return query.startswith("(", _skip_blanks(query, end))
        return False

    def _number(self, start: int) -> Token:
        end, scan_error = _scan_go_number(self.query, start)
        if scan_error:
            self._error(scan_error, start)
        text = self.query[start:end]
        duration = self._glued_suffix(text, end, _DURATION_CHARACTERS, parse_loki_duration)
        if duration is not None:
            return self._token("DURATION", start, duration[1], duration[0])
        size = self._glued_suffix(text, end, _BYTES_CHARACTERS, parse_bytes)
        if size is not None:
            return self._token("BYTES", start, size[1], size[0])
        return self._token("NUMBER", start, end, text)

    def _glued_suffix(self, text: str, end: int, allowed: frozenset[str], parse) -> tuple[int, int] | None:
        # Loki's tryScanDuration/tryScanBytes: take the run of unit characters glued to the number, keep it if
        # number and run parse together, otherwise leave the scanner where it was.
        query = self.query
        run_end = end
        while run_end < len(query) and (_is_number(query[run_end]) or query[run_end] in allowed):
            run_end += 1
        if run_end == end:
            return None
        try:
            return parse(text + query[end:run_end]), run_end
        except LiteralError:
            return None

    def _flag_or_negative_duration(self, start: int) -> Token | None:
        query = self.query
        if query.startswith("--", start):
            end = start + 1
            while end < len(query) and (query[end].isalpha() or query[end] == "-"):
                end += 1
            if query[start:end] in _PARSER_FLAGS:
                return self._token("FUNCTION_FLAG", start, end, query[start:end])
        duration = self._glued_suffix("-", start + 1, _DURATION_CHARACTERS, parse_loki_duration)
        if duration is not None:
            return self._token("DURATION", start, duration[1], duration[0])
        return None

    def _string(self, start: int, quote: str) -> Token:
        query = self.query
        position = start + 1
        while True:
            if position >= len(query) or (quote == '"' and query[position] == "\n"):
                self._error("literal not terminated", start)
            char = query[position]
            if char == quote:
                break
            if char == "\\" and quote == '"':
                position = self._check_escape(start, position + 1)
            else:
                position += 1
        end = position + 1
        try:
            value = unquote(query[start:end])
        except LiteralError as error:
            self._error(str(error), start)
        return self._token("STRING", start, end, value)

    def _check_escape(self, start: int, position: int) -> int:
        # Go's scanner checks escapes while it scans: \a \b \f \n \r \t \v \\ \" \NNN \xHH \uHHHH \UHHHHHHHH.
        query = self.query
        char = query[position : position + 1]
        if char and char in 'abfnrtv\\"':
            return position + 1
        digits = {"x": (2, 16), "u": (4, 16), "U": (8, 16)}
        if char in digits or (char and char in "01234567"):
            count, base = digits.get(char, (3, 8))
            first = position if char in "01234567" else position + 1
            index = first
            while index < first + count and index < len(query) and _digit_value(query[index]) < base:
                index += 1
            if index < first + count:
                self._error("invalid char escape", start)
            return index
        self._error("invalid char escape", start)
        return position

    def _char_literal(self, start: int) -> Token:
        # A Go character literal; Loki has no use for one, so it becomes an IDENTIFIER when it is well formed.
        query = self.query
        position = start + 1
        count = 0
        while position < len(query) and query[position] != "'":
            if query[position] == "\n":
                break
            position = self._check_escape(start, position + 1) if query[position] == "\\" else position + 1
            count += 1
        if position >= len(query) or query[position] != "'":
            self._error("literal not terminated", start)
        if count != 1:
            self._error("invalid char literal", start)
        return self._token("IDENTIFIER", start, position + 1)

    def _range(self, start: int) -> Token:
        query = self.query
        position = start + 1
        parts: list[str] = []
        has_variable = False
        while position < len(query):
            variable = VARIABLE_PATTERN.match(query, position) if query[position] in "$[" else None
            if variable:
                parts.append("\x00")
                has_variable = True
                position = variable.end()
                continue
            if query[position] == "]":
                return self._range_token(start, position + 1, "".join(parts), has_variable)
            parts.append(query[position])
            position += 1
        self._error("missing closing ']' in duration", start)

    def _range_token(self, start: int, end: int, text: str, has_variable: bool) -> Token:
        # A variable stands for a whole duration (`[$__auto]`) or for its number (`[${__range_s}s]`).
        candidates = ("1", "1m") if has_variable else ("",)
        for placeholder in candidates:
            try:
                nanoseconds = parse_prometheus_duration(text.replace("\x00", placeholder))
            except LiteralError as error:
                message = str(error)
                continue
            return self._token("RANGE", start, end, None if has_variable else nanoseconds)
        if has_variable:
            message = f"not a valid duration string: {go_quote(self.query[start + 1 : end - 1])}"
        self._error(message, start)


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _is_ascii_digit(char: str) -> bool:
    return len(char) == 1 and "0" <= char <= "9"


def _is_number(char: str) -> bool:
    return unicodedata.category(char) in ("Nd", "Nl", "No")


def _digit_value(char: str) -> int:
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "a" <= char.lower() <= "f":
        return ord(char.lower()) - ord("a") + 10
    return 99


def _scan_go_number(text: str, start: int) -> tuple[int, str]:
    """Scan a Go number literal at `start`; return where it ends and the scanner's error, if any."""
    position = start
    base, prefix = 10, ""
    error = ""
    invalid_digit = ""
    digit_seen = False
    is_float = False

    def digits(position: int, base: int) -> int:
        nonlocal digit_seen, invalid_digit
        while position < len(text):
            char = text[position]
            if char == "_" or (base <= 10 and "0" <= char <= "9") or (base == 16 and _digit_value(char) < 16):
                if char != "_":
                    digit_seen = True
                    if base <= 10 and int(char) >= base and not invalid_digit:
                        invalid_digit = char
                position += 1
            else:
                break
        return position

    if text[position] != ".":
        if text[position] == "0":
            position += 1
            marker = text[position : position + 1].lower()
            if marker == "x":
                base, prefix, position = 16, "x", position + 1
            elif marker == "o":
                base, prefix, position = 8, "o", position + 1
            elif marker == "b" and text[position + 1 : position + 2] in ("0", "1"):
                base, prefix, position = 2, "b", position + 1
            else:
                base, prefix, digit_seen = 8, "0", True
        position = digits(position, base)
        if text[position : position + 1] == ".":
            position += 1
            is_float = True
    else:
        position += 1
        is_float = True
    if is_float:
        if prefix in ("o", "b"):
            error = error or f"invalid radix point in {_literal_name(prefix)}"
        position = digits(position, base)
    if not digit_seen:
        error = error or f"{_literal_name(prefix)} has no digits"
    exponent = text[position : position + 1].lower()
    if exponent == "e" or (exponent == "p" and prefix == "x"):
        if exponent == "e" and prefix not in ("", "0"):
            error = error or f"{text[position]!r} exponent requires decimal mantissa"
        position += 1
        is_float = True
        if text[position : position + 1] in ("+", "-"):
            position += 1
        before = position
        while position < len(text) and (text[position].isdigit() or text[position] == "_"):
            position += 1
        if not any("0" <= c <= "9" for c in text[before:position]):
            error = error or "exponent has no digits"
    elif prefix == "x" and is_float:
        error = error or "hexadecimal mantissa requires a 'p' exponent"
    if not is_float and invalid_digit:
        error = error or f"invalid digit {invalid_digit!r} in {_literal_name(prefix)}"
    literal = text[start:position]
    if "_" in literal and not _separators_ok(literal):
        error = error or "'_' must separate successive digits"
    return position, error


def _literal_name(prefix: str) -> str:
    return {"x": "hexadecimal literal", "o": "octal literal", "0": "octal literal", "b": "binary literal"}.get(
        prefix, "decimal literal"
    )


def _separators_ok(literal: str) -> bool:
    body = literal[2:] if literal[:2].lower() in ("0x", "0o", "0b") else literal
    hex_digits = literal[:2].lower() == "0x"
    previous = "0" if body is not literal else "."
    for char in body:
        is_digit = "0" <= char <= "9" or (hex_digits and _digit_value(char) < 16)
        if char == "_":
            if previous != "0":
                return False
            previous = "_"
        elif is_digit:
            previous = "0"
        else:
            if previous == "_":
                return False
            previous = "."
    return previous != "_"
