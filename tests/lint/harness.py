"""Table-driven rule tests: a Case is a throw-away project and the findings one rule must report on it.

    CASES = [
        Case("a unit is set", files={"dashboards/shop.py": dashboard(TIME_SERIES)}),            # passes
        Case("no unit", files={"dashboards/shop.py": dashboard(NO_UNIT)},
             expect=[Expect("dashboards/shop.py", at='title="Requests"', message="sets no unit")]),
    ]

`Expect.at` is text on the line the finding must point at (its first occurrence in the file). `transform` edits
the build before it is linted, for what dashctl's own models refuse to build (an alert rule without severity).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dashctl.compiler.pipeline import BuildOutput, EnvironmentBuild, build_project
from dashctl.lint import Finding, LintReport, lint_build
from dashctl.lint.render import render_text
from dashctl.project.config import load_project


@dataclass(frozen=True)
class Expect:
    file: str
    at: str
    message: str
    environments: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    files: Mapping[str, str]
    expect: Sequence[Expect] = ()
    transform: Callable[[BuildOutput], BuildOutput] | None = None
    config: str | None = None

    def __str__(self) -> str:
        return self.name


def lint_files(make_project: Callable[..., Any], files: Mapping[str, str], *, config: str | None = None,
               transform: Callable[[BuildOutput], BuildOutput] | None = None,
               live: Mapping[str, Any] | None = None) -> tuple[Any, LintReport]:
    kwargs = {"config": config} if config is not None else {}
    project = make_project(dict(files), basic=False, **kwargs)
    loaded = load_project(project.root)
    output = build_project(loaded, validate_queries=False)
    if transform is not None:
        output = transform(output)
    files_on_disk = [path for root in loaded.roots for path in sorted((loaded.root / root).rglob("*.py"))]
    return project, lint_build(output, root=loaded.root, files=files_on_disk, complete=True, live=live)


def check_case(make_project: Callable[..., Any], rule_id: str, case: Case, *,
               live: Mapping[str, Any] | None = None) -> list[Finding]:
    """Lint the case's project and assert the rule's findings are exactly those expected; return them.

    `live` (environment → `PrometheusInventory`) runs the live rules too, as `dashctl lint --live` does.
    """
    project, report = lint_files(make_project, case.files, config=case.config, transform=case.transform, live=live)
    found = [finding for finding in report.findings if finding.rule == rule_id]
    described = "\n".join(f"  {f.location}: {f.message} ({f.where}) {f.environments}" for f in found)
    assert len(found) == len(case.expect), f"{rule_id}: expected {len(case.expect)} finding(s), got:\n{described}"
    remaining = list(found)
    for expect in case.expect:
        line = line_of(project.root / expect.file, expect.at)
        match = next((f for f in remaining if f.location.file == expect.file and f.location.line == line
                      and expect.message in f.message
                      and (expect.environments is None or f.environments == expect.environments)), None)
        assert match is not None, f"{rule_id}: no finding at {expect.file}:{line} with {expect.message!r}:\n{described}"
        remaining.remove(match)
    return found


def line_of(path: Any, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


# ------------------------------------------------------------------------------------------------ sources

DASHBOARD_IMPORTS = """\
from grafanalib.core import Dashboard, Logs, RowPanel, Stat, Target, Templating, Text, TimeSeries

