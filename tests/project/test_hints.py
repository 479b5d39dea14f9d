"""Errors that point at the fix: hints name the file and table the project really uses, misspelt names get the
closest existing one ("did you mean"), a bad value from the configuration is reported at its configuration
line, and build and lint point at the same line for the same query: the one that holds it."""

from __future__ import annotations

import re

from tests.conftest import BASIC_CONFIG
from tests.lint.harness import dashboard

RULE = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="shop", folder="Shop")
def shop(env):
    return [AlertRule(uid="shop-down", title="Shop down", severity="warning", summary="s",
                      query=PromQL(expr="up == 0"),
                      condition=Threshold(above=env.value({key!r})))]
'''


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_misspelt_value_key_suggests_the_existing_key_at_its_config_line(make_project):
    project = make_project({"alerts/shop.py": RULE.format(key="eror_ratio")})
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 3
    config_line = BASIC_CONFIG.lstrip("\n").splitlines().index("error_ratio = 0.05") + 1
    assert f"did you mean 'error_ratio'? (set at dashctl.toml:{config_line})" in result.stderr, result.stderr
    assert "add `eror_ratio" not in result.stderr and "tool.dashctl" not in result.stderr


def test_missing_value_names_the_table_of_dashctl_toml(make_project):
    project = make_project({"alerts/shop.py": RULE.format(key="checkout_latency")})
    result = project.run("build", "--env", "dev")
    assert "add `checkout_latency = ...` under [environments.dev.values] in dashctl.toml" in result.stderr


def test_missing_value_names_the_table_of_pyproject_toml(make_project):
    project = make_project({"alerts/shop.py": RULE.format(key="checkout_latency")})
    config = BASIC_CONFIG.replace("[environments.", "[tool.dashctl.environments.")
    project.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.dashctl]\n' + config)
    (project.root / "dashctl.toml").unlink()
    result = project.run("build", "--env", "dev")
    assert "under [tool.dashctl.environments.dev.values] in pyproject.toml" in result.stderr, result.stderr


def test_a_bad_configured_value_is_reported_at_its_config_line(make_project):
    config = BASIC_CONFIG.replace("error_ratio = 0.05", 'error_ratio = "5%"')
    project = make_project({"alerts/shop.py": RULE.format(key="error_ratio")}, config=config)
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 3
    line = config.lstrip("\n").splitlines().index('error_ratio = "5%"') + 1
    (error,) = error_lines(result.stderr)
    assert error.startswith(f"error: dashctl.toml:{line}: "), result.stderr
    assert "not '5%'" in error and "read at alerts/shop.py:8" in error


def test_misspelt_datasource_environment_and_command(make_project):
    project = make_project()
    project.write("dashboards/shop.py", (project.root / "dashboards/shop.py").read_text()
                  .replace('dataSource="metrics"', 'dataSource="metrcs"'))
    result = project.run("build", "--env", "dev")
    assert "did you mean 'metrics'?" in result.stderr, result.stderr
    result = project.run("build", "--env", "prd")
    assert result.exit_code == 2 and "did you mean 'prod'?" in result.stderr
    result = project.run("buidl")
    assert result.exit_code == 2 and "did you mean 'build'?" in result.stderr


def test_unknown_configuration_key_suggests_the_allowed_one_at_its_line(make_project):
    config = BASIC_CONFIG.replace('grafana_url = "http', 'grafana_ulr = "http')
    project = make_project(config=config)
    result = project.run("build")
    line = next(number for number, text in enumerate(config.lstrip("\n").splitlines(), 1) if "grafana_ulr" in text)
    assert result.exit_code == 3 and "did you mean 'grafana_ulr' → 'grafana_url'?" in result.stderr, result.stderr
    assert f"dashctl.toml:{line}: " in result.stderr


def test_a_bad_configuration_value_is_reported_at_its_line(make_project):
    config = BASIC_CONFIG.replace('namespace = "prod"', 'namespace = "Prod_1"')
    project = make_project(config=config)
    result = project.run("build")
    line = next(number for number, text in enumerate(config.lstrip("\n").splitlines(), 1) if "Prod_1" in text)
    assert result.exit_code == 3 and f"dashctl.toml:{line}: " in result.stderr, result.stderr


def test_misspelt_rule_id_in_a_suppression(make_project):
    project = make_project({"alerts/shop.py": RULE.format(key="error_ratio").replace(
        "    return [AlertRule(", "    # dashctl-lint: ignore[alert/runbok-url] reason: x\n    return [AlertRule(")})
    result = project.run("lint", "--env", "dev")
    assert "the suppression names alert/runbok-url" in result.stdout and "did you mean alert/runbook-url?" in \
        result.stdout, result.stdout


# A panel whose second query is written over several lines: the bad value sits on neither the decorator's line
# nor the title's.
DASHBOARD = dashboard(
    'TimeSeries(\n'
    '    title="Requests",\n'
    '    dataSource="metrics",\n'
    '    targets=[\n'
    '        Target(expr="sum(up)", refId="A"),\n'
    '        Target(\n'
    '            refId="B",\n'
    '            expr="sum(rate(x_total[$__rate_interval])",\n'
    '        ),\n'
    '    ],\n'
    ')', uid="shop-api")


def test_build_and_lint_point_at_the_line_holding_the_query(make_project):
    project = make_project({"dashboards/shop.py": DASHBOARD})
    query_line = next(number for number, line in enumerate(DASHBOARD.splitlines(), start=1)
                      if 'expr="sum(rate(x_total' in line)
    build = project.run("build")
    assert f"dashboards/shop.py:{query_line}: dashboard 'shop-api' panel 'Requests' query B" in build.stderr, \
        build.stderr
    lint = project.run("lint")
    assert re.search(rf"^dashboards/shop.py:{query_line}: error\[promql/syntax\]", lint.stdout, re.MULTILINE), \
        lint.stdout


def test_key_lines_reads_headers_dotted_quoted_and_multiline_keys():
    from dashctl.project.config import key_lines

    text = (
        'roots = [\n'                                  # 1
        '  "dashboards",  # a [comment]\n'             # 2
        '  "alerts",\n'                                # 3
        ']\n'                                          # 4
        '[environments.dev]\n'                         # 5
        'namespace = "dev"\n'                          # 6
        'values.error_ratio = 0.05\n'                  # 7
        '"quoted key" = "a = b"\n'                     # 8
        '[ environments . "prod" . values ]  # x\n'    # 9
        'latency = { p99 = 1.5 }\n'                    # 10
    )
    lines = key_lines(text)
    assert lines["roots"] == 1 and "dashboards" not in lines
    assert lines["environments.dev"] == 5 and lines["environments.dev.namespace"] == 6
    assert lines["environments.dev.values.error_ratio"] == 7
    assert lines["environments.dev.quoted key"] == 8
    assert lines["environments.prod.values"] == 9 and lines["environments.prod.values.latency"] == 10
