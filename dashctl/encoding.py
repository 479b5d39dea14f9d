"""Canonical JSON and YAML: the same data always gives the same bytes.

Sorted keys, fixed indentation, no anchors, a trailing newline. JSON goes through orjson (compiled; a large build
dumps every dashboard once) and YAML through a writer of its own for the plain data dashctl writes, byte for byte
what PyYAML's C emitter writes for the same data; anything that writer is not sure of (a tab, an emoji, a key
that needs quoting, a type other than dict/list/str/int/float/bool/None...) goes through PyYAML itself, so the
output never depends on which path wrote it.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import orjson

__all__ = ["dump_json", "dump_yaml", "dump_yaml_documents", "load_yaml"]

_JSON_COMPACT = orjson.OPT_SORT_KEYS
_JSON_INDENTED = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
# orjson spells a float below 1e-4 differently from Python (1e-7 vs 1e-07, 0.00002 vs 2e-05; every other float
# alike, fuzzed in the tests): output that may hold one goes through json, so the bytes stay what they were. The
# search starts with a literal, which `re` finds as fast as `bytes.find` (a pattern starting with a class of
# digits took four times as long as orjson's whole dump). (orjson writes NaN and infinities as null where json
# refused them; null is what Grafana itself stores for an infinite threshold.)
_NEGATIVE_EXPONENT = re.compile(rb"e-[0-9]")
_DIGITS = frozenset(b"0123456789")
_FLOATS_ONLY_SPECIAL = (float("inf"), float("-inf"))


def dump_json(data: Any, *, minify: bool = False) -> str:
    """JSON with sorted keys; minified (for ConfigMap data) or indented by two spaces with a trailing newline."""
    try:
        encoded = orjson.dumps(data, option=_JSON_COMPACT if minify else _JSON_INDENTED)
    except (orjson.JSONEncodeError, TypeError):
        encoded = None  # non-string keys, integers over 64 bits, unknown types: json's own rules and errors
    if encoded is not None and not _small_float(encoded):
        return encoded.decode()
    if minify:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _small_float(encoded: bytes) -> bool:
    """Whether orjson's `encoded` may hold a float below 1e-4 (false alarms cost only json's slower dump)."""
    if b"0.0000" in encoded:
        return True
    return any(match.start() and encoded[match.start() - 1] in _DIGITS
               for match in _NEGATIVE_EXPONENT.finditer(encoded))


def _dumper() -> type:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class CanonicalDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_str(dumper: Any, value: str) -> Any:
        # Block style keeps multi-line strings (templates, descriptions) readable in review.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    CanonicalDumper.add_representer(str, represent_str)
    return CanonicalDumper


_DUMPER: type | None = None


def dump_yaml(data: Any) -> str:
    """One YAML document with sorted keys and block style."""
    if type(data) in (dict, list) and data:
        try:
            return _BlockWriter().document(data)
        except _Unsure:
            pass
    return _pyyaml_dump(data)


def _pyyaml_dump(data: Any) -> str:
    global _DUMPER
    import yaml

    if _DUMPER is None:
        _DUMPER = _dumper()
    return yaml.dump(
        data, Dumper=_DUMPER, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096
    )


def dump_yaml_documents(documents: list[Any]) -> str:
    """Several YAML documents separated by `---`."""
    return "---\n".join(dump_yaml(document) for document in documents)


def load_yaml(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


# ---------------------------------------------------------------------------------------------- the YAML writer
#
# What libyaml does with `dump_yaml`'s settings (block style, width 4096, unicode allowed, indent 2), for the
# cases the writer takes on:
# - a block sequence inside a mapping is not indented ("key:\n- item"); a mapping inside a sequence starts on
#   the dash's line; empty collections are written in flow style ({} and []).
# - a string is plain unless it is empty, starts or ends with a space, starts with an indicator (or `-`, `?`,
#   `:` followed by a space or the end, or `---`/`...`), holds `: `, ` #` or ends with `:`, or would read back as
#   another type (null, true, 1, 1.5, 2001-12-14, `=`, `<<`): then it is single-quoted, `'` doubled.
# - a plain or single-quoted line is folded at a single inner space once the column passes 4096, continuing at
#   the container's indent plus two.
# - a string with a line break is a literal block (`|`, `|-` without a final line break), its lines indented by
#   two more than the container, empty lines left empty.
# Every character outside libyaml's printable set (tabs, CR, NEL, LS/PS, BOM, anything past U+FFFF) makes libyaml
# choose double quotes with escapes; the writer leaves such data to PyYAML, as it does strings whose block form
# libyaml refuses (a line ending in a space, a leading space or line break, more than one final line break).

_WIDTH = 4096
_SIMPLE_KEY_MAX = 128
# Not printable for libyaml, or a line break other than LF (the writer only handles LF itself). Compiled when first
# searched (`_compiled`): the two classes of Unicode ranges took 10 ms to compile, a tenth of what dashctl's own
# imports cost a rebuild that changed one file.
_UNPRINTABLE = "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
_UNPRINTABLE_BLOCK = "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
# The printable ASCII characters, as bytes.translate deletes them: what is left of an ASCII string is what
# _UNPRINTABLE (or, line breaks aside, _UNPRINTABLE_BLOCK) would find, at a tenth of a regex's cost per character.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_PRINTABLE_ASCII_BLOCK = _PRINTABLE_ASCII + b"\n"
_LONG = 64  # below this, a regex search costs less than the encoding
_NOT_PLAIN = re.compile(r"^[-?:](?: |$)|^[#,\[\]{}&*!|>'\"%@`]|^ | $|: |:$| #|^---|^\.\.\.")
_BLOCK_REFUSED = re.compile(r"^[ \n]| \n| $|\n\n$")
_BREAKABLE = re.compile(r"(?<! ) (?! )")
_STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT: dict[str, list[tuple[str, Any]]] | None = None


class _Unsure(Exception):
    """The writer does not know libyaml's choice for this value: PyYAML writes the document."""


