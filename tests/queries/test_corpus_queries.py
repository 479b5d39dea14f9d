"""Every query of the public dashboards and rule files in ../shared/corpus passes the validators (0 false rejections).

These were written by other projects and run against real Prometheus and Loki servers, so each one is valid: a
rejection here is a validator bug. Datasource types come from each target's (or its panel's) datasource reference,
with datasource template variables resolved to their plugin type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dashctl.errors import QuerySyntaxError
from dashctl.queries.validation import check_query
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
_LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (public corpus, not in the repo)")


def _dashboards() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted((CORPUS / "dashboards").glob("*.json")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((CORPUS / "manifests").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for item in (document or {}).get("items", [document]):
                for key, text in ((item or {}).get("data") or {}).items():
                    if key.endswith(".json"):
                        yield f"{path.name}:{key}", json.loads(text)


def _panels(container: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in container.get("panels") or []:
        yield panel
        yield from _panels(panel)
    for row in container.get("rows") or []:
        yield from _panels(row)


def _datasource_type(reference: Any, variables: dict[str, str], inputs: dict[str, str]) -> str | None:
    if isinstance(reference, dict):
        if reference.get("type"):
            return str(reference["type"])
        reference = reference.get("uid")
    if not isinstance(reference, str):
        return None
    name = reference.strip("${}")
    return variables.get(name) or inputs.get(name) or ("loki" if "loki" in reference.lower() else None)


def _dashboard_queries() -> Iterator[tuple[str, str, str]]:
    for name, dashboard in _dashboards():
        variables = {v.get("name"): v.get("query") for v in (dashboard.get("templating") or {}).get("list") or []
                     if v.get("type") == "datasource"}
        inputs = {i.get("name"): i.get("pluginId") for i in dashboard.get("__inputs") or []}
        for panel in _panels(dashboard):
            for target in panel.get("targets") or []:
                expr = target.get("expr")
                if not isinstance(expr, str) or not expr.strip():
                    continue
                kind = _datasource_type(target.get("datasource") or panel.get("datasource"), variables, inputs)
                language = _LANGUAGES.get(kind or "prometheus")
                if language:
                    yield f"{name} panel {panel.get('title')!r}", language, expr


def _rule_queries() -> Iterator[tuple[str, str, str]]:
    for path in sorted((CORPUS / "rules").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        groups = document.get("groups") or (document.get("spec") or {}).get("groups") or []
        language = "LogQL" if path.name.endswith(".loki.yaml") else "PromQL"
        for group in groups:
            for rule in group.get("rules") or []:
                yield f"{path.name} {rule.get('alert') or rule.get('record')}", language, str(rule["expr"])


def test_no_corpus_query_is_rejected() -> None:
    queries = [*_dashboard_queries(), *_rule_queries()]
    assert len(queries) > 1000, "the corpus should hold well over a thousand queries"
    assert {language for _, language, _ in queries} == {"PromQL", "LogQL"}
    rejected = []
    for where, language, expr in queries:
        try:
            check_query(expr, language)
        except QuerySyntaxError as error:
            rejected.append(f"{where}: {error}")
    assert rejected == []
