"""Kubernetes workloads: pods crash-looping and deployments short of replicas (kube-state-metrics)."""

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


@rule_group(name="kubernetes-workloads", folder="Kubernetes", interval="1m", team="platform")
def kubernetes_workloads(env):
    namespace = f'{t.NAMESPACE_LABEL}="{env.namespace}"'
    restarts = env.value("alert_pod_restarts_15m")
    deployment = t.DEPLOYMENT_LABEL
    return [
        AlertRule(
            uid="pod-crash-looping",
            title="Pod crash-looping",
            severity="warning",
            query=PromQL(expr=f"sum by ({t.POD_LABEL}, {t.CONTAINER_LABEL}) "
                              f"(increase({t.KUBE_RESTARTS}{{{namespace}}}[15m]))"),
            condition=Threshold(above=restarts),
            for_=env.value("alert_pod_restarts_for"),
            no_data_state="OK",
            summary="{{ $labels.pod }} ({{ $labels.container }}) restarted {{ humanize $values.B.Value }} "
            "times in 15 minutes",
            description=f"A container restarting more than {restarts} times in 15 minutes is crash-looping: "
            "look at its previous logs (kubectl logs --previous) and its last termination reason.",
            runbook_url=runbook(env, "pod-crash-looping"),
            dashboard=DashboardPanel(uid="kubernetes-workloads", panel="Container restarts"),
        ),
        AlertRule(
            uid="deployment-replicas-unavailable",
            title="Deployment replicas unavailable",
            severity="warning",
            query=PromQL(expr=f"sum by ({deployment}) ({t.KUBE_REPLICAS_SPEC}{{{namespace}}}) - "
                              f"sum by ({deployment}) ({t.KUBE_REPLICAS_AVAILABLE}{{{namespace}}})"),
            condition=Threshold(above=0),
            for_=env.value("alert_replicas_unavailable_for"),
            no_data_state="OK",
            summary="Deployment {{ $labels.deployment }} lacks {{ $values.B.Value }} available replica(s)",
            description="Pods of the deployment are not ready or cannot be scheduled.",
            runbook_url=runbook(env, "deployment-replicas-unavailable"),
            dashboard=DashboardPanel(uid="kubernetes-workloads", panel="Unavailable replicas"),
        ),
    ]


@alert_tests
def kubernetes_workloads_tests(env):
    namespace = f'{t.NAMESPACE_LABEL}="{env.namespace}"'
    pod = f'{namespace}, {t.POD_LABEL}="backend-5f6c7-abcde", {t.CONTAINER_LABEL}="backend"'

    def replicas(metric, value):
        return Series(series=f'{metric}{{{namespace}, {t.DEPLOYMENT_LABEL}="backend"}}', values=f"{value}x40")

    return [
        AlertTest(
            name="a container restarting every minute is crash-looping",
            series=[Series(series=f"{t.KUBE_RESTARTS}{{{pod}}}", values="0+1x40")],
            expect=[Expect(rule="pod-crash-looping", at="30m", alerts=[ExpectedAlert(
                labels={"pod": "backend-5f6c7-abcde", "container": "backend", "severity": "warning",
                        "team": "platform"},
                annotations={"summary": "backend-5f6c7-abcde (backend) restarted 15 times in 15 minutes"},
            )])],
        ),
        AlertTest(
            name="one restart is not crash-looping",
            series=[Series(series=f"{t.KUBE_RESTARTS}{{{pod}}}", values="0x10 1x30")],
            expect=[Expect(rule="pod-crash-looping", at="30m", alerts=[])],
        ),
        AlertTest(
            name="a deployment with 1 of 3 replicas available fires",
            series=[replicas(t.KUBE_REPLICAS_SPEC, 3), replicas(t.KUBE_REPLICAS_AVAILABLE, 1)],
            expect=[
                Expect(rule="deployment-replicas-unavailable", at="5m", alerts=[]),
                Expect(rule="deployment-replicas-unavailable", at="30m", alerts=[ExpectedAlert(
                    labels={"deployment": "backend", "severity": "warning", "team": "platform"},
                    annotations={"summary": "Deployment backend lacks 2 available replica(s)"},
                )]),
            ],
        ),
        AlertTest(
            name="a deployment with every replica available stays quiet",
            series=[replicas(t.KUBE_REPLICAS_SPEC, 3), replicas(t.KUBE_REPLICAS_AVAILABLE, 3)],
            expect=[Expect(rule="deployment-replicas-unavailable", at="30m", alerts=[])],
        ),
    ]
