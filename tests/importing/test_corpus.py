"""Every public dashboard of ../shared/corpus imported, built and compared (skipped when the folder is absent).

Targets (issue 10): every dashboard imports without error and keeps its queries, titles and variables; at least
98% of current ones (schemaVersion >= 36, no Angular panel) round-trip exactly. docs/import.md has the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashctl.importing import check_generated, import_sources, read_paths
from dashctl.importing.codegen import render_literal
from dashctl.importing.migration import ANGULAR_PANELS
from dashctl.project.config import load_project

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SOURCES = sorted((CORPUS / "dashboards").glob("*.json")) + sorted((CORPUS / "manifests").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not SOURCES, reason=f"no public corpus at {CORPUS} (../shared/corpus)")


def _panels(panels):
    for panel in panels or []:
        yield panel
        yield from _panels(panel.get("panels"))


def _is_current(model) -> bool:
    angular = any(panel.get("type") in ANGULAR_PANELS for panel in _panels(model.get("panels")))
    try:
        version = int(model.get("schemaVersion") or 0)
    except (TypeError, ValueError):
        version = 0
    return version >= 36 and not angular and not model.get("rows")


def test_corpus_imports_and_round_trips(project_dir):
    project = load_project(project_dir)
    environment = project.select_environments()[0]
    current = exact = 0
    failures = []
    for path in SOURCES:
        sources = read_paths([path])
        result = import_sources(sources, project)
        assert result.files, f"{path.name}: nothing imported"
        originals = {source.origin: source.model for source in sources.dashboards}
        for item in result.files:
            original = originals[item.origin]
            differences, problems = check_generated(item, environment)
            source = item.source
            for panel in _panels(original.get("panels")):
                for target in panel.get("targets") or []:
                    if isinstance(target.get("expr"), str) and target["expr"]:
                        assert render_literal(target["expr"]) in source, (path.name, target)
            for panel in _panels(original.get("panels")):
                if isinstance(panel.get("title"), str) and panel["title"]:
                    assert render_literal(panel["title"]) in source, (path.name, panel["title"])
            for variable in (original.get("templating") or {}).get("list") or []:
                assert render_literal(variable["name"]) in source, (path.name, variable["name"])
            if _is_current(original):
                current += 1
                if not differences and not problems:
                    exact += 1
                else:
                    failures.append((item.uid, [str(d) for d in differences][:3], problems[:3]))
    assert current and exact / current >= 0.98, failures
