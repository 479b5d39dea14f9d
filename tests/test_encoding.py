"""Canonical output: YAML as PyYAML's SafeDumper writes it with sorted keys, block style and multi-line strings as
literal blocks (so embedded files stay readable in review); JSON sorted and minified for ConfigMap data."""

from __future__ import annotations

import json
import math
import random
import re
import struct
from pathlib import Path

import pytest
import yaml

from dashctl import encoding
from dashctl.encoding import dump_json, dump_yaml, load_yaml
from dashctl.k8s.manifests import config_map


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


# ------------------------------------------------------------------------------------------------------------------
# dump_yaml writes most documents itself (not through PyYAML's representer): byte for byte what PyYAML's C emitter
# writes, which the fallback (`_pyyaml_dump`) still calls for anything the writer is unsure of.


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_PIECES = list("ab cd:#-?'\"{}[],&*!|>%@`.=<~01 \n") + [
    "é", "  ", "yes", "null", "1.5", "true", "---", "...", ": ", " #", "~", "2001-12-14", "<<", "=", "0x1F", "NO",
    "+1", ".inf", "\t", "😀", "\u2028", "\r", "ü", "\ufeff",
]


def _random_string(rng: random.Random) -> str:
    length = rng.choice([0, 1, 2, 3, 5, 10, 30, 200, 5000])
    if length > 100:  # long strings with spaces: where libyaml folds lines
        alphabet = ["a", "b", " ", "  ", "'", "é", "\n", "x: y"][: rng.choice([3, 4, 6, 8])]
        return "".join(rng.choice(alphabet) for _ in range(length))
    return "".join(rng.choice(_PIECES) for _ in range(length))


def _random_value(rng: random.Random, depth: int) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice([_random_string(rng), _random_string(rng), None, True, 7, -3, 1.5, 1e20, 0.1, ""])
    if roll < 0.75:
        return {_random_string(rng)[:20]: _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_dump_yaml_is_pyyaml_byte_for_byte_over_random_documents():
    written_by_the_writer = 0
    for seed in range(500):
        rng = random.Random(seed)
        data = {"x": _random_value(rng, 0), "y": _random_value(rng, 1)} if rng.random() < 0.7 else [
            _random_value(rng, 0), _random_value(rng, 1)]
        try:
            encoding._BlockWriter().document(data)
            written_by_the_writer += 1
        except encoding._Unsure:
            pass
        text = dump_yaml(data)
        assert text == encoding._pyyaml_dump(data), f"seed {seed}"
        assert yaml.safe_load(text) == data, f"seed {seed}"
    # The comparison means something only if the writer, not the fallback, wrote most of them.
    assert written_by_the_writer > 200


def _shapes_dashctl_writes(model: dict) -> list[object]:
    data = {"x.dev.json": dump_json(model, minify=True)}
    body = config_map(name="dashctl-dashboard-x", namespace="dev", data=data, labels={"grafana_dashboard": "1"},
                      annotations={"grafana_folder": "Ops"}, what="x")
    return [body, {"apiVersion": 1, "groups": [model]}]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent (a fresh clone): no real dashboards")
@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "dashboards").glob("*.json")) if CORPUS.is_dir()
                         else ["none"])
def test_real_dashboards_in_configmaps_are_pyyaml_byte_for_byte(name):
    model = json.loads((CORPUS / "dashboards" / name).read_text(encoding="utf-8"))
    assert dump_json(model, minify=True) == json.dumps(model, sort_keys=True, separators=(",", ":"),
                                                       ensure_ascii=False)
    assert dump_json(model) == json.dumps(model, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    for document in _shapes_dashctl_writes(model):
        text = dump_yaml(document)
        assert text == encoding._pyyaml_dump(document)
        assert load_yaml(text) == document


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent (a fresh clone): no real rule files")
@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "rules").glob("*.y*ml")) if CORPUS.is_dir()
                         else ["none"])
def test_real_rule_files_are_pyyaml_byte_for_byte(name):
    for document in yaml.safe_load_all((CORPUS / "rules" / name).read_text(encoding="utf-8")):
        if isinstance(document, (dict, list)) and document:
            text = dump_yaml(document)
            assert text == encoding._pyyaml_dump(document)
            assert load_yaml(text) == document


