"""Frontend: the 5xx ratio from nginx's access log in Loki (LogQL), with its tests on log lines."""

import telemetry as t
from alerts._runbooks import runbook
from dashctl.alerts import (
    AlertRule,
    AlertTest,
    DashboardPanel,
    Expect,
    ExpectedAlert,
    LogLines,
    LogQL,
    Threshold,
    alert_tests,
    rule_group,
)


def _access_log(env):
    """The frontend's access-log lines (nginx writes them to stdout, its error log to stderr), parsed."""
    stream = (f'{{{t.NAMESPACE_LABEL}="{env.namespace}", {t.APP_LABEL}="{t.FRONTEND}", '
              f'{t.STREAM_LABEL}="stdout"}}')
    return f"{stream} | pattern `{t.FRONTEND_ACCESS_LOG_PATTERN}`"


@rule_group(name="frontend-access-log", folder="Frontend", interval="1m", team="frontend")
def frontend_access_log(env):
    lines = _access_log(env)
    return [
        AlertRule(
            uid="frontend-5xx-ratio",
            title="Frontend 5xx ratio high",
            severity="critical",
            query=LogQL(
                expr=f"sum(count_over_time({lines} | {t.FRONTEND_STATUS_FIELD} >= 500 [5m])) / "
                f"sum(count_over_time({lines} | {t.FRONTEND_STATUS_FIELD} > 0 [5m]))"
            ),
            condition=Threshold(above=env.value("alert_frontend_5xx_ratio")),
            for_=env.value("alert_frontend_5xx_for"),
            no_data_state="OK",
            summary="Frontend answers {{ humanizePercentage $values.B.Value }} of requests with a 5xx",
            description="nginx in front of the single-page app logs server errors for more than "
            f"{env.value('alert_frontend_5xx_ratio'):.0%} of requests over the last 5 minutes.",
            runbook_url=runbook(env, "frontend-5xx-ratio"),
            dashboard=DashboardPanel(uid="frontend", panel="Error ratio (5xx / all)"),
        ),
    ]


@alert_tests
def frontend_access_log_tests(env):
    stream = {t.NAMESPACE_LABEL: env.namespace, t.APP_LABEL: t.FRONTEND, t.STREAM_LABEL: "stdout",
              t.CONTAINER_LABEL: t.FRONTEND, t.POD_LABEL: "frontend-7d4b9-x2x1q",
              t.JOB_LABEL: f"{env.namespace}/{t.FRONTEND}"}
    errors = {**stream, t.STREAM_LABEL: "stderr"}

    def access(status):
        return (f'10.1.2.3 - - [24/Nov/2026:10:00:00 +0000] "GET /cart HTTP/1.1" {status} 512 "-" '
                f'"Mozilla/5.0" 0.012')

    return [
        AlertTest(
            name="frontend 5xx in a quarter of the access log fires",
            logs=[
                LogLines(labels=stream, line=access(200), every="10s", end="30m"),
                LogLines(labels=stream, line=access(503), every="30s", end="30m"),
                LogLines(labels=errors, line="2026/11/24 10:00:00 [error] 7#7: *1 upstream timed out", every="30s",
                         end="30m"),
            ],
            expect=[
                Expect(rule="frontend-5xx-ratio", at="1m", alerts=[]),
                Expect(rule="frontend-5xx-ratio", at="25m", alerts=[
                    ExpectedAlert(labels={"severity": "critical", "team": "frontend"},
                                  annotations={"summary": "Frontend answers 25% of requests with a 5xx"}),
                ]),
            ],
        ),
        AlertTest(
            name="frontend with 4xx only stays quiet",
            logs=[
                LogLines(labels=stream, line=access(200), every="10s", end="30m"),
                LogLines(labels=stream, line=access(404), every="10s", end="30m"),
            ],
            expect=[Expect(rule="frontend-5xx-ratio", at="25m", alerts=[])],
        ),
    ]