def _implicit_resolvers() -> dict[str, list[tuple[str, Any]]]:
    global _IMPLICIT
    if _IMPLICIT is None:
        from yaml.resolver import Resolver

        _IMPLICIT = dict(Resolver.yaml_implicit_resolvers)
    return _IMPLICIT


def _reads_back_as_str(text: str) -> bool:
    """Whether `text` written plain loads as a string again (PyYAML's own implicit resolvers decide)."""
    resolvers = _implicit_resolvers()
    for tag, pattern in resolvers.get(text[0], []) + resolvers.get(None, []):  # type: ignore[call-overload]
        if pattern.match(text):
            return tag == _STR_TAG
    return True


def _flat_scalar(text: str) -> tuple[str, bool]:
    """The written form of a one-line string and whether it is plain (else single-quoted); _Unsure otherwise."""
    if not text:
        return "''", False
    if _unprintable(text, _UNPRINTABLE, _PRINTABLE_ASCII):
        raise _Unsure
    if _NOT_PLAIN.search(text) or not _reads_back_as_str(text):
        return "'" + text.replace("'", "''") + "'", False
    return text, True


_SCALARS: dict[str, tuple[str, bool]] = {}  # written forms of strings: keys and values recur across documents


def _flat(text: str) -> tuple[str, bool]:
    found = _SCALARS.get(text)
    if found is None:
        found = _flat_scalar(text)
        if len(text) <= 200:  # names and short values recur; a dashboard's JSON does not, and would pin memory
            if len(_SCALARS) > 100_000:
                _SCALARS.clear()
            _SCALARS[text] = found
    return found


# A mapping's keys in the order it writes them, each with its written form and that form's length, per tuple of
# keys as the dict holds them: documents of one kind (alert rules, their queries) repeat the same few key sets.
_LAYOUTS: dict[tuple[Any, ...], tuple[tuple[str, str, int], ...]] = {}
_STR_TYPES = frozenset({str})


def _layout(keys: tuple[Any, ...]) -> tuple[tuple[str, str, int], ...]:
    """Sorted as the mapping is written; _Unsure for a key the writer does not take on (PyYAML writes it)."""
    entries = []
    for key in sorted(keys):
        if type(key) is not str or len(key) >= _SIMPLE_KEY_MAX or "\n" in key:
            raise _Unsure
        written = _flat(key)[0]
        entries.append((key, written, len(written)))
    layout = tuple(entries)
    if len(_LAYOUTS) > 10_000:
        _LAYOUTS.clear()
    _LAYOUTS[keys] = layout
    return layout


