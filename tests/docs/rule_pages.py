"""The examples of the lint rule pages (docs/rules/<area>/<name>.md), read as the format in docs/lint.md says.

Each page has three sections with examples: `## Failing example`, `## Passing example` and `## How to suppress`.
Every ```python block in them is a whole file of a project, named by its first line (`# dashboards/shop.py`); the
blocks of one section make one project. The bare ``` block that follows in the failing section is what
`dashctl lint` prints for it: lines of findings (`file:line: severity[rule]: message (object)`), and any of the
lines that follow a finding (source line, caret, query, hint) that the page chooses to show, or, for a
definition dashctl refuses before any rule runs, the `error: ...` lines of `dashctl lint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

RULES_DOCS = REPO / "docs" / "rules"
SECTIONS = {"## Failing example": "failing", "## Passing example": "passing", "## How to suppress": "suppressed"}
FILE_LINE = re.compile(r"^# (?P<path>(?:datasources|dashboards|alerts)/[\w/-]+\.py)$")
FINDING_HEAD = re.compile(r"^\S+:\d+: (?:error|warning|info)\[[a-z]+/[a-z0-9-]+\]: ")


@dataclass(frozen=True, kw_only=True)
class Example:
    """The project one section of a page makes: files by relative path, and the output the page shows."""

    page: str
    """The page, relative to the repository."""
    rule: str
    kind: str
    """`failing`, `passing` or `suppressed`."""
    line: int
    """The line of the section's first ```python fence."""
    files: dict[str, str]
    output: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    """What is wrong with the blocks' form (no file line, a block outside the three sections)."""

    def __str__(self) -> str:
        return f"{self.page}:{self.line}:{self.kind}"


def rule_pages() -> list[Path]:
    return sorted(RULES_DOCS.rglob("*.md"))


def page_rule(path: Path) -> str:
    """The rule a page documents: its title line, `# area/name`."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("# ").strip()


def page_examples(path: Path) -> list[Example]:
    """The examples of one page, in the order of its sections; a problem of form is kept on the example."""
    page = path.relative_to(REPO).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    rule = page_rule(path)
    found: dict[str, dict] = {}
    section = None
    index = 0
    while index < len(lines):
        text = lines[index]
        if text.startswith("## "):
            section = SECTIONS.get(text.strip())
        elif text.startswith("```"):
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            body = lines[index + 1:end]
            language = text[3:].strip()
            if language == "python":
                entry = found.setdefault(section or f"outside:{index + 1}",
                                         {"line": index + 1, "files": {}, "output": [], "problems": []})
                match = FILE_LINE.match(body[0]) if body else None
                if section is None:
                    entry["problems"].append(f"line {index + 1}: a python block outside the example sections")
                elif match is None:
                    entry["problems"].append(f"line {index + 1}: the block must start with the file it is, "
                                             "'# dashboards/<name>.py' (or alerts/, datasources/); "
                                             "see docs/lint.md, A rule's page")
                else:
                    entry["files"][match.group("path")] = "\n".join(body[1:]) + "\n"
            elif language in ("", "text") and section == "failing" and "failing" in found:
                found["failing"]["output"].extend(body)
            index = end
        index += 1
    return [Example(page=page, rule=rule, kind=key,
                    line=entry["line"], files=entry["files"], output=tuple(entry["output"]),
                    problems=tuple(entry["problems"]))
            for key, entry in found.items()]


def all_examples() -> list[Example]:
    return [example for path in rule_pages() for example in page_examples(path)]
