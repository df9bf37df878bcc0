"""What a reader does with the built site, in a real browser.

Expected values come from the concept files themselves (their front matter), not
from the generated HTML, so a template that renders the wrong thing is caught.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    Tab,
    TabFactory,
    serve,
)
from tests.conftest import ROOT, Built, Project

pytestmark = pytest.mark.browser


@cache
def concepts() -> dict[str, dict[str, Any]]:
    """Front matter of every concept file of the repository, by id."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "concepts").glob("*.md")):
        _, front, _ = path.read_text(encoding="utf-8").split("---\n", 2)
        found[path.stem] = yaml.safe_load(front)
    return found


def site_path(tab: Tab, url: str) -> str:
    """'http://127.0.0.1:1234/concepts/lora/?h=x#y' -> 'concepts/lora/'."""
    assert url.startswith(tab.base_url), url
    return urlsplit(url).path[len(urlsplit(tab.base_url).path) :]


def search(page: Page, query: str) -> list[str]:
    """Type a query into Material's search box; the URLs of the result pages, in order."""
    page.keyboard.press("/")  # Material's shortcut for the search box
    box = page.locator("input.md-search__input")
    expect(box).to_be_focused()
    box.fill(query)
    box.press("End")  # Material reads the query on keyup: one query, the whole text
    expect(page.locator("#__search")).to_be_checked()  # the search dialog is open
    # The worker builds its index first: slow on a loaded machine.
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)
    hrefs: list[str] = page.eval_on_selector_all(
        "li.md-search-result__item",
        "items => items.map(item => item.querySelector('a.md-search-result__link').href)",
    )
    return hrefs


# -- the home page --------------------------------------------------------------------


def test_home_page_renders_without_errors_or_third_party_requests(tab: Tab) -> None:
    page = tab.open(quiet=True)
    expect(page).to_have_title(re.compile("conceptkb"))
    expect(page.locator("article h1")).to_have_text(re.compile(r"^conceptkb\W*$"))
    expect(page.locator("article a.ck-link").first).to_be_visible()
    expect(page.locator(".ck-missing")).to_have_count(0)
    assert any(url.endswith("/assets/conceptkb/conceptkb.js") for url in tab.requests)
    assert any(url.endswith("/assets/conceptkb/conceptkb.css") for url in tab.requests)
    assert tab.console_errors == []
    assert tab.failures == []
    # Nothing leaves 127.0.0.1: no fonts, no CDN, no repository API calls.
    assert tab.external == []


# -- search ---------------------------------------------------------------------------


SEARCHES = [
    # Titles, as written and in lower case; a title "Short (Long)" is found by each part.
    ("Low-Rank Adaptation", "lora"),
    ("LoRA", "lora"),  # before "Adaptive LoRA", an alias of AdaLoRA
    ("lora", "lora"),
    ("knowledge distillation", "knowledge-distillation"),
    ("retrieval augmented generation", "rag"),
    # Partial words: Material matches each word as a prefix.
    ("low rank", "lora"),  # not "Re-ranking", an alias of Reranking
    ("knowledge distil", "knowledge-distillation"),
    # Acronyms.
    ("RAG", "rag"),
    ("DPO", "dpo"),  # before "Online DPO"
    ("SFT", "supervised-fine-tuning"),  # an alias, and the end of the title
    # Aliases: these two rank their concept first only thanks to the "aliases" search
    # field; without it, pre-training and knowledge-distillation come first.
    ("Teacher-student training", "knowledge-distillation"),
    ("Knowledge updating", "knowledge-injection"),
    # A longer name holding the same words must not win over the exact name, and the
    # longer name itself still finds its own concept.
    ("Weight-Decomposed Low-Rank Adaptation", "dora"),
    ("on-policy distillation", "on-policy-distillation"),
    ("Group Relative Policy Optimization", "grpo"),
    ("Direct Preference Optimization", "dpo"),
]


@pytest.mark.parametrize(("query", "concept_id"), SEARCHES)
def test_the_top_search_hit_is_the_concept_and_shows_its_summary(
    tab: Tab, query: str, concept_id: str
) -> None:
    page = tab.open()
    results = search(page, query)
    assert site_path(tab, results[0]) == f"concepts/{concept_id}/", results[:3]
    # The first result says what the concept is, as text a reader sees (not only its
    # title, and not markup).
    summary = concepts()[concept_id]["summary"]
    first = page.locator("li.md-search-result__item").first
    shown = first.locator("article.md-search-result__article", has_text=summary)
    expect(shown.first).to_be_visible()
    expect(first).to_contain_text(summary, use_inner_text=True)
    tab.assert_clean()


