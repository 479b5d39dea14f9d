"""Every ```python example in README.md and docs/ runs, so what users copy works.

A block runs in a namespace that already holds the prelude below (the names the docs use without repeating their
imports, all real dashctl and grafanalib API) and `env`, this repository's prod environment. Definitions the block
declares (`@dashboard`, `@rule_group`, ...) are then built for `env`, and dashboards compiled as `dashctl build`
compiles them. A block that cannot run on its own (a piece of a larger call, a file layout) is marked with
`<!-- fragment: why -->` on the line before it; their number is capped, and each needs its reason.
The lint rule pages (docs/rules/) are the exception: their blocks are whole files, linted by test_rule_pages.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

PRELUDE = """
from grafanalib.core import *  # noqa: F403
from dashctl.alerts import *  # noqa: F403
from dashctl.dashboards import units
from dashctl.definitions import dashboard, datasources
from dashctl.presets import *  # noqa: F403
from dashctl.panels import *  # noqa: F403
from dashctl.queries.promql import *  # noqa: F403
"""
MAX_FRAGMENTS = 5
_FENCE = re.compile(r"^```python\s*$")
_FRAGMENT = re.compile(r"^<!--\s*fragment:\s*(?P<reason>.*?)\s*-->\s*$")


def _documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _blocks() -> list[tuple[str, int, str, str | None]]:
    """(file, line of the fence, code, fragment reason or None) of every python block."""
    found = []
    for path in _documents():
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            if lines[index].startswith("````"):
                # A page's layout shown as markdown (docs/lint.md's rule page): its inner fences are not examples.
                index = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("````"))
            elif _FENCE.match(lines[index]):
                start = index
                end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
                marker = _FRAGMENT.match(lines[start - 1]) if start else None
                found.append((path.relative_to(REPO).as_posix(), start + 1, "\n".join(lines[start + 1:end]),
                              marker.group("reason") if marker else None))
                index = end
            index += 1
    return found


BLOCKS = _blocks()
# The lint rule pages' blocks are whole files of a project, linted by tests/docs/test_rule_pages.py.
RULE_PAGES = "docs/rules/"
RUNNABLE = [block for block in BLOCKS if block[3] is None and not block[0].startswith(RULE_PAGES)]


@pytest.fixture(scope="module")
def environment():
    from dashctl.project.config import load_project

    return load_project(REPO).environments["prod"]


@pytest.mark.parametrize("block", RUNNABLE, ids=[f"{file}:{line}" for file, line, _, _ in RUNNABLE])
def test_the_example_runs(block, environment, monkeypatch):
    from grafanalib.core import Dashboard

    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.definitions import collecting

    file, line, code, _ = block
    namespace: dict = {"env": environment, "__name__": f"docs_example_{line}"}
    exec(compile(PRELUDE, "<prelude>", "exec"), namespace)
    # A block may register a lint rule (docs/lint.md's "Writing a rule"): into a registry of its own, so that it
    # neither clashes with dashctl's rule of that id nor stays registered for the rest of the suite.
    monkeypatch.setattr("dashctl.lint.registry._RULES", {})
    with collecting() as definitions:
        exec(compile("\n" * (line) + code, f"{file}", "exec"), namespace)
    if "@rule(id=" in code:
        from dashctl.lint import registry

        assert registry._RULES, f"{file}:{line}: the rule of the example was not registered"
    for definition in definitions:
        if not definition.applies_to(environment.name):
            continue
        built = definition.build(environment)
        if definition.kind == "dashboard" and isinstance(built, (Dashboard, dict)):
            compile_dashboard(definition, built, environment)


def test_fragments_are_few_and_each_says_why():
    fragments = [(file, line, reason) for file, line, _, reason in BLOCKS if reason is not None]
    assert len(fragments) <= MAX_FRAGMENTS, fragments
    assert all(len(reason) >= 10 for _, _, reason in fragments), fragments
    assert len(RUNNABLE) >= 3 * len(fragments)


def test_docs_panels_shows_the_signature_of_every_panel_factory():
    from tests.docs.signatures import factories, render_signature

    text = (REPO / "docs" / "panels.md").read_text(encoding="utf-8")
    missing = [name for name, function in factories().items()
               if f"### `{name}`\n\n```\n{render_signature(function, name)}\n```" not in text]
    assert missing == [], "regenerate the signatures in docs/panels.md (tests/docs/signatures.py renders them)"


def test_every_block_of_the_rule_pages_is_linted():
    from tests.docs.rule_pages import all_examples

    blocks = [(file, line) for file, line, _, _ in BLOCKS if file.startswith(RULE_PAGES)]
    linted = sum(len(example.files) + len(example.problems) for example in all_examples())
    assert blocks and len(blocks) == linted, "a python block of docs/rules/ is not part of an example"
    assert [block for block in BLOCKS if block[0].startswith(RULE_PAGES) and block[3] is not None] == []
