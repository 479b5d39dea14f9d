"""The logging pipeline: Promtail dropping entries or failing to push them, Loki discarding samples."""

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


@rule_group(name="logging-pipeline", folder="Observability", interval="1m", team="platform")
def logging_pipeline(env):
    namespace = f'{t.NAMESPACE_LABEL}="{env.namespace}"'
    pending = env.value("alert_logging_pipeline_for")
    # The +Inf bucket of the request histogram counts every push; non-2xx ones failed.
    failed_pushes = f'{t.PROMTAIL_REQUEST_DURATION}_bucket{{{namespace}, le="+Inf", {t.HTTP_STATUS_LABEL}!~"2.."}}'
    return [
        AlertRule(
            uid="promtail-dropping-entries",
            title="Promtail dropping log entries",
            severity="warning",
            query=PromQL(expr=f"sum by ({t.POD_LABEL}) (rate({t.PROMTAIL_DROPPED}{{{namespace}}}[5m]))"),
            condition=Threshold(above=0),
            for_=pending,
            no_data_state="OK",
            summary="Promtail {{ $labels.pod }} drops log entries",
            description="Promtail gave up on entries after its retries: these logs are lost.",
            runbook_url=runbook(env, "promtail-dropping-entries"),
            dashboard=DashboardPanel(uid="logging-pipeline", panel="Entries sent and dropped"),
        ),
        AlertRule(
            uid="promtail-push-failures",
            title="Promtail failing to push to Loki",
            severity="warning",
            query=PromQL(expr=f"sum by ({t.POD_LABEL}) (rate({failed_pushes}[5m]))"),
            condition=Threshold(above=0),
            for_=pending,
            no_data_state="OK",
            summary="Promtail {{ $labels.pod }} cannot push to Loki",
            description="Pushes to Loki fail; Promtail retries, then drops the entries.",
            runbook_url=runbook(env, "promtail-push-failures"),
            dashboard=DashboardPanel(uid="logging-pipeline", panel="Push latency p99 by status"),
        ),
        AlertRule(
            uid="loki-discarding-samples",
            title="Loki discarding samples",
            severity="warning",
            query=PromQL(expr=f"sum by ({t.REASON_LABEL}) (rate({t.LOKI_DISCARDED}{{{namespace}}}[5m]))"),
            condition=Threshold(above=0),
            for_=pending,
            no_data_state="OK",
            summary="Loki discards samples ({{ $labels.reason }})",
            description="Loki's distributor rejects log lines (rate limit, line too long, too old...): they are "
            "lost.",
            runbook_url=runbook(env, "loki-discarding-samples"),
            dashboard=DashboardPanel(uid="logging-pipeline", panel="Discarded samples by reason"),
        ),
    ]


@alert_tests
def logging_pipeline_tests(env):
    namespace = f'{t.NAMESPACE_LABEL}="{env.namespace}"'
    promtail = f'{namespace}, {t.POD_LABEL}="promtail-abcde", {t.CONTAINER_LABEL}="promtail"'

    def pushes(status, per_minute):
        return Series(series=f'{t.PROMTAIL_REQUEST_DURATION}_bucket{{{promtail}, le="+Inf", '
                             f'{t.HTTP_STATUS_LABEL}="{status}", host="loki-gateway"}}',
                      values=f"0+{per_minute}x40")

    warning = {"severity": "warning", "team": "platform"}
    return [
        AlertTest(
            name="promtail dropping entries fires",
            series=[Series(series=f"{t.PROMTAIL_DROPPED}{{{promtail}, reason=\"ingester_error\"}}",
                           values="0x5 0+10x35")],
            expect=[Expect(rule="promtail-dropping-entries", at="30m",
                           alerts=[ExpectedAlert(labels={"pod": "promtail-abcde", **warning})])],
        ),
        AlertTest(
            name="promtail with no drops stays quiet",
            series=[Series(series=f"{t.PROMTAIL_DROPPED}{{{promtail}}}", values="0x40")],
            expect=[Expect(rule="promtail-dropping-entries", at="30m", alerts=[])],
        ),
        AlertTest(
            name="promtail pushes answered 500 fire",
            series=[pushes("204", 60), pushes("500", 5)],
            expect=[Expect(rule="promtail-push-failures", at="30m",
                           alerts=[ExpectedAlert(labels={"pod": "promtail-abcde", **warning})])],
        ),
        AlertTest(
            name="promtail pushes answered 204 stay quiet",
            series=[pushes("204", 60)],
            expect=[Expect(rule="promtail-push-failures", at="30m", alerts=[])],
        ),
        AlertTest(
            name="loki discarding samples for a rate limit fires",
            series=[Series(series=f'{t.LOKI_DISCARDED}{{{namespace}, {t.POD_LABEL}="loki-distributor-0", '
                                  f'{t.REASON_LABEL}="rate_limited", tenant="prod"}}', values="0+100x40")],
            expect=[Expect(rule="loki-discarding-samples", at="30m", alerts=[
                ExpectedAlert(labels={"reason": "rate_limited", **warning},
                              annotations={"summary": "Loki discards samples (rate_limited)"}),
            ])],
        ),
    ]
