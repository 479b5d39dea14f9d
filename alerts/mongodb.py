"""MongoDB: an instance down, and connections close to the limit (mongodb_exporter), with their tests."""

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


@rule_group(name="mongodb", folder="MongoDB", interval="1m", team="platform")
def mongodb(env):
    namespace = f'{t.NAMESPACE_LABEL}="{env.namespace}"'
    connections = t.MONGODB_CONNECTIONS
    in_use = f'sum by ({t.POD_LABEL}) ({connections}{{{namespace}, {t.MONGODB_CONN_TYPE_LABEL}="current"}})'
    limit = f'sum by ({t.POD_LABEL}) ({connections}{{{namespace}, {t.MONGODB_CONN_TYPE_LABEL}=~"current|available"}})'
    return [
        AlertRule(
            uid="mongodb-down",
            title="MongoDB down",
            severity="critical",
            query=PromQL(expr=f"min by ({t.POD_LABEL}) ({t.MONGODB_UP}{{{namespace}}})"),
            condition=Threshold(below=1),
            for_=env.value("alert_mongodb_down_for"),
            # The exporter gone (no series at all) is as bad as MongoDB reported down.
            no_data_state="Alerting",
            summary="MongoDB {{ $labels.pod }} is down",
            description="mongodb_exporter cannot reach the MongoDB server it watches.",
            runbook_url=runbook(env, "mongodb-down"),
            dashboard=DashboardPanel(uid="mongodb", panel="Up"),
        ),
        AlertRule(
            uid="mongodb-connections-saturated",
            title="MongoDB connections near the limit",
            severity="warning",
            query=PromQL(expr=f"{in_use} / {limit}"),
            condition=Threshold(above=env.value("alert_mongodb_connections_ratio")),
            for_=env.value("alert_mongodb_connections_for"),
            no_data_state="OK",
            summary="MongoDB {{ $labels.pod }} uses {{ humanizePercentage $values.B.Value }} of its connections",
            description="New connections will be refused once the limit is reached: check the backend's pool.",
            runbook_url=runbook(env, "mongodb-connections-saturated"),
            dashboard=DashboardPanel(uid="mongodb", panel="Connections in use"),
        ),
    ]


@alert_tests
def mongodb_tests(env):
    labels = f'{t.NAMESPACE_LABEL}="{env.namespace}", {t.POD_LABEL}="mongodb-0", {t.CONTAINER_LABEL}="exporter"'

    def connections(conn_type, value):
        return Series(series=f'{t.MONGODB_CONNECTIONS}{{{labels}, {t.MONGODB_CONN_TYPE_LABEL}="{conn_type}"}}',
                      values=f"{value}x40")

    return [
        AlertTest(
            name="mongodb reported down fires",
            series=[Series(series=f"{t.MONGODB_UP}{{{labels}}}", values="1x5 0x30")],
            expect=[
                Expect(rule="mongodb-down", at="4m", alerts=[]),
                Expect(rule="mongodb-down", at="15m", alerts=[
                    ExpectedAlert(labels={"pod": "mongodb-0", "severity": "critical", "team": "platform"},
                                  annotations={"summary": "MongoDB mongodb-0 is down"}),
                ]),
            ],
        ),
        AlertTest(
            name="mongodb up stays quiet",
            series=[Series(series=f"{t.MONGODB_UP}{{{labels}}}", values="1x30")],
            expect=[Expect(rule="mongodb-down", at="20m", alerts=[])],
        ),
        AlertTest(
            name="mongodb at 95% of its connections fires",
            series=[connections("current", 950), connections("available", 50), connections("active", 400)],
            expect=[Expect(rule="mongodb-connections-saturated", at="30m", alerts=[
                ExpectedAlert(labels={"pod": "mongodb-0", "severity": "warning", "team": "platform"},
                              annotations={"summary": "MongoDB mongodb-0 uses 95% of its connections"}),
            ])],
        ),
        AlertTest(
            name="mongodb at 30% of its connections stays quiet",
            series=[connections("current", 300), connections("available", 700)],
            expect=[Expect(rule="mongodb-connections-saturated", at="30m", alerts=[])],
        ),
    ]
