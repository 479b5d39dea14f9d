"""Tombstones: what the build must tell Grafana to delete, kept until someone confirms it is gone.

Grafana never deletes a file-provisioned rule (or contact point, template, mute timing) because it vanished
from the files (grafana/grafana#67036): the file must say `deleteRules: [{orgId: 1, uid: ...}]`. So when a rule
that the committed `deploy/<env>/` holds is no longer defined, the build writes a tombstone for it, and every
later build carries the tombstone over from `deploy/<env>/alerting.yaml`, until `dashctl alerts retire` removes it
once the deletion has been synced. A tombstone whose object is defined again disappears by itself.

The state lives only in `deploy/`: the build reads the rules and tombstones of the previous output, and retiring
edits `deploy/<env>/alerting.yaml` in place (nothing else of the environment is rebuilt).
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashctl.alerts.compile import ORG_ID, CompiledAlerting
from dashctl.alerts.packaging import ALERTING_FILE, RULES_FILE_PREFIX, alerting_manifest, is_alert_file
from dashctl.encoding import dump_yaml, load_yaml
from dashctl.errors import DefinitionError, OutputError, SourceLocation, UsageError
from dashctl.interpolation import escape_value, unescape_value
from dashctl.k8s.argocd import ALERT_LABEL
from dashctl.k8s.manifests import kustomization

__all__ = [
    "KINDS",
    "PreviousAlerting",
    "RetireResult",
    "Tombstone",
    "Tombstones",
    "carry_tombstones",
    "list_tombstones",
    "read_previous",
    "retire_gone_from_grafana",
    "retire_tombstones",
]

_RULE_UID = re.compile(r"^    uid: (\S+)$", re.MULTILINE)
_RULE_ITEM = re.compile(r"^  - (?!\s)", re.MULTILINE)
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

# kind -> (file key, identifying field)
KINDS = {
    "rule": ("deleteRules", "uid"),
    "contact point": ("deleteContactPoints", "uid"),
    "template": ("deleteTemplates", "name"),
    "mute timing": ("deleteMuteTimes", "name"),
}


@dataclass(frozen=True, kw_only=True, order=True)
class Tombstone:
    """One object Grafana must delete: a rule or contact-point integration by uid, a template or mute timing by
    name."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


