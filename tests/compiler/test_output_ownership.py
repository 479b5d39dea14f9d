"""The build never deletes what it did not write: no output over the project, no foreign files swapped away."""

from __future__ import annotations

import pytest

from tests.conftest import BASIC_CONFIG


@pytest.mark.parametrize("output", [".", "..", "dashboards", "./"])
def test_output_that_is_or_contains_the_project_or_a_root_is_refused(make_project, output):
    config = BASIC_CONFIG.replace('output = "deploy"', f'output = "{output}"')
    project = make_project(config=config)
    (project.root / "notes.txt").write_text("mine", encoding="utf-8")
    (project.root / ".git").mkdir()
    (project.root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = sorted(str(p.relative_to(project.root.parent)) for p in project.root.parent.rglob("*"))
    if output == "..":
        # The configuration refuses `..` itself; pass it as --output to reach the build's own check.
        project.write("dashctl.toml", BASIC_CONFIG)
        result = project.run("build", "--output", "..")
    else:
        result = project.run("build")
    assert result.exit_code == 2, result.stderr
    assert "must be a directory of its own" in result.stderr
    assert ("is the project root" in result.stderr) or ("contains the project root" in result.stderr) or (
        "definitions root" in result.stderr
    )
    after = sorted(str(p.relative_to(project.root.parent)) for p in project.root.parent.rglob("*"))
    assert after == before
    assert (project.root / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_check_is_refused_too(make_project):
    project = make_project(config=BASIC_CONFIG.replace('output = "deploy"', 'output = "."'))
    result = project.run("build", "--check")
    assert result.exit_code == 2
    assert "is the project root" in result.stderr


def test_a_foreign_file_in_an_environment_directory_is_reported_not_deleted(make_project):
    project = make_project()
    assert project.run("build").exit_code == 0
    (project.root / "deploy/dev/my-patch.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    before = project.snapshot()
    project.write("dashboards/shop.py", (project.root / "dashboards/shop.py").read_text().replace("Shop API", "Shop"))
    result = project.run("build")
    assert result.exit_code == 2, result.stderr
    assert "deploy/dev/my-patch.yaml" in result.stderr
    assert "not written by dashctl build" in result.stderr
    assert project.snapshot() == before  # nothing written, the foreign file kept
    assert not list(project.root.glob(".deploy.*"))
    # --check lists it as extra, and once it is moved away the build goes through.
    assert "extra: deploy/dev/my-patch.yaml" in project.run("build", "--check").stdout
    (project.root / "deploy/dev/my-patch.yaml").rename(project.root / "my-patch.yaml")
    assert project.run("build").exit_code == 0


def test_a_foreign_subdirectory_or_symlink_is_reported(make_project, tmp_path):
    project = make_project()
    assert project.run("build").exit_code == 0
    (project.root / "deploy/prod/patches").mkdir()
    (project.root / "deploy/prod/link.yaml").symlink_to(project.root / "deploy/dev/kustomization.yaml")
    (project.root / "deploy/argocd/extra.yaml").write_text("x: 1\n", encoding="utf-8")
    result = project.run("build")
    assert result.exit_code == 2
    assert "deploy/prod/patches" in result.stderr
    assert "deploy/prod/link.yaml" in result.stderr
    assert "deploy/argocd/extra.yaml" in result.stderr


def test_a_hand_made_environment_directory_without_kustomization_is_not_replaced(make_project):
    project = make_project()
    (project.root / "deploy/dev").mkdir(parents=True)
    (project.root / "deploy/dev/dashboard-shop-api.yaml").write_text("hand-made\n", encoding="utf-8")
    (project.root / "deploy/dev/service.yaml").write_text("kind: Service\n", encoding="utf-8")
    result = project.run("build")
    assert result.exit_code == 2
    assert "deploy/dev/service.yaml" in result.stderr
    # A file with a name the build writes is the build's to replace.
    assert "dashboard-shop-api.yaml" not in result.stderr


def test_files_the_previous_build_wrote_are_removed(make_project):
    """What the old kustomization.yaml lists was written by a build: removing its definition removes the file."""
    project = make_project()
    project.write("dashboards/extra.py", (project.root / "dashboards/shop.py").read_text()
                  .replace("shop-api", "extra").replace("Shop API", "Extra").replace("def shop_api", "def extra"))
    assert project.run("build").exit_code == 0
    assert (project.root / "deploy/dev/dashboard-extra.yaml").exists()
    (project.root / "dashboards/extra.py").unlink()
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert "removed deploy/dev/dashboard-extra.yaml" in result.stdout
    assert not (project.root / "deploy/dev/dashboard-extra.yaml").exists()


def test_files_beside_the_environments_are_left_alone(make_project):
    project = make_project()
    (project.root / "deploy").mkdir()
    (project.root / "deploy/README.md").write_text("ours\n", encoding="utf-8")
    (project.root / "deploy/staging").mkdir()
    (project.root / "deploy/staging/kept.yaml").write_text("a: 1\n", encoding="utf-8")
    assert project.run("build").exit_code == 0
    assert project.run("build", "--check").exit_code == 0
    assert (project.root / "deploy/README.md").read_text(encoding="utf-8") == "ours\n"
    assert (project.root / "deploy/staging/kept.yaml").exists()


def test_a_temporary_file_of_a_killed_tombstone_retire_goes_with_the_directory(make_project):
    """`dashctl alerts retire` rewrites a file through `.<name>.XXXX`; a kill leaves that beside it."""
    project = make_project()
    assert project.run("build").exit_code == 0
    (project.root / "deploy/dev/.datasources.yaml.k2j4x9").write_text("partial", encoding="utf-8")
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert not (project.root / "deploy/dev/.datasources.yaml.k2j4x9").exists()
