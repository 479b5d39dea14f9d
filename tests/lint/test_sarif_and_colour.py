"""`dashctl lint --format sarif` is what GitHub code scanning accepts; text output is coloured on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import jsonschema

from tests.lint.harness import dashboard, line_of, time_series

FILE = "dashboards/shop.py"
WARNING = {FILE: dashboard(time_series(title="Memory", unit="byte"))}  # panel/units
ERROR = {FILE: dashboard(time_series(title="Broken", expr="sum(rate(x_total[$__rate_interval])"))}  # promql/syntax

# The part of SARIF 2.1.0 that GitHub code scanning reads, with what it requires of each object
# (docs.github.com, "SARIF support for code scanning": supported top-level, run, tool.driver, reportingDescriptor,
# result, location, physicalLocation and region properties). Strict where GitHub is: a result without a
# message text or a location with no file and start line is rejected on upload.
GITHUB_SARIF = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "items": {"$ref": "#/definitions/run"}},
    },
    "definitions": {
        "run": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string", "minLength": 1}, "version": {"type": "string"},
                                   "rules": {"type": "array", "items": {"$ref": "#/definitions/rule"}}},
                }}},
                "results": {"type": "array", "items": {"$ref": "#/definitions/result"}},
            },
        },
        "text": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}},
        "rule": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "name": {"type": "string"},
                "shortDescription": {"$ref": "#/definitions/text"},
                "fullDescription": {"$ref": "#/definitions/text"},
                "help": {"$ref": "#/definitions/text"},
                "defaultConfiguration": {"type": "object", "properties": {
                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                "properties": {"type": "object", "properties": {"tags": {"type": "array",
                                                                         "items": {"type": "string"}}}},
            },
        },
        "result": {
            "type": "object",
            "required": ["ruleId", "message", "locations"],
            "properties": {
                "ruleId": {"type": "string", "minLength": 1},
                "ruleIndex": {"type": "integer", "minimum": 0},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {"$ref": "#/definitions/text"},
                "locations": {"type": "array", "minItems": 1, "maxItems": 10, "items": {
                    "type": "object", "required": ["physicalLocation"], "properties": {"physicalLocation": {
                        "type": "object", "required": ["artifactLocation", "region"], "properties": {
                            "artifactLocation": {"type": "object", "required": ["uri"], "properties": {
                                "uri": {"type": "string", "pattern": "^[^/]"}}},
                            "region": {"type": "object", "required": ["startLine"], "properties": {
                                "startLine": {"type": "integer", "minimum": 1}}},
                        }}}}},
            },
        },
    },
}


def sarif(make_project, files):
    project = make_project(files, basic=False)
    result = project.run("lint", "--format", "sarif", "--min-severity", "info")
    document = json.loads(result.stdout)
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in jsonschema.Draft7Validator(GITHUB_SARIF).iter_errors(document)]
    assert errors == []
    return project, result, document


def test_sarif_has_a_result_per_finding_pointing_at_the_file_and_line(make_project):
    project, result, document = sarif(make_project, WARNING)
    assert result.exit_code == 0
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    (finding,) = [item for item in run["results"] if item["ruleId"] == "panel/units"]
    assert rules[finding["ruleIndex"]]["id"] == "panel/units"
    assert finding["level"] == "warning"
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == FILE
    assert location["region"]["startLine"] == line_of(project.root / FILE, 'unit="byte"')
    assert "did you mean 'bytes'" in finding["message"]["text"]


def test_sarif_errors_fail_the_run_and_the_driver_lists_every_rule(make_project):
    from dashctl.lint import all_rules

    _, result, document = sarif(make_project, ERROR)
    assert result.exit_code == 1
    driver = document["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in all_rules()]
    assert {item["ruleId"]: item["level"] for item in document["runs"][0]["results"]}["promql/syntax"] == "error"


def _run_on_a_terminal(project_root, *args, environment=None):
    """Run dashctl with stdout on a pseudo-terminal and return what it printed there."""
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(environment or {})
    process = subprocess.Popen([sys.executable, "-c", "from dashctl.cli.main import main; main()", *args], cwd=project_root, stdout=follower,
                               stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    return output.decode()


def test_severity_is_coloured_on_a_terminal_and_not_with_no_color_or_when_piped(make_project):
    project = make_project(WARNING, basic=False)
    coloured = _run_on_a_terminal(project.root, "lint")
    assert "\x1b[33m\x1b[1mwarning\x1b[0m[panel/units]" in coloured
    assert "\x1b[" not in _run_on_a_terminal(project.root, "lint", environment={"NO_COLOR": "1"})
    piped = project.run("lint").stdout
    assert "warning[panel/units]" in piped and "\x1b[" not in piped
