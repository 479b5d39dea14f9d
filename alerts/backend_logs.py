"""Backend logs: a spike of error lines in Loki (LogQL), with its tests on log lines."""

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


@rule_group(name="backend-logs", folder="Backend", interval="1m", team="backend")
def backend_logs(env):
    stream = f'{{{t.NAMESPACE_LABEL}="{env.namespace}", {t.APP_LABEL}="{t.BACKEND}"}}'
    limit = env.value("alert_backend_error_lines_5m")
    return [
        AlertRule(
            uid="backend-error-log-spike",
            title="Backend error log spike",
            severity="warning",
            query=LogQL(expr=f'sum(count_over_time({stream} | json | {t.BACKEND_LOG_LEVEL}="error" [5m]))'),
            condition=Threshold(above=limit),
            for_=env.value("alert_backend_error_lines_for"),
            no_data_state="OK",
            summary="Backend logged {{ $values.B.Value }} errors in 5 minutes",
            description=f"More than {limit} backend log lines at level error within 5 minutes.",
            runbook_url=runbook(env, "backend-error-log-spike"),
            dashboard=DashboardPanel(uid="backend-api", panel="Error lines"),
        ),
    ]


@alert_tests
def backend_logs_tests(env):
    stream = {t.NAMESPACE_LABEL: env.namespace, t.APP_LABEL: t.BACKEND, t.STREAM_LABEL: "stdout",
              t.CONTAINER_LABEL: t.BACKEND, t.POD_LABEL: "backend-5f6c7-abcde",
              t.JOB_LABEL: f"{env.namespace}/{t.BACKEND}"}
    info = '{"level":"info","msg":"request completed","req":{"method":"GET","url":"/api/cart"},' \
           '"res":{"statusCode":200},"responseTime":12}'
    error = '{"level":"error","msg":"cannot reach MongoDB","req":{"method":"POST","url":"/api/orders"},' \
            '"res":{"statusCode":500},"responseTime":3002}'
    return [
        AlertTest(
            name="backend logging an error every 2s fires",
            logs=[
                LogLines(labels=stream, line=info, every="1s", end="30m"),
                LogLines(labels=stream, line=error, every="2s", end="30m"),
                LogLines(labels=stream, line="node: warning: not a JSON line", every="1m", end="30m"),
            ],
            expect=[
                Expect(rule="backend-error-log-spike", at="2m", alerts=[]),
                Expect(rule="backend-error-log-spike", at="25m", alerts=[
                    ExpectedAlert(labels={"severity": "warning", "team": "backend"},
                                  annotations={"summary": "Backend logged 150 errors in 5 minutes"}),
                ]),
            ],
        ),
        AlertTest(
            name="backend logging an error a minute stays quiet",
            logs=[
                LogLines(labels=stream, line=info, every="1s", end="30m"),
                LogLines(labels=stream, line=error, every="1m", end="30m"),
            ],
            expect=[Expect(rule="backend-error-log-spike", at="25m", alerts=[])],
        ),
    ]
