"""`dashctl test`: run every @alert_tests definition of every environment and report.

Each environment's rules are compiled as the build compiles them (so a test checks exactly what is deployed,
thresholds from the environment included). A test's expectations on PromQL rules run through `promtool test
rules`; those on LogQL rules through dashctl's LogQL evaluator; a rule outside what either can evaluate is
reported as not unit-testable, with the reason. Tests run in parallel; problems in the definitions or the tests
themselves are raised together as DefinitionErrors before anything runs.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from dashctl.alerts import definitions as kinds
from dashctl.alerts.compile import CompiledAlerting, CompiledRule, compile_alerting
from dashctl.alerts.testing.evaluation import QueryFailed, RuleSimulation, UnsupportedLogQL
from dashctl.alerts.testing.logql_evaluation import LogStream
from dashctl.alerts.testing.model import AlertTest, Expect
from dashctl.alerts.testing.promtool import run_promtool
from dashctl.alerts.testing.results import EngineResult, Mismatch, TestReport, TestResult, format_alert
from dashctl.alerts.testing.translate import NotTranslatable
from dashctl.definitions import Definition, relative_location
from dashctl.durations import canonical_duration, parse_duration
from dashctl.errors import DefinitionError, DefinitionErrors, SourceLocation, UsageError, report_once
from dashctl.project.config import Project, at_config_line
from dashctl.project.discovery import discover_definitions, error_from_exception
from dashctl.project.environment import Environment

__all__ = ["run_alert_tests"]


@dataclass(frozen=True)
class _Plan:
    environment: str
    test: AlertTest
    location: SourceLocation
    rules: dict[str, CompiledRule]
    intervals: dict[str, str]
    annotation_keys: dict[str, set[str]]


def run_alert_tests(
    project: Project,
    environment_names: Iterable[str] = (),
    *,
    promtool: str = "promtool",
    match: str | None = None,
    jobs: int | None = None,
) -> TestReport:
    """Run the alert tests of the named environments (all when none); `match` selects tests by name (glob or
    substring). Raises DefinitionErrors for broken definitions or tests, UsageError when promtool is missing."""
    environments = project.select_environments(tuple(environment_names))
    discovery = discover_definitions(project)
    problems: list[DefinitionError] = list(discovery.errors)
    plans: list[_Plan] = []
    untested: list[tuple[str, str, str]] = []
    names: set[str] = set()
    for environment in environments:
        compiled, compile_problems = compile_alerting(project, discovery, environment)
        environment_problems: list[DefinitionError] = list(compile_problems)
        tests = _collect_tests(project, discovery.of_kind(kinds.ALERT_TESTS), environment, environment_problems)
        rules = {rule.uid: rule for rule in compiled.rules}
        expected_uids: set[str] = set()
        for test in tests:
            # A rule that failed to compile is missing from `rules`: saying so for every test that expects it
            # would bury the one real problem under follow-ons.
            plan = _plan(environment.name, test, compiled, rules, project, environment_problems,
                         rules_incomplete=bool(compile_problems))
            expected_uids.update(expectation.rule for expectation in test.expect)
            names.add(test.name)
            if plan is not None and _selected(test.name, match):
                plans.append(plan)
        untested.extend((environment.name, uid, rules[uid].rule.language) for uid in sorted(rules)
                        if uid not in expected_uids)
        problems.extend(problem.in_environments((environment.name,)) for problem in environment_problems)
    if problems:
        raise DefinitionErrors(report_once([at_config_line(problem, project) for problem in problems]))
    if any(_language(plan, e) == "PromQL" for plan in plans for e in plan.test.expect) \
            and shutil.which(promtool) is None:
        raise UsageError(f"promtool not found ({promtool!r}); PromQL alert tests run with Prometheus' promtool: "
                         "install it (e.g. apt-get install prometheus) or pass --promtool PATH")
    workers = jobs or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda plan: _run(plan, promtool), plans))
    return TestReport(results=tuple(results), untested=tuple(untested), names=tuple(sorted(names)))


def _collect_tests(project: Project, definitions: Sequence[Definition], environment: Environment,
                   problems: list[DefinitionError]) -> list[AlertTest]:
    tests = []
    for definition in definitions:
        if not definition.applies_to(environment.name):
            continue
        try:
            built = definition.build(environment)
        except DefinitionErrors as errors:
            problems.extend(_located(error, definition, project) for error in errors.errors)
            continue
        except (Exception, SystemExit) as error:  # user code: report with its file and line
            located = error_from_exception(error, project.root, fallback=project.root / definition.location.file,
                                           definition=definition.label)
            problems.append(located.with_context(location=definition.location))
            continue
        for item in built if isinstance(built, (list, tuple)) else [built]:
            if isinstance(item, AlertTest):
                tests.append(item)
            else:
                problems.append(DefinitionError(f"returned {type(item).__name__}, not an AlertTest",
                                                location=definition.location, definition=definition.label))
    return tests


def _plan(environment: str, test: AlertTest, compiled: CompiledAlerting, rules: dict[str, CompiledRule],
          project: Project, problems: list[DefinitionError], *, rules_incomplete: bool = False) -> _Plan | None:
    count = len(problems)
    where = f"test {test.name!r} ({environment})"
    annotation_keys: dict[str, set[str]] = {}
    follows_on = False
    for expectation in test.expect:
        location = relative_location(expectation.location, project.root)
        if expectation.rule not in rules:
            follows_on = follows_on or rules_incomplete
            if rules_incomplete:
                continue
            problems.append(DefinitionError(
                f"expects rule {expectation.rule!r}, which environment {environment!r} does not define",
                location=location, definition=where, hint=f"rules: {', '.join(sorted(rules)) or 'none'}",
            ))
            continue
        for alert in expectation.alerts:
            keys = annotation_keys.setdefault(expectation.rule, set())
            if alert.annotations:
                keys.update(alert.annotations)
    for expectation in test.expect:
        keys = annotation_keys.get(expectation.rule) or set()
        for alert in expectation.alerts:
            if keys and set(alert.annotations or {}) != keys:
                problems.append(DefinitionError(
                    f"alerts expected from rule {expectation.rule!r} compare different annotations "
                    f"({', '.join(sorted(alert.annotations or {})) or 'none'} against {', '.join(sorted(keys))})",
                    location=relative_location(expectation.location, project.root), definition=where,
                    hint="within one test, give every alert of a rule the same annotation keys (promtool "
                    "compares the whole set)",
                ))
    if len(problems) > count or follows_on:
        return None
    intervals = {group_rule.uid: group.interval for group in compiled.groups for group_rule in group.rules}
    needed = {expectation.rule for expectation in test.expect}
    return _Plan(environment=environment, test=test, location=relative_location(test.location, project.root),
                 rules={uid: rules[uid] for uid in needed},
                 intervals={uid: intervals[uid] for uid in needed}, annotation_keys=annotation_keys)


def _language(plan: _Plan, expectation: Expect) -> str:
    return plan.rules[expectation.rule].rule.language


def _run(plan: _Plan, promtool: str) -> TestResult:
    test = plan.test
    by_language: dict[str, list[Expect]] = {}
    for expectation in test.expect:
        by_language.setdefault(_language(plan, expectation), []).append(expectation)
    outcomes: list[EngineResult] = []
    engines = []
    if "PromQL" in by_language:
        engines.append("promtool")
        try:
            outcomes.append(run_promtool(promtool, test, by_language["PromQL"], plan.rules, plan.intervals,
                                         plan.annotation_keys))
        except NotTranslatable as error:
            outcomes.append(EngineResult(status="untestable", message=f"not unit-testable: {error}"))
    if "LogQL" in by_language:
        engines.append("logql")
        outcomes.append(_run_logql(plan, by_language["LogQL"]))
    if "mixed" in by_language:
        uids = sorted({expectation.rule for expectation in by_language["mixed"]})
        outcomes.append(EngineResult(status="untestable", message=f"not unit-testable: rule(s) {', '.join(uids)} "
                                     "query both Prometheus and Loki"))
    combined = EngineResult.combine(outcomes)
    return TestResult(environment=plan.environment, name=test.name, location=plan.location,
                      engines=tuple(engines), status=combined.status, mismatches=combined.mismatches,
                      message=combined.message)


def _run_logql(plan: _Plan, expectations: list[Expect]) -> EngineResult:
    entries: dict[tuple[tuple[str, str], ...], list[tuple[float, str]]] = {}
    for lines in plan.test.logs:
        entries.setdefault(tuple(sorted(lines.labels.items())), []).extend(lines.expand())
    streams = [LogStream(labels=dict(key), entries=tuple(sorted(items, key=lambda e: e[0])))
               for key, items in entries.items()]
    mismatches = []
    for uid in sorted({expectation.rule for expectation in expectations}):
        wanted = [expectation for expectation in expectations if expectation.rule == uid]
        interval = parse_duration(plan.intervals[uid]) / 1000
        try:
            simulation = RuleSimulation(plan.rules[uid], streams, interval, plan.annotation_keys.get(uid, set()))
            firing = simulation.firing([expectation.at_seconds for expectation in wanted])
        except QueryFailed as error:
            return EngineResult(status="failed", message=f"rule {uid}: {error}",
                                mismatches=(Mismatch(rule=uid, at="-", expected=(), got=(f"error: {error}",)),))
        except UnsupportedLogQL as error:
            return EngineResult(status="untestable", message=f"not unit-testable: rule {uid}: {error}")
        for expectation in wanted:
            got = sorted(str(alert) for alert in firing.get(expectation.at_seconds, []))
            expected = sorted(format_alert(list(alert.labels.items()), list((alert.annotations or {}).items()))
                              for alert in expectation.alerts)
            if got != expected:
                mismatches.append(Mismatch(rule=uid, at=canonical_duration(expectation.at), expected=tuple(expected),
                                           got=tuple(got)))
    return EngineResult(status="failed" if mismatches else "passed", mismatches=tuple(mismatches))


def _selected(name: str, pattern: str | None) -> bool:
    if not pattern:
        return True
    if any(character in pattern for character in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


def _located(error: DefinitionError, definition: Definition, project: Project) -> DefinitionError:
    located = error.with_context(location=definition.location, definition=definition.label)
    if located.location is not None:
        located.location = relative_location(located.location, project.root)
    return located

