"""The reference tables generated from the schema and the rules, as a reader sees them.

docs/format.md holds two generated tables (``::: conceptkb.schema`` and ``:::
conceptkb.rules``) and plain Markdown tables. The generated ones must look exactly like
the plain ones (the theme styles a table only when it has no class) and never break a
word: a cell wraps at spaces and after hyphens only, and a table wider than the page
scrolls sideways inside the theme's wrapper, as the theme's own tables do.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import DEVICES, SCHEMES, Tab, TabFactory, use_scheme

pytestmark = pytest.mark.browser

FORMAT = "format/"
GENERATED = {"schema": 5, "rules": 4}
"""The generated tables of docs/format.md: name -> number of columns."""


# Every cell of a table: whether its content overflows it, and each word of its text
# that the browser spread over more than one line. A word here runs up to a space or
# up to and including a hyphen: "kebab-case" may wrap after "kebab-", never inside it.
_CELLS = """table => [...table.querySelectorAll("th, td")].map(cell => {
  const broken = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/[^\\s-]+-?|-/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()]
        .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  const box = cell.getBoundingClientRect();
  const outside = [...cell.querySelectorAll("*")].some(child => {
    const inner = child.getBoundingClientRect();
    return inner.left < box.left - 0.5 || inner.right > box.right + 0.5;
  });
  return {text: cell.textContent.trim(), broken,
          overflows: outside || cell.scrollWidth > cell.clientWidth};
})"""

# The computed styles a reader sees: the table, its wrappers, a header and a body cell.
_STYLE = """table => {
  const pick = (element, names) => {
    const style = getComputedStyle(element);
    return Object.fromEntries(names.map(name => [name, style.getPropertyValue(name)]));
  };
  const box = ["font-size", "font-weight", "line-height", "color", "background-color",
               "padding-top", "padding-right", "padding-bottom", "padding-left",
               "border-top-width", "border-top-style", "border-top-color",
               "border-bottom-width", "border-left-width", "text-align", "vertical-align"];
  return {
    table: pick(table, ["display", "font-size", "background-color", "border-top-width",
                        "border-top-style", "border-top-color", "border-radius", "width"]),
    wrappers: [table.parentElement.className, table.parentElement.parentElement.className],
    header: pick(table.querySelector("thead"), ["background-color"]),
    th: pick(table.querySelector("th"), box),
    td: pick(table.querySelector("tbody td"), box),
  };
}"""


def generated(page: Page, name: str) -> Any:
    table = page.locator(f"article table[data-ck-table={name}]")
    assert table.count() == 1, f"{FORMAT} has {table.count()} '{name}' tables"
    return table


def plain(page: Page) -> Any:
    """The first table written in Markdown on the page (a plain table: no data-ck-table)."""
    table = page.locator("article table:not([data-ck-table])").first
    assert table.count() == 1, f"{FORMAT} has no plain Markdown table to compare with"
    return table


@pytest.mark.parametrize("device", DEVICES)
def test_generated_tables_break_no_word_and_overflow_no_cell(
    open_tab: TabFactory, site_url: str, device: str
) -> None:
    tab: Tab = open_tab(site_url, **DEVICES[device])
    page = tab.open(FORMAT)
    for name, columns in GENERATED.items():
        table = generated(page, name)
        assert table.locator("thead th").count() == columns
        cells: list[dict[str, Any]] = table.evaluate(_CELLS)
        assert len(cells) > columns
        broken = [(cell["text"], cell["broken"]) for cell in cells if cell["broken"]]
        assert broken == [], f"{name} on {device}: words broken across lines: {broken[:5]}"
        overflowing = [cell["text"] for cell in cells if cell["overflows"]]
        assert overflowing == [], f"{name} on {device}: content wider than its cell"
        # The first column holds names in code: each on one line.
        heights = table.evaluate(
            """table => [...table.querySelectorAll("tbody td:first-child code")].map(code =>
                 [code.textContent, code.getClientRects().length])"""
        )
        assert heights and all(lines == 1 for _, lines in heights), heights
    # A wide table scrolls inside its wrapper; the page itself never scrolls sideways.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{FORMAT} scrolls sideways by {overflow}px on {device}"
    tab.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_generated_tables_look_like_a_plain_markdown_table(
    open_tab: TabFactory, site_url: str, device: str, scheme: str
) -> None:
    tab: Tab = open_tab(site_url, **DEVICES[device])
    page = tab.open(FORMAT)
    use_scheme(page, scheme)
    expected = plain(page).evaluate(_STYLE)
    assert expected["wrappers"] == ["md-typeset__table", "md-typeset__scrollwrap"]
    assert expected["td"]["border-top-style"] == "solid"  # the theme's style, not the UA's
    del expected["table"]["width"]  # widths follow the content
    for name in GENERATED:
        style = generated(page, name).evaluate(_STYLE)
        del style["table"]["width"]
        assert style == expected, name
    tab.assert_clean()
