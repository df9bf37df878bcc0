"""Letting go of what a build no longer reads, and giving the freed memory back to the
system."""

from __future__ import annotations

import json
import sys
from typing import Any

import mkdocs.commands.build as build_module
import pytest
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conceptkb.mkdocs_plugin import heap
from conceptkb.mkdocs_plugin.site import Site

from .conftest import SMALL_KB, Project, resident_bytes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    # Chunks of a page's content size come from the C library's heap, not from pages
    # mapped for each one: freed, they stay in the process until trimmed. Every other
    # chunk stays alive, so the heap cannot shrink from its top alone.
    chunks = [bytes(12_000) for _ in range(8_000)]  # zeroed when made: resident
    kept = chunks[::2]
    del chunks
    before = resident_bytes() // 1024
    assert heap.give_back()
    after = resident_bytes() // 1024
    assert before - after > 20_000, (before, after)  # about 46 MiB were freed
    assert len(kept) == 4_000


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_single_build_lets_the_concepts_texts_go_before_the_pages_are_built(
    small_kb: Project, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every page is converted, a single build reads no concept's texts again: it
    lets them go before the first page is built, and its pages still show them. A
    serve session keeps its readings for the next rebuild."""
    events: list[str] = []
    release, render = Site.release_texts, Site.render_page

    def releasing(self: Site) -> None:
        events.append("release")
        release(self)

    def rendering(self: Site, *args: Any) -> str:
        events.append("page")
        return render(self, *args)

    monkeypatch.setattr(Site, "release_texts", releasing)
    monkeypatch.setattr(Site, "render_page", rendering)
    small_kb.config()
    small_kb.docs.mkdir(exist_ok=True)
    site_dir = small_kb.root / "site"
    config = load_config(str(small_kb.root / "mkdocs.yml"), site_dir=str(site_dir))
    plugin = config.plugins["conceptkb"]
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    concepts = plugin._result.index.concepts
    kept = {cid: bool(c.body and c.masked_body and c.links) for cid, c in concepts.items()}
    assert kept == dict.fromkeys(concepts, command == "serve")
    assert events[: events.index("page") + 1] == (
        ["page"] if command == "serve" else ["release", "page"]
    )
    page = (site_dir / "concepts" / "lora" / "index.html").read_text(encoding="utf-8")
    body = BeautifulSoup(page, "html.parser").select_one(".ck-body")
    assert body is not None
    assert "Compare Prompting" in " ".join(body.get_text().split())


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_single_build_writes_the_exports_before_converting_the_pages(
    small_kb: Project, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held until MkDocs writes them after converting every page, the exports were
    26 MB at N = 5,000 beside every page's content. A single build writes them into
    the site folder at once; a serve session keeps their contents, whose digests tell
    its next rebuild which to write again."""
    small_kb.config()
    small_kb.docs.mkdir(exist_ok=True)
    small_kb.write("docs/index.md", "# Home\n")
    site_dir = small_kb.root / "site"
    seen: dict[str, bool] = {}
    populate = build_module._populate_page

    def first_page(page: Any, *args: Any, **kwargs: Any) -> None:
        seen.setdefault("exports", (site_dir / "concepts.json").is_file())
        populate(page, *args, **kwargs)

    monkeypatch.setattr(build_module, "_populate_page", first_page)
    config = load_config(str(small_kb.root / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    assert seen == {"exports": command == "build"}
    export = json.loads((site_dir / "concepts.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in export["concepts"]} == set(SMALL_KB)
    assert "LoRA" in (site_dir / "llms-full.txt").read_text(encoding="utf-8")
