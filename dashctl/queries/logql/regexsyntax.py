"""RE2 regular expressions as Go's `regexp/syntax` parses them with the Perl flags: the dialect of Loki and Prometheus.

Loki compiles regexes with Go's `regexp` (stream selectors through Prometheus' `labels.NewMatcher`, line filters,
`| regexp`, `label_replace`), so a regex Python's `re` accepts may still be rejected (`(?=...)`, `\\1`, `a**`) and
the reverse (`\\pL`, `[[:alpha:]]`, `\\z`). This module checks a pattern against Go's rules (source:
golang/go `src/regexp/syntax/parse.go`) without matching anything, so no pattern can make it backtrack, and reports
what Loki's validation needs: whether the whole-string match accepts the empty string, and the capture names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["RegexError", "RegexInfo", "parse_regex"]

_MAX_REPEAT = 1000
_MAX_DEPTH = 1000

_PERL_CLASSES = frozenset({"d", "D", "s", "S", "w", "W"})
_POSIX_CLASSES = frozenset(
    {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper",
     "word", "xdigit"}  # fmt: skip
)

# Names Go's `\p{...}` accepts: general categories, their long aliases, and scripts (Unicode 15), compared after
# dropping case, `_`, `-` and spaces, as Go 1.25's canonicalName does.
_UNICODE_NAMES = frozenset(
    re.sub(r"[_\- ]", "", name).lower()
    for name in """
    Any Assigned ASCII LC C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So
    Z Zl Zp Zs Other Control Format Private_Use Surrogate Letter Cased_Letter Lowercase_Letter Modifier_Letter
    Other_Letter Titlecase_Letter Uppercase_Letter Mark Combining_Mark Spacing_Mark Enclosing_Mark Nonspacing_Mark
    Number Decimal_Number digit Letter_Number Other_Number Punctuation punct Connector_Punctuation Dash_Punctuation
    Close_Punctuation Final_Punctuation Initial_Punctuation Other_Punctuation Open_Punctuation Symbol Currency_Symbol
    Modifier_Symbol Math_Symbol Other_Symbol Separator Line_Separator Paragraph_Separator Space_Separator
    Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki
    Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee
    Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan
    Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi
    Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited
    Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
    Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani
    Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
    Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari
    New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian
    Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong
    Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada Shavian
    Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le
    Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai
    Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square
    """.split()
)

_INVALID_CHAR_RANGE = "invalid character class range"
_INVALID_ESCAPE = "invalid escape sequence"
_INVALID_NAMED_CAPTURE = "invalid named capture"
_INVALID_PERL_OP = "invalid or unsupported Perl syntax"
_INVALID_REPEAT_OP = "invalid nested repetition operator"
_INVALID_REPEAT_SIZE = "invalid repeat count"
_MISSING_BRACKET = "missing closing ]"
_MISSING_PAREN = "missing closing )"
_MISSING_REPEAT_ARGUMENT = "missing argument to repetition operator"
_TRAILING_BACKSLASH = "trailing backslash at end of expression"
_UNEXPECTED_PAREN = "unexpected )"
_NESTING_DEPTH = "expression nests too deeply"


class RegexError(ValueError):
    """A pattern Go's regexp parser rejects; the message is Go's (`error parsing regexp: <code>: `<text>``)."""

    def __init__(self, code: str, text: str):
        super().__init__(f"error parsing regexp: {code}: `{text}`")
        self.code = code
        self.text = text


@dataclass(frozen=True, kw_only=True)
class RegexInfo:
    """What Loki's checks need from a valid pattern."""

    matches_empty: bool
    """Whether the whole-string match (`^(?:pattern)$`) accepts the empty string."""
    capture_names: tuple[str, ...]
    """One entry per capturing group in order; `""` for an unnamed group."""


@dataclass(frozen=True)
class _Item:
    # One parsed piece of a concatenation: can it match empty, and the largest product of nested counted repeats.
    nullable: bool
    repeats: int = 1


_ATOM = _Item(False)
_EMPTY_WIDTH = _Item(True)


@dataclass
class _Group:
    start: int
    capture: bool
    alternatives_nullable: bool = False
    alternatives_repeats: int = 1
    items: list[_Item] = field(default_factory=list)

    def close_alternative(self) -> None:
        self.alternatives_nullable |= all(item.nullable for item in self.items)
        self.alternatives_repeats = max([self.alternatives_repeats, *(item.repeats for item in self.items)])
        self.items = []

    def as_item(self) -> _Item:
        self.close_alternative()
        return _Item(self.alternatives_nullable, self.alternatives_repeats)


def parse_regex(pattern: str) -> RegexInfo:
    """Check `pattern` with Go's Perl-flavoured RE2 rules; raise RegexError where Go would refuse it."""
    return _RegexParser(pattern).parse()


