"""Rules about the code base itself: a thin CLI, documented commands, cheap start."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashctl.cli.main import COMMANDS, cli

PACKAGE = Path(__file__).resolve().parents[2] / "dashctl"
DOCS = PACKAGE.parent / "docs"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_cli_imports_click():
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if "click" in _imports(path) and PACKAGE / "cli" not in path.parents
    ]
    assert offenders == []


def test_no_module_is_named_utils_helpers_or_misc():
    names = {path.stem for path in PACKAGE.rglob("*.py")} | {path.name for path in PACKAGE.rglob("*") if path.is_dir()}
    assert not names & {"utils", "helpers", "misc", "util", "common"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.stdout and len(result.stdout.splitlines()) > 3


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command):
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"## `dashctl {command}`" in reference


def test_help_and_version_do_not_import_grafanalib():
    code = (
        "import sys\n"
        "from dashctl.cli.main import cli\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        cli(args, prog_name='dashctl')\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "heavy = [m for m in ('grafanalib', 'yaml', 'requests', 'promql_parser') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_version():
    from dashctl import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_every_all_is_sorted():
    unsorted = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
                names = ast.literal_eval(node.value)
                if list(names) != sorted(names):
                    unsorted.append(str(path.relative_to(PACKAGE.parent)))
    assert unsorted == []


def test_pytest_collects_every_test_module():
    """pytest skips directories named like `build` by default; a whole area of tests once went unrun that way."""
    repo = PACKAGE.parent
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout
    collected = {line.split("::")[0] for line in out.splitlines() if "::" in line}
    on_disk = {str(path.relative_to(repo)) for path in (repo / "tests").rglob("test_*.py")}
    assert on_disk - collected == set()
