"""Run the catalogue over a project: build every environment, walk it, apply suppressions, merge environments.

`lint_project(project)` builds the definitions with query validation off (`build_project(validate_queries=
False)`), so an invalid PromQL or LogQL query is a finding of `promql/syntax` or `logql/syntax` instead of a build
error; any other build problem (a definition that raises, an unresolved datasource) still raises
DefinitionErrors, which the CLI reports with exit code 3. A finding that is identical in several environments is
reported once, naming them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dashctl.lint.finding import Finding, Problem, Severity
from dashctl.lint.registry import Rule, Scope, all_rules
from dashctl.lint.source import SourceIndex
from dashctl.lint.suppression import Suppression, SuppressionContext, find_suppressions, match_suppression
from dashctl.lint.walk import Subject, walk_environment

__all__ = ["LintReport", "SuppressedFinding", "lint_build", "lint_project"]


@dataclass(frozen=True, kw_only=True)
class SuppressedFinding:
    """A finding that a suppression comment silenced, and that comment (its reason goes into the JSON report)."""

    finding: Finding
    suppression: Suppression


@dataclass(frozen=True, kw_only=True)
class LintReport:
    """The findings of one run, sorted by file and line; `environments` are the environments linted."""

    findings: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...] = ()
    environments: tuple[str, ...] = ()
    root: Path | None = None

    def at_least(self, severity: Severity) -> LintReport:
        """The same report with only the findings of `severity` or worse (`--min-severity`)."""
        return replace(
            self,
            findings=tuple(f for f in self.findings if f.severity >= severity),
            suppressed=tuple(s for s in self.suppressed if s.finding.severity >= severity),
        )

    def fails(self, severity: Severity) -> bool:
        """Whether any finding is of `severity` or worse (`--fail-on`)."""
        return any(finding.severity >= severity for finding in self.findings)

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name in Severity.names()}
        for finding in self.findings:
            counts[finding.severity.label] += 1
        return counts


def lint_project(project: Any, environment_names: Sequence[str] = (), *, rules: Iterable[Rule] | None = None,
                 live: Mapping[str, Any] | None = None) -> LintReport:
    """Build the named environments (all by default) and lint them; raise DefinitionErrors if they do not build.

    `live` maps an environment's name to its `dashctl.lint.live.PrometheusInventory`: the `live` rules run
    only for the environments it names (`dashctl lint --live`).
    """
    from dashctl.compiler.pipeline import build_project

    environments = project.select_environments(tuple(environment_names))
    output = build_project(project, [env.name for env in environments], validate_queries=False)
    files = [path for root in project.roots for path in sorted((project.root / root).rglob("*.py"))]
    return lint_build(
        output,
        root=project.root,
        files=files,
        complete=len(environments) == len(project.environments),
        rules=rules,
        live=live,
    )


def lint_build(output: Any, *, root: Path, files: Iterable[Path] = (), complete: bool = True,
               rules: Iterable[Rule] | None = None, live: Mapping[str, Any] | None = None) -> LintReport:
    """Lint a BuildOutput; `files` are the definition files whose suppression comments count."""
    catalogue = tuple(all_rules() if rules is None else rules)
    by_scope: dict[Scope, list[Rule]] = {}
    for item in catalogue:
        by_scope.setdefault(item.scope, []).append(item)
    source = SourceIndex(root)
    names = tuple(build.environment.name for build in output.environments)

    found: dict[Finding, list[str]] = {}
    for build in output.environments:
        prometheus = (live or {}).get(build.environment.name)
        for scope, context in walk_environment(build, source):
            for item in by_scope.get(scope, ()):
                for problem in item.run(context):
                    finding = _configured(_finding(item, context.subject(), problem), problem, build.environment)
                    found.setdefault(finding, []).append(build.environment.name)
            if prometheus is not None and scope is Scope.QUERY and context.language == "PromQL" \
                    and context.parsed is not None:
                from dashctl.lint.live import LiveQueryContext

                live_context = LiveQueryContext(query=context, prometheus=prometheus)
                for item in by_scope.get(Scope.LIVE, ()):
                    for problem in item.run(live_context):
                        finding = _finding(item, context.subject(), problem)
                        found.setdefault(finding, []).append(build.environment.name)
    findings = _once(found)

    # The definition files, and any other file a finding points at (an AlertRule built in a shared module).
    referenced = {root / anchor.file for finding in findings for anchor in (finding.location, *finding.anchors)
                  if not Path(anchor.file).is_absolute()}
    suppressions = find_suppressions(source, {*files, *referenced})
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    used: dict[Suppression, set[str]] = {}
    for finding in findings:
        suppression = match_suppression(finding, suppressions, source)
        if suppression is None:
            kept.append(finding)
        else:
            suppressed.append(SuppressedFinding(finding=finding, suppression=suppression))
            used.setdefault(suppression, set()).add(finding.rule)

    known = frozenset(item.id for item in all_rules())
    for suppression in suppressions:
        context = SuppressionContext(suppression=suppression, known_rules=known,
                                     used_rules=frozenset(used.get(suppression, ())), complete=complete)
        for item in by_scope.get(Scope.SUPPRESSION, ()):
            for problem in item.run(context):
                subject = Subject(location=suppression.location, anchors=())
                kept.append(replace(_finding(item, subject, problem), environments=names))

    return LintReport(
        findings=tuple(sorted(kept, key=Finding.sort_key)),
        suppressed=tuple(sorted(suppressed, key=lambda s: s.finding.sort_key())),
        environments=names,
        root=root,
    )


def _once(found: dict[Finding, list[str]]) -> list[Finding]:
    """Each finding once with the environments it was met in; keyed without the query text, because a query
    interpolates environment values (the namespace): the same broken query of a shared definition reads
    differently in dev and prod and is still one finding."""
    merged: dict[Finding, tuple[Finding, list[str]]] = {}
    for finding, environments in found.items():
        merged.setdefault(replace(finding, query=None, position=None), (finding, []))[1].extend(environments)
    return [replace(first, environments=tuple(sorted(set(names)))) for first, names in merged.values()]


def _configured(finding: Finding, problem: Problem, environment: Any) -> Finding:
    """The finding at the configuration's line when the bad value is one the definition read from it."""
    key = environment.origin_of(problem.value)
    if key is None:
        return finding
    location = environment.config_location(f"values.{key}")
    return replace(finding, location=location, anchors=tuple(dict.fromkeys((location, *finding.anchors))),
                   message=f"{finding.message} (the value of {key} under [{environment.table}.values], "
                   f"read at {finding.location})")


def _finding(item: Rule, subject: Subject, problem: Problem) -> Finding:
    location = problem.location or subject.location
    return Finding(
        rule=item.id,
        severity=problem.severity or item.severity,
        summary=item.summary,
        message=problem.message,
        hint=problem.hint,
        location=location,
        object_kind=subject.object_kind,
        object_uid=subject.object_uid,
        panel_title=subject.panel_title,
        panel_id=subject.panel_id,
        query_ref=subject.query_ref,
        query=subject.query,
        position=problem.position,
        anchors=tuple(dict.fromkeys((location, *subject.anchors))),
    )