class _RegexParser:
    def __init__(self, pattern: str):
        self.pattern = pattern
        self.stack: list[_Group] = [_Group(0, capture=False)]
        self.capture_names: list[str] = []

    @property
    def items(self) -> list[_Item]:
        return self.stack[-1].items

    def parse(self) -> RegexInfo:
        text = self.pattern
        index = 0
        last_repeat = -1
        while index < len(text):
            repeat = -1
            char = text[index]
            if char == "(":
                index = self._open_group(index)
            elif char == "|":
                self.stack[-1].close_alternative()
                index += 1
            elif char == ")":
                if len(self.stack) == 1:
                    raise RegexError(_UNEXPECTED_PAREN, text)
                group = self.stack.pop()
                self.items.append(group.as_item())
                index += 1
            elif char in "^$":
                self.items.append(_EMPTY_WIDTH)
                index += 1
            elif char == "[":
                index = self._parse_class(index)
                self.items.append(_ATOM)
            elif char in "*+?":
                repeat = index
                index = self._repeat(index, index + 1, last_repeat, nullable=char != "+", counted=None)
            elif char == "{":
                counted = self._parse_counted_repeat(index)
                if counted is None:
                    self.items.append(_ATOM)
                    index += 1
                else:
                    low, high, end = counted
                    if low < 0 or low > _MAX_REPEAT or high > _MAX_REPEAT or (high >= 0 and low > high):
                        raise RegexError(_INVALID_REPEAT_SIZE, text[index:end])
                    repeat = index
                    index = self._repeat(index, end, last_repeat, nullable=low == 0, counted=(low, high))
            elif char == "\\":
                index = self._parse_backslash(index)
            else:
                self.items.append(_ATOM)
                index += 1
            last_repeat = repeat
        if len(self.stack) != 1:
            raise RegexError(_MISSING_PAREN, text)
        top = self.stack[0].as_item()
        return RegexInfo(matches_empty=top.nullable, capture_names=tuple(self.capture_names))

    def _open_group(self, index: int) -> int:
        text = self.pattern
        if len(self.stack) > _MAX_DEPTH:
            raise RegexError(_NESTING_DEPTH, text)
        if not text.startswith("(?", index):
            self.capture_names.append("")
            self.stack.append(_Group(index, capture=True))
            return index + 1
        rest = text[index:]
        named_p = len(rest) > 4 and rest[2] == "P" and rest[3] == "<"
        named = len(rest) > 3 and rest[2] == "<"
        if named_p or named:
            name_start = index + (4 if named_p else 3)
            end = text.find(">", index)
            if end < 0:
                raise RegexError(_INVALID_NAMED_CAPTURE, rest)
            name = text[name_start:end]
            if not name or not all(c == "_" or ("0" <= c <= "9") or ("a" <= c.lower() <= "z") for c in name):
                raise RegexError(_INVALID_NAMED_CAPTURE, text[index : end + 1])
            self.capture_names.append(name)
            self.stack.append(_Group(index, capture=True))
            return end + 1
        # Flags and non-capturing groups: (?i) (?i-s) (?:...) (?i:...)
        position = index + 2
        negated = False
        saw_flag = False
        while position < len(text):
            flag = text[position]
            position += 1
            if flag in "imsU":
                saw_flag = True
            elif flag == "-":
                if negated:
                    break
                negated = True
                saw_flag = False
            elif flag in ":)":
                if negated and not saw_flag:
                    break
                if flag == ":":
                    self.stack.append(_Group(index, capture=False))
                return position
            else:
                break
        raise RegexError(_INVALID_PERL_OP, text[index:position])

    def _repeat(
        self, start: int, end: int, last_repeat: int, *, nullable: bool, counted: tuple[int, int] | None
    ) -> int:
        """Apply the repetition operator text[start:end] to the last item; return where parsing goes on."""
        text = self.pattern
        if end < len(text) and text[end] == "?":
            end += 1
        if last_repeat >= 0:
            raise RegexError(_INVALID_REPEAT_OP, text[last_repeat:end])
        if not self.items:
            raise RegexError(_MISSING_REPEAT_ARGUMENT, text[start:end])
        sub = self.items[-1]
        repeats = sub.repeats
        if counted is not None:
            low, high = counted
            count = high if high >= 0 else low
            repeats = 1 if high == 0 else max(count, 1) * sub.repeats
            if (low >= 2 or high >= 2) and repeats > _MAX_REPEAT:
                raise RegexError(_INVALID_REPEAT_SIZE, text[start:end])
        self.items[-1] = _Item(nullable or sub.nullable, repeats)
        return end

    def _parse_counted_repeat(self, index: int) -> tuple[int, int, int] | None:
        match = re.compile(r"\{([0-9]+)(,([0-9]*))?\}").match(self.pattern, index)
        if match is None:
            return None
        low_text, comma, high_text = match.group(1), match.group(2), match.group(3)
        if _leading_zero(low_text) or (high_text and _leading_zero(high_text)):
            return None
        low = _bounded_int(low_text)
        if comma is None:
            high = low
        elif high_text == "":
            high = -1
        else:
            high = _bounded_int(high_text)
            if high < 0:
                low = -1
        return low, high, match.end()

    def _parse_backslash(self, index: int) -> int:
        text = self.pattern
        if index + 1 < len(text):
            kind = text[index + 1]
            if kind in "AzB":
                self.items.append(_EMPTY_WIDTH)
                return index + 2
            if kind == "b":
                self.items.append(_ATOM)
                return index + 2
            if kind == "C":
                raise RegexError(_INVALID_ESCAPE, text[index : index + 2])
            if kind == "Q":
                end = text.find("\\E", index + 2)
                literal_end = len(text) if end < 0 else end
                self.items.extend(_ATOM for _ in range(index + 2, literal_end))
                return len(text) if end < 0 else end + 2
            if kind in "pP":
                self.items.append(_ATOM)
                return self._parse_unicode_class(index)
            if kind in _PERL_CLASSES:
                self.items.append(_ATOM)
                return index + 2
        _, end = self._parse_escape(index)
        self.items.append(_ATOM)
        return end

    def _parse_escape(self, index: int) -> tuple[int, int]:
        """Return the code point of the escape at `index` and where it ends."""
        text = self.pattern
        position = index + 1
        if position >= len(text):
            raise RegexError(_TRAILING_BACKSLASH, "")
        char = text[position]
        position += 1
        if ord(char) < 0x80 and not char.isalnum():
            return ord(char), position
        if char in "1234567" and not (position < len(text) and text[position] in "01234567"):
            raise RegexError(_INVALID_ESCAPE, text[index:position])
        if char in "01234567":
            value = int(char)
            for _ in range(2):
                if position < len(text) and text[position] in "01234567":
                    value = value * 8 + int(text[position])
                    position += 1
            return value, position
        if char == "x":
            return self._parse_hex_escape(index, position)
        simple = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
        if char in simple:
            return simple[char], position
        raise RegexError(_INVALID_ESCAPE, text[index:position])

    def _parse_hex_escape(self, index: int, position: int) -> tuple[int, int]:
        text = self.pattern
        hex_digits = "0123456789abcdefABCDEF"
        if position < len(text) and text[position] == "{":
            end = position + 1
            while end < len(text) and text[end] in hex_digits:
                end += 1
            digits = text[position + 1 : end]
            if end < len(text) and text[end] == "}" and digits and int(digits, 16) <= 0x10FFFF:
                return int(digits, 16), end + 1
            raise RegexError(_INVALID_ESCAPE, text[index : min(end + 1, len(text))])
        digits = text[position : position + 2]
        if len(digits) == 2 and all(d in hex_digits for d in digits):
            return int(digits, 16), position + 2
        raise RegexError(_INVALID_ESCAPE, text[index : position + len(digits)])

    def _parse_unicode_class(self, index: int) -> int:
        text = self.pattern
        position = index + 2
        if position < len(text) and text[position] == "{":
            end = text.find("}", position)
            if end < 0:
                raise RegexError(_INVALID_CHAR_RANGE, text[index:])
            name, sequence, after = text[position + 1 : end], text[index : end + 1], end + 1
        else:
            name = text[position : position + 1]
            sequence, after = text[index : position + 1], position + 1
        if name.startswith("^"):
            name = name[1:]
        if re.sub(r"[_\- ]", "", name).lower() not in _UNICODE_NAMES:
            raise RegexError(_INVALID_CHAR_RANGE, sequence)
        return after

    def _parse_class(self, index: int) -> int:
        """Parse a bracketed class starting at `index`; return the index after its `]`."""
        text = self.pattern
        whole = text[index:]
        position = index + 1
        if position < len(text) and text[position] == "^":
            position += 1
        first = True
        while position >= len(text) or text[position] != "]" or first:
            first = False
            if text.startswith("[:", position) and len(text) - position > 2:
                end = text.find(":]", position + 2)
                if end >= 0:
                    name = text[position + 2 : end]
                    if name.removeprefix("^") not in _POSIX_CLASSES:
                        raise RegexError(_INVALID_CHAR_RANGE, text[position : end + 2])
                    position = end + 2
                    continue
            if text.startswith(("\\p", "\\P"), position):
                position = self._parse_unicode_class(position)
                continue
            if text.startswith("\\", position) and text[position + 1 : position + 2] in _PERL_CLASSES:
                position += 2
                continue
            range_start = position
            low, position = self._parse_class_char(position, whole)
            if position + 1 < len(text) and text[position] == "-" and text[position + 1] != "]":
                high, position = self._parse_class_char(position + 1, whole)
                if high < low:
                    raise RegexError(_INVALID_CHAR_RANGE, text[range_start:position])
        return position + 1

    def _parse_class_char(self, position: int, whole: str) -> tuple[int, int]:
        if position >= len(self.pattern):
            raise RegexError(_MISSING_BRACKET, whole)
        if self.pattern[position] == "\\":
            return self._parse_escape(position)
        return ord(self.pattern[position]), position + 1


def _leading_zero(digits: str) -> bool:
    return len(digits) >= 2 and digits[0] == "0"


def _bounded_int(digits: str) -> int:
    # Go's parseInt gives up (returns -1) past 1e8 to avoid overflow.
    value = 0
    for digit in digits:
        if value >= 10**8:
            return -1
        value = value * 10 + int(digit)
    return value
