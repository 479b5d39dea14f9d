"""`dashctl query check`: one query a line, positions, exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from dashctl.cli.main import cli


def run(*args, stdin=None):
    result = CliRunner().invoke(cli, ["query", "check", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_all_valid_exits_0(tmp_path):
    path = tmp_path / "q.promql"
    path.write_text(
        "# the backend's 5xx ratio\n"
        'sum(rate(http_request_duration_seconds_count{status_code=~"5.."}[$__rate_interval]))\n'
        "\n"
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))\n"
    )
    code, out, err = run("--lang", "promql", str(path))
    assert code == 0 and out == ""
    assert "2 valid, 0 invalid" in err


def test_invalid_queries_are_listed_with_line_column_and_caret():
    stdin = 'up\nsum(rate(x[5m])\nrate(x[5m]) by (y)\n'
    code, out, err = run("--lang", "promql", "-", stdin=stdin)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("<stdin>:2:16: ")
    assert lines[1] == "    sum(rate(x[5m])"
    assert lines[2] == "    " + " " * 15 + "^"
    assert "<stdin>:3:" in out
    assert "1 valid, 2 invalid" in err


def test_logql():
    code, out, _ = run("--lang", "logql", stdin='{app="backend"} | json | level="error"\n{app="x"} |= \n')
    assert code == 1
    assert out.startswith("<stdin>:2:13: syntax error")


def test_unknown_language_is_a_usage_error():
    code, _, err = run("--lang", "sql", stdin="select 1\n")
    assert code == 2
    assert "sql" in err


def test_missing_file_is_a_usage_error(tmp_path):
    code, _, err = run("--lang", "promql", str(tmp_path / "missing"))
    assert code == 2