class _BlockWriter:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def document(self, data: Any) -> str:
        if type(data) is dict:
            self.mapping(data, 0, first_prefix="")
        else:
            self.sequence(data, 0, first_prefix="")
        return "".join(self.parts)

    def mapping(self, data: dict[str, Any], indent: int, *, first_prefix: str) -> None:
        append = self.parts.append
        pad = " " * indent
        prefix = first_prefix
        keys = tuple(data)
        layout = _LAYOUTS.get(keys)
        if layout is None:
            layout = _layout(keys)
        elif _STR_TYPES.issuperset(map(type, keys)) is False:  # a str subclass equal to a key already laid out
            raise _Unsure
        scalars = _SCALARS
        for key, written, width in layout:
            value = data[key]
            kind = type(value)
            # Scalars, most of any document, are written here in one piece.
            if kind is str and "\n" not in value:
                text, plain = scalars.get(value) or _flat(value)
                column = indent + width + 2
                if column + len(text) > _WIDTH and " " in value:
                    text = _folded(text, column, indent + 2, quoted=not plain)
                append(f"{prefix}{written}: {text}\n")
            elif kind is int or kind is bool or value is None:
                append(f"{prefix}{written}: {_flat_other(value)}\n")
            else:
                append(f"{prefix}{written}:")
                self.value(value, indent, column=indent + width + 1, in_mapping=True)
            prefix = pad

    def sequence(self, data: list[Any], indent: int, *, first_prefix: str) -> None:
        append = self.parts.append
        pad = " " * indent
        prefix = first_prefix
        for item in data:
            kind = type(item)
            if kind is str and "\n" not in item:
                text, plain = _flat(item)
                if indent + 2 + len(text) > _WIDTH and " " in item:
                    text = _folded(text, indent + 2, indent + 2, quoted=not plain)
                append(f"{prefix}- {text}\n")
            else:
                text = _remembered_entry(item, indent) if kind is dict else None
                if text is None:
                    append(f"{prefix}-")
                    self.value(item, indent, column=indent + 1, in_mapping=False)
                else:
                    append(prefix)
                    append(text)
            prefix = pad

    def value(self, value: Any, indent: int, *, column: int, in_mapping: bool) -> None:
        """Write what follows `key:` or `-` (at `column`), in a container whose entries start at `indent`."""
        kind = type(value)
        if kind is str:
            if "\n" in value:
                self.literal(value, indent + 2)
            else:
                self.parts.append(" ")
                self.string(value, column + 1, indent + 2)
            self.parts.append("\n")
        elif kind is dict:
            if not value:
                self.parts.append(" {}\n")
            elif in_mapping:
                self.parts.append("\n")
                self.mapping(value, indent + 2, first_prefix=" " * (indent + 2))
            else:
                self.mapping(value, indent + 2, first_prefix=" ")
        elif kind is list:
            if not value:
                self.parts.append(" []\n")
            elif in_mapping:
                # libyaml does not indent a sequence that is a mapping's value.
                self.parts.append("\n")
                self.sequence(value, indent, first_prefix=" " * indent)
            else:
                self.sequence(value, indent + 2, first_prefix=" ")
        else:
            self.parts.append(" ")
            self.parts.append(_flat_other(value))
            self.parts.append("\n")

    def string(self, text: str, column: int, continuation: int) -> None:
        written, plain = _flat(text)
        if column + len(written) <= _WIDTH or " " not in text:
            self.parts.append(written)
        else:
            self.parts.append(_folded(written, column, continuation, quoted=not plain))

    def literal(self, text: str, indent: int) -> None:
        if _unprintable(text, _UNPRINTABLE_BLOCK, _PRINTABLE_ASCII_BLOCK) or _block_refused(text):
            raise _Unsure
        chomp = "" if text.endswith("\n") else "-"
        pad = " " * indent
        kept = text[:-1] if not chomp else text
        if "\n\n" in kept:
            body = "\n".join(pad + line if line else "" for line in kept.split("\n"))
        else:  # no empty line (nor a first one: refused above): every line padded, in one pass over the text
            body = pad + kept.replace("\n", "\n" + pad)
        self.parts.append(f" |{chomp}\n{body}")


