"""ArgoCD manifests and chart values are plain files: their changes show as line diffs."""

from __future__ import annotations

from dashctl.diff.review import argocd_changes
from tests.conftest import BASIC_CONFIG


def test_added_changed_and_removed_files():
    before = {"argocd/a.yaml": b"x: 1\ny: 2\n", "argocd/gone.yaml": b"z: 1\n", "dev/kustomization.yaml": b"a\n"}
    after = {"argocd/a.yaml": b"x: 1\ny: 3\n", "argocd/new.yaml": b"n: 1\n", "dev/kustomization.yaml": b"b\n"}
    changes = {change.key: change for change in argocd_changes(before, after, "argocd")}
    assert set(changes) == {"a.yaml", "gone.yaml", "new.yaml"}
    assert changes["a.yaml"].status == "changed"
    assert [line for line in changes["a.yaml"].fields[0].lines if line[:1] in "+-"] == ["-y: 2", "+y: 3"]
    assert changes["gone.yaml"].status == "removed" and changes["new.yaml"].status == "added"
    assert argocd_changes(before, before, "argocd") == ()


def test_a_changed_target_revision_shows_in_the_diff(make_repository):
    repository = make_repository(config=BASIC_CONFIG.replace(
        'output = "deploy"', 'output = "deploy"\n\n[argocd]\ntarget_revision = "main"'))
    config = (repository.root / "dashctl.toml").read_text()
    repository.write("dashctl.toml", config.replace('target_revision = "main"', 'target_revision = "v2"'))
    result = repository.run("diff", "--base", "main", "--exit-code")
    assert result.exit_code == 1
    assert "argocd file applicationset.yaml: changed" in result.stdout
    assert "-        targetRevision: main" in result.stdout and "+        targetRevision: v2" in result.stdout
    only_dev = repository.run("diff", "--base", "main", "--env", "dev", "--exit-code")
    assert only_dev.exit_code == 0, "an --env diff compares environments only"
