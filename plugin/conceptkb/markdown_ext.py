"""A Python-Markdown extension that turns ``[[target|label]]`` into links.

It is an inline processor, so it runs after fenced code blocks and code spans have
been stashed: wikilinks inside code are left alone, exactly as the linter sees them.
The link itself is made by a resolver the caller provides (the MkDocs plugin knows
the current page and where each concept lives).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Sequence

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from conceptkb.bodyscan import WIKILINK
from conceptkb.rules import RULES
from conceptkb.schemadoc import field_docs

Resolver = Callable[[str, "str | None"], etree.Element]
"""Builds the element for a wikilink from its target and optional label."""

PRIORITY = 175
"""After code spans (190), so code is stashed first; before links (160), which would
otherwise read ``[[x]]`` as a reference link."""


class WikilinkProcessor(InlineProcessor):
    """Replaces each wikilink with the element its resolver builds."""

    def __init__(self, resolver: Resolver, md: Markdown | None = None) -> None:
        super().__init__(WIKILINK.pattern, md)
        self.resolver = resolver

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        label = m.group(2)
        element = self.resolver(m.group(1).strip(), label.strip() if label else None)
        return element, m.start(0), m.end(0)


SCHEMA_MARKER = "::: conceptkb.schema"
RULES_MARKER = "::: conceptkb.rules"


def _table(parent: etree.Element, name: str, titles: Sequence[str]) -> etree.Element:
    """A table as Markdown writes one, so the theme styles it as it does every table
    (Material styles and wraps only ``table:not([class])``); ``data-ck-table`` names it."""
    table = etree.SubElement(parent, "table", {"data-ck-table": name})
    head = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    for title in titles:
        etree.SubElement(head, "th").text = AtomicString(title)
    return etree.SubElement(table, "tbody")


class ReferenceTableProcessor(BlockProcessor):
    """Replaces a paragraph ``::: conceptkb.schema`` or ``::: conceptkb.rules`` with a
    table generated from the schema or the rule list, so the docs never drift."""

    PRIORITY = 105

    def __init__(self, parser: BlockParser, categories: Sequence[str] | None) -> None:
        super().__init__(parser)
        self.categories = categories

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.strip() in (SCHEMA_MARKER, RULES_MARKER)

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        if blocks.pop(0).strip() == RULES_MARKER:
            body = _table(parent, "rules", ("Code", "Name", "Severity", "Checks"))
            for rule in RULES:
                row = etree.SubElement(body, "tr")
                etree.SubElement(etree.SubElement(row, "td"), "code").text = AtomicString(rule.code)
                etree.SubElement(row, "td").text = AtomicString(rule.name)
                fixed = "" if rule.fixed else " (configurable)"
                etree.SubElement(row, "td").text = AtomicString(rule.severity.value + fixed)
                etree.SubElement(row, "td").text = AtomicString(rule.description)
            return
        body = _table(parent, "schema", ("Field", "Required", "Type", "Rules", "Meaning"))
        for field in field_docs(self.categories):
            row = etree.SubElement(body, "tr")
            etree.SubElement(etree.SubElement(row, "td"), "code").text = AtomicString(field.name)
            etree.SubElement(row, "td").text = AtomicString("yes" if field.required else "no")
            etree.SubElement(row, "td").text = AtomicString(field.type)
            etree.SubElement(row, "td").text = AtomicString(field.rules.replace("`", ""))
            etree.SubElement(row, "td").text = AtomicString(field.description)


def tooltip_text(text: str) -> str:
    """A ``title`` value whose decoded form shows ``text`` when the theme's tooltips
    insert it with ``innerHTML`` (Material's ``content.tooltips`` does): the text is
    escaped once for that, and the serializer escapes it again for the attribute."""
    return html.escape(text)


class TooltipTitles(Treeprocessor):
    """Escapes every ``title`` attribute for the theme's tooltips.

    Runs after every other tree processor (abbreviations, footnotes, attribute lists,
    wikilinks, permalinks), so each title on the page is escaped exactly once. Python-
    Markdown's serializer keeps character references in attributes as they are, so
    the value is first decoded as a browser would, then escaped twice: once for the
    attribute, once for ``innerHTML``. "Q&A" and "x < y" show as written; markup
    written with entities shows as text.
    """

    PRIORITY = 0.1

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            value = element.get("title")
            if value is not None:
                element.set("title", html.escape(tooltip_text(html.unescape(value))))


class WikilinkExtension(Extension):
    """Registers the wikilink processor with a resolver, and the schema reference."""

    def __init__(
        self,
        resolver: Resolver,
        categories: Sequence[str] | None = None,
        *,
        tooltips: bool = False,
    ) -> None:
        super().__init__()
        self.resolver = resolver
        self.categories = categories
        self.tooltips = tooltips

    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(
            WikilinkProcessor(self.resolver, md), "conceptkb-wikilink", PRIORITY
        )
        md.parser.blockprocessors.register(
            ReferenceTableProcessor(md.parser, self.categories),
            "conceptkb-tables",
            ReferenceTableProcessor.PRIORITY,
        )
        if self.tooltips:
            md.treeprocessors.register(
                TooltipTitles(md), "conceptkb-tooltip-titles", TooltipTitles.PRIORITY
            )
