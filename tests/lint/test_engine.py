"""The framework: environments merged, suppressions next to the definition, build errors, locations."""

from __future__ import annotations

import pytest

from dashctl.errors import DefinitionErrors
from dashctl.lint import lint_project
from dashctl.project.config import load_project
from tests.lint.harness import alert_rule, alert_rules, dashboard, line_of, lint_files, time_series

FILE = "dashboards/shop.py"
ALERTS = "alerts/shop.py"


def rules_found(report, rule=None):
    return [(f.rule, f.location.line, f.environments) for f in report.findings if rule in (None, f.rule)]


def test_a_finding_of_every_environment_is_reported_once_naming_them(make_project):
    project, report = lint_files(make_project, {FILE: dashboard(time_series(unit=""))})
    (finding,) = [f for f in report.findings if f.rule == "panel/units"]
    assert finding.environments == ("dev", "prod") and report.environments == ("dev", "prod")


def test_a_finding_of_one_environment_names_it(make_project):
    source = dashboard(time_series(unit="")).replace('folder="Shop")', 'folder="Shop", environments=["prod"])')
    _, report = lint_files(make_project, {FILE: source})
    (finding,) = [f for f in report.findings if f.rule == "panel/units"]
    assert finding.environments == ("prod",)


def test_findings_that_differ_by_environment_stay_apart(make_project):
    rule = alert_rule(expr='sum(rate(x_total{code=~"5.."}[5m])) / sum(rate(x_total[5m]))',
                      condition='Threshold(above=env.value("error_ratio") * 100)')
    _, report = lint_files(make_project, {ALERTS: alert_rules(rule)})
    found = [f for f in report.findings if f.rule == "alert/ratio-threshold"]
    assert sorted(f.environments for f in found) == [("dev",), ("prod",)]
    assert {"the threshold is 5 (gt)" in f.message or "the threshold is 2 (gt)" in f.message for f in found} == {True}


def test_a_panel_finding_points_at_its_title_line_and_falls_back_to_the_decorator(make_project):
    twice = dashboard(time_series(unit=""), time_series(unit="", expr="sum(rate(y_total[$__rate_interval]))"))
    project, report = lint_files(make_project, {FILE: twice})
    lines = {f.location.line for f in report.findings if f.rule == "panel/units"}
    assert lines == {line_of(project.root / FILE, "@dashboard(")}  # two panels titled "Requests": ambiguous

    project, report = lint_files(make_project, {FILE: dashboard(time_series(title="Only", unit=""))})
    (finding,) = [f for f in report.findings if f.rule == "panel/units"]
    assert finding.location.line == line_of(project.root / FILE, 'title="Only"')
    assert (finding.object_kind, finding.object_uid, finding.panel_title, finding.panel_id) == (
        "dashboard", "shop", "Only", 1)


@pytest.mark.parametrize("place", ["above the decorator", "on the decorator", "in a comment block above",
                                   "above the panel", "on the title line"])
def test_a_suppression_next_to_the_definition_silences_the_rule(make_project, place):
    comment = "# dashctl-lint: ignore[panel/units] reason: the panel shows a count"
    source = dashboard(time_series(unit=""))
    if place == "above the decorator":
        source = source.replace("@dashboard(", f"{comment}\n@dashboard(")
    elif place == "on the decorator":
        source = source.replace('folder="Shop")', f'folder="Shop")  {comment}')
    elif place == "in a comment block above":
        source = source.replace("@dashboard(", f"{comment}\n# the panel counts things\n@dashboard(")
    elif place == "above the panel":
        source = source.replace("            TimeSeries(", f"            {comment}\n            TimeSeries(")
    else:
        source = source.replace('title="Requests",', f'title="Requests",  {comment}')
    _, report = lint_files(make_project, {FILE: source})
    assert rules_found(report, "panel/units") == []
    (suppressed,) = report.suppressed
    assert suppressed.finding.rule == "panel/units"
    assert suppressed.suppression.reason == "the panel shows a count"
    assert not [f for f in report.findings if f.rule.startswith("lint/")]


def test_a_suppression_silences_only_the_rules_it_names_and_only_its_definition(make_project):
    comment = "# dashctl-lint: ignore[panel/units] reason: counts"
    source = (dashboard(time_series(unit=""), uid="one", title="One").replace("@dashboard(", f"{comment}\n@dashboard(")
              + "\n\n" + dashboard(time_series(unit=""), uid="two", title="Two").split("\n\n\n", 1)[1])
    _, report = lint_files(make_project, {FILE: source})
    assert [f.object_uid for f in report.findings if f.rule == "panel/units"] == ["two"]


