"""The garbage collector during a build (conceptkb.mkdocs_plugin.collector): what a
build sets aside is given back, and a session collects each rebuild's garbage exactly
once, when idle or at the next rebuild, never in the rebuild that shows an edit."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from conceptkb.mkdocs_plugin import collector
from conceptkb.mkdocs_plugin.collector import BuildCollector


class Node:
    """An object in a reference cycle: only a collection frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The full collections that run while the test does, automatic ones turned off."""
    full: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])

    gc.collect()
    gc.disable()
    gc.callbacks.append(count)
    try:
        yield full
    finally:
        gc.callbacks.remove(count)
        gc.enable()
        gc.unfreeze()


def _garbage_while_held(keeper: BuildCollector) -> weakref.ref[Node]:
    """A cycle made before the build holds, dropped while it renders: the rebuild's
    garbage, set aside with everything else until the build gives it back."""
    node = Node()
    keeper.hold()
    assert gc.get_freeze_count() > 0
    ref = weakref.ref(node)
    del node
    keeper.release()
    assert gc.get_freeze_count() == 0
    return ref


def _wait_for(ref: weakref.ref[Node], collections: list[int], seconds: float) -> bool:
    """Whether a collection (on another thread) has ended and freed the object."""
    deadline = time.monotonic() + seconds
    while (ref() is not None or not collections) and time.monotonic() < deadline:
        time.sleep(0.01)
    return ref() is None and bool(collections)


def test_a_single_build_gives_back_what_it_set_aside_and_collects_nothing(
    collections: list[int],
) -> None:
    keeper = BuildCollector(session=False, idle=0.0)
    ref = _garbage_while_held(keeper)
    time.sleep(0.1)
    assert ref() is not None and collections == []
    keeper.release()  # a second release (a failed build's) does nothing
    assert gc.get_freeze_count() == 0


def test_a_session_collects_a_rebuilds_garbage_once_idle(collections: list[int]) -> None:
    keeper = BuildCollector(session=True, idle=0.05)
    ref = _garbage_while_held(keeper)
    assert ref() is not None  # not in the rebuild itself
    assert _wait_for(ref, collections, 10.0)
    assert len(collections) == 1
    keeper.hold()  # the next rebuild finds nothing due
    keeper.release()
    keeper.close()
    assert len(collections) == 1


def test_a_rebuild_before_the_idle_collection_runs_it_first(collections: list[int]) -> None:
    keeper = BuildCollector(session=True, idle=3600.0)
    ref = _garbage_while_held(keeper)
    assert ref() is not None
    keeper.hold()  # a save soon after the last one
    assert ref() is None and len(collections) == 1
    keeper.release()
    keeper.close()  # the session ends: the pending collection is dropped
    assert gc.get_freeze_count() == 0 and len(collections) == 1


def test_the_idle_time_is_read_when_a_session_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "IDLE", 3600.0)
    keeper = BuildCollector(session=True)
    keeper.hold()
    keeper.release()
    timer = keeper._timer
    assert timer is not None and timer.interval == 3600.0 and timer.daemon
    keeper.close()
    assert not timer.is_alive() or timer.finished.is_set()
