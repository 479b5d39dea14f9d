"""`diff_revision`: the committed output of a base revision against a fresh build of the working tree."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from difflib import unified_diff
from typing import Any

from dashctl.diff.changes import ADDED, CHANGED, REMOVED, Diff, FieldChange, ObjectChange
from dashctl.diff.compare import compare_snapshots
from dashctl.diff.extract import extract_snapshot
from dashctl.diff.objects import Snapshot
from dashctl.diff.revision import RevisionOutput, read_revision_output
from dashctl.project.config import Project

__all__ = ["RevisionSnapshots", "WORKING_TREE", "argocd_changes", "diff_revision", "revision_snapshots"]

WORKING_TREE = "working tree"


def diff_revision(project: Project, *, base: str | None = None, environments: Iterable[str] = ()) -> Diff:
    """Compare `deploy/` as committed at `base` with what the working tree builds, for the named environments.

    Without names: every configured environment, plus any environment directory the base has and the
    configuration no longer does (all of its objects then show as removed). The git revision is checked before
    the build, so a wrong `--base` fails fast (UsageError); a definition that does not build raises
    DefinitionErrors. Nothing is written: not the working tree, not the index, not even `__pycache__`.
    """
    from dashctl.compiler.pipeline import ARGOCD_DIR

    sides = revision_snapshots(project, base=base, environments=environments)
    diff = compare_snapshots(sides.before, sides.after, base_ref=sides.revision.ref,
                             base_commit=sides.revision.commit)
    if ARGOCD_DIR in sides.built.owned_dirs:
        diff = replace(diff, changes=diff.changes + argocd_changes(sides.revision.files, sides.built.files,
                                                                   ARGOCD_DIR))
    return diff


@dataclass(frozen=True, kw_only=True)
class RevisionSnapshots:
    """Both sides of a review: the base revision's committed objects and the working tree's fresh build."""

    revision: RevisionOutput
    built: Any
    before: Snapshot
    after: Snapshot


def revision_snapshots(project: Project, *, base: str | None = None, environments: Iterable[str] = ()
                       ) -> RevisionSnapshots:
    """The objects of `base` and of the working tree (as `diff_revision` and `dashctl backtest` compare them)."""
    from dashctl.compiler.output import read_output
    from dashctl.compiler.pipeline import ARGOCD_DIR, build_project

    names = tuple(environments)
    selected = [environment.name for environment in project.select_environments(names)]
    revision = read_revision_output(project.output_dir, base)
    with _no_bytecode():
        built = build_project(project, names, previous=read_output(project.output_dir))
    compared = set(selected)
    if not names:
        compared |= {path.split("/", 1)[0] for path in revision.files
                     if "/" in path and path.split("/", 1)[0] != ARGOCD_DIR}
    before = extract_snapshot(revision.files, compared, origin=revision.ref)
    after = extract_snapshot(built.files, compared, origin=WORKING_TREE)
    return RevisionSnapshots(revision=revision, built=built, before=before, after=after)


def argocd_changes(before: Mapping[str, bytes], after: Mapping[str, bytes], directory: str) -> tuple[ObjectChange, ...]:
    """The ArgoCD manifests and chart values that differ, as line diffs: they are plain files, not Grafana objects,
    and a changed sync policy or target revision deserves a reviewer's eye too."""
    prefix = f"{directory}/"
    changes = []
    for path in sorted({path for path in (*before, *after) if path.startswith(prefix)}):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        status = ADDED if old is None else REMOVED if new is None else CHANGED
        old_lines = (old or b"").decode("utf-8", "replace").splitlines()
        new_lines = (new or b"").decode("utf-8", "replace").splitlines()
        lines = tuple(unified_diff(old_lines, new_lines, lineterm="", n=2))[2:]  # without the ---/+++ header
        field = FieldChange(field="manifest", change=status, lines=lines)
        changes.append(ObjectChange(environment=directory, kind="argocd file", key=path[len(prefix):], title="",
                                    status=status, fields=(field,)))
    return tuple(changes)


@contextmanager
def _no_bytecode() -> Iterator[None]:
    """Importing the definitions must not leave `__pycache__` directories in the user's tree."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = before