def test_the_writer_writes_the_alert_rule_and_configmap_shapes_itself():
    """The shapes a build writes do not fall back to PyYAML (else the writer would save nothing)."""
    rule = {"uid": "r1", "title": "Errors: high", "for": "5m", "labels": {"severity": "warning"},
            "annotations": {"description": "line one\nline two", "summary": "{{ $labels.job }} is down"},
            "data": [{"refId": "A", "model": {"expr": 'sum(rate(x{code=~"5.."}[5m]))', "intervalMs": 1000}}]}
    encoding._BlockWriter().document({"apiVersion": 1, "groups": [{"name": "g", "rules": [rule]}]})
    long_json = dump_json({"panels": [{"title": f"Panel {index}", "id": index} for index in range(500)]},
                          minify=True)
    document = config_map(name="n", namespace="dev", data={"k.json": long_json}, labels={}, what="x")
    assert encoding._BlockWriter().document(document).count("\n") > 2  # folded past 4096 columns, like libyaml


def test_json_exponents_keep_pythons_spelling():
    assert dump_json({"a": [1e16, 1e-7, 2.5, 2e-05]}, minify=True) == '{"a":[1e+16,1e-07,2.5,2e-05]}'


@pytest.mark.parametrize("seed", range(3))
def test_json_floats_are_spelt_as_python_spells_them(seed: int) -> None:
    # orjson and Python differ on some floats: whatever the float, dump_json writes what json.dumps writes.
    rng = random.Random(seed)
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.4:
            value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        elif kind < 0.8:
            value = rng.choice([1, 2, 5, 1.5, 1.2345678901234567, -3.25]) * 10.0 ** rng.randint(-30, 30)
        else:
            value = rng.uniform(-1e6, 1e6)
        if math.isnan(value) or math.isinf(value):
            continue
        data = {"v": [value, 0.5], "text": rng.choice(["", "line-1e-5", "0.00001"])}  # text: a false alarm at worst
        for minify in (True, False):
            expected = json.dumps(data, sort_keys=True, **({"separators": (",", ":")} if minify else {"indent": 2}))
            assert dump_json(data, minify=minify) == expected + ("" if minify else "\n"), f"seed {seed}: {value!r}"


@pytest.mark.parametrize("seed", range(3))
def test_the_fast_checks_of_long_strings_find_what_the_regexes_find(seed: int) -> None:
    # Long ASCII strings skip the regexes (a dashboard's JSON, a rule file's literal block): same verdicts.
    rng = random.Random(seed)
    pieces = ["a", " ", "\n", "\t", "\r", "\x7f", "\x00", "\x1f", "~", "é", "\u2028", "\n\n", " \n"]
    for _ in range(2000):
        common = rng.choice([["a", " ", "\n"], ["a", "b"], pieces])
        text = "".join(rng.choice(common if rng.random() < 0.98 else pieces) for _ in range(rng.randint(0, 150)))
        text = rng.choice(["", " ", "\n", "\n\n", "a"]) + text + rng.choice(["", " ", "\n", "\n\n", "a", " \n"])
        for pattern, allowed in ((encoding._UNPRINTABLE, encoding._PRINTABLE_ASCII),
                                 (encoding._UNPRINTABLE_BLOCK, encoding._PRINTABLE_ASCII_BLOCK)):
            assert encoding._unprintable(text, pattern, allowed) == bool(re.search(pattern, text)), f"seed {seed}: {text!r}"
        assert encoding._block_refused(text) == bool(encoding._BLOCK_REFUSED.search(text)), f"seed {seed}: {text!r}"


