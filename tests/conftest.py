"""Shared fixtures: throw-away dashctl projects and a CLI runner that runs inside them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

BASIC_CONFIG = """
roots = ["datasources", "dashboards", "alerts"]
output = "deploy"

[environments.dev]
namespace = "dev"
grafana_url = "http://127.0.0.1:3000"

[environments.dev.datasources]
metrics = { uid = "prom-dev", type = "prometheus" }
logs = { uid = "loki-dev", type = "loki" }

[environments.dev.values]
error_ratio = 0.05

[environments.prod]
namespace = "prod"

[environments.prod.datasources]
metrics = { uid = "prom-prod", type = "prometheus" }
logs = { uid = "loki-prod", type = "loki" }

[environments.prod.values]
error_ratio = 0.02
"""

BASIC_DATASOURCES = '''
from dashctl.datasources import Loki, Prometheus
from dashctl.definitions import datasources


@datasources
def stack(env):
    return [
        Prometheus(name="Prometheus", uid=env.datasource("metrics").uid, url="http://prometheus:9090"),
        Loki(name="Loki", uid=env.datasource("logs").uid, url="http://loki:3100"),
    ]
'''

BASIC_DASHBOARD = '''
from grafanalib.core import Dashboard, Logs, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="shop-api", folder="Shop")
def shop_api(env):
    return Dashboard(
        title="Shop API",
        panels=[
            TimeSeries(
                title="Requests",
                description="Requests per second.",
                dataSource="metrics",
                unit="reqps",
                targets=[Target(expr='sum(rate(http_requests_total{namespace="%s"}[$__rate_interval]))' % env.namespace, refId="A")],
            ),
            Logs(
                title="Errors",
                description="Error lines.",
                dataSource="logs",
                targets=[Target(expr='{app="shop"} |= "error"', refId="A")],
            ),
        ],
    )
'''


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class Project:
    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def snapshot(self) -> dict[str, bytes]:
        """Every file under deploy/, to assert that a failed build changed nothing."""
        deploy = self.root / "deploy"
        if not deploy.exists():
            return {}
        return {str(p.relative_to(deploy)): p.read_bytes() for p in sorted(deploy.rglob("*")) if p.is_file()}

    def run(self, *args: str) -> Result:
        runner = CliRunner()
        from dashctl.cli.main import cli

        with _chdir(self.root):
            result = runner.invoke(cli, list(args), catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)


class _chdir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import os

        self.before = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.before)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """A project in a temporary directory; `files` maps relative paths to contents (dedented)."""

    def make(files: dict[str, str] | None = None, *, config: str = BASIC_CONFIG, basic: bool = True) -> Project:
        project = Project(root=tmp_path / "project")
        project.root.mkdir(exist_ok=True)
        project.write("dashctl.toml", config)
        if basic:
            project.write("datasources/stack.py", BASIC_DATASOURCES)
            project.write("dashboards/shop.py", BASIC_DASHBOARD)
        for relative, text in (files or {}).items():
            project.write(relative, text)
        return project

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite tests/golden/ from the current output; review the diff."
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def live_prometheus():
    """A real Prometheus on loopback: a generated week of history (tests/history.py) and, scraped every second,
    current series of the telemetry contract (tests/telemetry_exposition.py). Started once per session."""
    import shutil
    import time

    from tests.history import history_start, openmetrics
    from tests.live_prometheus import run_prometheus
    from tests.telemetry_exposition import exposition

    if not (shutil.which("prometheus") and shutil.which("promtool")):
        pytest.skip("prometheus and promtool are not installed (Debian package `prometheus`)")
    start = history_start(time.time())
    metadata = "http_request_duration_seconds"
    with run_prometheus(openmetrics(start), exposition(), start, wait_for_metadata=metadata) as live:
        yield live
