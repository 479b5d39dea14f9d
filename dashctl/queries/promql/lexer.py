"""A PromQL tokenizer that knows where each token and each lexical error is.

`promql_parser` (Rust, GreptimeTeam/promql-parser) reports errors as bare messages without a position, so dashctl
cannot point at the problem with it alone. This tokenizer follows that crate's lexer (`src/parser/lex.rs`) state
for state: the same modes inside `{...}` and `[...]`, the same keywords, the same number and duration scanning, so
a query it rejects is one the real lexer rejects, and the offset it gives is where the real lexer stopped. The
parser then uses the tokens to find grammar errors by probing prefixes (see `parser.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KEYWORDS", "LexicalError", "Token", "tokenize_promql"]

KEYWORDS = frozenset(
    {
        "and", "or", "unless", "atan2",
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values",
        "quantile", "limitk", "limit_ratio",
        "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
        "smoothed", "anchored", "start", "end",
    }
)  # fmt: skip
# `fill`, `fill_left` and `fill_right` are keywords only before "(", otherwise metric names (lex.rs).
_FILL_KEYWORDS = frozenset({"fill", "fill_left", "fill_right"})
_NUMBER_WORDS = frozenset({"inf", "nan"})
_ESCAPES = "abfnrtv\\01234567xuU"
_QUOTES = "'\"`"
_SINGLE = frozenset("@,*/%+-^")


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme: `kind` is identifier, keyword, number, duration, string, or the operator/punctuation itself."""

    kind: str
    text: str
    start: int
    end: int


