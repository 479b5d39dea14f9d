"""`dashctl test`: run the alert unit tests (promtool for PromQL rules, dashctl's evaluator for LogQL rules)."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.colour import colour_enabled, paint
from dashctl.cli.failure import EXIT_DIFFERENCES
from dashctl.cli.options import environment_option, project_option
from dashctl.errors import OutputError

__all__ = ["run_tests"]

_LABELS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "untestable": "NOT TESTABLE"}


@click.command(name="test")
@environment_option
@project_option
@click.option("-k", "--match", metavar="PATTERN", default=None,
              help="Run only the tests whose name contains PATTERN (or matches it as a glob: 'backend*').")
@click.option("--promtool", default="promtool", envvar="DASHCTL_PROMTOOL", show_default=True, metavar="PATH",
              help="The promtool binary that evaluates PromQL rules (env DASHCTL_PROMTOOL).")
@click.option("--require-tests", is_flag=True, help="Also fail (exit 1) when a rule has no unit test.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Tests to run at once (default: CPUs, at most 8).")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="Also write the results as JUnit XML to FILE (for GitHub, GitLab, Jenkins).")
def run_tests(environments: tuple[str, ...], project_dir: Path | None, match: str | None, promtool: str,
              require_tests: bool, jobs: int | None, junit_file: Path | None) -> None:
    """Run the alert unit tests declared with @alert_tests, in every environment (or those named with --env).

    PromQL rules are translated to Prometheus rules and evaluated by `promtool test rules`; LogQL rules by
    dashctl's LogQL evaluator. A failure shows, per rule and time, the alerts expected and those that fired.
    Exit 0 when every test passes, 1 when one fails or cannot be evaluated or -k selects no test, 3 for a broken
    definition or test.
    """
    from dashctl.alerts.testing.results import result_details
    from dashctl.alerts.testing.runner import run_alert_tests
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    report = run_alert_tests(project, environments, promtool=promtool, match=match, jobs=jobs)
    if junit_file is not None:
        from dashctl.alerts.testing.junit import render_junit

        try:
            junit_file.write_text(render_junit(report), encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write {junit_file}: {error.strerror or error}") from None
    colour = colour_enabled()
    for result in report.results:
        label = _LABELS[result.status]
        click.echo(f"{paint(f'{label:<5}', label, enabled=colour)} {result.environment}  {result.location}  "
                   f"{result.name}", color=colour)
        for line in () if result.passed else result_details(result):
            click.echo(f"    {line}")
    if match and not report.results:
        names = "\n".join(f"  {name}" for name in report.names) or "  (the project has no alert tests)"
        click.echo(f"no test name matches -k {match!r}; the tests are:\n{names}", err=True)
        raise SystemExit(EXIT_DIFFERENCES)
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{counts[status]} {word}" for status, word in
                        (("passed", "passed"), ("failed", "failed"), ("untestable", "not unit-testable"),
                         ("error", "errors")) if counts.get(status))
    click.echo(f"{summary or 'no tests'} ({len(report.results)} test runs)", err=True)
    if report.untested:
        listed = ", ".join(f"{uid} ({language}, {env})" for env, uid, language in report.untested)
        click.echo(f"rules without a unit test: {listed}", err=True)
    if not report.passed or (require_tests and report.untested):
        raise SystemExit(EXIT_DIFFERENCES)
