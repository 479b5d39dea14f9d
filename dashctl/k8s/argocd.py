"""The ArgoCD ApplicationSet that syncs `deploy/<env>` into each namespace, and the Grafana chart values that turn
the sidecars on so that what dashctl packages is actually loaded (see docs/deploy.md for the why of each value).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from dashctl.k8s.manifests import MANAGED_BY
from dashctl.project.config import Project

__all__ = [
    "ALERT_LABEL",
    "DASHBOARD_LABEL",
    "DATASOURCE_LABEL",
    "FOLDER_ANNOTATION",
    "application_set",
    "grafana_values",
    "kube_prometheus_stack_values",
]

DASHBOARD_LABEL = "grafana_dashboard"
DATASOURCE_LABEL = "grafana_datasource"
ALERT_LABEL = "grafana_alert"
FOLDER_ANNOTATION = "grafana_folder"
# The sidecar's own default annotation, read when the chart leaves folderAnnotation unset.
SIDECAR_FOLDER_ANNOTATION = "k8s-sidecar-target-directory"
# Secret whose keys become Grafana's environment, so `$__env{NAME}` references in provisioning files resolve.
GRAFANA_ENV_SECRET = "grafana-env"


def application_set(project: Project) -> dict[str, Any]:
    """One ApplicationSet, one Application per environment: automated, pruning, self-healing, server-side apply."""
    settings = project.argocd
    base = PurePosixPath(settings.repo_path.strip("/")) if settings.repo_path.strip("/") else PurePosixPath()
    elements = [
        {"env": name, "namespace": environment.namespace, "path": str(base / project.output / name)}
        for name, environment in sorted(project.environments.items())
    ]
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "dashctl-grafana-content", "namespace": settings.namespace, "labels": dict(MANAGED_BY)},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {
                    "name": "grafana-content-{{.env}}",
                    "labels": dict(MANAGED_BY),
                    "finalizers": ["resources-finalizer.argocd.argoproj.io"],
                },
                "spec": {
                    "project": settings.project,
                    "source": {
                        "repoURL": settings.repo_url,
                        "targetRevision": settings.target_revision,
                        "path": "{{.path}}",
                    },
                    "destination": {"server": settings.destination_server, "namespace": "{{.namespace}}"},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
                        "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                        "retry": {
                            "limit": 5,
                            "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"},
                        },
                    },
                },
            },
            # Deleting the ApplicationSet must not wipe every dashboard and alert from Grafana.
            "syncPolicy": {"preserveResourcesOnDeletion": True},
        },
    }


def grafana_values() -> dict[str, Any]:
    """Values for the standalone `grafana` chart: the three sidecars, each reading only its own namespace."""
    own_namespace = None  # null: the sidecar watches only Grafana's namespace, so dev and prod never cross-load
    values: dict[str, Any] = {
        "admin": {"existingSecret": "grafana-admin"},
        "envFromSecrets": [{"name": GRAFANA_ENV_SECRET, "optional": True}],
        "sidecar": {
            "dashboards": {
                "enabled": True,
                "label": DASHBOARD_LABEL,
                "labelValue": "1",
                "searchNamespace": own_namespace,
                "folderAnnotation": FOLDER_ANNOTATION,
                "provider": {"foldersFromFilesStructure": True, "allowUiUpdates": False},
            },
            "datasources": {
                "enabled": True,
                "label": DATASOURCE_LABEL,
                "labelValue": "1",
                "searchNamespace": own_namespace,
            },
            "alerts": {
                "enabled": True,
                "label": ALERT_LABEL,
                "labelValue": "1",
                "searchNamespace": own_namespace,
            },
        },
    }
    return values


def kube_prometheus_stack_values(*, owns_default_datasource: bool) -> dict[str, Any]:
    """The same values nested under `grafana:` for kube-prometheus-stack, whose `searchNamespace: ALL` is undone."""
    values = grafana_values()
    if owns_default_datasource:
        # kps provisions its own default Prometheus; a second default crashes Grafana at startup.
        values["sidecar"]["datasources"]["defaultDatasourceEnabled"] = False
    return {"grafana": values}