@pytest.mark.parametrize("seed", range(3))
def test_documents_of_recurring_key_sets_are_pyyaml_byte_for_byte(seed: int) -> None:
    """Mappings that repeat a few key sets (as alert rules do) reuse their laid-out keys; literal blocks with and
    without empty lines: each document as PyYAML writes it."""
    rng = random.Random(seed)
    key_sets = [["uid", "title", "data", "for"], ["refId", "model"], ["b", "a", "a b", "-x", "1", "ü"], ["k"]]
    lines = ["line", "", "  indented", "x: y", "'quoted'", "a b"]
    for case in range(60):
        def value(depth: int) -> object:
            roll = rng.random()
            if roll < 0.2:
                return "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 5))) + rng.choice(["", "\n"])
            if depth > 2 or roll < 0.6:
                return _random_value(rng, 4)
            if roll < 0.85:
                return {key: value(depth + 1) for key in rng.choice(key_sets)}
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]

        data = [{key: value(1) for key in rng.choice(key_sets)} for _ in range(rng.randint(1, 4))]
        text = dump_yaml(data)
        assert text == encoding._pyyaml_dump(data), f"seed {seed} case {case}"
        assert yaml.safe_load(text) == data, f"seed {seed} case {case}"


def test_a_str_subclass_key_equal_to_a_key_already_written_is_left_to_pyyaml():
    class Key(str):
        pass

    assert dump_yaml({"severity": "a", "team": "b"}) == "severity: a\nteam: b\n"
    with pytest.raises(yaml.representer.RepresenterError):  # what PyYAML says of it, as before the key cache
        dump_yaml({Key("severity"): "a", "team": "b"})


class _Text(str):
    pass


def _assert_written_as_pyyaml_writes(data: object, where: str) -> None:
    """dump_yaml gives PyYAML's text, or PyYAML's refusal (of a str subclass) when PyYAML refuses."""
    try:
        expected = encoding._pyyaml_dump(data)
    except yaml.representer.RepresenterError:
        with pytest.raises(yaml.representer.RepresenterError):
            dump_yaml(data)
        return
    assert dump_yaml(data) == expected, where


@pytest.mark.parametrize("seed", range(10))
def test_remembered_expression_entries_are_pyyaml_byte_for_byte(seed: int) -> None:
    """The `data[]` entries of server-side expressions are written once per exact content and indent: drawn from a
    small pool (so they recur, at several depths, with numbers that compare equal but are spelt apart, str
    subclasses, unusual strings and near-miss shapes), every document is still what PyYAML writes."""
    rng = random.Random(seed)
    encoding._EXPRESSIONS.clear()
    texts = ["A", "B", "$A > 1", "", "x: y", "yes", "1.5", "é", "a b"]
    odd = ["\t", _Text("A"), 3, None]  # left to PyYAML or written differently
    numbers = [1, 0, 0.05, 1e20, 5, -3, "1"]

    def entry() -> dict[str, object]:
        kind = rng.choice(["reduce", "threshold", "math"])
        model: dict[str, object] = {"refId": rng.choice(texts), "type": kind, "expression": rng.choice(texts)}
        if kind == "reduce":
            model["reducer"] = rng.choice(["last", "mean", *texts])
        elif kind == "threshold":
            evaluator = {"type": rng.choice(["gt", "lt", "within_range"]),
                         "params": [rng.choice(numbers) for _ in range(rng.randint(0, 2))]}
            model["conditions"] = [{"evaluator": evaluator}] * rng.choice([1, 1, 1, 2])
        item: dict[str, object] = {"refId": rng.choice(texts), "datasourceUid": "__expr__", "model": model}
        roll = rng.random()
        if roll < 0.1:
            item["datasourceUid"] = "prom"
        elif roll < 0.15:
            item["extra"] = "x"
        elif roll < 0.2:
            model["extra"] = "x"
        elif roll < 0.3:
            target = rng.choice([item, model])
            target[rng.choice([key for key in target if key not in ("model", "conditions")])] = rng.choice(odd)
        return item

    spelt = {1: [1.0, True], 0: [-0.0, False, 0.0], 5: [5.0]}

    def twin(item: dict[str, object]) -> dict[str, object]:
        """An entry equal to `item` as Python compares them, but written apart (a number's type, a str subclass)."""
        copy = json.loads(json.dumps(item))
        model = copy["model"]
        places = [copy, model]
        if "conditions" in model:
            condition = model["conditions"][0]
            places += [condition, condition["evaluator"], condition["evaluator"]["params"]]
        place = rng.choice(places)
        keys = list(range(len(place))) if type(place) is list else [k for k in place if k != "model"]
        if not keys:
            return copy
        key = rng.choice(keys)
        value = place[key]
        if type(place) is dict and rng.random() < 0.3:
            items = list(place.items())
            place.clear()
            place.update({(_Text(name) if name == key else name): item for name, item in items})
        elif type(value) is str:
            place[key] = _Text(value)
        elif type(value) in (int, float, bool):
            place[key] = rng.choice(spelt.get(value, [float(value)]))
        return copy

    bases = [entry() for _ in range(8)]
    pool = bases + [twin(base) for base in bases for _ in range(2)]
    for case in range(150):
        rules = [{"uid": "r", "data": [rng.choice(pool) for _ in range(rng.randint(1, 3))]}
                 for _ in range(rng.randint(1, 3))]
        data = rng.choice([rules, [{"name": "g", "rules": rules}], rules[0]["data"], {"data": rules[0]["data"]}])
        _assert_written_as_pyyaml_writes(data, f"seed {seed} case {case}")
    # Numbers Python finds equal, one after another in one process: each spelt as PyYAML spells it.
    for params in ([1], [1.0], [True], [0], [0.0], [-0.0], [False]):
        threshold = {"refId": "C", "datasourceUid": "__expr__", "model": {
            "refId": "C", "type": "threshold", "expression": "B", "conditions": [{"evaluator": {
                "type": "gt", "params": params}}]}}
        assert dump_yaml([threshold]) == encoding._pyyaml_dump([threshold]), f"seed {seed} params {params}"
    assert encoding._EXPRESSIONS, "no entry was remembered: the test does not reach the memo"


