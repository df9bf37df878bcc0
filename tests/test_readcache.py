"""A session's lint reads again only the files that changed, and reports the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from conceptkb import checker
from conceptkb.readcache import ReadCache
from conceptkb.settings import Settings

from .conftest import Project, concept_text, write_small_kb


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the linter reads, in order."""
    read: list[str] = []
    original = checker.load

    def load(path: Path, *args: object, **kwargs: object) -> object:
        read.append(path.name)
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checker, "load", load)
    return read


def _summary(result: checker.LintResult) -> tuple[object, ...]:
    return (
        result.findings,
        sorted(result.index.concepts),
        {c.id: (c.title, c.summary, c.broader) for c in result.index.concepts.values()},
    )


def test_unchanged_files_are_not_read_again(project: Project, counted: list[str]) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    cache = ReadCache()
    first = checker.lint(settings, cache=cache)
    assert len(counted) == 4
    counted.clear()
    again = checker.lint(settings, cache=cache)
    assert counted == []
    assert _summary(again) == _summary(first)


def test_edits_additions_and_deletions_are_seen(project: Project, counted: list[str]) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    cache = ReadCache()
    checker.lint(settings, cache=cache)
    counted.clear()
    project.write("concepts/lora.md", concept_text("LoRA", body="See [[nowhere]].\n"))
    project.concept("extra", "Extra", body="Alone.\n")
    (project.concepts / "prompting.md").unlink()
    result = checker.lint(settings, cache=cache)
    assert sorted(counted) == ["extra.md", "lora.md"]
    assert _summary(result) == _summary(checker.lint(settings))
    assert "prompting" not in result.index.concepts


def test_other_settings_read_everything_again(project: Project, counted: list[str]) -> None:
    write_small_kb(project)
    cache = ReadCache()
    checker.lint(Settings(concepts_dir=project.concepts, base_dir=project.root), cache=cache)
    counted.clear()
    other = Settings(
        concepts_dir=project.concepts, base_dir=project.root, categories=("concept", "technique")
    )
    result = checker.lint(other, cache=cache)
    assert len(counted) == 4
    assert _summary(result) == _summary(checker.lint(other))