def test_search_worker_indexes_the_aliases_field(
    open_tab: TabFactory, site_url: str, site: Built
) -> None:
    """Material's worker indexes every field named in config.fields, aliases included.

    A made-up alias, present only in the ``aliases`` field of one entry, is found
    while the field is configured, and not found once it is removed from the config.
    """
    data = json.loads((site.site_dir / "search" / "search_index.json").read_text("utf-8"))
    assert data["config"]["fields"]["aliases"] == {"boost": 100000}
    named = [d for d in data["docs"] if d["location"].startswith("concepts/rag/#ck-name-")]
    rag = concepts()["rag"]
    # "RAG (Retrieval-Augmented Generation)" is two names; the alias that only differs
    # in case from the second one is not repeated.
    assert rag["title"] == "RAG (Retrieval-Augmented Generation)"
    assert rag["aliases"] == ["Retrieval-augmented generation"]
    assert [html.unescape(d["title"]) for d in named] == ["RAG", "Retrieval-Augmented Generation"]
    assert all(html.unescape(d["text"]) == rag["summary"] for d in named)
    entry = named[-1]
    entry["aliases"] += " Zyzzogeton"
    with_field = json.dumps(data)
    del data["config"]["fields"]["aliases"]
    without_field = json.dumps(data)

    def serving(body: str) -> Callable[[Route], None]:
        def fulfill(route: Route) -> None:
            route.fulfill(body=body, content_type="application/json")

        return fulfill

    found = open_tab(site_url)
    found.page.route("**/search/search_index.json", serving(with_field))
    results = search(found.open(), "Zyzzogeton")
    assert [site_path(found, url) for url in results] == ["concepts/rag/"]

    missed = open_tab(site_url)
    missed.page.route("**/search/search_index.json", serving(without_field))
    page = missed.open()
    page.keyboard.press("/")
    page.locator("input.md-search__input").fill("Zyzzogeton")
    page.locator("input.md-search__input").press("End")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")


# -- links, tooltips, the index ---------------------------------------------------------


# Links on three kinds of page: (page, selector of the first link to follow).
CONCEPT_LINKS = [
    pytest.param("", "article a.ck-link", id="home-wikilink"),
    pytest.param("concepts/lora/", ".ck-body a.ck-link", id="concept-wikilink"),
    pytest.param("concepts/lora/", "#ck-broader + ul a.ck-link", id="broader-relation"),
    pytest.param("concepts/", ".ck-entry:not(.ck-alias) dt a.ck-link", id="index-entry"),
]


def concept_link(tab: Tab, start: str, selector: str) -> tuple[Locator, str]:
    """The first link matching ``selector`` on a page, and the concept id it points to."""
    page = tab.open(start)
    link = page.locator(selector).first
    href = link.get_attribute("href")
    assert href is not None
    path = site_path(tab, urljoin(page.url, href))
    match = re.fullmatch(r"concepts/([a-z0-9-]+)/", path)
    assert match, f"{href!r} on {start or 'home'} is not a concept page URL"
    assert match.group(1) in concepts()
    return link, match.group(1)


@pytest.mark.parametrize(("start", "selector"), CONCEPT_LINKS)
def test_a_concept_link_leads_to_its_target(tab: Tab, start: str, selector: str) -> None:
    link, target = concept_link(tab, start, selector)
    link.click()
    expect(tab.page).to_have_url(tab.url(f"concepts/{target}/"))
    expect(tab.page.locator("article h1")).to_have_text(concepts()[target]["title"])
    tab.assert_clean()


