"""The "Cite this page" block in Chromium: each copy button puts its citation on the
real clipboard (granted to the browser context) and says so in the status line; without
JavaScript the citations are text to select and the buttons stay hidden. Expected
values come from the concept files."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conceptkb import mkdocsyml
from tests.browser.conftest import TabFactory
from tests.browser.test_reader import concepts
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CLIPBOARD = ["clipboard-read", "clipboard-write"]


def test_the_copy_buttons_copy_each_citation_and_say_so(
    open_tab: TabFactory, site_url: str
) -> None:
    tab = open_tab(site_url, permissions=CLIPBOARD)
    page = tab.open("concepts/lora/")
    box = page.locator("details.ck-cite")
    box.locator("summary").click()
    lora = concepts()["lora"]
    published = mkdocsyml.load(ROOT / "mkdocs.yml")["site_url"]
    texts = {
        "Copy the plain text": (
            f"{lora['title']}. In conceptkb, last reviewed {lora['reviewed']}."
            f" {published}concepts/lora/ (accessed YYYY-MM-DD)."
        ),
        "Copy the BibTeX": page.locator("#ck-cite-bibtex").text_content(),
    }
    assert str(texts["Copy the BibTeX"]).startswith("@misc{lora,\n")
    status = box.get_by_role("status")
    for name, expected in texts.items():
        page.evaluate("navigator.clipboard.writeText('')")
        status.evaluate("node => { node.textContent = ''; }")
        button = box.get_by_role("button", name=name)
        expect(button).to_be_visible()
        button.click()
        expect(status).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == expected
    tab.assert_clean()


def test_without_javascript_the_citations_are_text_to_select(
    open_tab: TabFactory, site_url: str
) -> None:
    tab = open_tab(site_url, java_script_enabled=False)
    page = tab.open("concepts/lora/")
    box = page.locator("details.ck-cite")
    box.locator("summary").click()
    expect(box.locator("#ck-cite-text")).to_be_visible()
    expect(box.locator("#ck-cite-bibtex")).to_be_visible()
    expect(box.locator("button")).to_have_count(2)
    for button in box.locator("button").all():
        expect(button).to_be_hidden()