# The `data[]` entries of Grafana's server-side expressions (reduce, threshold, math) repeat from rule to rule:
# their text is kept per exact content and indent. The key is type-strict: every string an exact str, every number
# spelt by repr (1, 1.0 and True compare equal but are written apart); anything else is written the usual way.
_EXPRESSIONS: dict[tuple[Any, ...], str] = {}
_ENTRY_KEYS = ("refId", "datasourceUid", "model")
_MODEL_KEYS = {
    ("refId", "type", "expression", "reducer"): "reduce",
    ("refId", "type", "expression", "conditions"): "threshold",
    ("refId", "type", "expression"): "math",
}
_NUMBERS = frozenset({int, float, bool})


def _expression_key(entry: dict[Any, Any], indent: int) -> tuple[Any, ...] | None:
    """The memo key of a server-side expression entry of an alert rule's `data`, None for anything else."""
    if tuple(entry) != _ENTRY_KEYS or entry["datasourceUid"] != "__expr__":
        return None
    model = entry["model"]
    if type(model) is not dict:
        return None
    kind = _MODEL_KEYS.get(tuple(model))
    if kind is None or model["type"] != kind:
        return None
    # A str subclass equal to a key is left to the general writer, which hands it to PyYAML.
    if not (_STR_TYPES.issuperset(map(type, entry)) and _STR_TYPES.issuperset(map(type, model))):
        return None
    ref, source, expression = entry["refId"], entry["datasourceUid"], model["expression"]
    model_ref = model["refId"]
    if not (type(ref) is str and type(source) is str and type(expression) is str and type(model_ref) is str
            and type(model["type"]) is str):
        return None
    if kind == "reduce":
        reducer = model["reducer"]
        if type(reducer) is not str:
            return None
        return indent, ref, model_ref, kind, expression, reducer
    if kind == "math":
        return indent, ref, model_ref, kind, expression
    conditions = model["conditions"]
    if type(conditions) is not list or len(conditions) != 1:
        return None
    condition = conditions[0]
    if type(condition) is not dict or tuple(condition) != ("evaluator",):
        return None
    evaluator = condition["evaluator"]
    if type(evaluator) is not dict or tuple(evaluator) != ("type", "params"):
        return None
    if not (_STR_TYPES.issuperset(map(type, condition)) and _STR_TYPES.issuperset(map(type, evaluator))):
        return None
    evaluator_type, params = evaluator["type"], evaluator["params"]
    if type(evaluator_type) is not str or type(params) is not list or not _NUMBERS.issuperset(map(type, params)):
        return None
    return indent, ref, model_ref, kind, expression, evaluator_type, tuple(map(repr, params))


def _expression_text(entry: dict[str, Any], indent: int) -> str:
    """The entry as a sequence item at `indent` (from its dash on), written by the general writer and kept."""
    writer = _BlockWriter()
    writer.parts.append("-")
    writer.value(entry, indent, column=indent + 1, in_mapping=False)
    text = "".join(writer.parts)
    key = _expression_key(entry, indent)
    if key is not None:
        if len(_EXPRESSIONS) > 10_000:
            _EXPRESSIONS.clear()
        _EXPRESSIONS[key] = text
    return text


# A PromQL query's entry: everything but its `expr` recurs (refId, datasource, time range, interval, instant or
# range), so the text around the expression is kept per exact content and indent, and the expression written in.
_QUERIES: dict[tuple[Any, ...], tuple[str, str]] = {}
_QUERY_KEYS = ("refId", "datasourceUid", "relativeTimeRange", "model")
_QUERY_MODEL_KEYS = ("refId", "expr", "intervalMs", "maxDataPoints", "instant", "range")
_RANGE_KEYS = ("from", "to")
_EXPR_MARK = "dashctl-expr-mark"
# The types of the memo key's parts (indent, refIds, datasource, time range, interval, points, instant, range).
_QUERY_KEY_TYPES = (int, str, str, str, int, int, int, int, bool, bool)


