"""Script vectors that the checker lets through must stay inert in a real browser.

A site is built from concepts whose text carries payloads in every place the checker
accepts them as text (summaries with "&" and "<", Markdown link titles, abbreviations
and attribute-list titles written with character references, wikilinks that carry
summaries as tooltips). In Chromium no dialog may open: on load, on hovering every
element that has a title (Material's tooltips put titles into innerHTML), or when each
payload is typed into search.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, expect

from tests.browser.conftest import Tab, TabFactory, serve
from tests.conftest import Built, Project

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "&lt;img src=x onerror=alert(2)&gt;",
    '"><svg onload=alert(3)>',
    "</script><script>alert(4)</script>",
    "<!--><img src=x onerror=alert(5)>",
]
REF = [{"title": "Paper", "url": "https://arxiv.org/abs/2101.00001"}]
SUMMARY = "Q&A retrieval compares x < y, AT&T and <3 as plain text."
LINK_TITLE = "&lt;img src=x onerror=alert(6)&gt; Q&A x < y"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = Project(tmp_path_factory.mktemp("hostile-browser") / "kb")
    project.config(
        markdown_extensions=["abbr", "attr_list", "footnotes", {"toc": {"permalink": True}}],
    )
    project.concept(
        "qa",
        "Q&A retrieval",
        summary=SUMMARY,
        aliases=["x < y search"],
        related=["vectors"],
        references=REF,
        body="## Idea\n\nSee [[vectors]].\n",
    )
    body = (
        "## Idea\n\n"
        f'See [the paper](https://example.org/ "{LINK_TITLE}") and [[qa]], [[Q&A retrieval]].\n\n'
        "HTML is an abbreviation here.\n\n"
        "*[HTML]: &lt;img src=x onerror=alert(7)&gt;\n\n"
        'A sentence with a title {: title="&lt;img src=x onerror=alert(8)&gt;" }\n\n'
        "A footnote.[^1]\n\n[^1]: &lt;img src=x onerror=alert(9)&gt;\n"
    )
    project.concept(
        "vectors",
        "Vectors",
        summary="Vectors holds payloads written as text.",
        references=REF,
        body=body,
    )
    project.write("docs/index.md", "# Home\n\nSee [[qa]] and [[vectors]].\n")
    built = project.build()
    assert built.ok, built.error + built.log
    return built


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Built) -> Iterator[str]:
    with serve(hostile_site.site_dir) as base_url:
        yield base_url


def _watch_dialogs(tab: Tab) -> list[str]:
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    tab.page.on("dialog", on_dialog)
    return opened


@pytest.mark.parametrize("path", ["", "concepts/qa/", "concepts/vectors/", "concepts/"])
def test_no_dialog_on_load_or_on_hovering_any_title(
    open_tab: TabFactory, hostile_url: str, path: str
) -> None:
    tab = open_tab(hostile_url)
    dialogs = _watch_dialogs(tab)
    page = tab.open(path, quiet=True)
    titled = page.locator("article [title]")
    count = titled.count()
    assert count > 0, "nothing to hover: the test would prove nothing"
    for i in range(count):
        element = titled.nth(i)
        if element.is_visible():
            element.scroll_into_view_if_needed()
            element.hover()
            page.wait_for_timeout(50)
    assert dialogs == []
    assert page.locator("article img").count() == 0, "a payload became an element"
    tab.assert_clean()


def test_tooltips_show_the_text_as_written(open_tab: TabFactory, hostile_url: str) -> None:
    tab = open_tab(hostile_url)
    page = tab.open("concepts/vectors/", quiet=True)
    tooltip = page.locator(".md-tooltip2--active .md-tooltip2__inner")
    page.locator("article a.ck-link").first.hover()
    expect(tooltip).to_have_text(SUMMARY)
    page.locator('article a[href="https://example.org/"]').hover()
    expect(tooltip).to_have_text("<img src=x onerror=alert(6)> Q&A x < y")
    tab.assert_clean()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_dialog_when_a_payload_is_typed_into_search(
    open_tab: TabFactory, hostile_url: str, payload: str
) -> None:
    tab = open_tab(hostile_url)
    dialogs = _watch_dialogs(tab)
    page = tab.open("", quiet=True)
    page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    expect(box).to_be_focused()
    box.fill(payload)
    box.press("End")
    page.wait_for_timeout(500)
    assert dialogs == []
    tab.assert_clean()
