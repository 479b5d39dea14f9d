"""Folder titles become directories the Grafana sidecar writes to: `.`/`..`, separators, control and bidi
characters and names longer than a filesystem takes are refused where they are written, naming the definition
at its file and line."""

from __future__ import annotations

import pytest

from dashctl.errors import DashctlError
from dashctl.folders import folder_title_problem

BAD = {
    "dot-dot": ("..", "relative path component"),
    "dot": (".", "relative path component"),
    "slash-to-dot-dot": ("../etc", "without '/'"),
    "backslash": ("a\\\\..", "without '/'"),
    "newline": ("Shop\\nprod", "control character U+000A"),
    "nul": ("Shop\\x00", "control character U+0000"),
    "tab": ("Shop\\tA", "control character U+0009"),
    "bidi-override": ("Shop\\u202egnp.exe", "bidi control U+202E RIGHT-TO-LEFT OVERRIDE"),
    "bidi-isolate": ("\\u2067Shop", "bidi control U+2067"),
    "too-long": ("x" * 300, "300 bytes long"),
    "too-long-in-utf8": ("\\u00e9" * 128, "256 bytes long"),
}


@pytest.mark.parametrize("title", ["Shop", "Backend · SLOs", "\u00e9" * 127, "x" * 255, "a.b", "..."])
def test_good_titles(title):
    assert folder_title_problem(title) is None


DASHBOARD = '''
from grafanalib.core import Dashboard

from dashctl.definitions import dashboard


@dashboard(uid="bad-folder", folder="{folder}")
def board(env):
    return Dashboard(title="Bad folder", panels=[])
'''

RULES = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="g", folder="{folder}")
def rules(env):
    return [AlertRule(uid="r", title="r", severity="warning", summary="s", query=PromQL(expr="up"),
                      condition=Threshold(above=0))]
'''


@pytest.mark.parametrize("case", BAD, ids=str)
def test_bad_folder_titles_are_refused_at_their_definition(make_project, case):
    folder, needle = BAD[case]
    project = make_project({"dashboards/bad.py": DASHBOARD.format(folder=folder),
                            "alerts/bad.py": RULES.format(folder=folder)})
    result = project.run("build")
    assert result.exit_code == 3, result.stderr
    assert "dashboards/bad.py:6: dashboard 'bad-folder' folder" in result.stderr, result.stderr
    assert "alerts/bad.py:4: rule group 'g': folder" in result.stderr, result.stderr
    assert result.stderr.count(needle) == 2, result.stderr
    assert "\u202e" not in result.stderr and "\x00" not in result.stderr
    assert not (project.root / "deploy").exists()


def test_rule_group_objects_check_their_folder_too():
    from dashctl.alerts import RuleGroup

    with pytest.raises(DashctlError, match="relative path component"):
        RuleGroup(name="g", folder="..")
