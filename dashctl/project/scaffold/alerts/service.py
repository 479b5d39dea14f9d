"""A first alert rule, where its notifications go, and a unit test for it. Rename to your service's.

Contact point credentials are only references to Grafana's environment (env_secret), never literal values.
"""

from dashctl.alerts import (
    AlertRule,
    AlertTest,
    ContactPoint,
    DashboardPanel,
    Email,
    Expect,
    ExpectedAlert,
    NotificationPolicy,
    PromQL,
    Series,
    Threshold,
    alert_tests,
    contact_points,
    notification_policy,
    rule_group,
)


@rule_group(name="my-service", folder="Services", interval="1m")
def my_service_rules(env):
    return [
        AlertRule(
            uid="my-service-targets-down",
            title="My service targets down",
            severity="warning",
            query=PromQL(expr=f'count(up{{namespace="{env.namespace}"}} == 0) or vector(0)'),
            condition=Threshold(above=0),
            for_="5m",
            summary="{{ $values.B.Value }} scrape targets are down",
            description="Prometheus cannot scrape some targets of the namespace.",
            dashboard=DashboardPanel(uid="my-service", panel="Targets up"),
        )
    ]


@contact_points
def team(env):
    return [ContactPoint(name="team", integrations=[Email(addresses=["team@example.com"])])]


@notification_policy
def routing(env):
    return NotificationPolicy(receiver="team", group_by=["alertname"])


@alert_tests
def my_service_tests(env):
    return [
        AlertTest(
            name="a target down for five minutes fires",
            series=[Series(series=f'up{{namespace="{env.namespace}", job="app"}}', values="1x2 0x20")],
            expect=[
                Expect(rule="my-service-targets-down", at="4m", alerts=[]),
                Expect(rule="my-service-targets-down", at="15m", alerts=[ExpectedAlert(labels={"severity": "warning"})]),
            ],
        ),
        AlertTest(
            name="all targets up stays quiet",
            series=[Series(series=f'up{{namespace="{env.namespace}", job="app"}}', values="1x20")],
            expect=[Expect(rule="my-service-targets-down", at="15m", alerts=[])],
        ),
    ]
