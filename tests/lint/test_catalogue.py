"""The catalogue's own rules: one module, one doc page and one table of cases per rule, and no leftovers."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from dashctl.lint import Scope, Severity, all_rules

REPO = Path(__file__).resolve().parents[2]
RULES = all_rules()
SECTIONS = ("## What it checks", "## Why", "## Failing example", "## Passing example", "## How to suppress")


def test_the_catalogue_is_not_empty_and_ids_are_unique():
    ids = [item.id for item in RULES]
    assert len(ids) >= 20 and len(ids) == len(set(ids))


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.id)
def test_every_rule_lives_in_a_module_named_after_it(item):
    assert item.module == f"dashctl.lint.rules.{item.area}_{item.name.replace('-', '_')}"


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.id)
def test_every_rule_has_a_doc_page(item):
    page = REPO / item.doc_path
    assert page.is_file(), f"{item.id} has no {item.doc_path}"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {item.id}\n"), f"{item.doc_path} must start with '# {item.id}'"
    for section in SECTIONS:
        assert section in text, f"{item.doc_path} lacks {section!r}"
    assert f"dashctl-lint: ignore[{item.id}]" in text or item.scope is Scope.SUPPRESSION
    assert f"severity: {item.severity.label}" in text.lower() and f"scope: {item.scope.value}" in text.lower()


@pytest.mark.parametrize("item", RULES, ids=lambda item: item.id)
def test_every_rule_has_a_passing_and_a_failing_case(item):
    name = f"tests.lint.rules.test_{item.area}_{item.name.replace('-', '_')}"
    module = importlib.import_module(name)
    assert module.RULE == item.id
    assert any(not case.expect for case in module.CASES), f"{name} has no passing case"
    assert any(case.expect for case in module.CASES), f"{name} has no failing case"


def test_every_rule_module_registers_a_rule():
    modules = {path.stem for path in (REPO / "dashctl/lint/rules").glob("*.py")} - {"__init__"}
    assert modules == {item.module.rsplit(".", 1)[1] for item in RULES}


def test_every_doc_page_and_test_module_belongs_to_a_rule():
    pages = {str(path.relative_to(REPO)) for path in (REPO / "docs/rules").rglob("*.md")}
    assert pages == {item.doc_path for item in RULES}
    tests = {path.stem for path in (REPO / "tests/lint/rules").glob("test_*.py")}
    assert tests == {f"test_{item.area}_{item.name.replace('-', '_')}" for item in RULES}


def test_the_catalogue_page_lists_every_rule_with_its_scope_and_severity():
    text = (REPO / "docs/lint.md").read_text(encoding="utf-8")
    for item in RULES:
        row = re.search(rf"^\| \[`{re.escape(item.id)}`\]\(rules/{item.area}/{item.name}\.md\) \| (\w+) \| (\w+) \|",
                        text, re.MULTILINE)
        assert row is not None, f"docs/lint.md does not list {item.id}"
        assert (row.group(1), row.group(2)) == (item.scope.value, item.severity.label), item.id


def test_severities_are_ordered_and_parse_pint_names():
    assert Severity.INFO < Severity.WARNING < Severity.ERROR
    assert Severity.parse("Bug") is Severity.ERROR and Severity.parse("information") is Severity.INFO