def _remembered_entry(entry: dict[Any, Any], indent: int) -> str | None:
    """The text of an alert rule's `data[]` entry as a sequence item, from the memos; None: the general way."""
    keys = tuple(entry)
    if keys == _ENTRY_KEYS:
        key = _expression_key(entry, indent)
        if key is None:
            return None
        return _EXPRESSIONS.get(key) or _expression_text(entry, indent)
    if keys != _QUERY_KEYS:
        return None
    model, window = entry["model"], entry["relativeTimeRange"]
    if type(model) is not dict or type(window) is not dict or tuple(model) != _QUERY_MODEL_KEYS or tuple(
            window) != _RANGE_KEYS:
        return None
    if not (_STR_TYPES.issuperset(map(type, entry)) and _STR_TYPES.issuperset(map(type, model))
            and _STR_TYPES.issuperset(map(type, window))):
        return None
    expr = model["expr"]
    key = (indent, entry["refId"], entry["datasourceUid"], model["refId"], window["from"], window["to"],
           model["intervalMs"], model["maxDataPoints"], model["instant"], model["range"])
    if type(expr) is not str or "\n" in expr or tuple(map(type, key)) != _QUERY_KEY_TYPES:
        return None
    written, plain = _flat(expr)
    if indent + 10 + len(written) > _WIDTH and " " in expr:  # `expr: ` at indent + 4: folded the general way
        return None
    around = _QUERIES.get(key)
    if around is None:
        writer = _BlockWriter()
        writer.parts.append("-")
        writer.value({**entry, "model": {**model, "expr": _EXPR_MARK}}, indent, column=indent + 1,
                     in_mapping=False)
        pieces = "".join(writer.parts).split(_EXPR_MARK)
        if len(pieces) != 2:  # the mark among the entry's own strings
            return None
        around = pieces[0], pieces[1]
        if len(_QUERIES) > 10_000:
            _QUERIES.clear()
        _QUERIES[key] = around
    return around[0] + written + around[1]



def _unprintable(text: str, pattern: str, printable_ascii: bytes) -> bool:
    """Whether `pattern` (_UNPRINTABLE or _UNPRINTABLE_BLOCK) finds a character in `text`."""
    if len(text) >= _LONG and text.isascii():
        return bool(text.encode("ascii").translate(None, printable_ascii))
    return _compiled(pattern).search(text) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _block_refused(text: str) -> bool:
    """`_BLOCK_REFUSED.search(text)`, with `in` and `endswith` (a rule file's literal block is megabytes): `$` also
    matches before a final line break, which " \\n" in text covers for ` $` and a third break for `\\n\\n$`."""
    if len(text) < _LONG:
        return _BLOCK_REFUSED.search(text) is not None
    return text[0] in " \n" or " \n" in text or text.endswith(" ") or text.endswith("\n\n")


def _folded(written: str, column: int, continuation: int, *, quoted: bool) -> str:
    """A plain or quoted scalar broken at single inner spaces once past the width, as libyaml breaks it.

    `column` is where the scalar starts on its line. libyaml breaks at a space that is neither the first nor the
    last character of the string's own text (inside the quotes) nor next to another space, when the column it
    has reached is past the width; the space becomes the line break.
    """
    out: list[str] = []
    first, last = (1, len(written) - 2) if quoted else (0, len(written) - 1)
    start = 0  # where the current line's part of `written` begins
    line_column = column  # the column of written[start]
    while True:
        # The first space libyaml may break at once past the width: one search per line, not a walk of the text.
        match = _BREAKABLE.search(written, max(start + _WIDTH - line_column + 1, first + 1))
        if match is None or match.start() >= last:
            break
        space = match.start()
        out.append(written[start:space])
        out.append("\n" + " " * continuation)
        start = space + 1
        line_column = continuation
    out.append(written[start:])
    return "".join(out)


def _flat_other(value: Any) -> str:
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        if value != value or value in _FLOATS_ONLY_SPECIAL:
            raise _Unsure
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        return text
    raise _Unsure
