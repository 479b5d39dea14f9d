"""ConfigMaps and Secrets the Grafana sidecars (kiwigrid/k8s-sidecar) pick up, and the kustomization listing them.

Names are stable across content changes: a hash suffix would make ArgoCD prune the old object after creating the
new one, and the sidecar deletes the file by name on that prune, so the dashboard would vanish.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dashctl.errors import DefinitionError, SourceLocation

__all__ = [
    "MANAGED_BY",
    "MAX_DATA_BYTES",
    "Manifest",
    "SSA_THRESHOLD_BYTES",
    "config_map",
    "kustomization",
    "object_name",
    "secret",
]

MANAGED_BY = {"app.kubernetes.io/managed-by": "dashctl"}
# Client-side apply copies the object into an annotation; all annotations together are capped at 256 KiB.
SSA_THRESHOLD_BYTES = 256 * 1024
# The API server refuses ConfigMap and Secret data over 1 MiB, and server-side apply does not lift that.
MAX_DATA_BYTES = 1024 * 1024
SSA_ANNOTATION = "argocd.argoproj.io/sync-options"
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """One Kubernetes object to write as `<file_name>` in an environment's directory."""

    file_name: str
    body: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", MappingProxyType(dict(self.body)))


def object_name(prefix: str, identifier: str) -> str:
    """A DNS-1123 object name from a uid: lowercase, '_' as '-'; Kubernetes rejects the rest."""
    slug = re.sub(r"[^a-z0-9-]+", "-", identifier.lower()).strip("-") or "x"
    return f"{prefix}-{slug}"[:253].rstrip("-")


def _object_size(data: Mapping[str, str]) -> int:
    """The object's size as the API server measures it against the apply annotation's limit: its data as JSON,
    plus room for the metadata and the annotation.

    Only the comparison with SSA_THRESHOLD_BYTES is used: where a bound shows the data far below it (JSON writes
    an ASCII character in at most six bytes, `\\u001f`), that bound is returned instead of the JSON's exact length,
    which costs an encoding of the whole dashboard."""
    room = 1024
    if all(key.isascii() and value.isascii() for key, value in data.items()):
        bound = 2 + sum(6 * (len(key) + len(value)) + 8 for key, value in data.items()) + room
        if bound <= SSA_THRESHOLD_BYTES:
            return bound
    return len(json.dumps(dict(data)).encode()) + room


def _sized_metadata(
    *, name: str, namespace: str, labels: Mapping[str, str], annotations: Mapping[str, str], data_size: int,
    object_size: int, what: str, location: SourceLocation | None,
) -> dict[str, Any]:
    if data_size > MAX_DATA_BYTES:
        raise DefinitionError(
            f"{what} is {data_size:,} bytes once packaged; Kubernetes refuses ConfigMap/Secret data over "
            f"{MAX_DATA_BYTES:,} bytes (1 MiB)",
            location=location,
            hint="split it into several dashboards, or remove repeated panels",
        )
    annotations = dict(annotations)
    if object_size > SSA_THRESHOLD_BYTES:
        annotations[SSA_ANNOTATION] = "ServerSideApply=true"
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "labels": {**MANAGED_BY, **labels}}
    if annotations:
        metadata["annotations"] = annotations
    return metadata


def config_map(
    *,
    name: str,
    namespace: str,
    data: Mapping[str, str],
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
    what: str,
    location: SourceLocation | None = None,
) -> dict[str, Any]:
    """A ConfigMap; over 256 KiB it is marked for server-side apply, over 1 MiB of data it is an error."""
    _check_keys(data, what)
    data_size = sum(len(key.encode()) + len(value.encode()) for key, value in data.items())
    metadata = _sized_metadata(
        name=name, namespace=namespace, labels=labels, annotations=annotations or {}, data_size=data_size,
        object_size=_object_size(data), what=what, location=location,
    )
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": dict(data)}


def secret(
    *,
    name: str,
    namespace: str,
    data: Mapping[str, str],
    labels: Mapping[str, str],
    what: str,
    location: SourceLocation | None = None,
) -> dict[str, Any]:
    """An Opaque Secret with base64 `data` (not `stringData`, which the API server rewrites and ArgoCD then diffs)."""
    _check_keys(data, what)
    encoded = {key: base64.b64encode(value.encode()).decode("ascii") for key, value in data.items()}
    data_size = sum(len(key.encode()) + len(value.encode()) for key, value in data.items())
    metadata = _sized_metadata(
        name=name, namespace=namespace, labels=labels, annotations={}, data_size=data_size,
        object_size=_object_size(encoded), what=what, location=location,
    )
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": metadata, "data": encoded}


def kustomization(*, namespace: str, resources: list[str]) -> dict[str, Any]:
    """The kustomization ArgoCD renders: every manifest of the environment, no name-hash suffixes."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": namespace,
        "generatorOptions": {"disableNameSuffixHash": True},
        "labels": [{"pairs": dict(MANAGED_BY), "includeSelectors": False}],
        "resources": sorted(resources),
    }


def _check_keys(data: Mapping[str, str], what: str) -> None:
    for key in data:
        if not _DATA_KEY.match(key) or len(key) > 253:
            raise DefinitionError(f"{what}: {key!r} is not a valid ConfigMap data key ([-._a-zA-Z0-9]+)")
