"""What a concept page tells a reader beyond its text: freshness, status, its map.

Each is checked in a real MkDocs build and in the tree `conceptkb generate` writes for
other engines, rendered as the engine renders it.
"""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from .conftest import Built, Project, run
from .test_generate import render
from .test_plugin_build import concept_page


@pytest.fixture
def statuses(kb: Project) -> Project:
    kb.concept(
        "qlora",
        "QLoRA",
        summary="QLoRA fine-tunes a quantised model through LoRA adapters.",
        body="Builds on [[lora]].\n",
        category="technique",
        broader=["peft"],
        references=[{"title": "Paper D", "url": "https://arxiv.org/abs/2305.14314"}],
        status="draft",
    )
    kb.concept(
        "adapters-old",
        "Old adapters",
        summary="Old adapters was an earlier name for this family of methods.",
        body="Superseded.\n",
        category="technique",
        status="deprecated",
        superseded_by="peft",
        related=["lora"],
        references=[{"title": "Paper E", "url": "https://arxiv.org/abs/1902.00751"}],
    )
    return kb


def _built(project: Project) -> Built:
    built = project.build()
    assert built.ok, built.error + built.log
    return built


def test_the_page_says_when_the_entry_was_last_reviewed(kb: Project) -> None:
    page = concept_page(_built(kb), "lora")
    when = page.select_one(".ck-reviewed time")
    assert when is not None and when["datetime"] == "2026-06-01"
    kb.concept(
        "prompting",
        "Prompting",
        body="Cheaper than [[fine-tuning]].\n",
        references=[{"title": "Paper C", "url": "https://example.org/c"}],
        aliases=["Prompt design"],
        reviewed=None,
    )
    page = concept_page(_built(kb), "prompting")
    assert page.select_one(".ck-reviewed").get_text(strip=True) == "Not reviewed yet"


def test_drafts_are_marked_and_left_out_of_lists_search_and_maps(statuses: Project) -> None:
    built = _built(statuses)
    draft = concept_page(built, "qlora")
    assert draft.select_one(".ck-badge-draft") is not None
    index = BeautifulSoup((built.site_dir / "concepts/index.html").read_text(), "html.parser")
    assert "QLoRA" not in index.select_one("article").get_text()
    category = built.site_dir / "concepts/categories/technique/index.html"
    assert "QLoRA" not in category.read_text(encoding="utf-8")
    search = json.loads((built.site_dir / "search/search_index.json").read_text())
    assert not [d for d in search["docs"] if d["location"].startswith("concepts/qlora/")]
    lora_map = concept_page(built, "lora").select_one("svg.ck-map")
    assert lora_map is not None and "QLoRA" not in lora_map.get_text()
    # The draft's own page still shows its neighbourhood.
    assert "LoRA" in draft.select_one("svg.ck-map").get_text()


def test_show_drafts_lists_them(statuses: Project) -> None:
    statuses.config({"show_drafts": True})
    built = _built(statuses)
    index = BeautifulSoup((built.site_dir / "concepts/index.html").read_text(), "html.parser")
    assert "QLoRA" in index.select_one("article").get_text()


def test_a_deprecated_entry_names_its_successor(statuses: Project) -> None:
    page = concept_page(_built(statuses), "adapters-old")
    banner = page.select_one(".ck-deprecated")
    assert banner is not None
    link = banner.select_one("a.ck-link")
    assert link.get_text() == "Parameter-efficient fine-tuning (PEFT)"
    assert link["href"] == "../peft/"


def test_the_concept_map_links_every_neighbour(kb: Project) -> None:
    page = concept_page(_built(kb), "lora")
    drawing = page.select_one("figure.ck-map-figure svg.ck-map")
    assert drawing is not None
    targets = {a.get("xlink:href") or a.get("href") for a in drawing.select("a")}
    assert "../peft/" in targets and "../fine-tuning/" in targets
    toc = [a.get_text(strip=True) for a in page.select("nav.md-nav--secondary a")]
    assert "Concept map" in toc


def test_the_map_is_placed_in_the_output_once_and_search_never_sees_it(kb: Project) -> None:
    built = _built(kb)
    raw = (built.site_dir / "concepts/lora/index.html").read_text(encoding="utf-8")
    assert raw.count('<svg class="ck-map"') == 1
    assert "ck-map-slot" not in raw
    drawing = concept_page(built, "lora").select_one("figure.ck-map-figure > svg.ck-map")
    assert drawing is not None and drawing.select_one("title").get_text().startswith("Concept map")
    index = (built.site_dir / "search/search_index.json").read_text(encoding="utf-8")
    assert "Concept map of" not in index
    sections = [e for e in json.loads(index)["docs"] if e["location"].endswith("#ck-map")]
    assert sections and all(e["text"] == "" for e in sections)


def test_a_plugin_that_removes_the_map_s_place_fails_the_build(kb: Project) -> None:
    kb.write(
        "hooks.py",
        "from mkdocs.plugins import event_priority\n\n"
        "@event_priority(200)\n"
        "def on_post_page(output, page, config):\n"
        "    return output.replace('<span class=\"ck-map-slot\"></span>', '')\n",
    )
    kb.config(hooks=["hooks.py"])
    built = kb.build()
    assert not built.ok
    assert "removed the concept map's place" in built.log
    assert "first concepts/" in built.log


def test_the_generated_tree_shows_the_same(
    statuses: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    draft = render(statuses.root, "concepts/qlora.md")
    assert draft.select_one(".ck-badge-draft") is not None
    old = render(statuses.root, "concepts/adapters-old.md")
    assert old.select_one(".ck-deprecated a.ck-link")["href"] == "peft.md"
    lora = render(statuses.root, "concepts/lora.md")
    assert lora.select_one(".ck-reviewed time")["datetime"] == "2026-06-01"
    assert "QLoRA" not in lora.select_one("svg.ck-map").get_text()
    index = render(statuses.root, "concepts/index.md")
    assert "QLoRA" not in index.get_text()
