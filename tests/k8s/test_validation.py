"""The validator used on every manifest catches what the API server refuses (so a passing check means something)."""

from __future__ import annotations

import pytest

from tests.k8s.validation import kubernetes_problems

GOOD = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "dashctl-dashboard-a", "namespace": "dev", "labels": {"grafana_dashboard": "1"}},
    "data": {"a.dev.json": "{}"},
}


def test_good_config_map_passes():
    assert kubernetes_problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m["metadata"].update(name="Bad_Name"), "DNS-1123 subdomain"),
        (lambda m: m["metadata"]["labels"].update(grafana_dashboard=1), "schema"),
        (lambda m: m["metadata"]["labels"].update({"x": "v" * 64}), "label value"),
        (lambda m: m["data"].update({"a/b.json": "{}"}), "data key"),
        (lambda m: m.update(spec={}), "schema"),
        (lambda m: m["data"].update(big="x" * (1024 * 1024)), "over 1 MiB"),
        (lambda m: m["data"].update(big="x" * (300 * 1024)), "needs SSA"),
    ],
)
def test_bad_config_maps_are_caught(change, expected):
    import copy

    manifest = copy.deepcopy(GOOD)
    change(manifest)
    assert any(expected in problem for problem in kubernetes_problems(manifest))
