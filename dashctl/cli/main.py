"""The `dashctl` command group. Subcommands load lazily so `dashctl --help` never imports grafanalib."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from dashctl import __version__
from dashctl.cli.failure import (
    report_closed_pipe,
    report_error,
    report_interrupted,
    report_stopped,
    report_unexpected,
)
from dashctl.errors import DashctlError, DefinitionInterrupted

__all__ = ["cli", "main"]

# name -> (module, attribute, one-line help shown by `dashctl --help` without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "alerts": ("dashctl.cli.alerts", "alerts", "List and retire alert deletions (tombstones) of deploy/<env>."),
    "backtest": ("dashctl.cli.backtest", "backtest", "Replay changed alert rules over real history."),
    "build": ("dashctl.cli.build", "build", "Compile the definitions into deploy/<env> manifests."),
    "docs": ("dashctl.cli.docs", "docs", "Print where the documentation is (every page, or one topic)."),
    "diff": ("dashctl.cli.diff", "diff", "Compare the working tree's build with deploy/ at a base git revision."),
    "import": ("dashctl.cli.import_", "import_", "Turn Grafana dashboard JSON, manifests or a Grafana into definitions."),
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
        return _with_debug_option(getattr(importlib.import_module(module), attribute))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            from dashctl.spelling import did_you_mean

            suggestion = did_you_mean(name, COMMANDS)
            if suggestion:
                ctx.fail(f"No such command {name!r}; {suggestion}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DashctlError as error:
            _traceback_if_debug(ctx)
            ctx.exit(report_error(error))
        except DefinitionInterrupted as interrupted:
            _traceback_if_debug(ctx)
            ctx.exit(report_interrupted(interrupted))
        except KeyboardInterrupt:
            # Outside a definition (waiting on worker processes, on Grafana): click would print "Aborted!" and
            # exit 1, which a script cannot tell from findings.
            _traceback_if_debug(ctx)
            ctx.exit(report_stopped())
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`dashctl build | head`): what the command did is done; stop quietly.
            ctx.exit(report_closed_pipe())
        except Exception as error:
            _traceback_if_debug(ctx)
            ctx.exit(report_unexpected(error))


def _traceback_if_debug(ctx: click.Context) -> None:
    """With --debug, the traceback goes to stderr before the usual message; the exit code stays the error's."""
    if ctx.meta.get("dashctl.debug"):
        click.echo(traceback.format_exc().rstrip(), err=True)


def _set_debug(ctx: click.Context, _parameter: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["dashctl.debug"] = True  # meta is shared by every context of one invocation


def _with_debug_option(command: click.Command) -> click.Command:
    """Accept --debug after the subcommand too (`dashctl build --debug`), on every command of the tree."""
    if not any(parameter.name == "debug" for parameter in command.params):
        command.params.append(
            click.Option(["--debug"], is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
                         help="Show tracebacks as well as the error messages (also accepted before the command).")
        )
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _with_debug_option(subcommand)
    return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dashctl")
@click.option("--debug", is_flag=True, help="Show tracebacks as well as the error messages; exit codes stay the same.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Grafana dashboards, alert rules and datasources as code.

    Definitions are Python files under dashboards/, alerts/ and datasources/; `dashctl build` compiles them into
    ConfigMaps for the Grafana sidecar under deploy/<env>/, which ArgoCD syncs.

    Exit codes: 0 success, 1 differences or findings, 2 usage error, 3 definition or build error,
    4 Grafana or network error. Documentation: `dashctl docs` prints where it is.
    """
    ctx.meta["dashctl.debug"] = debug or ctx.meta.get("dashctl.debug", False)


def run() -> int:
    """Run the command line; return the exit code with standard output and error flushed."""
    try:
        cli(prog_name="dashctl")
        code: object = 0
    except SystemExit as exit:
        code = exit.code
    if code is not None and not isinstance(code, int):  # as sys.exit shows a message
        click.echo(str(code), err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = report_closed_pipe()
    except (OSError, ValueError):
        pass
    return int(code or 0)


def main() -> None:
    """The `dashctl` console script: the command, then an exit without the interpreter's teardown.

    Every command cleans up after itself before it returns (worker pools closed, thread pools joined, temporary
    directories removed, files closed), so there is nothing left for the teardown to do but free every object
    the command made, the definitions, the build cache's index and grafanalib's classes among them, and collect
    them: about 30 ms, a tenth of a rebuild that changed one file."""
    os._exit(run())
