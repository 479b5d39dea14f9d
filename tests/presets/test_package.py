"""The presets package's surface: every module's `__all__` sorted and resolvable, so `from ... import` never breaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import dashctl.presets

MODULES = ["dashctl.presets", "dashctl.dashboards.units"] + [
    f"dashctl.presets.{info.name}" for info in pkgutil.iter_modules(dashctl.presets.__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name):
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    assert [item for item in exported if not hasattr(module, item)] == []
