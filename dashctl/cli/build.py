"""`dashctl build`: compile the definitions and write deploy/<env>/ (or, with --check, compare)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dashctl.cli.display import counted, shown_path
from dashctl.cli.failure import EXIT_DIFFERENCES
from dashctl.cli.options import environment_option, project_option

__all__ = ["build"]


@click.command()
@environment_option
@project_option
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: `output` of [tool.dashctl], normally deploy/).",
)
@click.option("--check", is_flag=True, help="Build and compare with the output; exit 1 listing files that are stale, missing or extra.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one document on stdout saying what was written (or is stale) per environment.")
@click.option("--no-cache", is_flag=True, help="Build everything, neither reading nor writing the build cache.")
def build(environments: tuple[str, ...], project_dir: Path | None, output: Path | None, check: bool,
          output_format: str, no_cache: bool) -> None:
    """Compile the definitions into deploy/<env>/ manifests and deploy/argocd/.

    The build writes to a staging directory and swaps each environment's directory in, so a failed build leaves
    the output untouched and a killed one is finished by the next (docs/deploy.md). It never deletes a file it
    did not write, and refuses an output directory that holds the project. What did not change since the last
    build comes from the build cache beside the output directory (.dashctl-cache/); --check never uses it.
    """
    from dashctl.compiler.output import (
        StagingSink,
        check_output_directory,
        install_output,
        read_output,
        recover_output,
        staged_output,
    )
    from dashctl.compiler.pipeline import build_project
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    # As the user would type it (relative to the working directory when under it): messages name paths this way.
    directory = Path(shown_path(output if output is not None else project.output_dir))
    check_output_directory(directory, project_root=project.root, roots=project.roots)
    shown = str(directory)
    for name in recover_output(directory):
        click.echo(f"finished the swap of {shown}/{name}/ that an interrupted build left", err=True)
    if check:
        # Exact and complete: a whole build, each file compared with the one on disk as it is produced.
        previous = read_output(directory)
        sink = StagingSink(directory.absolute(), previous)
        result = build_project(project, environments, previous=previous, sink=sink)
        changes = sink.differences(result.owned_dirs)
    else:
        # Each file is streamed into a stage beside the output directory, locked for the whole build, and swapped
        # in when the build succeeded and changed something (otherwise the output directory is left as it is).
        cached = not no_cache and output_format != "json"
        with staged_output(directory, digests=cached) as sink:
            cache = None
            if output_format == "json":
                # The JSON document lists every dashboard compiled: a whole build, models kept.
                result = build_project(project, environments, previous=sink.previous, sink=sink)
            else:
                if cached:
                    from dashctl.compiler.cache import BuildCache, cache_directory

                    names = [environment.name for environment in project.select_environments(environments)]
                    cache = BuildCache(cache_directory(directory), project, names, output=sink.directory)
                result = build_project(project, environments, previous=sink.previous, cache=cache,
                                       progress=_progress(), jobs=0, keep_compiled=False, sink=sink)
            changes = install_output(result, sink, shown=directory)
            if cache is not None:
                # Now that the output is what the build wrote, the next build trusts it by its files' status.
                cache.remember_installed((path, sink.staged(path).digest) for path in sink.paths())
    if output_format == "json":
        from dashctl.compiler.summary import render_build_json

        click.echo(render_build_json(result, changes, output=shown, check=check), nl=False)
        if check and changes:
            raise SystemExit(EXIT_DIFFERENCES)
        return
    if check:
        if changes:  # one write for thousands of lines (each echo flushes and asks whether stdout is a terminal)
            click.echo("\n".join(f"{difference.state}: {shown}/{difference.path}" for difference in changes))
            click.echo(f"{shown}/ is out of date: run `dashctl build` and commit the result", err=True)
            raise SystemExit(EXIT_DIFFERENCES)
        click.echo(f"{shown}/ is up to date ({counted(len(result.files), 'file')})", err=True)
        return
    if changes:
        click.echo("\n".join(f"{_verb(change.state)} {shown}/{change.path}" for change in changes))
    summary = ", ".join(
        f"{build.environment.name}: {counted(build.count('dashboards'), 'dashboard')}, "
        f"{counted(build.count('datasources'), 'datasource')}"
        + "".join(f", {counted(count, name)}" for name, count in build.extras.get("counts", {}).items())
        for build in result.environments
    )
    click.echo(f"built {summary}; {counted(len(changes), 'file')} changed in {shown}/", err=True)


def _progress() -> object:
    """Progress lines on stderr, once the build has taken a few seconds (short builds stay quiet)."""
    started = time.monotonic()

    def report(line: str) -> None:
        elapsed = time.monotonic() - started
        if elapsed > 2:
            click.echo(f"[{elapsed:5.1f}s] {line}", err=True)

    return report


def _verb(state: str) -> str:
    return {"stale": "updated", "missing": "created", "extra": "removed"}[state]

