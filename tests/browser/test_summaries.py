"""A concept link's summary without a mouse, in a real browser (summaries.js).

Keyboard focus and a tap show the summary in a popover that the link names with
aria-describedby; Escape hides it; a second tap follows the link; the theme's own
tooltip still shows the summary on hover, once, as text. On MkDocs with Material
(with and without instant navigation) and on Zensical's theme. Expected summaries
come from the concept files, not from the generated HTML.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PHONE, Tab, TabFactory, serve
from tests.browser.test_reader import CONCEPT_LINKS, concepts, site_path
from tests.conftest import SMALL_KB, Project

pytestmark = pytest.mark.browser

POPOVER = "#ck-summary-popover"
BODY_LINK = ".ck-body a.ck-link"


def target(tab: Tab, link: Locator) -> str:
    """The id of the concept a link leads to."""
    href = link.get_attribute("href")
    assert href is not None
    match = re.fullmatch(r"concepts/([a-z0-9-]+)/", site_path(tab, urljoin(tab.page.url, href)))
    assert match, href
    return match.group(1)


def tab_to(page: Page, link: Locator) -> Locator:
    """Press Tab until ``link`` has the focus, as a keyboard user reaches it."""
    for _ in range(300):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            return link
    pytest.fail("Tab never reached the link")


def shown_tooltips(page: Page) -> list[str]:
    """The text of every tooltip a reader sees now: this popover, the theme's
    tooltips (a fading one, at opacity 0, is not seen)."""
    texts: list[str] = page.eval_on_selector_all(
        "[role=tooltip]",
        """elements => elements
            .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
            .map(e => e.textContent.trim())""",
    )
    return texts


def only_tooltip(page: Page, text: str) -> None:
    """``text`` is the one tooltip shown, and stays so (the theme's tooltip, had it
    opened too, would have within a few frames)."""
    page.wait_for_function(
        """text => [...document.querySelectorAll("[role=tooltip]")].some(
            e => e.checkVisibility({opacityProperty: true}) && e.textContent.trim() === text)""",
        arg=text,
    )
    page.wait_for_timeout(400)
    assert shown_tooltips(page) == [text]


def test_tab_to_a_wikilink_shows_its_summary_and_escape_hides_it(tab: Tab) -> None:
    page = tab.open("concepts/lora/")
    link = tab_to(page, page.locator(BODY_LINK).first)
    summary = concepts()[target(tab, link)]["summary"]
    popover = page.locator(POPOVER)
    expect(popover).to_be_visible()
    expect(popover).to_have_text(summary)
    expect(popover).to_have_attribute("role", "tooltip")
    # Announced: the link's description is the popover's text.
    expect(link).to_have_attribute("aria-describedby", "ck-summary-popover")
    expect(link).to_have_accessible_description(summary)
    # Material's tooltip opens on focus of its host, the span, which is never focused.
    only_tooltip(page, summary)
    # Below the link, or above it when there is no room below; inside the viewport.
    link_box, box = link.bounding_box(), popover.bounding_box()
    assert link_box is not None and box is not None
    viewport = page.viewport_size
    assert viewport is not None
    below = box["y"] >= link_box["y"] + link_box["height"]
    above = box["y"] + box["height"] <= link_box["y"]
    assert below or above, (box, link_box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]

    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(link).not_to_have_attribute("aria-describedby", re.compile("."))
    expect(link).to_be_focused()  # dismissed without moving the focus
    assert shown_tooltips(page) == []

    # The next concept link shows its own summary.
    following = tab_to(page, page.locator(BODY_LINK).nth(1))
    next_summary = concepts()[target(tab, following)]["summary"]
    expect(popover).to_have_text(next_summary)
    expect(following).to_have_accessible_description(next_summary)
    expect(link).not_to_have_attribute("aria-describedby", re.compile("."))
    tab.assert_clean()


def test_the_popover_stays_under_the_pointer_and_keeps_the_theme_tooltip_closed(
    tab: Tab,
) -> None:
    page = tab.open("concepts/lora/")
    link = tab_to(page, page.locator(BODY_LINK).first)
    summary = concepts()[target(tab, link)]["summary"]
    link.hover()  # the pointer on the focused link: one tooltip, not two
    only_tooltip(page, summary)
    popover = page.locator(POPOVER)
    popover.hover()  # hoverable: the pointer moves onto it, it stays
    popover.click()  # pressing on it keeps the focus, and so the popover
    expect(link).to_be_focused()
    only_tooltip(page, summary)
    page.keyboard.press("Shift+Tab")  # the focus leaves the link: the popover goes
    expect(popover).to_be_hidden()
    tab.assert_clean()


def test_a_mouse_press_does_not_open_the_popover(tab: Tab) -> None:
    """A mouse press focuses the link without :focus-visible: the pointer on it shows
    the theme's tooltip already."""
    page = tab.open("concepts/lora/")
    link = page.locator(BODY_LINK).first
    summary = concepts()[target(tab, link)]["summary"]
    link.hover()
    page.mouse.down()
    expect(link).to_be_focused()
    only_tooltip(page, summary)
    expect(page.locator(POPOVER)).to_have_count(0)
    page.mouse.move(0, 0)
    page.mouse.up()  # released elsewhere: no click
    assert site_path(tab, page.url) == "concepts/lora/"
    tab.assert_clean()