def test_a_suppression_on_the_alert_rule_covers_findings_on_its_keyword_lines(make_project):
    rule = alert_rule(title="Shop checkout failing for many customers!").replace(
        "AlertRule(", "AlertRule(  # dashctl-lint: ignore[alert/name-length, alert/dashboard-link] reason: legacy")
    _, report = lint_files(make_project, {ALERTS: alert_rules(rule)})
    assert {s.finding.rule for s in report.suppressed} == {"alert/name-length", "alert/dashboard-link"}
    assert not [f for f in report.findings if f.rule in ("alert/name-length", "alert/dashboard-link")]


def test_a_suppression_without_a_reason_silences_nothing(make_project):
    source = dashboard(time_series(unit="")).replace("@dashboard(", "# dashctl-lint: ignore[panel/units]\n@dashboard(")
    _, report = lint_files(make_project, {FILE: source})
    assert {f.rule for f in report.findings} >= {"panel/units", "lint/suppression-reason"}
    assert report.suppressed == ()


def test_unused_suppressions_are_not_reported_when_environments_were_left_out(make_project):
    source = dashboard(time_series()).replace(
        "@dashboard(", "# dashctl-lint: ignore[panel/units] reason: counts\n@dashboard(")
    project = make_project({FILE: source}, basic=False)
    loaded = load_project(project.root)
    assert [f.rule for f in lint_project(loaded).findings] == ["lint/suppression-unused"]
    assert [f.rule for f in lint_project(loaded, ["dev"]).findings] == []


def test_other_build_problems_still_raise(make_project):
    source = dashboard(time_series(datasource='"nowhere"'))
    project = make_project({FILE: source}, basic=False)
    with pytest.raises(DefinitionErrors, match="does not resolve"):
        lint_project(load_project(project.root))


def test_the_build_behind_lint_leaves_invalid_queries_in_place_and_the_normal_build_refuses_them(make_project):
    from dashctl.compiler.pipeline import build_project

    broken = alert_rule(expr="sum(rate(x_total[5m])")
    project = make_project({FILE: dashboard(time_series(expr="sum(x")), ALERTS: alert_rules(broken)}, basic=False)
    loaded = load_project(project.root)
    with pytest.raises(DefinitionErrors) as raised:
        build_project(loaded)
    assert len(raised.value.errors) == 2  # the panel's query and the alert's (the same in dev and prod)
    output = build_project(loaded, validate_queries=False)
    assert [len(build.dashboards) for build in output.environments] == [1, 1]
    assert [len(build.extras["alerts"].rules) for build in output.environments] == [1, 1]
    with pytest.raises(DefinitionErrors):  # the switch does not outlive the lint build
        build_project(loaded)


def test_a_title_in_another_dashboard_of_the_file_is_not_taken_for_the_panel(make_project):
    # "Requests" of `one` has no literal title line of its own (built by a helper); `two` has one.
    one = dashboard('make_panel("Requests")', uid="one", title="One").replace(
        "\n\n@dashboard(", '\n\ndef make_panel(title):\n    return TimeSeries(title=title, description="d", '
        'dataSource="metrics", targets=[Target(expr="up")])\n\n\n@dashboard(', 1)
    two = dashboard(time_series(unit=""), uid="two", title="Two").split("\n\n\n", 1)[1]
    project, report = lint_files(make_project, {FILE: one + "\n\n" + two})
    found = {f.object_uid: f.location.line for f in report.findings if f.rule == "panel/units"}
    path = project.root / FILE
    assert found == {"one": line_of(path, '@dashboard(uid="one"'), "two": line_of(path, 'title="Requests"')}


def test_suppressions_count_in_shared_modules_that_build_alert_rules(make_project):
    shared = alert_rule(title="Shop checkout failing for many customers!").replace(
        "AlertRule(", "AlertRule(  # dashctl-lint: ignore[alert/name-length] reason: legacy name")
    files = {
        "rules_library.py": "from dashctl.alerts import AlertRule, PromQL, Threshold\n\n\ndef checkout():\n"
                            "    return " + shared.replace("\n", "\n    ") + "\n",
        ALERTS: "from dashctl.alerts import rule_group\nimport rules_library\n\n\n"
                '@rule_group(name="shop", folder="Shop", interval="1m")\ndef shop(env):\n'
                "    return [rules_library.checkout()]\n",
    }
    _, report = lint_files(make_project, files)
    assert [s.finding.location.file for s in report.suppressed] == ["rules_library.py"]
