"""`dashctl lint` as users run it: formats, --min-severity, --fail-on, suppressions, exit codes, this repo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.conftest import REPO, _chdir
from tests.lint.harness import alert_rule, alert_rules, dashboard, line_of, time_series

FILE = "dashboards/shop.py"
ALERTS = "alerts/shop.py"
CLEAN = {FILE: dashboard(time_series())}
WARNING = {FILE: dashboard(time_series(title="Memory", unit="byte"))}  # panel/units, a warning
ERROR = {FILE: dashboard(time_series(title="Broken", expr="sum(rate(x_total[$__rate_interval])"))}  # promql/syntax
INFO = {ALERTS: alert_rules(alert_rule())}  # alert/dashboard-link, information only


def lint(make_project, files, *args):
    project = make_project(files, basic=False)
    return project, project.run("lint", *args)


def test_no_findings_exit_0(make_project):
    _, result = lint(make_project, CLEAN)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "no findings in dev, prod"


def test_text_shows_file_line_severity_rule_message_object_panel_and_the_source_line(make_project):
    project, result = lint(make_project, WARNING)
    line = line_of(project.root / FILE, 'unit="byte"')  # the line that holds the bad value
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{FILE}:{line}: warning[panel/units]: unit 'byte' is not one of Grafana's unit ids")
    assert lines[0].endswith('(dashboard shop, panel "Memory")')
    indent = " " * 16  # the unit keyword's indentation in the file
    gutter = " " * len(str(line))
    assert lines[1] == f'  {line} | {indent}unit="byte", dataSource="metrics",'
    assert lines[2] == f"  {gutter} | {indent}" + "^" * len('unit="byte", dataSource="metrics",')
    assert lines[3] == f"  {gutter} = hint: did you mean 'bytes'? for a custom suffix write 'suffix:byte' " \
        "(units.suffix(...))"
    assert result.exit_code == 0  # a warning does not fail the run by default
    assert result.stderr.strip() == "1 warning in dev, prod"


def test_text_shows_the_query_with_a_caret_under_the_position(make_project):
    _, result = lint(make_project, ERROR)
    assert result.exit_code == 1
    assert "error[promql/syntax]: invalid PromQL: unclosed left parenthesis" in result.stdout
    query = "sum(rate(x_total[$__rate_interval])"
    assert f"| query A: {query}\n" in result.stdout
    assert f"| {' ' * (len('query A: ') + len(query))}^ column {len(query) + 1}\n" in result.stdout


def test_json_format(make_project):
    project, result = lint(make_project, {**WARNING, **INFO}, "--format", "json", "--min-severity", "info")
    document = json.loads(result.stdout)
    assert set(document) == {"environments", "findings", "suppressed", "summary"}
    assert document["summary"] == {"error": 0, "warning": 1, "info": 1, "suppressed": 0}
    units = next(f for f in document["findings"] if f["rule"] == "panel/units")
    assert units == {
        "rule": "panel/units",
        "severity": "warning",
        "summary": "panel without a valid unit",
        "message": units["message"],
        "hint": units["hint"],
        "file": FILE,
        "line": line_of(project.root / FILE, 'unit="byte"'),
        "object": {"kind": "dashboard", "uid": "shop"},
        "panel": {"id": 1, "title": "Memory"},
        "query": None,
        "environments": ["dev", "prod"],
    }
    link = next(f for f in document["findings"] if f["rule"] == "alert/dashboard-link")
    assert (link["severity"], link["object"], link["panel"]) == ("info", {"kind": "alert rule", "uid": "shop-errors"},
                                                                 None)
    assert result.stdout.endswith("}\n") and result.stdout == json.dumps(document, indent=2, sort_keys=True) + "\n"


def test_json_carries_the_query_and_suppressions_with_their_reason(make_project):
    files = {FILE: dashboard(time_series(title="Fixed", expr="sum(rate(x_total[5m]))")).replace(
        "@dashboard(", "# dashctl-lint: ignore[promql/rate-interval] reason: a 5m view on purpose\n@dashboard(")}
    project, result = lint(make_project, files, "--format", "json")
    document = json.loads(result.stdout)
    assert document["findings"] == [] and document["summary"]["suppressed"] == 1
    (item,) = document["suppressed"]
    assert item["rule"] == "promql/rate-interval"
    assert item["query"] == {"ref_id": "A", "expr": "sum(rate(x_total[5m]))", "position": None}
    assert item["suppression"] == {"file": FILE, "line": line_of(project.root / FILE, "# dashctl-lint"),
                                   "reason": "a 5m view on purpose"}


def test_github_format(make_project, monkeypatch):
    project, _ = lint(make_project, {**ERROR, **INFO})
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project.root.parent))  # the project sits in a subdirectory
    result = project.run("lint", "--format", "github", "--min-severity", "info")
    lines = result.stdout.splitlines()
    line = line_of(project.root / FILE, 'targets=[Target(expr=')  # the line holding the query
    assert any(text.startswith(f"::error file=project/{FILE},line={line},title=promql/syntax::invalid PromQL: "
                               "unclosed left parenthesis (dashboard shop, panel \"Broken\", query A)%0Ahint: ")
               for text in lines), result.stdout
    assert any(text.startswith(f"::notice file=project/{ALERTS},line=") and "title=alert/dashboard-link::" in text
               for text in lines)
    assert result.exit_code == 1


def test_github_escapes_what_would_end_the_command(make_project):
    from dashctl.errors import SourceLocation
    from dashctl.lint import Finding, LintReport, Severity
    from dashctl.lint.render import render_github

    finding = Finding(rule="panel/units", severity=Severity.WARNING, summary="s", message="50% of it\nbroken",
                      location=SourceLocation(file="a,b:c.py", line=3))
    assert render_github(LintReport(findings=(finding,))) == (
        "::warning file=a%2Cb%3Ac.py,line=3,title=panel/units::50%25 of it%0Abroken\n")


@pytest.mark.parametrize("args, shown", [
    ((), {"error", "warning"}),
    (("--min-severity", "info"), {"error", "warning", "info"}),
    (("--min-severity", "error"), {"error"}),
])
def test_min_severity_decides_what_is_shown(make_project, args, shown):
    files = {FILE: dashboard(time_series(title="Broken", expr="sum(rate(x_total[$__rate_interval])"),
                             time_series(title="Memory", unit="byte")), **INFO}
    _, result = lint(make_project, files, "--format", "json", *args)
    assert {f["severity"] for f in json.loads(result.stdout)["findings"]} == shown


@pytest.mark.parametrize("files, args, code", [
    (WARNING, (), 0),
    (WARNING, ("--fail-on", "warning"), 1),
    (ERROR, (), 1),
    (ERROR, ("--min-severity", "error", "--fail-on", "error"), 1),
    (INFO, ("--fail-on", "info"), 0),  # info findings are not even reported by default
    (INFO, ("--min-severity", "info", "--fail-on", "info"), 1),
    (CLEAN, ("--fail-on", "info"), 0),
])
def test_fail_on_decides_the_exit_code(make_project, files, args, code):
    _, result = lint(make_project, files, *args)
    assert result.exit_code == code, result.stdout + result.stderr


def test_a_suppression_with_a_reason_silences_the_finding(make_project):
    files = {FILE: dashboard(time_series(title="Memory", unit="byte")).replace(
        "@dashboard(", "# dashctl-lint: ignore[panel/units] reason: Grafana 12 knows this unit\n@dashboard(")}
    _, result = lint(make_project, files, "--fail-on", "warning")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip() == "no findings in dev, prod; 1 suppressed"


def test_a_suppression_without_a_reason_is_itself_a_finding_and_silences_nothing(make_project):
    files = {FILE: dashboard(time_series(title="Memory", unit="byte")).replace(
        "@dashboard(", "# dashctl-lint: ignore[panel/units]\n@dashboard(")}
    project, result = lint(make_project, files, "--fail-on", "warning")
    assert result.exit_code == 1
    comment = line_of(project.root / FILE, "# dashctl-lint")
    assert f"{FILE}:{comment}: warning[lint/suppression-reason]: the suppression of panel/units gives no reason" \
        in result.stdout
    assert "warning[panel/units]" in result.stdout


def test_a_definition_that_does_not_build_exits_3(make_project):
    _, result = lint(make_project, {FILE: dashboard(time_series(datasource='"nowhere"'))})
    assert result.exit_code == 3
    assert "does not resolve" in result.stderr and result.stdout == ""


def test_an_unknown_environment_or_severity_is_a_usage_error(make_project):
    _, result = lint(make_project, CLEAN, "--env", "staging")
    assert result.exit_code == 2
    _, result = lint(make_project, CLEAN, "--min-severity", "fatal")
    assert result.exit_code == 2


def test_env_lints_only_the_environments_named(make_project):
    _, result = lint(make_project, WARNING, "--env", "dev", "--format", "json")
    document = json.loads(result.stdout)
    assert document["environments"] == ["dev"] and document["findings"][0]["environments"] == ["dev"]


def test_list_rules_prints_the_catalogue():
    from dashctl.lint import all_rules

    result = CliRunner().invoke(cli, ["lint", "--list-rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [item.id for item in all_rules()]
    assert "panel/units" in result.stdout and "warning" in result.stdout


def test_the_bundled_definitions_lint_clean():
    runner = CliRunner()
    with _chdir(REPO):
        result = runner.invoke(cli, ["lint", "--format", "json", "--min-severity", "info"], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    findings = [f"{f['file']}:{f['line']} {f['rule']}: {f['message']}" for f in document["findings"]]
    assert findings == []
    # The one deliberate exception, the SLO row's fixed burn-rate windows, is suppressed with its reason.
    assert {f["rule"] for f in document["suppressed"]} == {"promql/rate-interval"}
    assert document["environments"] == ["dev", "prod"]


TOKEN = "Zq8vK2mN4pR7sT1wX5yB9cD3"
ONE_LINE_SECRET = {"datasources/stack.py": f'''
from dashctl.datasources import Loki
from dashctl.definitions import datasources


@datasources
def stack(env):
    return [Loki(name="Loki", uid=env.datasource("logs").uid, url="http://loki:3100", json_data={{"tenant": "{TOKEN}"}})]
'''}


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_the_source_line_of_a_finding_never_repeats_a_secret(make_project, output_format):
    """The text output quotes the line a finding points at: a credential written on it is masked there."""
    _, result = lint(make_project, ONE_LINE_SECRET, "--format", output_format)
    assert "secret/literal-value" in result.stdout, result.stdout + result.stderr
    output = result.stdout + result.stderr
    pieces = {TOKEN[start:start + 6] for start in range(len(TOKEN) - 5)}
    assert not [piece for piece in pieces if piece in output], output
    if output_format == "text":
        assert 'json_data={"tenant": "***"}' in result.stdout  # the line is still shown, the value masked
