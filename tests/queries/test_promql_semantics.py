"""What Prometheus refuses beyond PromQL's grammar: Go's regex dialect, experimental functions; variables as operators.

Regex verdicts are compared with the real Prometheus parser (`promtool check rules`), which compiles matchers with
Go's `regexp` as Prometheus does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dashctl.errors import QuerySyntaxError
from dashctl.queries.promql import check_promql, parse_promql
from dashctl.queries.promql.semantics import EXPERIMENTAL_FUNCTIONS, experimental_functions
from dashctl.queries.validation import check_query

# (pattern, whether Go's regexp accepts it as a Prometheus matcher)
REGEXES = [
    (r"\Qa.b\E", True),
    (r"\d+", True),
    (r"\pL+", True),
    (r"[[:alpha:]]+", True),
    (r"(?i)get|post", True),
    (r"(?P<name>x)", True),
    (r"a{1000}", True),
    (r"a{2,}", True),
    (r"\z", True),
    (r"x{", True),
    (r"a++", False),
    (r"a**", False),
    (r"a{1001}", False),
    (r"a{2,1}", False),
    (r"(?=x)", False),
    (r"(?!x)", False),
    (r"\1", False),
    (r"\C", False),
    (r"[z-a]", False),
    (r"a)(b", False),
    (r"(", False),
    (r"\pX", False),
    (r"[[:word2:]]", False),
    ("(?P<x>a)(?P<x>b)", True),
    (r"\b", True),
    ("[^]]", True),
    ("(?U)a+", True),
    (r"\x{10FFFF}", True),
    (r"\x{110000}", False),
    ("a{,5}", True),
    ("x{2}{3}", False),
    ("x{2}*", False),
    ("(?i)(?-i)a", True),
    ("(?i-)a", False),
    ("[[:^alpha:]]", True),
    (r"\pN", True),
    (r"\p{Greek}", True),
    (r"\p{Foo}", False),
    (r"[a-\d]", False),
    (r"[\d-z]", True),
    ("(?:)", True),
    ("()", True),
    ("a|", True),
    ("|", True),
    (r"\Q\E*", False),
    ("[a", False),
    ("a]", True),
    (r"\8", False),
    (r"\0", True),
    (r"\07", True),
    (r"\x4", False),
    ("(?P<>a)", False),
    ("(?P<a-b>c)", False),
    ("**", False),
    ("a{1000}{2}", False),
    ("(a{100}){20}", False),
    ("(?m)^a$", True),
    (r"\Z", False),
    ("[[:word:]]", True),
    (r"\_", True),
    (r"\-", True),
]


def _selector(pattern: str) -> str:
    # A PromQL double-quoted string holds the pattern with each backslash doubled.
    return 'up{job=~"' + pattern.replace("\\", "\\\\") + '"}'


def _dashctl_accepts(query: str, **options: bool) -> bool:
    try:
        check_promql(query, **options)
    except QuerySyntaxError:
        return False
    return True


@pytest.mark.parametrize(("pattern", "valid"), REGEXES)
def test_regex_matchers_follow_gos_regexp(pattern: str, valid: bool) -> None:
    assert _dashctl_accepts(_selector(pattern)) is valid


def test_regex_verdicts_match_the_real_prometheus_parser(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (it is in /usr/bin on the project's machines)")
    paths = []
    for index, (pattern, _) in enumerate(REGEXES):
        rules = {"groups": [{"name": "g", "rules": [{"record": "r", "expr": _selector(pattern)}]}]}
        path = tmp_path / f"rule-{index}.yaml"
        path.write_text(yaml.safe_dump(rules))
        paths.append(str(path))
    # One run for all: promtool names each file that fails, `<path>: <line>:<column>: ...`.
    result = subprocess.run([promtool, "check", "rules", *paths], capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    verdicts = {pattern: f"{path}: " not in output for (pattern, _), path in zip(REGEXES, paths)}
    assert verdicts == {pattern: valid for pattern, valid in REGEXES}, "the table disagrees with Prometheus"
    assert {pattern: _dashctl_accepts(_selector(pattern)) for pattern, _ in REGEXES} == verdicts


def test_named_groups_in_the_new_go_syntax_are_valid() -> None:
    # Go 1.22 accepts (?<name>...); promtool here is built with Go 1.19, so it is not in REGEXES.
    check_promql(_selector("(?<name>x)"))


def test_an_unterminated_quote_runs_to_the_end_of_the_pattern() -> None:
    # Prometheus parses the pattern alone before anchoring it (model/labels/regexp.go), so `\Q.*` is the literal
    # `.*`. Older Prometheus (2.42, as promtool here) anchored first and refused it, hence not in REGEXES.
    check_promql(_selector(r"\Q.*"))


def test_a_refused_regex_is_reported_where_the_string_starts_with_gos_message() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        check_promql('sum(rate(http_requests_total{code=~"5.++"}[5m]))')
    assert raised.value.position == 35
    assert raised.value.message == "error parsing regexp: invalid nested repetition operator: `++`"


def test_a_regex_the_rust_crate_refuses_but_go_accepts_still_gives_the_syntax_tree() -> None:
    parsed = parse_promql(r'sum by (job) (up{job=~"\\Qapi.v1\\E", instance!~"\\Q\\E"})')
    assert type(parsed.expr).__name__ == "AggregateExpr"


def test_a_selector_of_only_empty_matching_regexes_is_still_refused_after_the_stand_in() -> None:
    # `\Q\E` matches only the empty string: Prometheus needs one matcher that does not.
    with pytest.raises(QuerySyntaxError, match="non-empty"):
        check_promql(r'{job=~"\\Q\\E"}')


def test_label_replace_regex_is_checked_anchored_as_prometheus_compiles_it() -> None:
    with pytest.raises(QuerySyntaxError, match="invalid regular expression in label_replace"):
        check_promql('label_replace(up, "a", "$1", "job", "(.*")')
    check_promql('label_replace(up, "a", "$1", "job", "\\\\Q.\\\\E(.*)")')


@pytest.mark.parametrize(
    "query",
    [
        'sort_by_label(up, "job")',
        'sort_by_label_desc(sum by (job) (up), "job")',
        "limitk(2, up)",
        "limit_ratio(0.5, up)",
        "mad_over_time(up[5m])",
        "first_over_time(up[5m])",
        "double_exponential_smoothing(up[5m], 0.5, 0.5)",
        "vector(step())",
    ],
)
def test_experimental_functions_need_the_environments_consent(query: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        check_promql(query)
    assert "experimental" in raised.value.message or "is not enabled" in raised.value.message
    assert "promql_experimental_functions" in (raised.value.hint or "")
    check_promql(query, experimental_functions=True)
    with experimental_functions(enabled=True):
        check_promql(query)


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ('up + on() group_left sort_by_label(up, "job")', 21),
        ('sum(rate(x[$__rate_interval])) / LIMITK(2, up)', 33),
        ('up{job="a"} + label_replace(up{job=~"$job"}, "a", "$1", "job", "(.*")', 14),
        ('up + label_replace(up, "a", "$1", "job", "(.*")', 5),
    ],
)
def test_a_semantic_problem_is_placed_at_its_call_with_or_without_regex_matchers(query: str, position: int) -> None:
    # The tokens that place it are made only when a problem is found (a valid query needs none without `=~`).
    with pytest.raises(QuerySyntaxError) as raised:
        check_promql(query)
    assert raised.value.position == position


def test_the_experimental_list_is_prometheus_own_and_keeps_stable_functions_out() -> None:
    assert {"sort_by_label", "sort_by_label_desc", "mad_over_time", "info"} <= EXPERIMENTAL_FUNCTIONS
    assert not {"last_over_time", "present_over_time", "sort", "histogram_quantile"} & EXPERIMENTAL_FUNCTIONS
    check_promql("sort_desc(last_over_time(up[5m]))")
    check_promql("up @ start()")  # the @ modifier's start() is no function call


def test_the_validation_cache_keeps_dialects_apart() -> None:
    query = 'sort_by_label(up, "instance")'
    with experimental_functions(enabled=True):
        check_query(query, "PromQL")
    with pytest.raises(QuerySyntaxError):
        check_query(query, "PromQL")


@pytest.mark.parametrize(
    "query",
    [
        "up $op up",
        'sum(rate(http_requests_total{code=~"5.."}[$__rate_interval])) $op sum(rate(http_requests_total[5m]))',
        "sum(x) $cmp $threshold",
        "x $op on(job) group_left y",
        "x $op -1",
        "x ${op} 2",
    ],
)
def test_a_variable_between_operands_stands_for_a_binary_operator(query: str) -> None:
    check_promql(query)


@pytest.mark.parametrize(
    ("query", "placeholder"),
    [
        ("$agg(rate(x[5m]))", "sum(rate(x[5m]))"),
        ("$agg by (job) (x)", "sum by (job) (x)"),
        ("$fn(x[$__rate_interval])", "rate(x[1000003s])"),
        ("$agg($k, x)", "topk(1, x)"),
        ("$fn(0.9, x[5m])", "quantile_over_time(0.9, x[5m])"),
    ],
)
def test_a_variable_before_a_call_stands_for_a_function_or_aggregation(query: str, placeholder: str) -> None:
    from dashctl.queries.variables import substitute_variables

    assert substitute_variables(query).text == placeholder
    check_promql(query)


def test_an_operator_variable_does_not_hide_a_real_error() -> None:
    with pytest.raises(QuerySyntaxError):
        check_promql("up $op")
    with pytest.raises(QuerySyntaxError):
        check_promql("rate(up) $op 2")


def test_an_environment_declares_experimental_functions(make_project) -> None:
    dashboard = '''
        from grafanalib.core import Dashboard, Target, TimeSeries

        from dashctl.definitions import dashboard


        @dashboard(uid="sorted", folder="Shop")
        def sorted_dashboard(env):
            return Dashboard(title="Sorted", panels=[TimeSeries(
                title="Up", description="d", dataSource="metrics", unit="short",
                targets=[Target(expr='sort_by_label(up, "instance")', refId="A")])])
    '''
    from tests.conftest import BASIC_CONFIG

    config = BASIC_CONFIG.replace('[environments.prod]\nnamespace = "prod"\n',
                                  '[environments.prod]\nnamespace = "prod"\npromql_experimental_functions = true\n')
    project = make_project({"dashboards/sorted.py": dashboard}, config=config)
    result = project.run("build", "--env", "prod")
    assert result.exit_code == 0, result.stderr
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 3
    assert 'function "sort_by_label" is not enabled' in result.stderr
    assert "promql_experimental_functions = true" in result.stderr


def test_the_setting_must_be_a_boolean(make_project) -> None:
    from tests.conftest import BASIC_CONFIG

    config = BASIC_CONFIG.replace('[environments.prod]\nnamespace = "prod"\n',
                                  '[environments.prod]\nnamespace = "prod"\npromql_experimental_functions = "yes"\n')
    result = make_project(config=config).run("build")
    assert result.exit_code != 0
    assert "promql_experimental_functions must be true or false" in result.stderr


def test_query_check_takes_the_experimental_flag() -> None:
    from click.testing import CliRunner

    from dashctl.cli.main import cli

    refused = CliRunner().invoke(cli, ["query", "check", "--lang", "promql", "-"], input="limitk(2, up)\n")
    assert refused.exit_code == 1 and "limitk() is experimental" in refused.stdout
    accepted = CliRunner().invoke(cli, ["query", "check", "--lang", "promql", "--promql-experimental-functions", "-"],
                                  input="limitk(2, up)\n")
    assert accepted.exit_code == 0, accepted.stdout


@pytest.mark.parametrize(("pattern", "valid"), REGEXES)
def test_loki_stream_matchers_follow_the_same_go_rules(pattern: str, valid: bool) -> None:
    # Loki builds stream matchers with Prometheus' labels.NewMatcher: the same dialect, the same verdicts.
    from dashctl.queries.logql import check_logql

    query = '{job="api", path=~"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"}'
    try:
        check_logql(query)
        accepted = True
    except QuerySyntaxError:
        accepted = False
    assert accepted is valid


_PIECES = (
    "up", "{", "}", "a", "b", "=~", "!~", "=", "!=", ",", " ", "\n", "# c\n", '"a++"', '"5.."', "'(x'", "`\\\\Q.\\\\E`",
    '"=~"', '"a\\"b"', "'\\''", '"x{1001}"', "(", ")", "[5m]", "rate", "sum", " or ", '"$job"', '"a|b"', "`(`",
)  # fmt: skip
_FILLERS = ("", " ", "\n", "# c\n", '# "\n', "# `=~\n")
_STRINGS = ('"a++"', '"5.."', "'(x'", "`\\Q.\\E`", '"=~"', '"a\\"b"', "'\\''", '"x{1001}"', '"$job"', "`(`", '"a|b"')


@pytest.mark.parametrize("seed", range(4))
def test_the_quick_regex_check_never_passes_a_query_whose_tokens_hold_a_bad_regex(seed: int) -> None:
    # `regexes_pass` lets a valid query skip the tokenizer; it must find every matcher the tokens would (or more).
    import random

    import promql_parser

    from dashctl.queries.promql.lexer import LexicalError, tokenize_promql
    from dashctl.queries.promql.semantics import find_regex_problem, regex_matchers, regexes_pass

    rng = random.Random(seed)
    parsed = 0
    for _ in range(1500):
        if rng.random() < 0.5:
            text = "up{" + "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))) + "}"
        else:  # well-formed matchers, with comments (quotes in them too) and spaces between their parts
            text = "up{" + ",".join(
                rng.choice(("a", "b")) + rng.choice(("=~", "!~", "=", "!=")) + rng.choice(_FILLERS)
                + rng.choice(_STRINGS) + rng.choice(_FILLERS)
                for _ in range(rng.randint(1, 3))
            ) + "}" + rng.choice(("", ' # "', " + 1"))
        try:
            promql_parser.parse(text)
        except ValueError:
            continue
        parsed += 1
        try:
            tokens = tokenize_promql(text)
        except LexicalError:
            continue
        if regexes_pass(text):
            assert find_regex_problem(regex_matchers(tokens)) is None, f"seed {seed}: {text!r}"
    assert parsed > 20, f"seed {seed}: too few valid queries ({parsed}) to say anything"


_SELECTORS = ("up", "", "x:y_z", "up ", "__name__")
_LABELS = ("a", "b", "__name__", '"a"')
_VALUES = ('".*"', '""', '"5.."', '"a|b"', '"x+"', '"(?i)a"', '"a++"', '"(x"', '"$job"', "`.+`", "'a'", '"{"')


@pytest.mark.parametrize("seed", range(4))
def test_validation_without_compiling_regexes_says_what_the_full_parse_says(seed: int) -> None:
    # check_promql may skip the crate's regex compilation (matchers made equalities): the verdict must not change.
    import random

    from dashctl.queries.promql.parser import _parse_promql, _valid_without_compiling_regexes, check_promql
    from dashctl.queries.validation import _check_query

    rng = random.Random(seed)
    fast = 0
    for _ in range(1200):
        matchers = ",".join(rng.choice(_LABELS) + rng.choice((" ", "")) + rng.choice(("=~", "!~", "=", "!="))
                            + rng.choice(("", " ")) + rng.choice(_VALUES) for _ in range(rng.randint(0, 3)))
        selector = rng.choice(_SELECTORS) + "{" + matchers + "}" + rng.choice(("", "[5m]", "[$__rate_interval]"))
        text = rng.choice(("{}", "rate({})", "sum by (a) (rate({}))", "{} + {}", "label_replace({}, 'a', '$1', 'b', "
                           "'(.*)')", "limitk(2, {})", "{} # =~ \"(\"", "sum({}) > 0 and on() {}")).replace(
            "{}", selector)
        _parse_promql.cache_clear()
        _check_query.cache_clear()
        try:
            _parse_promql(text, False)
            exact = None
        except QuerySyntaxError as error:
            exact = str(error)
        try:
            check_promql(text, experimental_functions=False)
            quick = None
        except QuerySyntaxError as error:
            quick = str(error)
        assert quick == exact, f"seed {seed}: {text!r}"
        fast += _valid_without_compiling_regexes(text)
    assert fast > 50, f"seed {seed}: the quick way was taken only {fast} times"
