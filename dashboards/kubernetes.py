"""Kubernetes workloads of the namespace: CPU, memory, restarts, and available against desired replicas."""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import NAMESPACE, PLATFORM_TAG, namespace, platform_links
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import Query, label_values, metric_selector, row, templating, time_series
from dashctl.queries.promql import NotRegex, increase, rate, sum_by

# cAdvisor also reports each pod's cgroup as a whole (container="") and its pause container ("POD").
CONTAINERS_ONLY = {t.CONTAINER_LABEL: NotRegex("|POD")}


@dashboard(uid="kubernetes-workloads", folder="Kubernetes")
def kubernetes_workloads(env):
    deployments = label_values(
        "deployment",
        label=t.DEPLOYMENT_LABEL,
        selector=metric_selector(t.KUBE_REPLICAS_SPEC, NAMESPACE),
        title="Deployment",
        description="The deployments to show replicas of; All by default.",
    )
    pods = label_values(
        "pod",
        label=t.POD_LABEL,
        selector=metric_selector(t.KUBE_RESTARTS, NAMESPACE),
        title="Pod",
        description="The pods to show CPU, memory and restarts of; All by default.",
    )

    def containers(name):
        return metric_selector(name, NAMESPACE, [pods], **CONTAINERS_ONLY)

    def replicas(name):
        return sum_by([t.DEPLOYMENT_LABEL], metric_selector(name, NAMESPACE, [deployments]))

    per_pod = f"{{{{{t.POD_LABEL}}}}}"
    deployment = f"{{{{{t.DEPLOYMENT_LABEL}}}}}"
    panels = [
        row("Resources"),
        time_series(
            title="CPU by pod",
            description="CPU time the pod's containers used per second (cAdvisor), over $__rate_interval: "
            "1 is one core busy.",
            unit=units.suffix(" cores"),
            datasource="metrics",
            queries=[Query(expr=sum_by([t.POD_LABEL], rate(containers(t.CONTAINER_CPU))), legend=per_pod)],
            stacked=True,
            width=12,
        ),
        time_series(
            title="Memory working set by pod",
            description="Working set of the pod's containers (cAdvisor): the memory the kernel counts against "
            "the limit, and what the OOM killer looks at.",
            unit=units.BYTES,
            datasource="metrics",
            queries=[Query(expr=sum_by([t.POD_LABEL], containers(t.CONTAINER_MEMORY)), legend=per_pod)],
            stacked=True,
            width=12,
        ),
        row("Health"),
        time_series(
            title="Container restarts",
            description="Restarts per container over $__rate_interval (kube-state-metrics). A crash loop shows "
            "as a restart every few minutes.",
            unit=units.SHORT,
            datasource="metrics",
            queries=[
                Query(
                    expr=sum_by(
                        [t.POD_LABEL, t.CONTAINER_LABEL], increase(metric_selector(t.KUBE_RESTARTS, NAMESPACE, [pods]))
                    ),
                    legend=f"{per_pod} / {{{{{t.CONTAINER_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Available vs desired replicas",
            description="Per deployment, the replicas that are available (ready for minReadySeconds) and the "
            "replicas its spec asks for. A gap that lasts means pods that cannot start or stay unready.",
            unit=units.SHORT,
            datasource="metrics",
            queries=[
                Query(expr=replicas(t.KUBE_REPLICAS_AVAILABLE), legend=f"{deployment} available"),
                Query(expr=replicas(t.KUBE_REPLICAS_SPEC), legend=f"{deployment} desired"),
            ],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Unavailable replicas",
            description="Desired minus available replicas per deployment: 0 when every replica is available.",
            unit=units.SHORT,
            datasource="metrics",
            queries=[
                Query(
                    expr=replicas(t.KUBE_REPLICAS_SPEC) - replicas(t.KUBE_REPLICAS_AVAILABLE),
                    legend=deployment,
                )
            ],
            minimum=0,
            width=8,
        ),
    ]
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Kubernetes workloads",
        description=f"CPU, memory, restarts and replicas of the workloads in namespace {env.namespace}.",
        tags=[PLATFORM_TAG, "kubernetes"],
        time=Time("now-3h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env), deployments, pods),
        panels=panels,
    )
