"""The catalogue of lint rules: each registers itself with `@rule(...)` in its own module, so there is no list.

    @rule(id="panel/units", scope=Scope.PANEL, severity=Severity.WARNING, summary="panel without a unit")
    def check(panel: PanelContext) -> Iterator[Problem | str]:
        ...

A rule module lives in `dashctl/lint/rules/`, is named after its id (`panel/units` in `panel_units.py`) and is
documented in `docs/rules/panel/units.md`; `all_rules()` imports every module of that package, so adding the file
adds the rule. The framework walks the build and calls each rule with the objects of its scope
(`dashctl.lint.walk`), like grafana/dashboard-linter's dashboard, panel and target rules.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashctl.errors import UsageError
from dashctl.lint.finding import Problem, Severity

__all__ = ["Rule", "Scope", "all_rules", "get_rule", "rule", "select_rules"]

_ID = re.compile(r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$")
_SUMMARY = re.compile(r"^[a-z0-9$`][^\n]*[^.\n]$")


class Scope(str, enum.Enum):
    """What a rule is called with; the framework visits every object of that kind in every environment."""

    DASHBOARD = "dashboard"
    """A compiled dashboard (`DashboardContext`)."""
    PANEL = "panel"
    """Every panel of a dashboard, rows and the panels inside collapsed rows included (`PanelContext`)."""
    TARGET = "target"
    """Every query of a dashboard panel, whatever its datasource (`QueryContext` with `panel` set)."""
    QUERY = "query"
    """Every PromQL and LogQL query: panel targets and alert rule queries alike (`QueryContext`)."""
    ALERT = "alert"
    """Every alert rule, SLO burn-rate rules included (`AlertContext`)."""
    SETTINGS = "settings"
    """Every datasource, contact point and dashboard link, with the values Grafana gets (`SettingsContext`)."""
    SUPPRESSION = "suppression"
    """Every `# dashctl-lint:` comment in the definition files (`SuppressionContext`)."""
    LIVE = "live"
    """Every PromQL query, with its environment's Prometheus (`dashctl.lint.live.LiveQueryContext`); run only by
    `dashctl lint --live`."""


Check = Callable[[Any], Iterable["Problem | str"]]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A registered rule: its id (`area/name`), scope, default severity, one-line summary and check function."""

    id: str
    scope: Scope
    severity: Severity
    summary: str
    check: Check
    module: str

    @property
    def area(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def doc_path(self) -> str:
        """Where the rule's documentation page lives, relative to the repository."""
        return f"docs/rules/{self.area}/{self.name}.md"

    def run(self, context: Any) -> list[Problem]:
        """The problems the rule finds in `context`, messages given as plain strings wrapped."""
        return [item if isinstance(item, Problem) else Problem(message=item) for item in self.check(context)]


_RULES: dict[str, Rule] = {}
_RULES_PACKAGE = "dashctl.lint.rules"


def rule(*, id: str, scope: Scope | str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register the decorated function as the check of rule `id`; it yields Problems (or message strings)."""
    if not _ID.match(id):
        raise ValueError(f"lint rule id {id!r} must be area/kebab-name, e.g. panel/units")
    if not _SUMMARY.match(summary) or summary[0].isupper():
        raise ValueError(f"lint rule {id}: the summary is one short lowercase line without a final period")
    scope = Scope(scope)

    def register(check: Check) -> Check:
        known = _RULES.get(id)
        if known is not None and known.module != check.__module__:
            raise ValueError(f"lint rule {id} is registered twice: in {known.module} and {check.__module__}")
        _RULES[id] = Rule(id=id, scope=scope, severity=severity, summary=summary, check=check,
                          module=check.__module__)
        return check

    return register


def all_rules() -> tuple[Rule, ...]:
    """Every rule, sorted by id; importing the modules of `dashctl.lint.rules` registers them."""
    package = importlib.import_module(_RULES_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{_RULES_PACKAGE}.{module.name}")
    return tuple(_RULES[key] for key in sorted(_RULES))


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError when there is none."""
    all_rules()
    return _RULES[rule_id]


def select_rules(rule_ids: Iterable[str]) -> tuple[Rule, ...]:
    """The rules with these ids (`dashctl lint --rule`); an unknown id is a usage error naming the closest."""
    import difflib

    known = {item.id: item for item in all_rules()}
    selected = []
    for rule_id in rule_ids:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, sorted(known), n=1, cutoff=0.6)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(f"unknown lint rule {rule_id!r}; {guess}`dashctl lint --list-rules` lists them")
        selected.append(known[rule_id])
    return tuple(selected)
