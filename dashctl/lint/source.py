"""The user's definition files as lint reads them: lines to quote, and lines more precise than a definition's.

Compiled objects remember where their definition was written (a `@dashboard` decorator, an `AlertRule(` call).
A panel built by a grafanalib call does not, so lint looks for the `title="..."` keyword with the panel's title
in the dashboard's file, outside the other definitions of that file: when exactly one call has it, the finding
points there. The keyword arguments of an
`AlertRule(...)` call (`for_=`, `summary=`) are found the same way from the line of the call.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from dashctl.definitions import relative_location
from dashctl.errors import SourceLocation

__all__ = ["Comment", "SourceIndex"]


@dataclass(frozen=True, kw_only=True)
class Comment:
    """A `#` comment: its line, its text, and whether it stands alone on its line."""

    line: int
    column: int
    text: str
    own_line: bool


class SourceIndex:
    """Reads, parses and remembers the project's source files; paths are relative to `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, _SourceFile] = {}

    def file(self, name: str) -> _SourceFile:
        if name not in self._files:
            path = Path(name) if Path(name).is_absolute() else self.root / name
            self._files[name] = _SourceFile(path)
        return self._files[name]

    def line(self, location: SourceLocation) -> str | None:
        """The text of `location`'s line, without its line break, or None when it cannot be read."""
        lines = self.file(location.file).lines
        if location.line is None or not 0 < location.line <= len(lines):
            return None
        return lines[location.line - 1]

    def title_location(self, file: str, title: str, definition_line: int | None = None
                       ) -> tuple[SourceLocation, SourceLocation] | None:
        """The `title="..."` keyword with this exact title in `file`, and the call it belongs to, when unique.

        Titles inside another decorated function than the one whose decorator is on `definition_line` (another
        dashboard of the same file) do not count.
        """
        source = self.file(file)
        found = [(keyword, call) for keyword, call in source.titles.get(title, [])
                 if not any(start <= keyword <= end for start, end in source.definitions
                            if start != definition_line)]
        if len(found) != 1:
            return None
        keyword_line, call_line = found[0]
        return SourceLocation(file=file, line=keyword_line), SourceLocation(file=file, line=call_line)

    def query_location(self, definition: SourceLocation, panel_title: str, index: int) -> SourceLocation | None:
        """The line holding the `expr=` of the `index`-th query of the panel titled `panel_title` in the definition
        on `definition`'s line: where the query is written, for build and lint alike. None when it cannot be told
        (the panel comes from a preset, or its queries are not written as `expr=` keywords in its call)."""
        found = self.title_location(definition.file, panel_title, definition.line)
        if found is None:
            return None
        lines = self.file(definition.file).expr_lines(found[1].line or 0)
        if not 0 <= index < len(lines):
            return None
        return SourceLocation(file=definition.file, line=lines[index])

    def query_source_location(self, source: Any) -> SourceLocation:
        """The line that holds a query whose QuerySource (`dashctl.dashboards.panel`) a preset recorded: the
        `expr=` of the user's `Query(...)`, or the element of the `queries=[...]` list of the user's call of a
        panel factory; the call's own line when the argument is not written there (a preset such as `red_row`)."""
        location = relative_location(source.location, self.root)
        if location.line is None:
            return location
        lines = self.file(location.file).argument_lines(location.line, source.keyword)
        if not lines:
            return location
        index = source.index or 0
        return SourceLocation(file=location.file, line=lines[index] if index < len(lines) else lines[0])

    def keyword_location(self, location: SourceLocation, keyword: str) -> SourceLocation | None:
        """The line of `keyword=` in the call that starts on `location`'s line, e.g. `for_=` of `AlertRule(`."""
        if location.line is None:
            return None
        line = self.file(location.file).keywords.get((location.line, keyword))
        return None if line is None else SourceLocation(file=location.file, line=line)

    def comments(self, file: str) -> tuple[Comment, ...]:
        return self.file(file).comments

    def is_comment_line(self, file: str, line: int) -> bool:
        lines = self.file(file).lines
        return 0 < line <= len(lines) and lines[line - 1].lstrip().startswith("#")


class _SourceFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def tree(self) -> ast.Module | None:
        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError):
            return None

    @cached_property
    def titles(self) -> dict[str, list[tuple[int, int]]]:
        """title -> [(line of the title keyword, line of its call)] for every `title="literal"` keyword."""
        found: dict[str, list[tuple[int, int]]] = {}
        for call in self._calls:
            for keyword in call.keywords:
                if keyword.arg == "title" and isinstance(keyword.value, ast.Constant) and isinstance(
                    keyword.value.value, str
                ):
                    found.setdefault(keyword.value.value, []).append((keyword.value.lineno, call.lineno))
        return found

    @cached_property
    def keywords(self) -> dict[tuple[int, str], int]:
        """(line of a call, keyword) -> line of that keyword's value; the first call on a line wins."""
        found: dict[tuple[int, str], int] = {}
        for call in self._calls:
            for keyword in call.keywords:
                if keyword.arg is not None:
                    found.setdefault((call.lineno, keyword.arg), keyword.value.lineno)
        return found

    def argument_lines(self, call_line: int, keyword: str) -> list[int]:
        """The line of `keyword=`'s value in the first call on `call_line`; for a list or tuple written there,
        the line of each element (of the value, when it is empty)."""
        call = next((call for call in self._calls if call.lineno == call_line), None)
        value = None if call is None else next(
            (item.value for item in call.keywords if item.arg == keyword), None)
        if value is None:
            return []
        if isinstance(value, ast.List | ast.Tuple) and value.elts \
                and not any(isinstance(item, ast.Starred) for item in value.elts):
            return [item.lineno for item in value.elts]
        return [value.lineno]

    def expr_lines(self, call_line: int) -> list[int]:
        """The lines of the `expr=` values of the calls nested in the outermost call on `call_line`, in order."""
        outer = next((call for call in self._calls if call.lineno == call_line), None)
        if outer is None:
            return []
        found = [(node.lineno, node.col_offset, keyword.value.lineno) for node in ast.walk(outer)
                 if isinstance(node, ast.Call) for keyword in node.keywords if keyword.arg == "expr"]
        return [line for _, _, line in sorted(found)]

    @cached_property
    def definitions(self) -> list[tuple[int, int]]:
        """(first decorator line, last line) of every decorated function: the definitions of the file."""
        if self.tree is None:
            return []
        return [(node.decorator_list[0].lineno, node.end_lineno or node.lineno) for node in ast.walk(self.tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list]

    @cached_property
    def _calls(self) -> list[ast.Call]:
        if self.tree is None:
            return []
        calls = [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)]
        # Outer calls first on a line (`AlertRule(... PromQL(...))`): sort by position, then by span, widest first.
        return sorted(calls, key=lambda c: (c.lineno, c.col_offset, -(c.end_lineno or 0)))

    @cached_property
    def comments(self) -> tuple[Comment, ...]:
        if "#" not in self.text:
            return ()
        comments = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if token.type == tokenize.COMMENT:
                    line, column = token.start
                    comments.append(Comment(line=line, column=column, text=token.string,
                                            own_line=not token.line[:column].strip()))
        except (tokenize.TokenError, SyntaxError):
            pass
        return tuple(comments)
