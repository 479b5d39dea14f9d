"""The `dashctl` command group. Subcommands load lazily so `dashctl --help` never imports grafanalib."""

from __future__ import annotations

import importlib
from typing import Any

import click

from dashctl import __version__
from dashctl.cli.failure import report_error, report_unexpected
from dashctl.errors import DashctlError

__all__ = ["cli", "main"]

# name -> (module, attribute, one-line help shown by `dashctl --help` without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "alerts": ("dashctl.cli.alerts", "alerts", "List and retire alert deletions (tombstones) of deploy/<env>."),
    "build": ("dashctl.cli.build", "build", "Compile the definitions into deploy/<env> manifests."),
    "diff": ("dashctl.cli.diff", "diff", "Compare the working tree's build with deploy/ at a base git revision."),
    "init": ("dashctl.cli.init", "init", "Create a new dashctl project in a directory."),
    "lint": ("dashctl.cli.lint", "lint", "Check dashboards and alert rules against the lint rules (docs/lint.md)."),
    "query": ("dashctl.cli.query", "query", "Validate PromQL and LogQL queries (query check)."),
    "preview": ("dashctl.cli.preview", "preview", "Push a branch's build into a preview folder of a running Grafana."),
    "test": ("dashctl.cli.test", "run_tests", "Run the alert unit tests (promtool for PromQL, LogQL evaluator)."),
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs, and maps library errors to exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DashctlError as error:
            if ctx.meta.get("dashctl.debug"):
                raise
            ctx.exit(report_error(error))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            if ctx.meta.get("dashctl.debug"):
                raise
            ctx.exit(report_unexpected(error))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dashctl")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Grafana dashboards, alert rules and datasources as code.

    Definitions are Python files under dashboards/, alerts/ and datasources/; `dashctl build` compiles them into
    ConfigMaps for the Grafana sidecar under deploy/<env>/, which ArgoCD syncs.

    Exit codes: 0 success, 1 differences or findings, 2 usage error, 3 definition or build error,
    4 Grafana or network error.
    """
    ctx.meta["dashctl.debug"] = debug


def main() -> None:
    cli(prog_name="dashctl")
