"""What `dashctl build` writes: determinism, --check, --env, sizes, atomic replacement."""

from __future__ import annotations

import json

import yaml

BIG_DASHBOARD = '''
from grafanalib.core import Dashboard, Text

from dashctl.definitions import dashboard


@dashboard(uid="big", folder="Big")
def big(env):
    return Dashboard(title="Big", panels=[Text(title="Blob", content="x" * {size})])
'''


def test_two_builds_give_identical_bytes(make_project, tmp_path):
    project = make_project()
    assert project.run("build").exit_code == 0
    first = project.snapshot()
    assert project.run("build", "--output", str(tmp_path / "again")).exit_code == 0
    second = {str(p.relative_to(tmp_path / "again")): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert first == second
    assert set(first) == {
        "argocd/applicationset.yaml",
        "argocd/grafana-values.yaml",
        "argocd/kube-prometheus-stack-values.yaml",
        "dev/dashboard-shop-api.yaml",
        "dev/datasources.yaml",
        "dev/kustomization.yaml",
        "prod/dashboard-shop-api.yaml",
        "prod/datasources.yaml",
        "prod/kustomization.yaml",
    }


def test_second_build_reports_no_changes(make_project):
    project = make_project()
    first = project.run("build")
    assert "created deploy/dev/dashboard-shop-api.yaml" in first.stdout
    second = project.run("build")
    assert second.exit_code == 0
    assert second.stdout == ""
    assert "0 files changed" in second.stderr


def test_check_fresh_exits_0(make_project):
    project = make_project()
    project.run("build")
    result = project.run("build", "--check")
    assert result.exit_code == 0, result.stdout
    assert "up to date" in result.stderr


def test_check_lists_stale_missing_and_extra_and_writes_nothing(make_project):
    project = make_project()
    project.run("build")
    (project.root / "deploy/dev/datasources.yaml").unlink()
    (project.root / "deploy/prod/stray.yaml").write_text("kind: ConfigMap\n")
    project.write("dashboards/shop.py", (project.root / "dashboards/shop.py").read_text().replace("Shop API", "Shop"))
    before = project.snapshot()
    result = project.run("build", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stale: deploy/dev/dashboard-shop-api.yaml",
        "missing: deploy/dev/datasources.yaml",
        "stale: deploy/prod/dashboard-shop-api.yaml",
        "extra: deploy/prod/stray.yaml",
    ]
    assert "run `dashctl build`" in result.stderr
    assert project.snapshot() == before


def test_check_without_any_output_lists_everything_missing(make_project):
    project = make_project()
    result = project.run("build", "--check")
    assert result.exit_code == 1
    assert "missing: deploy/dev/kustomization.yaml" in result.stdout
    assert not (project.root / "deploy").exists()


def test_build_removes_files_of_deleted_definitions(make_project):
    project = make_project()
    project.run("build")
    (project.root / "dashboards/shop.py").unlink()
    result = project.run("build")
    assert result.exit_code == 0
    assert "removed deploy/dev/dashboard-shop-api.yaml" in result.stdout
    assert not (project.root / "deploy/dev/dashboard-shop-api.yaml").exists()
    kustomization = yaml.safe_load((project.root / "deploy/dev/kustomization.yaml").read_text())
    assert kustomization["resources"] == ["datasources.yaml"]


def test_env_subset_leaves_other_environments_and_argocd_alone(make_project):
    project = make_project()
    project.run("build")
    prod_file = project.root / "deploy/prod/dashboard-shop-api.yaml"
    prod_file.write_text("edited by hand\n")
    project.write("dashboards/shop.py", (project.root / "dashboards/shop.py").read_text().replace("Shop API", "Shop"))
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0
    assert prod_file.read_text() == "edited by hand\n"
    assert "Shop" in (project.root / "deploy/dev/dashboard-shop-api.yaml").read_text()
    assert (project.root / "deploy/argocd/applicationset.yaml").exists()
    check = project.run("build", "--check", "--env", "dev")
    assert check.exit_code == 0


def test_the_same_dashboard_in_dev_and_prod_uses_each_environment(make_project):
    project = make_project()
    project.run("build")
    dev = yaml.safe_load((project.root / "deploy/dev/dashboard-shop-api.yaml").read_text())
    prod = yaml.safe_load((project.root / "deploy/prod/dashboard-shop-api.yaml").read_text())
    assert list(dev["data"]) == ["shop-api.dev.json"]
    assert list(prod["data"]) == ["shop-api.prod.json"]
    dev_model = json.loads(dev["data"]["shop-api.dev.json"])
    prod_model = json.loads(prod["data"]["shop-api.prod.json"])
    assert dev_model["uid"] == prod_model["uid"] == "shop-api"
    assert dev_model["panels"][0]["datasource"] == {"type": "prometheus", "uid": "prom-dev"}
    assert prod_model["panels"][0]["datasource"] == {"type": "prometheus", "uid": "prom-prod"}
    assert 'namespace=\\"prod\\"' in prod["data"]["shop-api.prod.json"]
    assert dev["metadata"]["namespace"] == "dev" and prod["metadata"]["namespace"] == "prod"


def test_over_256_kib_is_marked_for_server_side_apply(make_project):
    project = make_project({"dashboards/big.py": BIG_DASHBOARD.format(size=300 * 1024)})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    big = yaml.safe_load((project.root / "deploy/dev/dashboard-big.yaml").read_text())
    assert big["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "ServerSideApply=true"
    small = yaml.safe_load((project.root / "deploy/dev/dashboard-shop-api.yaml").read_text())
    assert "argocd.argoproj.io/sync-options" not in small["metadata"]["annotations"]


def test_just_under_256_kib_is_not_marked(make_project):
    project = make_project({"dashboards/big.py": BIG_DASHBOARD.format(size=200 * 1024)})
    assert project.run("build").exit_code == 0
    big = yaml.safe_load((project.root / "deploy/dev/dashboard-big.yaml").read_text())
    assert "argocd.argoproj.io/sync-options" not in big["metadata"].get("annotations", {})


def test_over_1_mib_is_an_error_naming_the_dashboard(make_project):
    project = make_project()
    project.run("build")
    before = project.snapshot()
    project.write("dashboards/big.py", BIG_DASHBOARD.format(size=1100 * 1024))
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashboard 'big'" in result.stderr
    assert "dashboards/big.py:6" in result.stderr
    assert "1 MiB" in result.stderr
    assert project.snapshot() == before


def test_output_outside_the_project(make_project, tmp_path):
    project = make_project()
    target = tmp_path / "elsewhere" / "out"
    result = project.run("build", "--output", str(target))
    assert result.exit_code == 0
    assert (target / "dev/kustomization.yaml").exists()
    assert not (project.root / "deploy").exists()
