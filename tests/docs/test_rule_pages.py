"""Every lint rule page's examples are linted as written and show what the page says (format: docs/lint.md).

- failing: the findings of the page's rule are exactly the finding lines the page shows (rule, severity, file,
  line, message, object), and the other lines it shows are lines `dashctl lint` prints for them, in order. A
  definition that dashctl refuses before the rule can run shows `error: ...` lines instead, which must be the
  build's.
- passing: no finding of the rule, and nothing else at warning or above: a reader may copy it as it is.
- suppressed: the rule's finding is silenced by the comment, and nothing is left at warning or above (so the
  suppression is well formed, has a reason, and is used).

The projects have dev and prod, datasources `metrics` (Prometheus) and `logs` (Loki) and the value `error_ratio`
(tests/conftest.py's BASIC_CONFIG); pages of live rules are linted against the session's real Prometheus, whose
address is printed as http://127.0.0.1:9090 on the pages.
"""

from __future__ import annotations

import pytest

from dashctl.errors import DashctlError, DefinitionErrors
from dashctl.lint import Scope, Severity, all_rules, get_rule
from tests.docs.rule_pages import FINDING_HEAD, all_examples, page_examples, page_rule, rule_pages
from tests.lint.harness import lint_files, rule_text
from tests.lint.rules.live import inventories  # noqa: F401 - fixture, asked for by the pages of live rules

EXAMPLES = all_examples()
PAGE_URL = "http://127.0.0.1:9090"


def _is_live(example) -> bool:
    return get_rule(example.rule).scope is Scope.LIVE


def _lint(example, make_project, request):
    live = request.getfixturevalue("inventories") if _is_live(example) else None
    return lint_files(make_project, example.files, live=live)


def _as_on_the_page(example, request, text: str) -> str:
    """The output with the live Prometheus' address as the pages print it."""
    if not _is_live(example):
        return text
    return text.replace(request.getfixturevalue("live_prometheus").url, PAGE_URL)


def _subsequence(wanted: list[str], lines: list[str]) -> bool:
    remaining = iter(lines)
    return all(any(line == want for line in remaining) for want in wanted)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_example_shows_the_rule(example, make_project, request):
    assert not example.problems, f"{example}: " + "; ".join(example.problems)
    assert example.files, f"{example}: the section has no python block"
    documented = [line.rstrip() for line in example.output]
    try:
        _, report = _lint(example, make_project, request)
    except DashctlError as error:
        errors = error.errors if isinstance(error, DefinitionErrors) else [error]
        printed = "".join(f"error: {item}\n" for item in errors).splitlines()
        assert example.kind == "failing" and documented and documented[0].startswith("error: "), (
            f"{example} does not build:\n" + "\n".join(printed))
        assert _subsequence(documented, printed), (
            f"{example}: the page shows\n" + "\n".join(documented) + "\nbut dashctl lint prints\n" + "\n".join(printed))
        return
    own = [finding for finding in report.findings if finding.rule == example.rule]
    others = [f"{f.location}: {f.severity.label}[{f.rule}]: {f.message}" for f in report.findings
              if f.rule != example.rule and f.severity >= Severity.WARNING]
    if example.kind == "failing":
        printed = _as_on_the_page(example, request, rule_text(report, example.rule)).splitlines()
        heads = [line for line in documented if FINDING_HEAD.match(line)]
        assert heads, (f"{example}: the output block after the failing example shows no finding line "
                       "(docs/lint.md, A rule's page)")
        assert heads == [line for line in printed if FINDING_HEAD.match(line)], (
            f"{example}: the page shows\n" + "\n".join(heads) + "\nbut dashctl lint prints\n" + "\n".join(printed))
        assert _subsequence(documented, printed), (
            f"{example}: the page shows\n" + "\n".join(documented) + "\nbut dashctl lint prints\n" + "\n".join(printed))
        assert any(finding.severity is get_rule(example.rule).severity for finding in own), (
            f"{example}: no finding at the rule's severity {get_rule(example.rule).severity.label}")
    elif example.kind == "passing":
        assert own == [], f"{example}: " + rule_text(report, example.rule)
        assert others == [], f"{example} is not clean:\n" + "\n".join(others)
    else:
        silenced = [item for item in report.suppressed if item.finding.rule == example.rule]
        assert own == [] and silenced, f"{example}: the comment silences nothing of {example.rule}"
        assert others == [], f"{example} leaves findings:\n" + "\n".join(others)


@pytest.mark.parametrize("page", rule_pages(), ids=lambda path: path.relative_to(path.parents[2]).as_posix())
def test_every_page_has_its_examples_and_names_a_rule(page):
    rule = page_rule(page)
    registered = {item.id: item for item in all_rules()}
    assert rule in registered, f"{page.name} documents {rule!r}, which is not a registered rule"
    assert page.as_posix().endswith(registered[rule].doc_path)
    examples = page_examples(page)
    kinds = [example.kind for example in examples]
    # Nothing to suppress for the suppression rules, nor where dashctl refuses the failing definition outright.
    refused = any(example.output[:1] and example.output[0].startswith("error: ") for example in examples)
    wanted = ["failing", "passing"] + ([] if registered[rule].scope is Scope.SUPPRESSION or refused
                                       else ["suppressed"])
    assert kinds == wanted, f"{page.name}: python examples in sections {kinds}, wanted {wanted}"


def test_every_rule_has_a_page():
    pages = {page_rule(page) for page in rule_pages()}
    assert [item.id for item in all_rules() if item.id not in pages] == []


FAILING = [example for example in EXAMPLES if example.kind == "failing" and not _is_live(example)]


@pytest.mark.parametrize("example", FAILING, ids=str)
def test_the_failing_output_is_what_the_cli_prints(example, make_project):
    """The same examples through `dashctl lint` itself: what the page shows is on its stdout (stderr for a
    refused definition), and the exit code follows the severity (3 when the definition is refused)."""
    project = make_project(dict(example.files), basic=False)
    result = project.run("lint", "--min-severity", "info")
    documented = [line.rstrip() for line in example.output]
    refused = bool(documented) and documented[0].startswith("error: ")
    printed = (result.stderr if refused else result.stdout).splitlines()
    assert _subsequence(documented, printed), f"{example}: dashctl lint prints\n" + "\n".join(printed)
    fails = any(f"error[{example.rule}]" in line for line in documented)
    assert result.exit_code == (3 if refused else 1 if fails else 0), result.stderr
