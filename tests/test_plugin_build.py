"""Real site builds into temp folders, checked by parsing the HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import mkdocs.commands.build as build_module
import pytest
from bs4 import BeautifulSoup
from mkdocs.structure.files import Files

from conceptkb.mkdocs_plugin.site import search_names
from conceptkb.schema import export_schema_text

from .conftest import K8S_CATEGORIES, K8S_CORPUS, SMALL_KB, Built, Project

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def concept_page(built: Built, concept_id: str, directory_urls: bool = True) -> BeautifulSoup:
    return built.html(
        f"concepts/{concept_id}/" if directory_urls else f"concepts/{concept_id}.html"
    )


def section_links(page: BeautifulSoup, section_id: str) -> list[str]:
    heading = page.find(id=section_id)
    if heading is None:
        return []
    items = heading.find_next_sibling("ul")
    return [a.get_text(strip=True) for a in items.select("a")]


def test_one_page_per_concept_with_its_sections(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error + built.log
    for concept_id in SMALL_KB:
        assert built.exists(f"concepts/{concept_id}/")
    page = concept_page(built, "lora")
    body = page.select_one(".ck-concept")
    assert body is not None
    assert body.select_one("h1").get_text(strip=True) == "LoRA"
    assert body.select_one(".ck-summary").get_text(strip=True) == SMALL_KB["lora"]["summary"]
    assert "Low-Rank Adaptation" in body.select_one(".ck-aliases").get_text()
    assert body.select_one("a.ck-category").get_text(strip=True) == "Technique"
    assert [a.get_text() for a in body.select("a.ck-tag")] == ["efficiency"]
    assert section_links(page, "ck-broader") == ["Parameter-efficient fine-tuning (PEFT)"]
    assert section_links(page, "ck-referenced-by") == [
        "Fine-tuning",
        "Parameter-efficient fine-tuning (PEFT)",
    ]
    reference = body.select_one(".ck-references li")
    assert "Edward J. Hu, Yelong Shen (2021)" in reference.get_text()
    assert reference.a["href"] == "https://arxiv.org/abs/2106.09685"
    assert body.select_one(".ck-back a")["href"] == "../"


def test_derived_relations(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    peft = concept_page(built, "peft")
    assert section_links(peft, "ck-narrower") == ["LoRA"]
    assert section_links(peft, "ck-broader") == ["Fine-tuning"]
    fine_tuning = concept_page(built, "fine-tuning")
    assert section_links(fine_tuning, "ck-narrower") == ["Parameter-efficient fine-tuning (PEFT)"]
    # related is written on fine-tuning only; the inverse is derived
    assert section_links(fine_tuning, "ck-related") == ["Prompting"]
    assert section_links(concept_page(built, "prompting"), "ck-related") == ["Fine-tuning"]
    # backlinks come from bodies
    assert section_links(concept_page(built, "prompting"), "ck-referenced-by") == [
        "Fine-tuning",
        "LoRA",
    ]


def test_wikilinks_resolve_to_pages_with_tooltips(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    page = concept_page(built, "fine-tuning")
    links = {a.get_text(): a for a in page.select(".ck-body a.ck-link")}
    assert links["LoRA"]["href"] == "../lora/"
    # The summary: the title of the link's text (the theme's hover tooltip) and the
    # link's data-ck-summary (summaries.js, on keyboard focus and tap).
    summary = SMALL_KB["lora"]["summary"]
    assert links["LoRA"]["data-ck-summary"] == summary
    assert [(c.name, c.attrs) for c in links["LoRA"].children] == [("span", {"title": summary})]
    assert "title" not in links["LoRA"].attrs
    assert links["prompts"]["href"] == "../prompting/"  # [[Prompting|prompts]] by title
    code = " ".join(c.get_text() for c in page.select(".ck-body code"))
    assert "[[not-a-link]]" in code and "[[also-not]]" in code
    peft = concept_page(built, "peft")
    alias_link = peft.find("a", string="Low-Rank Adaptation")  # [[Low-Rank Adaptation]] by alias
    assert alias_link["href"] == "../lora/"
    home = built.html("")
    assert [a["href"] for a in home.select("a.ck-link")] == [
        "concepts/lora/",
        "concepts/prompting/",
    ]


def test_index_lists_every_title_and_alias(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    index = built.html("concepts/")
    entries = index.select(".ck-entry")
    names = [e.dt.get_text(strip=True) for e in entries]
    expected = {spec["title"] for spec in SMALL_KB.values()}
    expected |= {a for spec in SMALL_KB.values() for a in spec.get("aliases", [])}
    assert set(names) == expected
    assert len(names) == len(expected)
    alias = next(e for e in entries if e.dt.get_text(strip=True) == "Low-Rank Adaptation")
    assert "ck-alias" in alias["class"]
    assert alias.dd.a["href"] == "lora/"
    assert alias.dd.a.get_text() == "LoRA"
    letters = [a.get_text() for a in index.select(".ck-letters a")]
    assert letters == sorted(set(letters)) == ["F", "L", "P"]
    for link in index.select(".ck-letters a"):
        assert index.find(id=link["href"][1:]) is not None
    assert {o["value"] for o in index.select("select[data-ck-filter=category] option")} >= {
        "technique",
        "practice",
    }


def test_tag_and_category_pages(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    tag = built.html("concepts/tags/efficiency/")
    assert [a.get_text() for a in tag.select(".ck-entry a")] == [
        "LoRA",
        "Parameter-efficient fine-tuning (PEFT)",
    ]
    category = built.html("concepts/categories/method-family/")
    assert {a.get_text() for a in category.select(".ck-entry a")} == {
        "Fine-tuning",
        "Parameter-efficient fine-tuning (PEFT)",
    }
    assert built.html("concepts/categories/risk/").find(string=lambda s: "No concept" in s)


def test_redirects_for_aliases_and_former_ids(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    for slug in ("low-rank-adaptation", "low-rank-adapters", "prompt-design", "peft-methods"):
        page = built.html(f"concepts/{slug}/")
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})
        target = "../prompting/" if slug == "prompt-design" else "../lora/"
        if slug == "peft-methods":
            target = "../peft/"
        assert refresh["content"] == f"0; url={target}"
        assert page.find("link", rel="canonical")["href"] == target


def test_concepts_json_is_complete_and_valid(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    data = json.loads((built.site_dir / "concepts.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(export_schema_text()))
    by_id = {c["id"]: c for c in data["concepts"]}
    assert set(by_id) == set(SMALL_KB)
    assert by_id["peft"]["narrower"] == ["lora"]
    assert by_id["prompting"]["related"] == ["fine-tuning"]
    assert by_id["lora"]["url"] == "concepts/lora/"
    assert by_id["lora"]["former_ids"] == ["low-rank-adapters"]
    served = json.loads((built.site_dir / "schema" / "export.schema.json").read_text())
    assert served == json.loads(export_schema_text())
    assert (built.site_dir / "schema" / "concept.schema.json").is_file()


def test_files_written_after_the_first_page_keep_their_content(
    small_kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generated files' contents are let go once written (MkDocs writes them before
    the first page); an engine that wrote them later still gets them whole."""
    deferred: list[tuple[Files, Any, Any]] = []
    copy, build_page = Files.copy_static_files, build_module._build_page

    def later(self: Files, dirty: bool = False, *, inclusion: Any = None) -> None:
        deferred.append((self, dirty, inclusion))

    def page_then_files(*args: Any, **kwargs: Any) -> None:
        build_page(*args, **kwargs)
        while deferred:
            files, dirty, inclusion = deferred.pop()
            copy(files, dirty=dirty, inclusion=inclusion)

    monkeypatch.setattr(Files, "copy_static_files", later)
    monkeypatch.setattr(build_module, "_build_page", page_then_files)
    built = small_kb.build()
    assert built.ok, built.error
    data = json.loads((built.site_dir / "concepts.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in data["concepts"]} == set(SMALL_KB)
    assert "LoRA" in (built.site_dir / "llms-full.txt").read_text(encoding="utf-8")


def test_json_ld_on_concept_and_index_pages(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    script = concept_page(built, "lora").find("script", type="application/ld+json")
    term = json.loads(script.string)
    assert term["@type"] == "DefinedTerm"
    assert term["name"] == "LoRA"
    assert term["alternateName"] == ["Low-Rank Adaptation"]
    term_set = json.loads(built.html("concepts/").find("script", type="application/ld+json").string)
    assert term_set["@type"] == "DefinedTermSet"
    assert len(term_set["hasDefinedTerm"]) == len(SMALL_KB)


def test_search_index_holds_aliases_and_boosts_concepts(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    index = json.loads((built.site_dir / "search" / "search_index.json").read_text())
    assert index["config"]["fields"]["aliases"]["boost"] >= 100
    page = next(d for d in index["docs"] if d["location"] == "concepts/lora/")
    assert page["boost"] == 2.0
    # one short entry per name: the title and each alias, with the summary as text
    names = [d for d in index["docs"] if d["location"].startswith("concepts/lora/#ck-name-")]
    assert [d["aliases"] for d in names] == ["LoRA", "Low-Rank Adaptation"]
    assert all(d["boost"] > page["boost"] for d in names)
    # the shorter name ranks higher, by the square root of the number of words
    assert names[0]["boost"] / names[1]["boost"] == pytest.approx(3**0.5)
    assert all(d["text"] == SMALL_KB["lora"]["summary"] for d in names)
    assert "Low-Rank Adaptation" in " ".join(
        d["text"] for d in index["docs"] if d["location"].startswith("concepts/lora/")
    )
    assert not any(d["location"] == "concepts/" for d in index["docs"])


@pytest.mark.parametrize(
    ("title", "aliases", "names"),
    [
        ("LoRA", ["Low-Rank Adaptation"], ["LoRA", "Low-Rank Adaptation"]),
        # A title that spells out its short form is two names; a repeat is dropped
        # whatever its case and punctuation.
        (
            "RAG (Retrieval-Augmented Generation)",
            ["Retrieval-augmented generation"],
            ["RAG", "Retrieval-Augmented Generation"],
        ),
        (
            "Supervised fine-tuning (SFT)",
            ["SFT", "Supervised finetuning"],
            ["Supervised fine-tuning", "SFT", "Supervised finetuning"],
        ),
        # Parentheses that do not close the title, or nest, leave it one name.
        ("Q (and A) pairs", [], ["Q (and A) pairs"]),
        ("A (B (C))", [], ["A (B (C))"]),
    ],
)
def test_search_names(title: str, aliases: list[str], names: list[str]) -> None:
    assert search_names(title, aliases) == names


def test_strict_build_fails_on_a_warning(small_kb: Project) -> None:
    small_kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    assert small_kb.build(strict=False).ok
    built = small_kb.build(strict=True)
    assert not built.ok
    assert "concepts/lonely.md:1:1: CK301" in built.log


def test_broken_entry_fails_the_build_with_file_and_line(small_kb: Project) -> None:
    path = small_kb.concepts / "lora.md"
    path.write_text(path.read_text().replace("category: technique", "category: technic"))
    built = small_kb.build()
    assert not built.ok
    assert "concepts/lora.md:4:11: CK103 category 'technic'" in built.log
    assert "did you mean 'technique'?" in built.log
    assert not (built.site_dir / "concepts" / "lora").exists()


def test_unknown_wikilink_in_a_docs_page_is_a_warning_with_its_line(small_kb: Project) -> None:
    small_kb.write("docs/guide.md", "---\ntitle: Guide\n---\n# Guide\n\nSee [[lorra]].\n")
    built = small_kb.build()
    assert not built.ok
    assert "guide.md:6:5: CK201 wikilink [[lorra]] names no known concept" in built.log
    assert "did you mean 'lora'?" in built.log


@pytest.mark.parametrize("directory_urls", [True, False])
def test_relative_links_in_both_url_modes(small_kb: Project, directory_urls: bool) -> None:
    built = small_kb.build(use_directory_urls=directory_urls)
    assert built.ok, built.error
    page = concept_page(built, "lora", directory_urls)
    hrefs = [a["href"] for a in page.select(".ck-concept a[href]") if "://" not in a["href"]]
    assert hrefs
    base = built.site_dir / ("concepts/lora/" if directory_urls else "concepts/")
    for href in hrefs:
        target = (base / href.split("#")[0]).resolve()
        if href.endswith("/") or target.is_dir():
            target = target / "index.html"
        assert target.is_file(), href
    if not directory_urls:
        assert page.select_one(".ck-back a")["href"] == "index.html"
        redirect = built.html("concepts/low-rank-adaptation.html")
        assert (
            redirect.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=lora.html"
        )


def test_sub_path_site_url(small_kb: Project) -> None:
    small_kb.config(site_url="https://example.org/docs/kb/")
    built = small_kb.build()
    assert built.ok, built.error
    page = concept_page(built, "lora")
    assert page.select_one(".ck-body a.ck-link")["href"] == "../peft/"
    term = json.loads(page.find("script", type="application/ld+json").string)
    assert term["url"] == "https://example.org/docs/kb/concepts/lora/"
    assert term["inDefinedTermSet"] == "https://example.org/docs/kb/concepts/"
    term_set = json.loads(built.html("concepts/").find("script", type="application/ld+json").string)
    assert term_set["url"] == "https://example.org/docs/kb/concepts/"
    assert {t["url"] for t in term_set["hasDefinedTerm"]} == {
        f"https://example.org/docs/kb/concepts/{concept_id}/" for concept_id in SMALL_KB
    }
    redirect = built.html("concepts/low-rank-adaptation/")
    assert redirect.find("link", rel="canonical")["href"] == (
        "https://example.org/docs/kb/concepts/lora/"
    )
    assert redirect.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../lora/"


@pytest.mark.parametrize("directory_urls", [True, False], ids=["directory-urls", "no-directory"])
def test_sitemap_lists_every_page_at_its_absolute_url(
    small_kb: Project, directory_urls: bool
) -> None:
    site_url = "https://example.org/docs/kb/"
    small_kb.config(site_url=site_url, use_directory_urls=directory_urls)
    built = small_kb.build()
    assert built.ok, built.error
    sitemap = ElementTree.parse(built.site_dir / "sitemap.xml")
    listed = [loc.text for loc in sitemap.iter(f"{{{SITEMAP}}}loc")]
    pages = set()
    for file in built.site_dir.rglob("*.html"):
        path = file.relative_to(built.site_dir).as_posix()
        page = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        if path == "404.html" or page.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # the error page and the redirects are not pages to index
        if directory_urls:
            path = path.removesuffix("index.html")
        pages.add(site_url + path)
    lora, tags = ("concepts/lora/", "concepts/tags/")
    if not directory_urls:
        lora, tags = ("concepts/lora.html", "concepts/tags/index.html")
    assert {site_url + lora, site_url + tags} <= pages  # the check sees pages
    assert sorted(listed) == sorted(pages)
    canonical = concept_page(built, "lora", directory_urls).find("link", rel="canonical")
    assert canonical["href"] == site_url + lora


def test_edit_link_points_to_the_concept_file(small_kb: Project) -> None:
    small_kb.config(
        repo_url="https://github.com/o/r",
        edit_uri="edit/main/docs/",
        theme={"name": "material", "font": False, "features": ["content.action.edit"]},
    )
    built = small_kb.build()
    assert built.ok, built.error
    page = concept_page(built, "lora")
    edit = page.find("a", attrs={"title": "Edit this page"})
    assert edit is not None
    assert edit["href"] == "https://github.com/o/r/edit/main/concepts/lora.md"


def test_users_own_index_page_wins(small_kb: Project) -> None:
    small_kb.write("docs/concepts/index.md", "# My own index\n")
    built = small_kb.build()
    assert built.ok, built.error
    assert built.html("concepts/").h1.get_text(strip=True).startswith("My own index")


def test_rebuild_reflects_an_edit(small_kb: Project) -> None:
    first = small_kb.build()
    assert first.ok
    path = small_kb.concepts / "lora.md"
    path.write_text(path.read_text().replace("LoRA adds trainable", "LoRA inserts trainable"))
    (small_kb.concepts / "prompting.md").unlink()
    small_kb.write("docs/index.md", "# Home\n\nStart with [[lora]].\n")
    lora = small_kb.concepts / "lora.md"
    lora.write_text(lora.read_text().replace("Compare [[prompting]].", "Compare [[fine-tuning]]."))
    ft = small_kb.concepts / "fine-tuning.md"
    ft.write_text(
        ft.read_text().replace("related:\n- prompting\n", "").replace("[[Prompting|prompts]]", "x")
    )
    second = small_kb.build(site_dir=first.site_dir)
    assert second.ok, second.error + second.log
    summary = concept_page(second, "lora").select_one(".ck-summary").get_text()
    assert summary.startswith("LoRA inserts trainable")
    index = second.html("concepts/")
    assert "Prompting" not in [e.dt.get_text(strip=True) for e in index.select(".ck-entry")]


def test_configuration_errors_are_clear(project: Project) -> None:
    project.concept("a", "A")
    project.config(plugin={"severity": {"CK101": "warning"}})
    built = project.build()
    assert not built.ok
    assert "CK101" in built.log and "cannot be changed" in built.log
    project.config(plugin={"url_prefix": "Not Valid"})
    assert "url_prefix" in project.build().error or "url_prefix" in project.build().log
    project.config(plugin={"concepts_dir": "missing"})
    built = project.build()
    assert not built.ok
    assert "missing" in (built.error + built.log)


def test_real_knowledge_base_builds(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    built = Project(root).build(site_dir=tmp_path / "site")
    assert built.ok, built.error + built.log
    count = len(list((root / "concepts").glob("*.md")))
    pages = list((tmp_path / "site" / "concepts").glob("*/index.html"))
    concept_pages = [
        p for p in pages if BeautifulSoup(p.read_text(), "html.parser").select_one(".ck-concept")
    ]
    assert len(concept_pages) == count
    # Notes (entries never reviewed, CK305) fail nothing, not even this strict build.
    summary = rf"conceptkb: 0 errors, 0 warnings(, \d+ notes?)? in {count} concepts"
    assert re.search(summary, built.log), built.log


def test_a_glossary_nobody_here_wrote(project: Project, copy_tree: object) -> None:
    """The Kubernetes glossary (CC BY 4.0): 139 concepts, their own categories."""
    copy_tree(K8S_CORPUS / "concepts", project.concepts)  # type: ignore[operator]
    project.config(plugin={"categories": K8S_CATEGORIES})
    built = project.build(strict=False)
    assert built.ok, built.error + built.log
    warnings = [r.getMessage() for r in built.records if r.levelname == "WARNING"]
    codes = sorted(m.split(": ")[2].split()[0] for m in warnings if ": CK" in m)
    assert (codes.count("CK301"), codes.count("CK302"), codes.count("CK303")) == (43, 2, 14)

    sources = sorted(project.concepts.glob("*.md"))
    assert len(sources) == 139
    wikilinks = 0
    for source in sources:
        page = concept_page(built, source.stem)
        assert page.select_one(".ck-concept h1").get_text(strip=True)
        body_links = page.select(".ck-body a.ck-link")
        assert not page.select(".ck-missing")
        for link in body_links:
            assert (built.site_dir / "concepts" / source.stem / link["href"]).resolve().is_dir()
        wikilinks += len(body_links)
    assert wikilinks == 176
    index = built.html("concepts/")
    assert len(index.select(".ck-entry:not(.ck-alias)")) == 139
    pod = concept_page(built, "pod")
    related = section_links(pod, "ck-related")
    assert {"Container", "Deployment", "Node"} <= set(related)  # written, and derived (Node)
    assert "pod" in (project.concepts / "node.md").read_text().split("related:")[1].split("\n")[0]
    project.config(plugin={"categories": K8S_CATEGORIES, "severity": {"CK3": "off"}})
    assert project.build(strict=True).ok
