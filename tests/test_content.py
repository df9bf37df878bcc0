"""The knowledge base itself: every reference checked, every concept reachable.

Each concept's references were confirmed against their records in a fact-check done
apart from the writing; ``tests/content/reference-checks/<id>.yml`` keeps where. These
tests hold that evidence to the front matter as it is now: a reference edited or added
after the check fails here until it is checked again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from conceptkb.checker import lint
from conceptkb.settings import from_mkdocs_yml

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "tests" / "content" / "reference-checks"
CONCEPT_FILES = sorted((ROOT / "concepts").glob("*.md"))


def front_matter(path: Path) -> dict[str, Any]:
    _, front, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    data: dict[str, Any] = yaml.safe_load(front)
    return data


@pytest.fixture(scope="module")
def result() -> Any:
    return lint(from_mkdocs_yml(ROOT / "mkdocs.yml"))


def test_the_knowledge_base_lints_clean(result: Any) -> None:
    # Every entry has been reviewed: a stale or missing review fails this test too.
    # Notes count too: an unlinked mention (CK307) is linked with --fix-mentions.
    assert [f"{f.location()}: {f.code} {f.message}" for f in result.findings] == []
    assert len(result.index) == len(CONCEPT_FILES)


@pytest.mark.parametrize("path", CONCEPT_FILES, ids=[p.stem for p in CONCEPT_FILES])
def test_every_reference_was_checked_against_its_record(path: Path) -> None:
    evidence_file = CHECKS / f"{path.stem}.yml"
    assert evidence_file.is_file(), f"no fact-check evidence for {path.name}"
    evidence = yaml.safe_load(evidence_file.read_text(encoding="utf-8"))
    assert evidence["concept"] == path.stem
    references = front_matter(path).get("references", [])
    assert references, f"{path.name} cites nothing"
    checked = evidence["references"]
    assert len(checked) == len(references), "references added or removed since the check"
    for reference, record in zip(references, checked, strict=True):
        for key in ("url", "title", "authors", "year"):
            assert record.get(key) == reference.get(key), (key, reference["title"])
        address = urlsplit(str(record["record"]))
        assert address.scheme in ("http", "https") and address.netloc, record["record"]
    # The reviewed date a reader sees is the day of the recorded check.
    assert str(front_matter(path).get("reviewed")) == str(evidence["checked"])


@pytest.mark.parametrize("path", CONCEPT_FILES, ids=[p.stem for p in CONCEPT_FILES])
def test_every_concept_is_reached_from_at_least_two_others(path: Path, result: Any) -> None:
    sources = result.index.links_of(path.stem)
    assert len(sources) >= 2, f"{path.stem} is linked only from {sorted(sources)}"


def test_no_evidence_for_concepts_that_do_not_exist() -> None:
    ids = {p.stem for p in CONCEPT_FILES}
    assert {p.stem for p in CHECKS.glob("*.yml")} <= ids
