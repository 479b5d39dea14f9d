"""Where imported content comes from: files, directories, Kubernetes manifests and a running Grafana.

A source yields dashboards (Grafana's JSON model, unwrapped from the API's `{"dashboard", "meta"}` envelope or a
sidecar ConfigMap) and rule documents (Prometheus rule files, `PrometheusRule` resources, Grafana's alert
provisioning export), each with a label saying where it was found. A file that cannot be read is a problem with
its file and line; the other files are still read, so one broken file hides nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashctl.errors import DefinitionError, SourceLocation

__all__ = [
    "RuleDocument",
    "SourceDashboard",
    "Sources",
    "classify_document",
    "plain_folder_title",
    "read_grafana",
    "read_paths",
]

_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True, kw_only=True)
class SourceDashboard:
    """One dashboard to import: its JSON model as found, where it came from, and the folder it was filed in."""

    model: dict[str, Any]
    origin: str
    folder: str | None = None


@dataclass(frozen=True, kw_only=True)
class RuleDocument:
    """A parsed alerting document: `kind` is `prometheus` (a rule file or a PrometheusRule's spec) or `grafana`
    (Grafana's alert provisioning export)."""

    document: dict[str, Any]
    kind: str
    origin: str
    name: str | None = None
    """What to name the generated module after when `origin` is no file (a Grafana folder's title)."""


@dataclass(frozen=True, kw_only=True)
class Sources:
    """Everything read from the sources, and every problem met on the way."""

    dashboards: tuple[SourceDashboard, ...] = ()
    rules: tuple[RuleDocument, ...] = ()
    problems: tuple[DefinitionError, ...] = ()
    skipped: tuple[str, ...] = field(default=())
    datasource_types: Mapping[str, str] = field(default_factory=dict)
    """The type of each datasource the source Grafana has, by uid and by name (and `default`): what resolves a
    pre-8.3 reference by name, as Grafana itself resolved it."""


def plain_folder_title(title: str) -> str:
    """A Grafana folder title as one dashctl can file definitions in: "/" and "\\" (which the sidecar would make
    a path of) become "-"."""
    return title.replace("/", "-").replace("\\", "-")


def read_paths(paths: Iterable[Path]) -> Sources:
    """Read dashboard and rule files, and every such file under a directory (sorted, recursively)."""
    dashboards: list[SourceDashboard] = []
    rules: list[RuleDocument] = []
    problems: list[DefinitionError] = []
    skipped: list[str] = []
    for path in _files(paths, problems):
        try:
            documents = list(_load(path))
        except DefinitionError as error:
            problems.append(error)
            continue
        found = False
        for index, document in enumerate(documents):
            where = str(path) if len(documents) == 1 else f"{path} (document {index + 1})"
            for item in classify_document(document, where):
                found = True
                (dashboards if isinstance(item, SourceDashboard) else rules).append(item)
        if not found:
            skipped.append(str(path))
    return Sources(dashboards=tuple(dashboards), rules=tuple(rules), problems=tuple(problems), skipped=tuple(skipped))


def _files(paths: Iterable[Path], problems: list[DefinitionError]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
        elif path.is_file():
            yield path
        else:
            problems.append(
                DefinitionError(f"{path}: no such file or directory", hint="pass dashboard JSON or YAML files")
            )


def _load(path: Path) -> Iterator[Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"cannot read {path}: {error}") from error
    if path.suffix.lower() == ".json":
        try:
            yield json.loads(text)
        except json.JSONDecodeError as error:
            raise DefinitionError(
                f"not valid JSON: {error.msg}",
                location=SourceLocation(file=str(path), line=error.lineno),
                hint="an export from Grafana's Share > Export is valid JSON; was the file cut short?",
            ) from error
        return
    import yaml

    try:
        yield from [document for document in yaml.safe_load_all(text) if document is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DefinitionError(
            f"not valid YAML: {getattr(error, 'problem', None) or error}",
            location=SourceLocation(file=str(path), line=mark.line + 1 if mark else None),
        ) from error


def classify_document(document: Any, origin: str, *, folder: str | None = None) -> list[SourceDashboard | RuleDocument]:
    """What a parsed JSON or YAML document holds: dashboards (bare, in an envelope, in ConfigMaps) or rules."""
    if isinstance(document, list):
        found: list[SourceDashboard | RuleDocument] = []
        for index, item in enumerate(document):
            found += classify_document(item, f"{origin} [{index}]", folder=folder)
        return found
    if not isinstance(document, dict):
        return []
    kind = document.get("kind")
    if kind in ("List", "ConfigMapList") and isinstance(document.get("items"), list):
        found = []
        for item in document["items"]:
            found += classify_document(item, origin, folder=folder)
        return found
    if kind == "ConfigMap":
        return _config_map(document, origin)
    if kind == "PrometheusRule":
        spec = document.get("spec") or {}
        return [RuleDocument(document={"groups": spec.get("groups") or []}, kind="prometheus", origin=origin)]
    if kind == "GrafanaDashboard":  # grafana-operator's resource: the model is a JSON string in spec.json
        spec = document.get("spec") or {}
        return _json_string(spec.get("json"), origin, folder=spec.get("folder") or folder)
    if isinstance(document.get("dashboard"), dict) and "panels" not in document:
        meta = document.get("meta") or {}
        return [SourceDashboard(model=document["dashboard"], origin=origin, folder=meta.get("folderTitle") or folder)]
    if isinstance(document.get("groups"), list):
        return [RuleDocument(document=document, kind=_rule_kind(document), origin=origin)]
    if "panels" in document or "rows" in document or ("title" in document and "schemaVersion" in document):
        return [SourceDashboard(model=document, origin=origin, folder=folder)]
    return []


def _rule_kind(document: dict[str, Any]) -> str:
    for group in document.get("groups") or []:
        for rule in (group or {}).get("rules") or []:
            if isinstance(rule, dict) and ("alert" in rule or "record" in rule):
                return "prometheus"
            if isinstance(rule, dict) and ("grafana_alert" in rule or "data" in rule or "condition" in rule):
                return "grafana"
    return "grafana" if "apiVersion" in document else "prometheus"


def _config_map(document: dict[str, Any], origin: str) -> list[SourceDashboard | RuleDocument]:
    metadata = document.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    folder = annotations.get("grafana_folder") or annotations.get("k8s-sidecar-target-directory")
    if isinstance(folder, str) and "/" in folder:
        folder = folder.rstrip("/").rsplit("/", 1)[-1]
    found: list[SourceDashboard | RuleDocument] = []
    for key, value in sorted((document.get("data") or {}).items()):
        where = f"{origin} ConfigMap {metadata.get('name')} key {key}"
        if key.endswith(".json"):
            found += _json_string(value, where, folder=folder)
        elif key.endswith((".yaml", ".yml")) and isinstance(value, str):
            import yaml

            try:
                parsed = [item for item in yaml.safe_load_all(value) if item is not None]
            except yaml.YAMLError:
                continue
            for item in parsed:
                found += classify_document(item, where, folder=folder)
    return found


def _json_string(text: Any, origin: str, *, folder: str | None) -> list[SourceDashboard | RuleDocument]:
    if not isinstance(text, str):
        return []
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return []
    return classify_document(parsed, origin, folder=folder)


def read_grafana(
    client: Any,
    *,
    uids: Iterable[str] = (),
    folder_uids: Iterable[str] = (),
    everything: bool = False,
    alerts: bool = False,
    rule_uids: Iterable[str] = (),
) -> Sources:
    """Dashboards of a running Grafana through `dashctl.grafana.GrafanaClient`'s read methods: by uid, every
    dashboard of some folders, or all of them. Each comes with its folder's title. With `alerts`, the alert rules
    of the same scope (every rule with `everything`, else those of `folder_uids`) come too, and `rule_uids` name
    single rules: Grafana's provisioning export, one rule document per folder."""
    uids = list(uids)
    folder_uids = list(folder_uids)
    rules, problems = _grafana_rules(client, folder_uids if alerts and not everything else None,
                                     alerts and (everything or bool(folder_uids)), list(rule_uids))
    if folder_uids or everything:
        hits = client.search_dashboards(folder_uids=folder_uids)
        uids += [hit.uid for hit in hits if hit.uid not in uids]
    titles: dict[str, str] = {}
    dashboards = []
    for uid in uids:
        stored = client.get_dashboard(uid)
        folder = None
        if stored.folder_uid:
            if stored.folder_uid not in titles:
                titles[stored.folder_uid] = client.get_folder(stored.folder_uid).title
            folder = titles[stored.folder_uid]
        dashboards.append(
            SourceDashboard(model=stored.model, origin=f"{client.url} dashboard {uid}", folder=folder)
        )
    types: dict[str, str] = {}
    for datasource in client.list_datasources():
        types[datasource.uid] = types[datasource.name] = datasource.type
        if datasource.is_default:
            types["default"] = datasource.type
    return Sources(dashboards=tuple(dashboards), rules=rules, problems=problems, datasource_types=types)


def _grafana_rules(
    client: Any, folder_uids: list[str] | None, scoped: bool, rule_uids: list[str]
) -> tuple[tuple[RuleDocument, ...], tuple[DefinitionError, ...]]:
    """The export of the rules asked for, split by folder (the generated module is named after it)."""
    groups: list[dict[str, Any]] = []
    problems: list[DefinitionError] = []
    if scoped:
        groups += client.export_alert_rules(folder_uids=folder_uids or ())["groups"] or []
    for uid in rule_uids:
        found = client.export_alert_rules(rule_uid=uid)["groups"] or []
        if not found:
            problems.append(DefinitionError(f"{client.url}: no alert rule with uid {uid!r}",
                                            hint="list the rules in Grafana's Alerting > Alert rules"))
        groups += found
    by_folder: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str, str]] = set()
    for group in groups:
        folder = str(group.get("folder") or "")
        fresh = [rule for rule in group.get("rules") or []
                 if (folder, str(group.get("name")), str(rule.get("uid"))) not in seen]
        seen.update((folder, str(group.get("name")), str(rule.get("uid"))) for rule in fresh)
        if not fresh:
            continue
        same = next((g for g in by_folder.get(folder, []) if g.get("name") == group.get("name")), None)
        if same is not None:
            same["rules"] = [*same["rules"], *fresh]
        else:
            by_folder.setdefault(folder, []).append({**group, "rules": fresh})
    documents = tuple(
        RuleDocument(document={"apiVersion": 1, "groups": folder_groups}, kind="grafana",
                     origin=f"{client.url} alert rules of folder {folder.replace('$$', '$')!r}",
                     name=re.split(r"(?<!\\)/", folder.replace("$$", "$"))[-1].replace("\\/", "/") or "alerts")
        for folder, folder_groups in by_folder.items()
    )
    return documents, tuple(problems)