class LexicalError(Exception):
    """The text cannot be tokenized; `position` is the 0-based offset of the offending character."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


def tokenize_promql(text: str) -> list[Token]:
    """Split `text` into tokens, or raise LexicalError where the real lexer would fail."""
    return _Lexer(text).run()


def _is_alpha(ch: str) -> bool:
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_alnum(ch: str) -> bool:
    return _is_alpha(ch) or _is_digit(ch)


def _is_space(ch: str) -> bool:
    # Rust's char::is_ascii_whitespace: no vertical tab.
    return ch in " \t\n\r\x0c"


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self.parens: list[int] = []

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def emit(self, kind: str, start: int) -> None:
        self.tokens.append(Token(kind=kind, text=self.text[start : self.pos], start=start, end=self.pos))

    def run(self) -> list[Token]:
        while True:
            ch = self.peek()
            if not ch:
                if self.parens:
                    raise LexicalError("unclosed left parenthesis", len(self.text))
                return self.tokens
            self.outside(ch)

    def outside(self, ch: str) -> None:
        start = self.pos
        self.pos += 1
        if ch == "#":
            self.comment()
        elif ch in _SINGLE:
            self.emit(ch, start)
        elif ch == "=":
            if self.peek() == "=":
                self.pos += 1
            elif self.peek() == "~":
                raise LexicalError("unexpected character after '=': '~'", start)
            self.emit(self.text[start : self.pos], start)
        elif ch == "!":
            if self.peek() != "=":
                raise LexicalError("unexpected character after '!'", start)
            self.pos += 1
            self.emit("!=", start)
        elif ch in "<>":
            if self.peek() == "=":
                self.pos += 1
            self.emit(self.text[start : self.pos], start)
        elif _is_space(ch):
            pass
        elif _is_digit(ch) or (ch == "." and _is_digit(self.peek())):
            self.pos = start
            self.number_or_duration()
        elif ch == ".":
            raise LexicalError("unexpected character: '.'", start)
        elif _is_alpha(ch) or ch == ":":
            self.keyword_or_identifier(start)
        elif ch in _QUOTES:
            self.string(ch, start)
        elif ch == "(":
            self.parens.append(start)
            self.emit("(", start)
        elif ch == ")":
            if not self.parens:
                raise LexicalError("unexpected right parenthesis ')'", start)
            self.parens.pop()
            self.emit(")", start)
        elif ch == "{":
            self.emit("{", start)
            self.inside_braces()
        elif ch == "[":
            self.emit("[", start)
            self.inside_brackets()
        else:
            raise LexicalError(f"unexpected character: {ch!r}", start)

    def comment(self) -> None:
        while self.peek() and self.peek() not in "\r\n":
            self.pos += 1

    def keyword_or_identifier(self, start: int) -> None:
        while _is_alnum(self.peek()) or self.peek() == ":":
            self.pos += 1
        word = self.text[start : self.pos].lower()
        if word in _NUMBER_WORDS:
            self.emit("number", start)
        elif word in KEYWORDS:
            self.emit("keyword", start)
        elif word in _FILL_KEYWORDS and self.text[self.pos :].lstrip(" \t\n\r\x0c").startswith("("):
            self.emit("keyword", start)
        else:
            self.emit("identifier", start)

    def number_or_duration(self) -> None:
        start = self.pos
        if self.scan_number():
            self.emit("number", start)
            return
        if self.scan_duration_rest():
            self.emit("duration", start)
            return
        raise LexicalError(f"bad number or duration syntax: {self.text[start : self.pos + 1]}", start)

    def scan_number(self) -> bool:
        digits = _is_digit
        if self.peek() == "0" and self.peek(1) in ("x", "X"):
            self.pos += 2
            digits = lambda ch: ch != "" and ch in "0123456789abcdefABCDEF"  # noqa: E731
        while digits(self.peek()):
            self.pos += 1
        if self.peek() == ".":
            self.pos += 1
            while digits(self.peek()):
                self.pos += 1
        if self.peek() in ("e", "E"):
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            while _is_digit(self.peek()):
                self.pos += 1
        following = self.peek()
        return not (following and (_is_alpha(following) or following == "."))

    def scan_duration_rest(self) -> bool:
        if not (self.peek() and self.peek() in "smhdwy"):
            return False
        self.pos += 1
        if self.peek() == "s":
            self.pos += 1
        while _is_digit(self.peek()):
            while _is_digit(self.peek()):
                self.pos += 1
            if not (self.peek() and self.peek() in "smhdw"):
                return False
            self.pos += 1
            if self.peek() == "s":
                self.pos += 1
        return not _is_alnum(self.peek())

    def string(self, quote: str, start: int) -> None:
        # lex.rs treats a backslash as an escape in every kind of string, back-quoted ones included.
        while True:
            ch = self.peek()
            if not ch:
                raise LexicalError(f"unterminated quoted string {quote}", start)
            self.pos += 1
            if ch == "\\":
                escaped = self.peek()
                if not escaped:
                    raise LexicalError("escape sequence not terminated", self.pos - 1)
                if escaped != quote and escaped not in _ESCAPES:
                    raise LexicalError(f"unknown escape sequence '{escaped}'", self.pos - 1)
                self.pos += 1
            elif ch == quote:
                self.emit("string", start)
                return

    def inside_braces(self) -> None:
        while True:
            start = self.pos
            ch = self.peek()
            if not ch:
                raise LexicalError("unexpected end of input inside braces", start)
            self.pos += 1
            if ch == "#":
                self.comment()
            elif ch == ",":
                self.emit(",", start)
            elif ch in "oO" and self.peek() in ("r", "R") and self.peek(1) == " ":
                self.pos += 1
                self.emit("or", start)
            elif _is_space(ch):
                pass
            elif _is_alpha(ch):
                while _is_alnum(self.peek()):
                    self.pos += 1
                self.emit("identifier", start)
            elif ch in _QUOTES:
                self.string(ch, start)
            elif ch == "=":
                if self.peek() == "~":
                    self.pos += 1
                self.emit(self.text[start : self.pos], start)
            elif ch == "!":
                if self.peek() not in ("~", "="):
                    raise LexicalError("unexpected character after '!' inside braces", start)
                self.pos += 1
                self.emit(self.text[start : self.pos], start)
            elif ch == "}":
                self.emit("}", start)
                return
            elif ch == "{":
                raise LexicalError("unexpected left brace '{' inside braces", start)
            else:
                raise LexicalError(f"unexpected character inside braces: {ch!r}", start)

    def inside_brackets(self) -> None:
        colon = False
        while True:
            start = self.pos
            ch = self.peek()
            if not ch:
                raise LexicalError("unexpected end of input inside brackets", start)
            self.pos += 1
            if _is_space(ch):
                pass
            elif ch == ":":
                if colon:
                    raise LexicalError("unexpected second colon(:) in brackets", start)
                if self.text[start - 1] == "[":
                    raise LexicalError("expect duration before first colon(:) in brackets", start)
                colon = True
                self.emit(":", start)
            elif _is_digit(ch):
                self.pos = start
                self.number_or_duration()
            elif ch == "]":
                self.emit("]", start)
                return
            elif ch == "[":
                raise LexicalError("unexpected left brace '[' inside brackets", start)
            else:
                raise LexicalError(f"unexpected character inside brackets: {ch!r}", start)
