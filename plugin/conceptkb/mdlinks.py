"""Wikilinks written as plain Markdown links, for engines that run no conceptkb plugin.

``[[lora]]`` becomes ``[<span title="summary">LoRA</span>](lora.md){: .ck-link
data-ck-summary="summary" }``: a relative link to the concept's source path (the
engine turns it into a URL and checks it), its text in a span whose title is the
summary, and the summary for ``summaries.js``: the same HTML as the plugin writes
(``templates/conceptkb/link.html`` says why). Nothing inside code is touched: the body
is scanned with the linter's own code-aware masking, and only the wikilinks it finds
are replaced.

Text is written with character references for every character Markdown or an
extension could read as syntax, so the engine shows it exactly as written: a label
shows as the MkDocs plugin shows it, and a summary reaches its attributes unchanged
(the engine's serializer keeps character references as they are, and the span is raw
HTML, which it copies).
"""

from __future__ import annotations

import html
import posixpath

from conceptkb import bodyscan
from conceptkb.index import ConceptIndex
from conceptkb.markdown_ext import tooltip_text
from conceptkb.urlspace import Layout

_PLAIN = frozenset(" .,-")


def literal(text: str) -> str:
    """``text`` as Markdown that renders to exactly that text, never to markup."""
    return "".join(c if c.isalnum() or c in _PLAIN else f"&#{ord(c)};" for c in text)


def relative_source(target: str, source: str) -> str:
    """The path of source file ``target`` relative to the folder of ``source``."""
    folder = posixpath.dirname(source) or "."
    return posixpath.relpath(target, folder)


def resolve(
    markdown: str, source: str, index: ConceptIndex, layout: Layout, *, tooltips: bool = False
) -> str:
    """``markdown`` (of the page at source path ``source``) with every wikilink outside
    code written as a Markdown link, or as a ``ck-missing`` span when it names no
    concept (the linter has reported it). With ``tooltips`` (the theme's tooltips put
    a title into innerHTML), each title is escaped once more for that, as the plugin
    escapes it."""
    if "[[" not in markdown:
        return markdown
    masked = bodyscan.mask_code(markdown)
    pieces: list[str] = []
    done = 0
    for match in bodyscan.WIKILINK.finditer(masked):
        # Positions from the masked text, words from the text as written.
        target = markdown[match.start(1) : match.end(1)].strip()
        label = markdown[match.start(2) : match.end(2)].strip() if match.group(2) else None
        label = label or None
        pieces.append(markdown[done : match.start()])
        done = match.end()
        concept = index.resolve(target).concept
        if concept is None:
            pieces.append(f'<span class="ck-missing">{html.escape(label or target)}</span>')
            continue
        text = index.link_text(target, label)
        href = relative_source(layout.concept(concept.id), source)
        summary = literal(concept.summary)
        title = literal(tooltip_text(concept.summary)) if tooltips else summary
        pieces.append(
            f'[<span title="{title}">{literal(text)}</span>]({href})'
            f'{{: .ck-link data-ck-summary="{summary}" }}'
        )
    pieces.append(markdown[done:])
    return "".join(pieces)
