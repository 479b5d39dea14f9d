"""SLOs: the multi-window multi-burn-rate rules generated from one declaration, and the dashboard's SLO row."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from dashctl.alerts import SLO, BurnRateWindow, slo_panels
from dashctl.alerts.testing.translate import prometheus_expression
from dashctl.errors import DefinitionError, DefinitionErrors

ERRORS = 'sum(rate(http_requests_total{code=~"5.."}[$window]))'
TOTAL = "sum(rate(http_requests_total[$window]))"


def make_slo(**overrides):
    options = dict(uid="api-availability", name="API availability", objective=0.999, errors=ERRORS, total=TOTAL,
                   runbook_url="https://runbooks.example.com/api-slo", team="api")
    options.update(overrides)
    return SLO(**options)


def test_page_and_ticket_rules_follow_the_sre_workbook():
    page, ticket = make_slo().rules()
    assert (page.uid, page.severity, ticket.uid, ticket.severity) == (
        "api-availability-page", "critical", "api-availability-ticket", "warning")
    windows = [(query.ref_id, query.expr) for query in page.queries]
    assert windows[0] == ("A", '((sum(rate(http_requests_total{code=~"5.."}[1h]))) / '
                               '(sum(rate(http_requests_total[1h])))) / 0.001')
    assert [expr.count("[5m]") for _, expr in windows] == [0, 2, 0, 0]
    assert page.condition.expression == "($A > 14.4 && $B > 14.4) || ($C > 6 && $D > 6)"
    assert ticket.condition.expression == "($A > 3 && $B > 3) || ($C > 1 && $D > 1)"
    assert "[1d]" in ticket.queries[0].expr and "[2h]" in ticket.queries[1].expr
    assert "[3d]" in ticket.queries[2].expr and "[6h]" in ticket.queries[3].expr
    assert page.all_labels() == {"severity": "critical", "team": "api", "slo": "api-availability"}
    assert page.no_data_state == "OK"


def test_good_over_total_and_custom_windows():
    slo = make_slo(errors=None, good='sum(rate(http_requests_total{code!~"5.."}[$window]))', objective=0.99,
                   page=[BurnRateWindow(long="2h", short="10m", factor=10)], ticket=[])
    (page,) = slo.rules()
    assert page.queries[0].expr.startswith('(1 - ((sum(rate(http_requests_total{code!~"5.."}[2h])))')
    assert page.queries[0].expr.endswith(") / 0.01")
    assert page.condition.expression == "($A > 10 && $B > 10)"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"objective": 99.9}, "must be a fraction between 0 and 1"),
        ({"errors": "sum(rate(errors[5m]))"}, "errors must be a PromQL query with $window"),
        ({"good": TOTAL}, "give the SLI as errors=... or good=..."),
        ({"uid": "a-very-long-service-level-objective-id"}, "must fit in 40 characters"),
        ({"page": [BurnRateWindow(long="5m", short="1h", factor=14.4)]}, "must be shorter than long window"),
    ],
)
def test_bad_declarations_are_definition_errors(overrides, message):
    with pytest.raises((DefinitionError, DefinitionErrors)) as caught:
        make_slo(**overrides)
    assert message in str(caught.value)
    assert "test_slo.py:" in str(caught.value)


def test_page_condition_translates_to_promql_for_promtool(make_project):
    from dashctl.alerts.compile import CompiledRule

    page, _ = make_slo().rules()
    compiled = CompiledRule(rule=page, folder="SLOs", group="g", labels={}, provisioning={}, datasources={},
                            definition="d", location=page.location)
    expression = prometheus_expression(compiled, sample_interval_seconds=60)
    a, b, c, d = (f"({query.expr})" for query in page.queries)
    assert expression == f"(({a} > 14.4) and ({b} > 14.4)) or (({c} > 6) and ({d} > 6))"


def test_slo_panels_compile_into_a_dashboard(make_project):
    dashboard = '''
from grafanalib.core import Dashboard

from dashctl.alerts import SLO, slo_panels
from dashctl.definitions import dashboard


@dashboard(uid="api-slo", folder="SLOs")
def api_slo(env):
    slo = SLO(uid="api-availability", name="API availability", objective=0.999,
              errors='sum(rate(http_requests_total{code=~"5.."}[$window]))',
              total="sum(rate(http_requests_total[$window]))")
    return Dashboard(title="API SLO", panels=slo_panels(slo))
'''
    project = make_project({"dashboards/api_slo.py": dashboard})
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    config_map = yaml.safe_load((project.root / "deploy/dev/dashboard-api-slo.yaml").read_text())
    model = json.loads(config_map["data"]["api-slo.dev.json"])
    panels = model["panels"]
    assert [(p["type"], p["title"]) for p in panels] == [
        ("row", "SLO: API availability (99.9% over 30d)"), ("stat", "Availability"),
        ("stat", "Error budget remaining"), ("timeseries", "Burn rate")]
    assert [(p["gridPos"]["w"], p["gridPos"]["h"]) for p in panels[1:]] == [(6, 8), (6, 8), (12, 8)]
    availability = panels[1]["targets"][0]["expr"]
    assert availability == ('1 - ((sum(rate(http_requests_total{code=~"5.."}[30d]))) / '
                            '(sum(rate(http_requests_total[30d]))))')
    assert panels[1]["fieldConfig"]["defaults"]["unit"] == "percentunit"
    steps = panels[3]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [step["value"] for step in steps] == [None, 6, 14.4]
    assert [target["legendFormat"] for target in panels[3]["targets"]] == ["1h", "6h"]


def test_slo_panels_are_grafanalib_panels():
    from grafanalib.core import RowPanel, Stat, TimeSeries

    row, availability, budget, burn = slo_panels(make_slo())
    assert isinstance(row, RowPanel) and isinstance(availability, Stat) and isinstance(budget, Stat)
    assert isinstance(burn, TimeSeries)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_platform_slo_alerts_pass_their_tests():
    """The backend availability SLO of this repository, through promtool, in dev (99%) and prod (99.9%)."""
    from pathlib import Path

    from dashctl.alerts.testing.runner import run_alert_tests
    from dashctl.project.config import load_project

    report = run_alert_tests(load_project(Path(__file__).resolve().parents[2]), match="budget")
    assert len(report.results) == 6
    assert report.passed, [(r.name, r.environment, r.mismatches, r.message) for r in report.failures]
