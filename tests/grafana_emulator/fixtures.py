"""The pytest fixture for the Grafana emulator; `tests/conftest.py` imports it to make it available everywhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import GrafanaEmulator


@pytest.fixture
def grafana_emulator() -> Iterator[GrafanaEmulator]:
    """A running emulator for one test; afterwards it is stopped, and the test fails if the emulator hit an
    internal error (a 500 that real Grafana would not have sent) or left a thread running."""
    emulator = GrafanaEmulator()
    with emulator:
        yield emulator
    assert not emulator.threads(), f"emulator threads still running: {emulator.threads()}"
    assert not emulator.state.internal_errors, "the emulator failed:\n" + "\n".join(emulator.state.internal_errors)
