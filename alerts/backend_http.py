"""Backend HTTP: the 5xx ratio, the p99 latency and the backend being down (Prometheus), with their tests."""

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


def _selector(env, extra=""):
    return f'{t.NAMESPACE_LABEL}="{env.namespace}", {t.CONTAINER_LABEL}="{t.BACKEND}"{extra}'


@rule_group(name="backend-http", folder="Backend", interval="1m", team="backend")
def backend_http(env):
    requests = f"{t.HTTP_DURATION}_count{{{_selector(env)}}}"
    server_errors = f', {t.HTTP_STATUS_LABEL}=~"5.."'
    errors = f"{t.HTTP_DURATION}_count{{{_selector(env, server_errors)}}}"
    buckets = f"{t.HTTP_DURATION}_bucket{{{_selector(env)}}}"
    return [
        AlertRule(
            uid="backend-5xx-ratio",
            title="Backend 5xx ratio high",
            severity="critical",
            query=PromQL(expr=f"sum(rate({errors}[5m])) / sum(rate({requests}[5m]))"),
            condition=Threshold(above=env.value("alert_backend_5xx_ratio")),
            for_=env.value("alert_backend_5xx_for"),
            no_data_state="OK",
            summary="Backend answers {{ humanizePercentage $values.B.Value }} of requests with a 5xx",
            description="More than {} of backend requests failed with a server error over the last 5 minutes."
            .format(f"{env.value('alert_backend_5xx_ratio'):.0%}"),
            runbook_url=runbook(env, "backend-5xx-ratio"),
            dashboard=DashboardPanel(uid="backend-api", panel="Error ratio (5xx / all)"),
        ),
        AlertRule(
            uid="backend-p99-latency",
            title="Backend p99 latency high",
            severity="warning",
            query=PromQL(expr=f"histogram_quantile(0.99, sum by (le) (rate({buckets}[5m])))"),
            condition=Threshold(above=env.value("alert_backend_p99_seconds")),
            for_=env.value("alert_backend_p99_for"),
            no_data_state="OK",
            summary="Backend p99 latency is {{ humanizeDuration $values.B.Value }}",
            description=f"The slowest 1% of backend requests take longer than "
            f"{env.value('alert_backend_p99_seconds')}s.",
            runbook_url=runbook(env, "backend-p99-latency"),
            dashboard=DashboardPanel(uid="backend-api", panel="Latency p50 / p90 / p99"),
        ),
        AlertRule(
            uid="backend-down",
            title="Backend down",
            severity="critical",
            # `or vector(0)`: no target at all (every pod gone) is down too, not "no data".
            query=PromQL(expr=f"sum({t.UP}{{{_selector(env)}}}) or vector(0)"),
            condition=Threshold(below=1),
            for_=env.value("alert_backend_down_for"),
            no_data_state="Alerting",
            summary="No backend instance is up in {}".format(env.namespace),
            description="Prometheus scrapes no healthy backend pod: the API is down.",
            runbook_url=runbook(env, "backend-down"),
            dashboard=DashboardPanel(uid="prometheus-health", panel="Targets up by job"),
        ),
    ]


@alert_tests
def backend_http_tests(env):
    def requests(status, per_minute, minutes=40):
        return Series(
            series=f'{t.HTTP_DURATION}_count{{{_selector(env)}, {t.HTTP_STATUS_LABEL}="{status}", '
            f'{t.HTTP_ROUTE_LABEL}="/api/cart", {t.HTTP_METHOD_LABEL}="GET"}}',
            values=f"0+{per_minute}x{minutes}",
        )

    def bucket(le, per_minute):
        return Series(series=f'{t.HTTP_DURATION}_bucket{{{_selector(env)}, le="{le}"}}', values=f"0+{per_minute}x40")

    critical = {"severity": "critical", "team": "backend"}
    return [
        AlertTest(
            name="backend 5xx ratio of 20% fires after the pending period",
            series=[requests("500", 12), requests("200", 48)],
            expect=[
                Expect(rule="backend-5xx-ratio", at="2m", alerts=[]),
                Expect(rule="backend-5xx-ratio", at="20m", alerts=[
                    ExpectedAlert(labels=critical,
                                  annotations={"summary": "Backend answers 20% of requests with a 5xx"}),
                ]),
            ],
        ),
        AlertTest(
            name="backend 5xx ratio of 1% stays quiet",
            series=[requests("500", 1), requests("200", 99)],
            expect=[Expect(rule="backend-5xx-ratio", at="30m", alerts=[])],
        ),
        AlertTest(
            name="backend p99 latency of ~5s fires",
            series=[bucket("0.1", 0), bucket("0.5", 0), bucket("1", 0), bucket("2.5", 0), bucket("5", 10),
                    bucket("+Inf", 10)],
            expect=[
                Expect(rule="backend-p99-latency", at="25m", alerts=[
                    ExpectedAlert(labels={"severity": "warning", "team": "backend"},
                                  annotations={"summary": "Backend p99 latency is 4.975s"}),
                ]),
            ],
        ),
        AlertTest(
            name="backend p99 latency under 100ms stays quiet",
            series=[bucket("0.1", 10), bucket("0.5", 10), bucket("+Inf", 10)],
            expect=[Expect(rule="backend-p99-latency", at="25m", alerts=[])],
        ),
        AlertTest(
            name="backend down when its only pod stops answering",
            series=[Series(series=f'{t.UP}{{{_selector(env)}, {t.POD_LABEL}="backend-1"}}', values="1x5 0x30")],
            expect=[
                Expect(rule="backend-down", at="5m", alerts=[]),
                Expect(rule="backend-down", at="20m", alerts=[ExpectedAlert(labels=critical)]),
            ],
        ),
        AlertTest(
            name="backend down when no backend target exists at all",
            series=[Series(series=f'{t.UP}{{{t.NAMESPACE_LABEL}="{env.namespace}", '
                                  f'{t.CONTAINER_LABEL}="{t.FRONTEND}"}}', values="1x30")],
            expect=[Expect(rule="backend-down", at="15m", alerts=[ExpectedAlert(labels=critical)])],
        ),
    ]
