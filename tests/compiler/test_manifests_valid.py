"""Everything the build writes is valid: Kubernetes objects, the ArgoCD CRDs, Grafana's dashboard schema.

The CRD and dashboard schemas live in ../shared/reference/schemas (beside a developer checkout and in CI); on a
user's fresh clone they are absent and those tests say they are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SHARED
from tests.k8s.validation import kubernetes_problems

SCHEMAS = SHARED / "reference" / "schemas"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason="reference schemas (../shared/reference/schemas) are not beside this checkout"
)


def built_outputs(make_project, tmp_path):
    """The test project's build and the platform repository's own build, both fresh."""
    project = make_project()
    assert project.run("build").exit_code == 0
    from dashctl.compiler.pipeline import build_project
    from dashctl.project.config import load_project

    platform = build_project(load_project(REPO))
    return {"project": {p: d for p, d in _read(project.root / "deploy").items()}, "platform": dict(platform.files)}


def _read(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def outputs(make_project, tmp_path):
    return built_outputs(make_project, tmp_path)


def _documents(files):
    for path, data in sorted(files.items()):
        for document in yaml.safe_load_all(data):
            yield path, document


def test_every_environment_manifest_is_a_valid_kubernetes_object(outputs):
    checked = 0
    for name, files in outputs.items():
        for path, document in _documents(files):
            if path.startswith("argocd/") or path.endswith("kustomization.yaml"):
                continue
            assert kubernetes_problems(document) == [], f"{name}: {path}"
            assert document["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "dashctl"
            checked += 1
    assert checked >= 6


def test_kustomization_lists_exactly_the_environment_files(outputs):
    for name, files in outputs.items():
        for env in ("dev", "prod"):
            kustomization = yaml.safe_load(files[f"{env}/kustomization.yaml"])
            listed = set(kustomization["resources"])
            present = {p.split("/", 1)[1] for p in files if p.startswith(f"{env}/") and not p.endswith("kustomization.yaml")}
            assert listed == present, name
            assert kustomization["namespace"] == env
            assert kustomization["generatorOptions"] == {"disableNameSuffixHash": True}


def test_dashboard_config_maps_follow_the_sidecar_contract(outputs):
    for name, files in outputs.items():
        for path, document in _documents(files):
            if document.get("kind") != "ConfigMap" or "grafana_dashboard" not in document["metadata"]["labels"]:
                continue
            metadata = document["metadata"]
            assert metadata["labels"]["grafana_dashboard"] == "1"
            annotations = metadata["annotations"]
            assert annotations["grafana_folder"] == annotations["k8s-sidecar-target-directory"]
            (key, value), = document["data"].items()
            model = json.loads(value)
            env = path.split("/")[0]
            assert key == f"{model['uid']}.{env}.json"
            minified = json.dumps(model, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            assert value == minified, "dashboard JSON must be minified and canonical"
            assert model["id"] is None and len(model["uid"]) <= 40


def test_data_keys_are_unique_across_environments(outputs):
    for name, files in outputs.items():
        keys = []
        for path, document in _documents(files):
            if document.get("kind") in ("ConfigMap", "Secret"):
                keys.extend(document["data"])
        assert len(keys) == len(set(keys)), name


def _strict(schema):
    """Make a CRD schema reject unknown fields, so a misspelt `automatic:` fails (see schemas/README.md)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema and not schema.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


def _crd_validator(name: str):
    import jsonschema

    crd = yaml.safe_load((SCHEMAS / "argocd" / name).read_text())
    return jsonschema.Draft7Validator(_strict(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]))


@needs_schemas
def test_argocd_manifests_validate_against_the_argo_cd_crds(outputs):
    validators = {"ApplicationSet": _crd_validator("applicationset-crd.yaml"), "Application": _crd_validator("application-crd.yaml")}
    for name, files in outputs.items():
        document = yaml.safe_load(files["argocd/applicationset.yaml"])
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators["ApplicationSet"].iter_errors(document)]
        assert errors == [], name
        template = document["spec"]["template"]
        application = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **template}
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators["Application"].iter_errors(application)]
        assert errors == [], name
        policy = template["spec"]["syncPolicy"]
        assert policy["automated"]["prune"] and policy["automated"]["selfHeal"]
        assert {"ServerSideApply=true", "CreateNamespace=true"} <= set(policy["syncOptions"])


@needs_schemas
def test_strict_crd_validation_catches_a_misspelt_field():
    validator = _crd_validator("applicationset-crd.yaml")
    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "x"},
        "spec": {"generators": [], "template": {"metadata": {}, "spec": {"project": "p", "destination": {},
                 "syncPolicy": {"automatic": {}}}}},
    }
    assert any("automatic" in e.message for e in validator.iter_errors(document))


@needs_schemas
def test_every_dashboard_validates_against_grafanas_schema(outputs):
    import jsonschema

    schema = json.loads((SCHEMAS / "grafana-dashboard" / "dashboard.jsonschema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    checked = 0
    for name, files in outputs.items():
        for path, document in _documents(files):
            if document.get("kind") == "ConfigMap" and "grafana_dashboard" in document["metadata"]["labels"]:
                for value in document["data"].values():
                    model = json.loads(value)
                    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(model)]
                    assert errors == [], f"{name} {path}"
                    checked += 1
    assert checked >= 4


def test_grafana_values_turn_every_sidecar_on_in_its_own_namespace(outputs):
    values = yaml.safe_load(outputs["platform"]["argocd/kube-prometheus-stack-values.yaml"])["grafana"]
    sidecar = values["sidecar"]
    for kind, label in (("dashboards", "grafana_dashboard"), ("datasources", "grafana_datasource"), ("alerts", "grafana_alert")):
        assert sidecar[kind]["enabled"] is True
        assert sidecar[kind]["label"] == label and sidecar[kind]["labelValue"] == "1"
        assert "searchNamespace" in sidecar[kind] and sidecar[kind]["searchNamespace"] is None
    assert sidecar["dashboards"]["folderAnnotation"] == "grafana_folder"
    assert sidecar["dashboards"]["provider"]["foldersFromFilesStructure"] is True
