"""The diff package's surface: sorted, resolvable `__all__` in every module; nothing heavy at import."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import dashctl.diff

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(dashctl.diff.__path__, prefix="dashctl.diff.")
) + ["dashctl.diff"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name):
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    assert [item for item in exported if not hasattr(module, item)] == []


def test_importing_the_library_loads_neither_click_nor_grafanalib():
    code = "import sys, dashctl.diff; print(sorted(m for m in ('click', 'grafanalib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