@pytest.mark.parametrize("start", ["concepts/lora/", ""])
def test_a_tap_shows_the_summary_and_a_second_tap_follows_the_link(
    open_tab: TabFactory, site_url: str, start: str
) -> None:
    tab = open_tab(site_url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = tab.open(start)
    link = page.locator(BODY_LINK if start else "article a.ck-link").first
    concept = target(tab, link)
    summary = concepts()[concept]["summary"]
    link.scroll_into_view_if_needed()
    link.tap()
    popover = page.locator(POPOVER)
    expect(popover).to_have_text(summary)
    expect(link).to_have_accessible_description(summary)
    only_tooltip(page, summary)  # no hover tooltip from the tap
    assert site_path(tab, page.url) == start
    box = popover.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    page.locator("article h1").tap()  # a tap elsewhere closes it
    expect(popover).to_be_hidden()
    link.tap()  # a first tap again
    expect(popover).to_have_text(summary)
    assert site_path(tab, page.url) == start
    link.tap()
    expect(page).to_have_url(tab.url(f"concepts/{concept}/"))
    expect(page.locator("article h1")).to_have_text(concepts()[concept]["title"])
    tab.assert_clean()


@pytest.mark.parametrize(("start", "selector"), CONCEPT_LINKS)
def test_hovering_shows_the_theme_tooltip_once_as_text(tab: Tab, start: str, selector: str) -> None:
    page = tab.open(start)
    link = page.locator(selector).first
    summary = concepts()[target(tab, link)]["summary"]
    link.scroll_into_view_if_needed()
    link.hover()
    tooltip = page.locator(".md-tooltip2--active .md-tooltip2__inner")
    expect(tooltip).to_have_text(summary)
    # As text: Material inserts the title with innerHTML, and no element came of it.
    assert tooltip.evaluate("element => element.children.length") == 0
    only_tooltip(page, summary)
    expect(page.locator(POPOVER)).to_have_count(0)
    page.keyboard.press("Escape")  # dismissible without moving the pointer
    page.wait_for_function(
        """() => ![...document.querySelectorAll(".md-tooltip2")].some(
            e => e.checkVisibility({opacityProperty: true}))"""
    )
    tab.assert_clean()


def _small_site(project: Project, features: list[str], site_url: str = "") -> None:
    for concept_id, spec in SMALL_KB.items():
        spec = dict(spec)
        body = spec.pop("body")
        project.concept(concept_id, spec.pop("title"), body=body, **spec)
    project.write("docs/index.md", "# Home\n\nStart with [[lora]] or [[Prompt design]].\n")
    project.config(
        theme={"name": "material", "font": False, "features": features}, site_url=site_url
    )


def test_instant_navigation_brings_pages_whose_links_show_their_summary(
    project: Project, open_tab: TabFactory
) -> None:
    site_dir = project.root / "site"
    site_dir.mkdir(parents=True)
    with serve(site_dir) as base_url:
        # Instant navigation follows the links its sitemap lists, at this very origin.
        _small_site(project, ["content.tooltips", "navigation.instant"], site_url=base_url)
        built = project.build(site_dir=site_dir)
        assert built.ok, built.error
        tab = open_tab(base_url)
        page = tab.open(quiet=True)  # the sitemap loaded: links are followed instantly
        page.evaluate("window.ckSamePage = true")
        link = tab_to(page, page.locator("article a.ck-link").first).element_handle()
        expect(page.locator(POPOVER)).to_have_text(SMALL_KB["lora"]["summary"])
        page.keyboard.press("Enter")
        expect(page).to_have_url(tab.url("concepts/lora/"))
        expect(page.locator("article h1")).to_have_text("LoRA")
        assert page.evaluate("window.ckSamePage") is True  # no reload: instant navigation
        assert link.evaluate("element => element.isConnected") is False
        expect(page.locator(POPOVER)).to_be_hidden()  # its link is gone
        following = tab_to(page, page.locator(BODY_LINK).first)
        summary = SMALL_KB[target(tab, following)]["summary"]
        expect(page.locator(POPOVER)).to_have_text(summary)
        expect(following).to_have_accessible_description(summary)
        only_tooltip(page, summary)
        tab.assert_clean()


@pytest.mark.slow
def test_zensical_theme(project: Project, open_tab: TabFactory) -> None:
    """The tree `conceptkb generate` writes, built by Zensical: its theme's tooltips
    behave as Material's (and open on touchstart where there is no hover)."""
    from tests.test_engines import build, engine

    _small_site(project, ["content.tooltips"])
    for command in (
        [str(engine("zensical", "conceptkb")), "generate"],
        [str(engine("zensical", "zensical")), "build", "-f", "mkdocs.generated.yml"],
    ):
        result: subprocess.CompletedProcess[str] = build(command, project.root)
        assert result.returncode == 0, result.stdout + result.stderr
    site = Path(project.root / "site")
    with serve(site) as base_url:
        tab = open_tab(base_url)
        page = tab.open("concepts/fine-tuning/")
        link = tab_to(page, page.locator(BODY_LINK).first)
        summary = SMALL_KB[target(tab, link)]["summary"]
        expect(page.locator(POPOVER)).to_have_text(summary)
        expect(link).to_have_accessible_description(summary)
        only_tooltip(page, summary)
        page.keyboard.press("Escape")
        expect(page.locator(POPOVER)).to_be_hidden()
        other = page.locator(BODY_LINK).nth(1)
        other.hover()
        only_tooltip(page, SMALL_KB[target(tab, other)]["summary"])
        tab.assert_clean()

        phone = open_tab(base_url, viewport=PHONE, is_mobile=True, has_touch=True)
        page = phone.open("concepts/fine-tuning/")
        link = page.locator(BODY_LINK).first
        concept = target(phone, link)
        link.tap()
        only_tooltip(page, SMALL_KB[concept]["summary"])
        link.tap()
        expect(page).to_have_url(phone.url(f"concepts/{concept}/"))
        phone.assert_clean()
