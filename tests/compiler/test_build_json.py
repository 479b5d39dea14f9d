"""`dashctl build --format json`: what was written (or is stale) per environment, for programs."""

from __future__ import annotations

import json


def test_json_lists_dashboards_files_and_changes_per_environment(make_project):
    project = make_project()
    result = project.run("build", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["output"] == "deploy" and document["check"] is False
    assert sorted(document["environments"]) == ["dev", "prod"]
    dev = document["environments"]["dev"]
    assert dev["dashboards"] == [{"uid": "shop-api", "title": "Shop API", "folder": "Shop"}]
    assert dev["datasources"] == 2
    assert "dev/dashboard-shop-api.yaml" in dev["files"] and "dev/kustomization.yaml" in dev["files"]
    assert all(path.startswith("dev/") for path in dev["files"])
    assert {"path": "dev/dashboard-shop-api.yaml", "change": "created"} in dev["changes"]
    written = sorted(str(p.relative_to(project.root / "deploy")) for p in (project.root / "deploy").rglob("*")
                     if p.is_file())
    assert written == sorted(dev["files"] + document["environments"]["prod"]["files"]
                             + document["argocd"]["files"])
    assert document["changed"] == len(written)


def test_json_of_an_unchanged_build_and_of_a_stale_check(make_project):
    project = make_project()
    assert project.run("build").exit_code == 0
    again = json.loads(project.run("build", "--format", "json").stdout)
    assert again["changed"] == 0 and again["environments"]["dev"]["changes"] == []
    (project.root / "deploy/dev/kustomization.yaml").unlink()
    result = project.run("build", "--check", "--format", "json", "--env", "dev")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["check"] is True and document["argocd"] is None and list(document["environments"]) == ["dev"]
    assert document["environments"]["dev"]["changes"] == [{"path": "dev/kustomization.yaml", "change": "missing"}]
    assert not (project.root / "deploy/dev/kustomization.yaml").exists()
