"""Grafana template variables: finding them, and replacing them by typed placeholders a parser accepts."""

from __future__ import annotations

import pytest

from dashctl.queries.variables import find_variables, substitute_variables, variable_names

FIRST_DURATION = "1000003s"
SECOND_DURATION = "1000004s"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("x{a=\"$namespace\"}", [("namespace", "$namespace", None, None)]),
        ("x{a=\"${namespace}\"}", [("namespace", "${namespace}", None, None)]),
        ("x{a=~\"${pod:regex}\"}", [("pod", "${pod:regex}", "regex", None)]),
        ("x{a=~\"${pod:csv}\"}", [("pod", "${pod:csv}", "csv", None)]),
        ("x{a=\"${__field.labels.pod}\"}", [("__field", "${__field.labels.pod}", None, "labels.pod")]),
        ("x{a=\"[[pod]]\"}", [("pod", "[[pod]]", None, None)]),
        ("x{a=\"[[pod:pipe]]\"}", [("pod", "[[pod:pipe]]", "pipe", None)]),
        ("rate(x[$__rate_interval])", [("__rate_interval", "$__rate_interval", None, None)]),
        ("x / $__interval_ms", [("__interval_ms", "$__interval_ms", None, None)]),
        ("x{a=\"$a\"} offset ${__range}", [("a", "$a", None, None), ("__range", "${__range}", None, None)]),
        ("x{a=\"5$\"}", []),
    ],
)
def test_find_variables_reads_every_form(query: str, expected: list[tuple]) -> None:
    found = find_variables(query)
    assert [(v.name, v.text, v.format, v.field) for v in found] == expected
    for variable in found:
        assert query[variable.start : variable.end] == variable.text


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ('sum(rate(x{namespace="$namespace", pod=~"${pod:regex}"}[$__rate_interval]))', ("namespace", "pod")),
        ('x{a="$b"} / x{a="[[b]]"} + on($c) y', ("b", "c")),
        ('label_replace(x, "dst", "$1-${2}", "src", "(.*)-(.*)")', ()),
        ("x[$__range] offset $__interval @ ${__to:date:seconds}", ()),
        ('{app="$app"} |= "$search" | json | line_format "{{.msg}}"', ("app", "search")),
    ],
)
def test_variable_names_lists_dashboard_variables_once_in_order(query: str, names: tuple[str, ...]) -> None:
    assert variable_names(query) == names


@pytest.mark.parametrize(
    ("query", "text", "kinds"),
    [
        # durations: inside [...] and after offset
        ("rate(x[$__rate_interval])", f"rate(x[{FIRST_DURATION}])", ["duration"]),
        ("rate(x[${__interval}])", f"rate(x[{FIRST_DURATION}])", ["duration"]),
        ("rate(x[[[interval]]])", f"rate(x[{FIRST_DURATION}])", ["duration"]),
        ("max_over_time(x[$__range:$__interval])", f"max_over_time(x[{FIRST_DURATION}:{SECOND_DURATION}])",
         ["duration", "duration"]),
        ("x offset $__range", f"x offset {FIRST_DURATION}", ["duration"]),
        ("x OFFSET -$shift", f"x OFFSET -{FIRST_DURATION}", ["duration"]),
        # a unit right after the variable: the variable is the number part
        ("rate(x[${__range_s}s])", "rate(x[1s])", ["number"]),
        ("rate(x[${__interval_ms}ms])", "rate(x[1ms])", ["number"]),
        # identifiers: where only a name may stand
        ("sum by ($label) (x)", "sum by (grafana_var_label) (x)", ["identifier"]),
        ("sum(x) without (${labels:csv})", "sum(x) without (grafana_var_labels)", ["identifier"]),
        ("a / on($l) group_left($m) b", "a / on(grafana_var_l) group_left(grafana_var_m) b",
         ["identifier", "identifier"]),
        ('x{$label="a"}', 'x{grafana_var_label="a"}', ["identifier"]),
        ("node_${device}_bytes", "node_grafana_var_device_bytes", ["identifier"]),
        ("$job:rate5m", "grafana_var_job:rate5m", ["identifier"]),
        ('$metric{job="a"}', 'grafana_var_metric{job="a"}', ["identifier"]),
        ("rate($metric[5m])", "rate(grafana_var_metric[5m])", ["identifier"]),
        ("rate([[metric]][5m])", "rate(grafana_var_metric[5m])", ["identifier"]),
        ("$metric offset 1d", "grafana_var_metric offset 1d", ["identifier"]),
        ("$metric @ 100", "grafana_var_metric @ 100", ["identifier"]),
        # numbers: a complete expression, and a valid scalar parameter
        ("x > $threshold", "x > 1", ["number"]),
        ("topk($k, x)", "topk(1, x)", ["number"]),
        ("histogram_quantile($q, x)", "histogram_quantile(1, x)", ["number"]),
        ("x @ ${__to:date:seconds}", "x @ 1", ["number"]),
        # left alone: inside strings and comments
        ('x{a="$a", b=~"${b:regex}", c=\'[[c]]\', d=`$d`}', 'x{a="$a", b=~"${b:regex}", c=\'[[c]]\', d=`$d`}', []),
        ('x{a="\\"$a"} # $b', 'x{a="\\"$a"} # $b', []),
        ("x", "x", []),
    ],
)
def test_substitute_variables_picks_the_placeholder_the_position_needs(
    query: str, text: str, kinds: list[str]
) -> None:
    substitution = substitute_variables(query)
    assert substitution.text == text
    assert [placeholder.kind for placeholder in substitution.placeholders] == kinds