@pytest.mark.parametrize("seed", range(10))
def test_remembered_query_entries_are_pyyaml_byte_for_byte(seed: int) -> None:
    """A PromQL query's `data[]` entry is written around its expression from a memo of the rest: entries that
    recur but for the expression, with near-miss twins (a number's type, a str subclass, a key more or less, long
    expressions folded, the writer's own mark), at several depths, every document is what PyYAML writes."""
    rng = random.Random(seed)
    encoding._QUERIES.clear()
    exprs = ["up", "sum(rate(x_total{code=~\"5..\"}[5m])) > 0.1", "", "yes", "a: b", "x #y", "'q'", "é",
             " lead", "a  b", "dashctl-expr-mark", "\t", "a\nb", ("sum by (a) " * 500).strip(), "x" * 5000]

    def entry() -> dict[str, object]:
        instant = rng.random() < 0.7
        item: dict[str, object] = {
            "refId": rng.choice(["A", "B", "yes", "dashctl-expr-mark"]),
            "datasourceUid": rng.choice(["prom", "p2", "1"]),
            "relativeTimeRange": {"from": rng.choice([600, 3600, 0]), "to": 0},
            "model": {"refId": "A", "expr": rng.choice(exprs), "intervalMs": rng.choice([1000, 60000]),
                      "maxDataPoints": 43200, "instant": instant, "range": not instant},
        }
        roll = rng.random()
        model = item["model"]
        assert isinstance(model, dict)
        if roll < 0.1:
            model[rng.choice(["instant", "range"])] = rng.choice([1, 0])
        elif roll < 0.2:
            item["relativeTimeRange"] = {"from": rng.choice([600.0, True, "600"]), "to": 0}
        elif roll < 0.3:
            item["refId"] = _Text(item["refId"])
        elif roll < 0.35:
            model["queryType"] = "range"
        elif roll < 0.4:
            model["intervalMs"] = 1000.0
        elif roll < 0.45:
            item["model"] = {(_Text(key) if key == "expr" else key): value for key, value in model.items()}
        elif roll < 0.5:
            model["expr"] = _Text(model["expr"])
        return item

    for case in range(150):
        rules = [{"uid": "r", "data": [entry() for _ in range(rng.randint(1, 3))]} for _ in range(rng.randint(1, 3))]
        data = rng.choice([rules, [{"name": "g", "rules": rules}], rules[0]["data"], {"data": rules[0]["data"]}])
        _assert_written_as_pyyaml_writes(data, f"seed {seed} case {case}")
    assert encoding._QUERIES, "no entry was remembered: the test does not reach the memo"
