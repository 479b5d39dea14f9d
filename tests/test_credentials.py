"""The secrets scan of compiled objects (alert rules, policies, mute timings)."""

from __future__ import annotations

import random
from enum import Enum

import pytest

from dashctl.credentials import looks_like_secret, scan_for_secrets, string_leaves

_TEXTS = ("ok", "sum(rate(x[5m]))", "xoxb-1234567890abcdef", "https://user:pass@example.com/", "$__env{TOKEN}",
          "Bearer abcdefghijklmnopqrstuv", "AKIAABCDEFGHIJKLMNOP", "see https://example.com/a", "")


class _Named(str, Enum):
    TOKEN = "xoxp-1234567890abcdef"


def _value(rng: random.Random, depth: int) -> object:
    kind = rng.random()
    if depth > 3 or kind < 0.45:
        return rng.choice([*_TEXTS, 1, 2.5, True, None, _Named.TOKEN])
    if kind < 0.75:
        return {rng.choice(("a", "b", "url", "token", 7)): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return tuple(items) if rng.random() < 0.3 else items


@pytest.mark.parametrize("seed", range(3))
def test_the_scan_finds_what_a_check_of_every_string_leaf_finds(seed: int) -> None:
    # The scan looks for any known format first without spelling out paths: the same findings, in the same order.
    rng = random.Random(seed)
    found = 0
    for _ in range(800):
        value = _value(rng, 0)
        expected = [(where, kind) for where, text in string_leaves(value, "rule")
                    if (kind := looks_like_secret(text))]
        assert list(scan_for_secrets(value, "rule")) == expected, f"seed {seed}: {value!r}"
        found += bool(expected)
    assert found > 50, f"seed {seed}: too few values with a secret ({found}) to say anything"
