"""The benchmark's baseline of the build target is the same site written as plain
Markdown: built by plain MkDocs, each concept page shows the sections, the concept map
and the links of the page conceptkb builds from the same concepts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from bs4 import BeautifulSoup, Tag
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
N = 40


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    generate = _generator()
    root = tmp_path_factory.mktemp("bench")
    entries = generate.generate(N, seed=3)
    generate.write_plugin_site(entries, root / "plugin")
    maps = generate.drawn_maps(root / "plugin" / "concepts")
    generate.write_baseline_site(entries, root / "every", full=True, maps=maps)
    for name in ("plugin", "every"):
        build(load_config(str(root / name / "mkdocs.yml"), site_dir=str(root / name / "site")))
    return root / "plugin" / "site", root / "every" / "site", [e.id for e in entries]


def _article(site: Path, concept_id: str) -> Tag:
    page = site / "concepts" / concept_id / "index.html"
    article = BeautifulSoup(page.read_text("utf-8"), "html.parser").find("article")
    assert isinstance(article, Tag)
    return article


def _headings(article: Tag) -> list[str]:
    return [h.get_text(" ", strip=True) for h in article.find_all(["h1", "h2", "summary"])]


def _links(article: Tag) -> set[str]:
    return {str(a["href"]) for a in article.find_all("a", href=True) if a["href"] != "#"}


def test_every_concept_page_shows_the_same_sections_map_and_links(
    sites: tuple[Path, Path, list[str]],
) -> None:
    plugin, every, ids = sites
    assert len(ids) == N
    for concept_id in ids:
        ours, theirs = _article(plugin, concept_id), _article(every, concept_id)
        assert _headings(theirs) == _headings(ours), concept_id
        drawn = [str(svg) for svg in ours.select("svg.ck-map")]
        assert drawn, concept_id
        assert [str(svg) for svg in theirs.select("svg.ck-map")] == drawn, concept_id
        assert _links(theirs) == _links(ours), concept_id
        for part in ("Also known as", "Category:", "Tags:", "Cite this page", "@misc{"):
            assert (part in theirs.get_text()) == (part in ours.get_text()), (concept_id, part)
