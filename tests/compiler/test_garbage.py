"""The build's garbage collector setting: raised inside the block, restored after, never lowered."""

from __future__ import annotations

import gc

import pytest

from dashctl.compiler.garbage import BUILD_THRESHOLD, fewer_collections


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_threshold_raised_inside_and_restored_after_even_on_error(thresholds) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError):
        with fewer_collections():
            assert gc.get_threshold() == (BUILD_THRESHOLD, 10, 10)
            raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_or_disabled_threshold_is_left_alone(thresholds) -> None:
    for setting in ((BUILD_THRESHOLD * 2, 5, 5), (0, 10, 10)):
        gc.set_threshold(*setting)
        with fewer_collections():
            assert gc.get_threshold() == setting
        assert gc.get_threshold() == setting


def test_as_a_decorator_each_call_restores(thresholds) -> None:
    gc.set_threshold(700, 10, 10)

    @fewer_collections()
    def build(depth: int) -> int:
        assert gc.get_threshold()[0] == BUILD_THRESHOLD
        return depth if depth == 0 else build(depth - 1)

    assert build(2) == 0
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_blocks_restore_the_thresholds_when_the_last_one_closes(thresholds) -> None:
    # Two builds in two threads: the first to finish must not put the default back under the other.
    gc.set_threshold(700, 10, 10)
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == BUILD_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)