from dashctl.definitions import dashboard
from dashctl.presets.variables import datasource_variable
"""


def dashboard(*panels: str, uid: str = "shop", title: str = "Shop", variables: str = "",
              editable: bool | None = False, extra: str = "") -> str:
    """A dashboard file with these panels (grafanalib expressions, one string each)."""
    body = ",\n".join(textwrap.indent(textwrap.dedent(panel).strip(), " " * 12) for panel in panels)
    options = f"        editable={editable},\n" if editable is not None else ""
    if variables:
        options += f"        templating=Templating(list=[{variables}]),\n"
    return (
        f"{DASHBOARD_IMPORTS}{extra}\n\n"
        f'@dashboard(uid="{uid}", folder="Shop")\n'
        f"def {uid.replace('-', '_')}(env):\n"
        f"    return Dashboard(\n"
        f'        title="{title}",\n'
        f"{options}"
        f"        panels=[\n{body},\n        ],\n"
        f"    )\n"
    )


def time_series(title: str = "Requests", expr: str = "sum(rate(http_requests_total[$__rate_interval]))",
                unit: str = "reqps", datasource: str = '"metrics"', description: str = "Requests per second.",
                extra: str = "") -> str:
    unit_arg = f'unit="{unit}", ' if unit is not None else ""
    return (f'TimeSeries(\n    title="{title}",\n    description="{description}",\n    {unit_arg}'
            f"dataSource={datasource},\n    targets=[Target(expr={expr!r}, refId=\"A\")],{extra}\n)")


ALERT_IMPORTS = """\
from dashctl.alerts import AlertRule, DashboardPanel, LogQL, Math, PromQL, Threshold, rule_group
"""


def alert_rules(*rules: str, interval: str = "1m") -> str:
    """A rule group file with these AlertRule expressions."""
    body = ",\n".join(textwrap.indent(textwrap.dedent(rule).strip(), " " * 8) for rule in rules)
    return (
        f"{ALERT_IMPORTS}\n\n"
        f'@rule_group(name="shop", folder="Shop", interval="{interval}", team="shop")\n'
        f"def shop(env):\n"
        f"    return [\n{body},\n    ]\n"
    )


def alert_rule(uid: str = "shop-errors", *, title: str = "Shop errors", severity: str = "warning",
               expr: str = 'sum(rate(http_requests_total{code=~"5.."}[5m]))', condition: str = "Threshold(above=1)",
               lines: str = "") -> str:
    """An AlertRule expression with a summary, a description, for 5m and the given extra keyword lines."""
    text = (f'AlertRule(\n    uid="{uid}",\n    title="{title}",\n    severity="{severity}",\n'
            f"    query=PromQL(expr={expr!r}),\n    condition={condition},\n"
            f'    for_="5m",\n    summary="Shop fails",\n    description="The shop fails requests.",\n')
    for line in textwrap.dedent(lines).strip().splitlines():
        text += f"    {line}\n"
    return text + ")"


# ------------------------------------------------------------------------------------------------ transforms


def map_alert_rules(change: Callable[[Any], Any]) -> Callable[[BuildOutput], BuildOutput]:
    """A transform that replaces every compiled alert rule by `change(rule)`."""

    def transform(output: BuildOutput) -> BuildOutput:
        builds = []
        for build in output.environments:
            alerting = build.extras["alerts"]
            groups = tuple(replace(group, rules=tuple(change(rule) for rule in group.rules))
                           for group in alerting.groups)
            extras = {**build.extras, "alerts": replace(alerting, groups=groups)}
            builds.append(EnvironmentBuild(environment=build.environment, dashboards=build.dashboards,
                                           datasources=build.datasources, extras=extras))
        return replace(output, environments=tuple(builds))

    return transform


def without_label(name: str) -> Callable[[BuildOutput], BuildOutput]:
    return map_alert_rules(lambda rule: replace(rule, labels={k: v for k, v in rule.labels.items() if k != name}))


def with_label(name: str, value: str) -> Callable[[BuildOutput], BuildOutput]:
    return map_alert_rules(lambda rule: replace(rule, labels={**rule.labels, name: value}))


def without_annotation(name: str) -> Callable[[BuildOutput], BuildOutput]:
    def change(rule: Any) -> Any:
        annotations = {k: v for k, v in rule.provisioning["annotations"].items() if k != name}
        return replace(rule, provisioning={**rule.provisioning, "annotations": annotations})

    return map_alert_rules(change)



def rule_text(report: LintReport, rule_id: str) -> str:
    """What `dashctl lint` prints (text format) for the findings of one rule of the report."""
    return render_text(replace(report, findings=tuple(f for f in report.findings if f.rule == rule_id)))
