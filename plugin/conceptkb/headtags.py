"""The tags a page puts in ``<head>`` for search engines and link previews.

A concept page and the index carry a canonical link and a description, OpenGraph tags
(``og:title``, ``og:description``, ``og:url``, ``og:type``, ``og:site_name``) and a
Twitter card (``twitter:card``, ``twitter:title``, ``twitter:description``). Themes
write some of them themselves (Material and Zensical: the description from the page's
metadata and the canonical link from ``site_url``; Material's social plugin: OpenGraph
and Twitter tags): an adapter names what the page already declares, and those are left
out, so that no page says the same thing twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from conceptkb.htmlpolicy import parse

CANONICAL = "canonical"


@dataclass(frozen=True, slots=True)
class HeadTag:
    """One ``<meta>`` or ``<link>`` element; its value is plain text, escaped when
    rendered (``conceptkb/head.html``)."""

    element: str
    """``meta`` or ``link``."""
    attribute: str
    """What names it: ``name``, ``property`` (OpenGraph) or ``rel``."""
    key: str
    value: str
    """The ``content`` of a ``<meta>``, the ``href`` of a ``<link>``."""


def one_line(text: str) -> str:
    """A value as one line: previews show attribute values without their line breaks."""
    return " ".join(text.split())


def head_tags(
    *,
    title: str,
    description: str,
    url: str,
    kind: str,
    site_name: str,
    present: Collection[str] = (),
) -> list[HeadTag]:
    """The tags of a page, without those whose key (``description``, ``canonical``,
    ``og:title``...) is in ``present``. ``url`` is the page's absolute URL, or '' when
    the site has no ``site_url`` (a canonical link and ``og:url`` must be absolute, so
    the page then has neither); ``kind`` is the OpenGraph type (``article``,
    ``website``). Empty values give no tag."""
    title, description = one_line(title), one_line(description)
    tags = [
        HeadTag("link", "rel", CANONICAL, url),
        HeadTag("meta", "name", "description", description),
        HeadTag("meta", "property", "og:type", kind),
        HeadTag("meta", "property", "og:title", title),
        HeadTag("meta", "property", "og:description", description),
        HeadTag("meta", "property", "og:url", url),
        HeadTag("meta", "property", "og:site_name", one_line(site_name)),
        HeadTag("meta", "name", "twitter:card", "summary"),
        HeadTag("meta", "name", "twitter:title", title),
        HeadTag("meta", "name", "twitter:description", description),
    ]
    return [tag for tag in tags if tag.value and tag.key not in present]


def declared(head: str) -> set[str]:
    """The keys of the tags a rendered ``<head>`` already holds, read as a browser
    reads them: ``<meta>`` names and properties, and ``canonical`` for a canonical
    link."""
    document = parse(head)
    keys: set[str] = set()
    # One walk of the tree (a selector query per kind of tag cost as much as the parse).
    stack = list(getattr(document.root, "children", None) or [])
    while stack:
        node = stack.pop()
        name = getattr(node, "name", "")
        if getattr(node, "namespace", "html") == "html" and name in ("meta", "link"):
            attrs = getattr(node, "attrs", None) or {}
            if name == "meta":
                key = attrs.get("property") or attrs.get("name")
                if key:
                    keys.add(key.strip().lower())
            elif CANONICAL in (attrs.get("rel") or "").lower().split():
                keys.add(CANONICAL)
        stack.extend(getattr(node, "children", None) or ())
    return keys
