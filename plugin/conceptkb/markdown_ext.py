"""A Python-Markdown extension that turns ``[[target|label]]`` into links.

It is an inline processor, so it runs after fenced code blocks and code spans have
been stashed: wikilinks inside code are left alone, exactly as the linter sees them.
The link itself is made by a resolver the caller provides (the MkDocs plugin knows
the current page and where each concept lives).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from conceptkb.bodyscan import WIKILINK

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


class WikilinkExtension(Extension):
    """Registers the wikilink processor with a resolver."""

    def __init__(self, resolver: Resolver) -> None:
        super().__init__()
        self.resolver = resolver

    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(
            WikilinkProcessor(self.resolver, md), "conceptkb-wikilink", PRIORITY
        )