def test_only_standalone_numbers_are_ambiguous_and_can_become_metric_names() -> None:
    query = "sum($metric) > $threshold and on(pod) rate(x[$__rate_interval])"
    substitution = substitute_variables(query)
    assert substitution.text == f"sum(1) > 1 and on(pod) rate(x[{FIRST_DURATION}])"
    assert substitution.ambiguous == (0, 1)
    flipped = substitute_variables(query, as_identifiers=frozenset({0}))
    assert flipped.text == f"sum(grafana_var_metric) > 1 and on(pod) rate(x[{FIRST_DURATION}])"


@pytest.mark.parametrize(
    ("query", "substituted_position", "original_position"),
    [
        # before any variable: unchanged
        ("rate(x[$__rate_interval)", 5, 5),
        # after a longer variable: shifted back by the difference in length
        ("rate(x[$__rate_interval)", len(f"rate(x[{FIRST_DURATION}"), len("rate(x[$__rate_interval")),
        # inside a placeholder: the start of the variable
        ("rate(x[$__rate_interval)", len("rate(x[") + 3, len("rate(x[")),
        # after a shorter placeholder (a number replacing a long name): shifted forward
        ("x > $threshold + y", len("x > 1 + "), len("x > $threshold + ")),
        # the end of the text is the end of the query
        ("x > $threshold", len("x > 1"), len("x > $threshold")),
        # two variables
        ("x[$__range] offset $__interval )", len(f"x[{FIRST_DURATION}] offset {SECOND_DURATION} "),
         len("x[$__range] offset $__interval ")),
    ],
)
def test_original_offset_translates_positions_back(
    query: str, substituted_position: int, original_position: int
) -> None:
    assert substitute_variables(query).original_offset(substituted_position) == original_position


def test_duration_and_identifier_placeholders_say_which_variable_they_were() -> None:
    substitution = substitute_variables("rate(${metric}_total[$__rate_interval] offset -$__range)")
    assert substitution.duration_variable(1_000_003).name == "__rate_interval"
    assert substitution.duration_variable(-1_000_004).name == "__range"
    assert substitution.duration_variable(300) is None
    assert substitution.identifier_variable("grafana_var_metric").name == "metric"
    assert substitution.restore("grafana_var_metric_total") == "${metric}_total"


_RANGE_PIECES = (
    "rate(x", "[$__rate_interval]", "[$__interval]", "[${__range}]", "[[[w]]]", "[$x", "$x]", "[ $x]", "[$x:1m]",
    ")", "{a=\"[$x]\"}", "{a='[$x'}", "`[$y]`", "# [$c]\n", " offset $o", "sum by ($l) (", "$__range_s", "[5m]",
    " + ", "\"unterminated [$x]", "'\\'[$e]'", "${a.b:csv}", "[${}]", "[$1]",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_the_range_only_shortcut_substitutes_exactly_as_the_full_scan(seed: int, monkeypatch) -> None:
    import random

    from dashctl.queries import variables

    rng = random.Random(seed)
    queries = ["".join(rng.choice(_RANGE_PIECES) for _ in range(rng.randint(1, 6))) for _ in range(1500)]
    fast = [variables.substitute_variables(query) for query in queries]
    shortcut = sum("$" in query and variables._only_range_variables(query) is not None for query in queries)
    monkeypatch.setattr(variables, "_only_range_variables", lambda query: None)
    for query, substitution in zip(queries, fast, strict=True):
        assert substitution == variables.substitute_variables(query), f"seed {seed}: {query!r}"
    assert shortcut > 100, f"seed {seed}: the shortcut was taken only {shortcut} times"