def test_the_letter_bar_jumps_to_its_letter(tab: Tab) -> None:
    page = tab.open("concepts/")
    links = page.locator(".ck-letters a")
    letters = links.all_inner_texts()
    expected = sorted({c["title"][0].upper() for c in concepts().values()})
    assert set(expected) <= set(letters)
    header = page.locator("header.md-header")
    for index in (len(letters) // 2, len(letters) - 1):
        link = links.nth(index)
        fragment = link.get_attribute("href")
        assert fragment is not None and fragment.startswith("#ck-letter-")
        section = page.locator(fragment)
        page.evaluate("window.scrollTo(0, 0)")
        expect(section).not_to_be_in_viewport()
        link.click()
        expect(page).to_have_url(tab.url("concepts/" + fragment))
        expect(section).to_be_in_viewport()
        heading = section.locator("h2")
        expect(heading).to_have_text(letters[index])
        expect(heading).to_be_in_viewport()
        # The heading is not hidden under Material's sticky header.
        header_box, heading_box = header.bounding_box(), heading.bounding_box()
        assert header_box is not None and heading_box is not None
        assert heading_box["y"] >= header_box["y"] + header_box["height"] - 1
    tab.assert_clean()


def _expected(category: str = "", tag: str = "") -> tuple[int, int]:
    """(concepts, index entries including alias entries) that a filter keeps."""
    kept = [
        c
        for c in concepts().values()
        if (not category or c["category"] == category) and (not tag or tag in c.get("tags", []))
    ]
    return len(kept), sum(1 + len(c.get("aliases", [])) for c in kept)


@pytest.mark.parametrize(
    ("category", "tag"),
    [("risk", ""), ("", "efficiency"), ("technique", "efficiency"), ("model", "retrieval")],
)
def test_the_index_filters_hide_other_entries(tab: Tab, category: str, tag: str) -> None:
    page = tab.open("concepts/")
    entries = page.locator(".ck-entry")
    shown = page.locator(".ck-entry:not([hidden])")
    count = page.locator("[data-ck-count]")
    total, all_entries = _expected()
    expect(shown).to_have_count(all_entries)
    expect(count).to_have_text(f"{total} concepts")

    page.locator("select[data-ck-filter=category]").select_option(category)
    page.locator("select[data-ck-filter=tag]").select_option(tag)
    kept, kept_entries = _expected(category, tag)
    expect(shown).to_have_count(kept_entries)
    expect(count).to_have_text(f"{kept} concept" + ("" if kept == 1 else "s"))
    # One look at every entry and letter: (category, tags, hidden, displayed).
    states = page.eval_on_selector_all(
        ".ck-entry",
        """entries => entries.map(e => [e.dataset.category, e.dataset.tags.split(" "),
                                        e.hidden, e.checkVisibility()])""",
    )
    for entry_category, entry_tags, hidden, displayed in states:
        keep = (not category or entry_category == category) and (not tag or tag in entry_tags)
        assert hidden is not keep
        assert displayed is keep
    # A letter with nothing left disappears from the page and from the letter bar.
    letters = page.eval_on_selector_all(
        ".ck-letter",
        """sections => sections.map(s => [
            s.querySelector(".ck-entry:not([hidden])") !== null,
            s.checkVisibility(),
            document.querySelector(`.ck-letters a[href="#${s.id}"]`).checkVisibility(),
        ])""",
    )
    assert letters
    for has_entries, section_displayed, link_displayed in letters:
        assert section_displayed is has_entries
        assert link_displayed is has_entries

    page.locator("select[data-ck-filter=category]").select_option("")
    page.locator("select[data-ck-filter=tag]").select_option("")
    expect(shown).to_have_count(all_entries)
    expect(entries).to_have_count(all_entries)
    expect(count).to_have_text(f"{total} concepts")
    tab.assert_clean()


@pytest.mark.parametrize("path", ["concepts/", "concepts/categories/technique/"])
def test_entry_summaries_line_up_with_their_names(tab: Tab, path: str) -> None:
    """conceptkb.css sets the entries' dd flush left, over Material's dd indent."""
    page = tab.open(path)
    offsets: list[float] = page.eval_on_selector_all(
        ".ck-entry",
        """entries => entries.map(e => e.querySelector("dd").getBoundingClientRect().left
                                      - e.querySelector("dt").getBoundingClientRect().left)""",
    )
    assert offsets
    assert all(abs(offset) < 1 for offset in offsets), offsets[:5]
    tab.assert_clean()


# -- old and alternative URLs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias_path", "concept_id"),
    [
        ("concepts/low-rank-adaptation/", "lora"),
        ("concepts/retrieval-augmented-generation/", "rag"),
    ],
)
def test_an_alias_url_lands_on_the_canonical_page(
    tab: Tab, alias_path: str, concept_id: str
) -> None:
    tab.page.goto(tab.url(alias_path))
    expect(tab.page).to_have_url(tab.url(f"concepts/{concept_id}/"))
    expect(tab.page.locator("article h1")).to_have_text(concepts()[concept_id]["title"])
    tab.assert_clean()


def test_a_former_id_url_lands_on_the_canonical_page(
    small_kb: Project, open_tab: TabFactory
) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    with serve(built.site_dir) as base_url:
        tab = open_tab(base_url)
        tab.page.goto(tab.url("concepts/low-rank-adapters/"))
        expect(tab.page).to_have_url(tab.url("concepts/lora/"))
        expect(tab.page.locator("article h1")).to_have_text("LoRA")
        tab.assert_clean()
        assert tab.external == []


# -- the palette toggle -----------------------------------------------------------------


def test_the_palette_toggle_switches_and_switches_back(tab: Tab) -> None:
    page = tab.open("concepts/lora/")
    body = page.locator("body")
    toggle = page.locator("form[data-md-component=palette] label:visible")

    def background() -> str:
        color: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
        return color

    expect(body).to_have_attribute("data-md-color-scheme", "default")
    light = background()
    toggle.click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert background() != light
    expect(page.locator(".ck-summary")).to_be_visible()
    toggle.click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.wait_for_function(
        "color => getComputedStyle(document.body).backgroundColor === color", arg=light
    )
    tab.assert_clean()


# -- screenshots --------------------------------------------------------------------------

PAGES = {"home": "", "index": "concepts/", "concept-lora": "concepts/lora/"}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots(open_tab: TabFactory, site_url: str, device: str) -> None:
    """Full-page screenshots for people to look at; the page must not scroll sideways."""
    if device == "phone":
        tab = open_tab(site_url, viewport=PHONE, is_mobile=True, has_touch=True)
    else:
        tab = open_tab(site_url, viewport=DESKTOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES.items():
        page = tab.open(path, quiet=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px on {device}"
        target = SCREENSHOTS / f"{name}-{device}.png"
        page.screenshot(path=target, full_page=True)
        assert target.stat().st_size > 10_000
    tab.assert_clean()