@dataclass(frozen=True, kw_only=True)
class Tombstones:
    """The tombstones of one environment, sorted."""

    items: tuple[Tombstone, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def of_kind(self, kind: str) -> list[str]:
        return [item.key for item in self.items if item.kind == kind]

    def to_provisioning(self) -> dict[str, list[dict[str, Any]]]:
        document: dict[str, list[dict[str, Any]]] = {}
        for kind, (key, attribute) in KINDS.items():
            # Grafana interpolates the names of delete entries (a mute timing's may hold a `$`), unlike the
            # mute timing itself: escaped, the entry names the timing as it was written.
            entries = [{"orgId": ORG_ID, attribute: escape_value(name)} for name in self.of_kind(kind)]
            if entries:
                document[key] = entries
        return document


@dataclass(frozen=True, kw_only=True)
class PreviousAlerting:
    """What the previous output of an environment provisioned, and its pending tombstones."""

    rules: frozenset[str] = frozenset()
    integrations: frozenset[str] = frozenset()
    templates: frozenset[str] = frozenset()
    mute_timings: frozenset[str] = frozenset()
    tombstones: Tombstones = field(default_factory=Tombstones)


def read_previous(previous: Mapping[str, bytes], environment: str) -> tuple[PreviousAlerting, list[DefinitionError]]:
    """Read the alerting files of `<environment>/` in the previous output (paths relative to the output dir)."""
    rules: set[str] = set()
    integrations: set[str] = set()
    templates: set[str] = set()
    timings: set[str] = set()
    tombstones: set[Tombstone] = set()
    import yaml

    problems = []
    prefix = f"{environment}/"
    for path in sorted(previous):
        if not path.startswith(prefix) or "/" in path[len(prefix):] or not is_alert_file(path[len(prefix):]):
            continue
        try:
            documents = _alerting_documents(previous[path],
                                            rules_only=path[len(prefix):].startswith(RULES_FILE_PREFIX))
            for document in documents:
                _check_shape(document)
        except (ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as error:
            problems.append(DefinitionError(
                f"cannot read the alerting state of the previous build: {error}",
                location=SourceLocation(file=path),
                hint="the build reads deploy/<env>/ to carry rule deletions over; restore the file from git "
                "(git checkout -- deploy/) and build again",
            ))
            continue
        for document in documents:
            for group in document.get("groups") or []:
                rules.update(str(rule["uid"]) for rule in group.get("rules") or [])
            for point in document.get("contactPoints") or []:
                integrations.update(str(receiver["uid"]) for receiver in point.get("receivers") or [])
            templates.update(str(template["name"]) for template in document.get("templates") or [])
            timings.update(str(timing["name"]) for timing in document.get("muteTimes") or [])
            for kind, (key, attribute) in KINDS.items():
                tombstones.update(Tombstone(kind=kind, key=unescape_value(str(entry[attribute])))
                                  for entry in document.get(key) or [])
    state = PreviousAlerting(
        rules=frozenset(rules), integrations=frozenset(integrations), templates=frozenset(templates),
        mute_timings=frozenset(timings), tombstones=Tombstones(items=tuple(sorted(tombstones))),
    )
    return state, problems


def carry_tombstones(previous: PreviousAlerting, compiled: CompiledAlerting) -> Tombstones:
    """The tombstones of this build: the previous ones still undefined, plus what the previous build had and this
    one lacks."""
    current = {
        "rule": {rule.uid for rule in compiled.rules},
        "contact point": set(compiled.integration_uids()),
        "template": {template.name for template in compiled.templates},
        "mute timing": {timing.name for timing in compiled.mute_timings},
    }
    before = {"rule": previous.rules, "contact point": previous.integrations, "template": previous.templates,
              "mute timing": previous.mute_timings}
    items = {item for item in previous.tombstones.items if item.key not in current[item.kind]}
    for kind, names in before.items():
        items.update(Tombstone(kind=kind, key=name) for name in names if name not in current[kind])
    return Tombstones(items=tuple(sorted(items)))


@dataclass(frozen=True, kw_only=True)
class RetireResult:
    """What retiring did in one environment; `kept` holds the tombstones asked for but not retired, with why."""

    environment: str
    retired: tuple[Tombstone, ...]
    remaining: tuple[Tombstone, ...]
    changed: tuple[str, ...]  # files written or removed, relative to the output directory
    kept: tuple[tuple[Tombstone, str], ...] = ()


def list_tombstones(output_dir: Path, environment: str) -> Tombstones:
    """The pending tombstones of an environment, as `deploy/<env>/alerting.yaml` holds them."""
    path = output_dir / environment / ALERTING_FILE
    if not path.is_file():
        return Tombstones()
    state, problems = read_previous({f"{environment}/{ALERTING_FILE}": path.read_bytes()}, environment)
    if problems:
        raise OutputError(str(problems[0]))
    return state.tombstones


def retire_tombstones(output_dir: Path, environment: str, keys: Collection[str] | None = None) -> RetireResult:
    """Remove tombstones from `deploy/<env>/alerting.yaml`: those whose uid or name is in `keys`, or all (None).

    Call it once the deletions have been synced: ArgoCD applied the ConfigMap and Grafana reloaded it (the rules
    are gone from Grafana). An unknown key is a UsageError that lists the pending tombstones.
    """
    pending = list_tombstones(output_dir, environment)
    selected = _select(pending, keys, environment)
    return _retire(output_dir, environment, pending, set(selected))


def retire_gone_from_grafana(
    output_dir: Path, environment: str, rules_in_grafana: Collection[str], keys: Collection[str] | None = None
) -> RetireResult:
    """Retire the rule tombstones (all, or those in `keys`) whose rule Grafana no longer has.

    `rules_in_grafana` are the uids Grafana's provisioning API lists. A rule still there keeps its tombstone (the
    deletion has not been applied yet); contact points, templates and mute timings cannot be checked this way and
    are kept too: retire them by name once you have checked.
    """
    pending = list_tombstones(output_dir, environment)
    present = set(rules_in_grafana)
    gone: set[Tombstone] = set()
    kept: list[tuple[Tombstone, str]] = []
    for item in _select(pending, keys, environment):
        if item.kind == "rule" and item.key not in present:
            gone.add(item)
        elif item.kind == "rule":
            kept.append((item, "Grafana still has this rule: the deletion has not been applied yet"))
        else:
            kept.append((item, "not checked against Grafana; retire it by name once it is gone"))
    result = _retire(output_dir, environment, pending, gone)
    return RetireResult(environment=environment, retired=result.retired, remaining=result.remaining,
                        changed=result.changed, kept=tuple(kept))


def _select(pending: Tombstones, keys: Collection[str] | None, environment: str) -> list[Tombstone]:
    if keys is None:
        return list(pending.items)
    unknown = sorted(set(keys) - {item.key for item in pending.items})
    if unknown:
        listing = ", ".join(str(item) for item in pending.items) or "none"
        raise UsageError(f"no tombstone {', '.join(map(repr, unknown))} in {environment}/{ALERTING_FILE} "
                         f"(pending: {listing})")
    return [item for item in pending.items if item.key in keys]


def _retire(output_dir: Path, environment: str, pending: Tombstones, retired: set[Tombstone]) -> RetireResult:
    directory = output_dir / environment
    path = directory / ALERTING_FILE
    remaining = tuple(item for item in pending.items if item not in retired)
    if not retired:
        return RetireResult(environment=environment, retired=(), remaining=remaining, changed=())
    manifest = load_yaml(path.read_text(encoding="utf-8"))
    key, text = _data_entry(manifest)
    document = load_yaml(text) or {}
    for kind, (file_key, attribute) in KINDS.items():
        kept = [entry for entry in document.get(file_key) or []
                if Tombstone(kind=kind, key=unescape_value(str(entry[attribute]))) not in retired]
        document.pop(file_key, None)
        if kept:
            document[file_key] = kept
    namespace = manifest["metadata"]["namespace"]
    changed = [f"{environment}/{ALERTING_FILE}"]
    if len(document) > 1:
        rewritten = alerting_manifest(document, environment=environment, namespace=namespace)
        _replace(path, dump_yaml(dict(rewritten.body)))
    else:
        # Nothing left to provision: the build would not write the file, so neither does retiring.
        path.unlink()
        changed.append(_drop_from_kustomization(directory, environment))
    return RetireResult(environment=environment, retired=tuple(sorted(retired)), remaining=remaining,
                        changed=tuple(changed))


def _alerting_documents(data: bytes, *, rules_only: bool = False) -> list[dict[str, Any]]:
    manifest = load_yaml(data.decode("utf-8"))
    if not isinstance(manifest, dict) or manifest.get("kind") not in ("ConfigMap", "Secret"):
        raise ValueError("not a ConfigMap")
    labels = (manifest.get("metadata") or {}).get("labels") or {}
    if ALERT_LABEL not in labels:
        return []
    documents = []
    for key, value in (manifest.get("data") or {}).items():
        text = base64.b64decode(value).decode("utf-8") if manifest["kind"] == "Secret" else value
        uids = _rule_uids(text) if rules_only else None
        document = {"groups": [{"rules": [{"uid": uid} for uid in uids]}]} if uids is not None else load_yaml(text)
        if not isinstance(document, dict):
            raise ValueError(f"data key {key!r} is not an alerting file")
        documents.append(document)
    return documents


def _rule_uids(text: str) -> list[str] | None:
    """The rule uids of a rules file as dashctl writes it, without parsing all of it (None: parse it instead).

    Parsing every rule of a large repository to learn its uid costs more than the rest of the build. In the
    canonical YAML dashctl writes, a rule's own keys (and only those) sit at four spaces, under `  rules:` items;
    block scalars nest deeper. Anything unexpected falls back to a full parse.
    """
    if not text.startswith("apiVersion: 1\ngroups:\n"):
        return None
    uids = [match.strip("'\"") for match in _RULE_UID.findall(text)]
    rules = len(_RULE_ITEM.findall(text))
    if len(uids) != rules or not all(_UID.match(uid) for uid in uids):
        return None
    return uids


def _check_shape(document: dict[str, Any]) -> None:
    """Raise KeyError/TypeError/ValueError when a document is not the alerting file dashctl writes."""
    for group in document.get("groups") or []:
        for rule in group.get("rules") or []:
            str(rule["uid"])
    for point in document.get("contactPoints") or []:
        for receiver in point.get("receivers") or []:
            str(receiver["uid"])
    for key, attribute in KINDS.values():
        for entry in document.get(key) or []:
            if not isinstance(entry, dict) or attribute not in entry:
                raise ValueError(f"{key} entry {entry!r} has no {attribute}")


def _data_entry(manifest: Any) -> tuple[str, str]:
    data = manifest.get("data") if isinstance(manifest, dict) else None
    if not isinstance(data, dict) or len(data) != 1:
        raise OutputError("the alerting file is not a ConfigMap with one data key; rebuild it with `dashctl build`")
    key, value = next(iter(data.items()))
    return key, value


def _replace(path: Path, text: str) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def _drop_from_kustomization(directory: Path, environment: str) -> str:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        return f"{environment}/kustomization.yaml"
    document = load_yaml(path.read_text(encoding="utf-8")) or {}
    resources = [name for name in document.get("resources") or [] if name != ALERTING_FILE]
    namespace = document.get("namespace", environment)
    _replace(path, dump_yaml(kustomization(namespace=namespace, resources=resources)))
    return f"{environment}/kustomization.yaml"
