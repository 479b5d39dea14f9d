"""Real git repositories of a dashctl project: build, commit, change a definition, run `dashctl diff`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Project

# Fixed identities and dates make commits reproducible and keep the user's git configuration out of the tests.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "dashctl tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "dashctl tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    # `git status` in a test must not refresh the index either: the tests compare it byte for byte.
    "GIT_OPTIONAL_LOCKS": "0",
}

# The platform's alerting in miniature: one rule, Slack for everything, PagerDuty for what is critical.
# @NAME@ placeholders are filled by `alerts()`.
ALERTS = '''
from dashctl.alerts import (
    AlertRule, ContactPoint, NotificationPolicy, PagerDuty, PromQL, Route, Slack, Threshold, contact_points,
    env_secret, notification_policy, rule_group,
)

QUERY = (
    'sum(rate(http_request_duration_seconds_count{namespace="checkout",status_code=~"5.."}[@WINDOW@]))'
    ' / sum(rate(http_request_duration_seconds_count{namespace="checkout"}[@WINDOW@]))'
)


@rule_group(name="checkout-http", folder="Checkout", team="checkout")
def checkout_http(env):
    return [
        AlertRule(
            uid="checkout-error-ratio",
            title="Checkout error ratio high",
            query=PromQL(expr=QUERY),
            condition=Threshold(above=@THRESHOLD@),
            for_="@FOR@",
            severity="@SEVERITY@",
            summary="More than @PERCENT@ of checkout requests fail",
            runbook_url="https://runbooks.example.com/checkout-errors",
        ),
    ]


@contact_points
def receivers(env):
    return [
        ContactPoint(name="sre-slack", integrations=[Slack(url=env_secret("@SLACK_ENV@"))]),
        ContactPoint(name="sre-pagerduty", integrations=[PagerDuty(integration_key=env_secret("PAGERDUTY_KEY"))]),
    ]


@notification_policy
def routing(env):
    return NotificationPolicy(
        receiver="sre-slack",
        routes=[@ROUTES@],
    )
'''

BASE_VALUES = {
    "WINDOW": "5m",
    "THRESHOLD": "0.02",
    "FOR": "5m",
    "SEVERITY": "warning",
    "PERCENT": "2%",
    "SLACK_ENV": "SLACK_SRE_URL",
    "ROUTES": 'Route(receiver="sre-pagerduty", matchers=[("severity", "=", "critical")])',
}

# The 2% → 5% example of the issue: a stricter rule that now pages.
PAGING_VALUES = {**BASE_VALUES, "WINDOW": "10m", "THRESHOLD": "0.05", "FOR": "10m", "SEVERITY": "critical",
                 "PERCENT": "5%"}


def alerts(**values: str) -> str:
    text = ALERTS
    for name, value in {**BASE_VALUES, **values}.items():
        text = text.replace(f"@{name}@", value)
    return text


def git(root: Path, *args: str) -> str:
    answer = subprocess.run(["git", *args], cwd=root, env=GIT_ENV, capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


@dataclass
class Repository:
    """A project that is also a git repository (its root is the repository's root)."""

    project: Project

    @property
    def root(self) -> Path:
        return self.project.root

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def build_and_commit(self, message: str = "build") -> str:
        result = self.project.run("build")
        assert result.exit_code == 0, result.stderr
        return self.commit(message)

    def write(self, relative: str, text: str) -> None:
        self.project.write(relative, text)

    def run(self, *args: str):
        return self.project.run(*args)


@pytest.fixture
def make_repository(make_project: Callable[..., Project]) -> Callable[..., Repository]:
    """A project with the basic datasources and dashboard plus `files`, built and committed on `main`."""

    def make(files: dict[str, str] | None = None, *, build: bool = True, **options) -> Repository:
        project = make_project(files, **options)
        git(project.root, "init", "-q", "-b", "main")
        repository = Repository(project)
        if build:
            repository.build_and_commit("base")
        return repository

    return make


@pytest.fixture
def alerting_repository(make_repository: Callable[..., Repository]) -> Repository:
    return make_repository({"alerts/checkout.py": alerts()})
