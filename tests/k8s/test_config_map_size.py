"""A ConfigMap is marked for server-side apply exactly when its data, as JSON, is over the last-applied annotation's
limit (whatever shortcut measures it)."""

from __future__ import annotations

import json
import random

import pytest

from dashctl.k8s.manifests import SSA_ANNOTATION, SSA_THRESHOLD_BYTES, config_map


def marked(data: dict[str, str]) -> bool:
    made = config_map(name="x", namespace="dev", data=data, labels={}, what="test")
    return SSA_ANNOTATION in made["metadata"].get("annotations", {})


def over(data: dict[str, str]) -> bool:
    return len(json.dumps(data).encode()) + 1024 > SSA_THRESHOLD_BYTES


@pytest.mark.parametrize("seed", range(6))
def test_marked_exactly_when_the_escaped_data_is_over_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["a", '"', "\\", "\n", "\x01", "é", "😀"]
    for _ in range(20):
        # Sizes around the limit once escaped: quotes and backslashes double, control characters take six bytes,
        # non-ASCII ones six or twelve.
        chosen = rng.sample(alphabet, rng.randint(1, len(alphabet)))  # all ASCII now and then
        weights = [rng.random() for _ in chosen]
        text = "".join(rng.choices(chosen, weights, k=rng.randint(10_000, 270_000)))
        data = {f"d{index}.json": text[index::2] for index in range(2)}
        assert marked(data) == over(data), f"seed {seed}"


def test_plain_data_well_below_the_limit_is_not_marked() -> None:
    assert not marked({"a.json": "x" * 40_000})
    assert marked({"a.json": '"' * 140_000})  # 140,000 characters, 280,000 bytes escaped
