"""alert/query-variable: only the macros Grafana's Prometheus or Loki backend replaces (taken from Grafana's
pkg/promlib/models/query.go and pkg/tsdb/loki/parse_query.go) may appear in an alert rule's query."""

import pytest

from dashctl.queries.macros import uninterpolated_variables
from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series

RULE = "alert/query-variable"
ALERTS = "alerts/shop.py"


def logql_rule(expr: str) -> str:
    return ('AlertRule(\n'
            '    uid="shop-log-errors", title="Shop log errors", severity="warning",\n'
            f'    query=LogQL(\n        expr={expr!r},\n    ),\n'
            '    condition=Threshold(above=1), for_="5m",\n'
            '    summary="Shop logs errors", description="The shop logs errors.",\n'
            ')')


CASES = [
    Case("Prometheus' macros", files={ALERTS: alert_rules(alert_rule(
        expr="sum(rate(http_requests_total[$__rate_interval])) / sum(rate(http_requests_total[${__interval}]))"))}),
    Case("a capture group is no variable", files={ALERTS: alert_rules(alert_rule(
        expr='label_replace(up, "host", "$1", "instance", "(.*):.*")'))}),
    Case("Loki's macros", files={ALERTS: alert_rules(logql_rule(
        'sum(count_over_time({app="shop"} |= "error" [$__auto])) / sum(count_over_time({app="shop"} [$__range]))'))}),
    Case("a dashboard may use its variables", files={"dashboards/shop.py": dashboard(
        time_series(expr='sum(rate(http_requests_total{namespace="$namespace"}[$__rate_interval]))'),
        variables='{"name": "namespace", "type": "constant", "query": "shop"}')}),
    Case("a dashboard variable", files={ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_requests_total{namespace="$namespace"}[5m]))'))},
         expect=[Expect(ALERTS, at="expr=", message="query A uses $namespace, a dashboard variable")]),
    Case("a braced one with a format", files={ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_requests_total{cluster=~"${cluster:regex}"}[5m]))'))},
         expect=[Expect(ALERTS, at="expr=", message="uses ${cluster:regex}, a dashboard variable")]),
    Case("the old bracket syntax", files={ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_requests_total{job="[[job]]"}[5m]))'))},
         expect=[Expect(ALERTS, at="expr=", message="uses [[job]], a dashboard variable")]),
    Case("a front-end variable", files={ALERTS: alert_rules(alert_rule(
        expr="sum(increase(http_requests_total[${__range_s}s])) / $__from"))},
         expect=[Expect(ALERTS, at="expr=", message="uses $__from, which Grafana's Prometheus backend does not")]),
    Case("$__rate_interval in LogQL", files={ALERTS: alert_rules(logql_rule(
        'sum(count_over_time({app="shop"} |= "error" [$__rate_interval]))'))},
         expect=[Expect(ALERTS, at="expr=", message="uses $__rate_interval, which Grafana's Loki backend")]),
    Case("${__auto} in LogQL", files={ALERTS: alert_rules(logql_rule(
        'sum(count_over_time({app="shop"} |= "error" [${__auto}]))'))},
         expect=[Expect(ALERTS, at="expr=", message="uses ${__auto}, which Grafana's Loki backend")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_the_hint_names_the_macro_meant():
    (reference,) = uninterpolated_variables("rate(x_total[$__rate_intreval])", "PromQL")
    from dashctl.queries.macros import describe_uninterpolated

    _, hint = describe_uninterpolated(reference, "PromQL")
    assert hint.startswith("did you mean $__rate_interval?")


def test_the_build_refuses_it_at_the_same_line(make_project):
    from tests.conftest import BASIC_DATASOURCES
    from tests.lint.harness import line_of

    files = {"datasources/stack.py": BASIC_DATASOURCES, ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_requests_total{namespace="$namespace"}[5m]))'))}
    project = make_project(files, basic=False)
    built = project.run("build")
    linted = project.run("lint")
    line = line_of(project.root / ALERTS, "expr=")
    assert built.exit_code == 3
    assert f"error: {ALERTS}:{line}: alert rule 'shop-errors': query A uses $namespace" in built.stderr
    assert linted.exit_code == 1
    assert f"{ALERTS}:{line}: error[alert/query-variable]: query A uses $namespace" in linted.stdout
