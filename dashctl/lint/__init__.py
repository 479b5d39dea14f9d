"""`dashctl lint`: a catalogue of rules over the compiled dashboards and alert rules, pint style.

    from dashctl.lint import lint_project
    report = lint_project(project)            # every environment, built with query validation off
    for finding in report.findings: ...       # rule, severity, message, file:line of the definition, object

Each rule is one module of `dashctl.lint.rules`, registered with `@rule(id="area/name", scope=..., severity=...,
summary=...)` (`dashctl.lint.registry`) and documented in `docs/rules/<area>/<name>.md`. The framework walks the
build (`dashctl.lint.walk`), applies the suppression comments (`dashctl.lint.suppression`) and merges findings that
are the same in several environments (`dashctl.lint.engine`); `dashctl.lint.render` prints them. See docs/lint.md.
"""

from dashctl.lint.engine import LintReport, SuppressedFinding, lint_build, lint_project
from dashctl.lint.finding import Finding, Problem, Severity
from dashctl.lint.registry import Rule, Scope, all_rules, get_rule, rule

__all__ = [
    "Finding",
    "LintReport",
    "Problem",
    "Rule",
    "Scope",
    "Severity",
    "SuppressedFinding",
    "all_rules",
    "get_rule",
    "lint_build",
    "lint_project",
    "rule",
]
