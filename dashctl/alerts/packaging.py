"""Alerting files packaged for the Grafana sidecar: ConfigMaps labelled `grafana_alert: "1"`, no folder annotation.

Grafana reads alerting files from one flat directory, and a file that fails to parse stops all alerting
provisioning, so every file is dashctl's own and each environment gets:

- `alerting.yaml`: ConfigMap `dashctl-alerting`, key `alerting.<env>.yaml`: contact points, the one policy tree,
  templates, mute timings, and the tombstones (`deleteRules`, `deleteContactPoints`, `deleteTemplates`,
  `deleteMuteTimes`). One policy tree in one file: Grafana lets the last file's tree win.
- `alert-rules-<folder>.yaml`: ConfigMap `dashctl-alert-rules-<folder>`, key `alert-rules.<env>.<folder>.yaml`:
  the rule groups of one Grafana folder, so a review sees which folder changed. A folder whose rules do not fit
  in one ConfigMap (1 MiB) is split by group into `-2`, `-3`... parts.

Data keys carry the environment so a sidecar watching several namespaces never mixes dev and prod. Contact
points hold only `$__env{}` / `$__file{}` references (literal secrets are refused at compile time), so a
ConfigMap is enough: there is nothing secret in these files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from dashctl.alerts.compile import ORG_ID, CompiledAlerting, CompiledGroup
from dashctl.encoding import dump_yaml
from dashctl.errors import DefinitionError
from dashctl.k8s.argocd import ALERT_LABEL
from dashctl.k8s.manifests import MAX_DATA_BYTES, Manifest, config_map

__all__ = [
    "ALERTING_FILE",
    "ALERTING_NAME",
    "RULES_FILE_PREFIX",
    "alerting_document",
    "alerting_manifest",
    "is_alert_file",
    "package_alerting",
]

ALERTING_FILE = "alerting.yaml"
ALERTING_NAME = "dashctl-alerting"
RULES_FILE_PREFIX = "alert-rules-"
RULES_NAME_PREFIX = "dashctl-alert-rules-"
# Room under the API server's 1 MiB for the key, metadata and YAML overhead.
_PART_BYTES = MAX_DATA_BYTES - 64 * 1024


def is_alert_file(name: str) -> bool:
    """Whether a file of `deploy/<env>/` is one of the alerting files dashctl writes."""
    return name == ALERTING_FILE or (name.startswith(RULES_FILE_PREFIX) and name.endswith(".yaml"))


def package_alerting(compiled: CompiledAlerting, *, environment: str, namespace: str) -> list[Manifest]:
    """The environment's alerting ConfigMaps: one per rule folder (or part of one) and the alerting file."""
    manifests = _rule_manifests(compiled.groups, environment=environment, namespace=namespace)
    document = alerting_document(compiled)
    if len(document) > 1:
        manifests.append(alerting_manifest(document, environment=environment, namespace=namespace))
    return manifests


def alerting_document(compiled: CompiledAlerting) -> dict[str, Any]:
    """The notification file: contact points, policy tree, templates, mute timings and tombstones."""
    document: dict[str, Any] = {"apiVersion": 1}
    if compiled.contact_points:
        document["contactPoints"] = compiled.contact_points_provisioning()
    if compiled.policy is not None:
        document["policies"] = [compiled.policy.to_provisioning(ORG_ID)]
    if compiled.templates:
        document["templates"] = [template.to_provisioning(ORG_ID) for template in compiled.templates]
    if compiled.mute_timings:
        document["muteTimes"] = [timing.to_provisioning(ORG_ID) for timing in compiled.mute_timings]
    if compiled.tombstones is not None:
        document.update(compiled.tombstones.to_provisioning())
    return document


def alerting_manifest(document: Mapping[str, Any], *, environment: str, namespace: str) -> Manifest:
    """The ConfigMap of the notification file (also rewritten by `dashctl alerts retire`)."""
    body = config_map(
        name=ALERTING_NAME,
        namespace=namespace,
        data={f"alerting.{environment}.yaml": dump_yaml(dict(document))},
        labels={ALERT_LABEL: "1"},
        what=f"alerting of environment {environment!r}",
    )
    return Manifest(file_name=ALERTING_FILE, body=body)


def _rule_manifests(groups: Sequence[CompiledGroup], *, environment: str, namespace: str) -> list[Manifest]:
    by_folder: dict[str, list[CompiledGroup]] = {}
    for group in groups:
        by_folder.setdefault(group.folder, []).append(group)
    slugs = _folder_slugs(sorted(by_folder))
    manifests = []
    for folder in sorted(by_folder):
        for index, part in enumerate(_parts(by_folder[folder], folder)):
            suffix = slugs[folder] if index == 0 else f"{slugs[folder]}-{index + 1}"
            body = config_map(
                name=f"{RULES_NAME_PREFIX}{suffix}",
                namespace=namespace,
                data={f"alert-rules.{environment}.{suffix}.yaml": part},
                labels={ALERT_LABEL: "1"},
                what=f"alert rules of folder {folder!r}",
            )
            manifests.append(Manifest(file_name=f"{RULES_FILE_PREFIX}{suffix}.yaml", body=body))
    return manifests


def _parts(groups: list[CompiledGroup], folder: str) -> list[str]:
    """The folder's rules file, or several when one would not fit in a ConfigMap (split between groups).

    Each group is emitted once, as a one-item `groups` list: block-style YAML of a list is the concatenation of
    its items, so the files are assembled from those texts and YAML emission (the build's costliest step for
    many rules) is not repeated to measure or to split.
    """
    header = "apiVersion: 1\ngroups:\n"
    parts: list[str] = []
    current: list[str] = []
    size = len(header)
    for group in groups:
        text = dump_yaml([group.to_provisioning()])
        entry_size = len(text.encode())
        if len(header) + entry_size > _PART_BYTES:
            raise DefinitionError(
                f"rule group {group.name!r} of folder {folder!r} is {entry_size:,} bytes, more than one ConfigMap "
                "holds", location=group.location, definition=group.definition,
                hint="split it into several @rule_group definitions",
            )
        if current and size + entry_size > _PART_BYTES:
            parts.append(header + "".join(current))
            current, size = [], len(header)
        current.append(text)
        size += entry_size
    if current:
        parts.append(header + "".join(current))
    return parts


def _folder_slugs(folders: list[str]) -> dict[str, str]:
    """A DNS-safe, stable name part per folder; folders that would collide get a short hash each."""
    slugs = {folder: re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-")[:40].rstrip("-") or "folder"
             for folder in folders}
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {
        folder: slug if counts[slug] == 1 else f"{slug}-{hashlib.sha256(folder.encode()).hexdigest()[:6]}"
        for folder, slug in slugs.items()
    }
