"""Validate manifests as Kubernetes would: the real OpenAPI schemas (kubernetes-validate) plus the name, label and
size rules the API server applies outside the schema (apimachinery's validation)."""

from __future__ import annotations

import base64
import json
import re

import kubernetes_validate

KUBERNETES_VERSION = "1.30.0"
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def kubernetes_problems(manifest: dict) -> list[str]:
    """Every reason the API server would refuse `manifest` (empty when it would accept it)."""
    problems = []
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        problems.append(f"schema: {error.message} at {list(error.path)}")
    metadata = manifest.get("metadata", {})
    name = metadata.get("name", "")
    if not (_DNS_SUBDOMAIN.match(name) and len(name) <= 253):
        problems.append(f"metadata.name {name!r} is not a DNS-1123 subdomain")
    namespace = metadata.get("namespace")
    if namespace is not None and not (_DNS_LABEL.match(namespace) and len(namespace) <= 63):
        problems.append(f"metadata.namespace {namespace!r} is not a DNS-1123 label")
    for key, value in metadata.get("labels", {}).items():
        problems.extend(_qualified_key_problems("label", key))
        if not (isinstance(value, str) and _LABEL_VALUE.match(value) and len(value) <= 63):
            problems.append(f"label value {value!r} of {key!r} is invalid")
    annotations = metadata.get("annotations", {})
    for key in annotations:
        problems.extend(_qualified_key_problems("annotation", key))
    if sum(len(k) + len(v) for k, v in annotations.items()) > 256 * 1024:
        problems.append("annotations exceed 256 KiB")
    if manifest.get("kind") in ("ConfigMap", "Secret"):
        data = manifest.get("data", {})
        size = 0
        for key, value in data.items():
            if not _DATA_KEY.match(key):
                problems.append(f"data key {key!r} is invalid")
            if manifest["kind"] == "Secret":
                value = base64.b64decode(value, validate=True).decode()
            size += len(key) + len(value.encode())
        if size > 1024 * 1024:
            problems.append(f"data is {size} bytes, over 1 MiB")
        # The last-applied annotation client-side apply writes is the whole object; it must fit 256 KiB unless
        # the object asks for server-side apply.
        applied = len(json.dumps(manifest))
        if applied > 256 * 1024 and "ServerSideApply=true" not in annotations.get("argocd.argoproj.io/sync-options", ""):
            problems.append(f"object of {applied} bytes would not fit the last-applied annotation; needs SSA")
    return problems


def _qualified_key_problems(kind: str, key: str) -> list[str]:
    prefix, _, name = key.rpartition("/")
    problems = []
    if prefix and not (_DNS_SUBDOMAIN.match(prefix) and len(prefix) <= 253):
        problems.append(f"{kind} key prefix {prefix!r} is invalid")
    if not (_QUALIFIED_NAME.match(name) and len(name) <= 63):
        problems.append(f"{kind} key {key!r} is invalid")
    return problems
