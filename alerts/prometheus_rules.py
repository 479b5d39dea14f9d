"""Prometheus itself: its recording and alerting rules failing to evaluate."""

import telemetry as t
from alerts._runbooks import runbook
from dashctl.alerts import (
    AlertRule,
    AlertTest,
    DashboardPanel,
    Expect,
    ExpectedAlert,
    PromQL,
    Series,
    Threshold,
    alert_tests,
    rule_group,
)


@rule_group(name="prometheus", folder="Observability", interval="1m", team="platform")
def prometheus(env):
    failures = f'{t.PROMETHEUS_RULE_FAILURES}{{{t.NAMESPACE_LABEL}="{env.namespace}"}}'
    return [
        AlertRule(
            uid="prometheus-rule-failures",
            title="Prometheus rule evaluation failures",
            severity="warning",
            query=PromQL(expr=f"sum by ({t.RULE_GROUP_LABEL}) (increase({failures}[10m]))"),
            condition=Threshold(above=0),
            for_=env.value("alert_rule_failures_for"),
            no_data_state="OK",
            summary="Prometheus fails to evaluate rules of {{ $labels.rule_group }}",
            description="Recording rules that fail leave gaps that dashboards and alerts read as zero or no data.",
            runbook_url=runbook(env, "prometheus-rule-failures"),
            dashboard=DashboardPanel(uid="prometheus-health", panel="Rule evaluation failures by group"),
        ),
    ]


@alert_tests
def prometheus_tests(env):
    labels = (f'{t.NAMESPACE_LABEL}="{env.namespace}", {t.POD_LABEL}="prometheus-0", '
              f'{t.RULE_GROUP_LABEL}="/etc/prometheus/rules/backend.yaml;backend"')
    return [
        AlertTest(
            name="failing rule evaluations fire",
            series=[Series(series=f"{t.PROMETHEUS_RULE_FAILURES}{{{labels}}}", values="0x5 0+2x35")],
            expect=[Expect(rule="prometheus-rule-failures", at="30m", alerts=[ExpectedAlert(
                labels={"rule_group": "/etc/prometheus/rules/backend.yaml;backend", "severity": "warning",
                        "team": "platform"},
            )])],
        ),
        AlertTest(
            name="no failed evaluations stays quiet",
            series=[Series(series=f"{t.PROMETHEUS_RULE_FAILURES}{{{labels}}}", values="0x40")],
            expect=[Expect(rule="prometheus-rule-failures", at="30m", alerts=[])],
        ),
    ]
