"""Nothing is lost between the concept files and the site.

Every concept file yields exactly one page, one entry on the A-Z index, one record in
concepts.json and one search entry; every alias and former id yields a redirect page
to it; and a build never succeeds with fewer concept pages than concept files.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conceptkb import checker
from conceptkb.names import slugify

from .conftest import K8S_CATEGORIES, K8S_CORPUS, ROOT, Built, Project

_REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]*)"')


def _concept_ids(concepts: Path) -> list[str]:
    return sorted(p.stem for p in concepts.glob("*.md"))


def assert_nothing_lost(built: Built, concepts: Path) -> None:
    """The site holds exactly one page, index entry, record and search entry per file."""
    assert built.ok, built.error + built.log[-3000:]
    ids = _concept_ids(concepts)
    files = [p for p in concepts.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(files) == len(ids), "the corpus holds files that are not concepts"
    site = built.site_dir

    # one page per concept file
    for concept_id in ids:
        page = built.html(f"concepts/{concept_id}/")
        assert page.select_one(".ck-concept")["data-concept"] == concept_id

    # one A-Z index entry per concept, linking its page (aliases are extra entries)
    index = built.html("concepts/")
    entries = index.select(".ck-entry:not(.ck-alias) dt a")
    targets = sorted(a["href"].strip("/").split("/")[0] for a in entries)
    assert targets == ids
    count = index.select_one("[data-ck-count]")
    assert count is not None and count.get_text().split()[0] == str(len(ids))

    # one concepts.json record per concept
    export = json.loads((site / "concepts.json").read_text(encoding="utf-8"))
    assert export["count"] == len(ids)
    records = {record["id"]: record for record in export["concepts"]}
    assert sorted(records) == ids

    # one search entry per concept page
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {d["location"] for d in search["docs"] if "#" not in d["location"]}
    assert {f"concepts/{concept_id}/" for concept_id in ids} <= pages

    # a redirect page for every alias and former id
    redirects = 0
    for concept_id, record in records.items():
        slugs = [slugify(alias) for alias in record["aliases"]] + record["former_ids"]
        for slug in slugs:
            if slug in ("", concept_id):  # no URL of its own, or the page itself
                continue
            target = site / "concepts" / slug / "index.html"
            assert target.is_file(), f"no redirect page for {slug!r} ({concept_id})"
            match = _REFRESH.search(target.read_text(encoding="utf-8"))
            assert match is not None and match.group(1) == f"../{concept_id}/", (slug, match)
            redirects += 1
    generated = {"categories", "tags"}
    page_dirs = {p.parent.name for p in (site / "concepts").glob("*/index.html")}
    assert len(page_dirs - generated) == len(ids) + redirects


def test_small_kb_with_former_ids(small_kb: Project) -> None:
    assert_nothing_lost(small_kb.build(), small_kb.concepts)
    assert (small_kb.root / "site" / "concepts" / "low-rank-adapters" / "index.html").is_file()


def test_the_projects_own_concepts(
    project: Project, copy_tree: Callable[[Path, Path], Path]
) -> None:
    copy_tree(ROOT / "concepts", project.concepts)
    assert len(_concept_ids(project.concepts)) >= 20
    assert_nothing_lost(project.build(), project.concepts)


def test_the_kubernetes_glossary(project: Project, copy_tree: Callable[[Path, Path], Path]) -> None:
    copy_tree(K8S_CORPUS / "concepts", project.concepts)
    assert len(_concept_ids(project.concepts)) >= 100
    project.config({"categories": K8S_CATEGORIES, "severity": {"CK3": "off"}})
    assert_nothing_lost(project.build(), project.concepts)


def test_one_broken_file_fails_the_build(small_kb: Project) -> None:
    small_kb.write("concepts/broken.md", "---\ntitle: Broken\n")
    built = small_kb.build()
    assert not built.ok
    assert re.search(r"concepts/broken\.md:1:1: CK005 ", built.log), built.log
    assert not built.exists("concepts/lora/")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", "not a concept\n"),
        ("Bad Name.md", "---\ntitle: x\n---\n"),
        ("con.md", "---\ntitle: x\n---\n"),
    ],
)
def test_a_file_that_is_not_a_concept_fails_the_build(
    small_kb: Project, name: str, content: str
) -> None:
    small_kb.write(f"concepts/{name}", content)
    built = small_kb.build()
    assert not built.ok
    assert re.search(rf"concepts/{re.escape(name)}:1:1: CK1?0\d+ ", built.log), built.log


def test_a_concept_dropped_without_a_finding_still_fails_the_build(
    small_kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the linter ever lose a file silently, the plugin must not build without it."""
    small_kb.concept(
        "extra",
        "Extra",
        related=["lora"],
        references=[{"title": "Paper", "url": "https://arxiv.org/abs/0000.00009"}],
        body="## Idea\n\nLinked from nowhere, linking [[lora]].\n",
    )
    assert small_kb.build().ok
    read = checker._Run.read

    def lossy(self: Any, path: Path) -> None:
        if path.stem != "extra":
            read(self, path)

    monkeypatch.setattr(checker._Run, "read", lossy)
    built = small_kb.build()
    assert not built.ok
    assert "loses entries" in built.error + built.log
    assert not built.exists("concepts/lora/")


def test_a_rebuild_after_removing_a_file_drops_only_that_page(small_kb: Project) -> None:
    assert small_kb.build().ok
    (small_kb.concepts / "prompting.md").unlink()
    text = (small_kb.concepts / "fine-tuning.md").read_text(encoding="utf-8")
    (small_kb.concepts / "fine-tuning.md").write_text(
        text.replace("related:\n- prompting\n", "").replace("[[Prompting|prompts]]", "prompts"),
        encoding="utf-8",
    )
    lora = (small_kb.concepts / "lora.md").read_text(encoding="utf-8")
    (small_kb.concepts / "lora.md").write_text(
        lora.replace(" Compare [[prompting]].", ""), encoding="utf-8"
    )
    small_kb.write("docs/index.md", "# Home\n\nStart with [[lora]].\n")
    built = small_kb.build()
    assert_nothing_lost(built, small_kb.concepts)
    assert not built.exists("concepts/prompting/")


def test_hidden_files_are_not_concepts(small_kb: Project) -> None:
    """Editors' swap and backup files are ignored, and do not count as lost entries."""
    small_kb.write("concepts/.lora.md.swp", b"\x00\x01binary swap")
    small_kb.write("concepts/.hidden/notes.md", "scratch\n")
    built = small_kb.build()
    assert built.ok, built.log
    shutil.rmtree(small_kb.concepts / ".hidden")
    (small_kb.concepts / ".lora.md.swp").unlink()
    assert_nothing_lost(built, small_kb.concepts)
