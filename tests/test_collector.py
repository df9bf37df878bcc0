"""The lint and the garbage collector: the collector is as it was after a run, and what
the run made is counted as old rather than walked by the next collection."""

from __future__ import annotations

import gc
from pathlib import Path

from conceptkb.checker import lint
from conceptkb.settings import Settings

CONCEPT = (
    "---\ntitle: {title}\nsummary: {title} is a concept used to test the collector.\n"
    "category: concept\n---\n## About\n\nText.\n"
)


def _kb(tmp_path: Path) -> Settings:
    concepts = tmp_path / "concepts"
    concepts.mkdir()
    for name in ("alpha", "beta"):
        (concepts / f"{name}.md").write_text(CONCEPT.format(title=name.title()), "utf-8")
    return Settings(concepts_dir=concepts, base_dir=tmp_path)


def _in_generation(obj: object, generation: int) -> bool:
    return any(found is obj for found in gc.get_objects(generation=generation))


def test_what_a_run_made_is_old_and_the_collector_runs_again(tmp_path: Path) -> None:
    settings = _kb(tmp_path)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    result = lint(settings)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert _in_generation(result.index.concepts, 2)


def test_a_collector_turned_off_stays_off(tmp_path: Path) -> None:
    settings = _kb(tmp_path)
    gc.disable()
    try:
        lint(settings)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_frozen_by_someone_else_stay_frozen(tmp_path: Path) -> None:
    settings = _kb(tmp_path)
    frozen_here = [tmp_path]  # tracked by the collector, then frozen with the rest
    gc.freeze()
    try:
        result = lint(settings)
        assert gc.get_freeze_count() > 0
        # Still in the permanent generation: in none of the three the collector walks.
        # (The count alone may drop by what another thread frees meanwhile.)
        assert not any(found is frozen_here for found in gc.get_objects())
        assert result.index.concepts
    finally:
        gc.unfreeze()


def test_a_serve_session_leaves_the_collections_alone(tmp_path: Path) -> None:
    from conceptkb.readcache import ReadCache

    settings = _kb(tmp_path)
    gc.collect()
    result = lint(settings, cache=ReadCache())
    assert gc.isenabled()
    gc.disable()  # no collection moves it while it is looked for
    try:
        assert not _in_generation(result.index.concepts, 2)
    finally:
        gc.enable()
