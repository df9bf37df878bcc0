"""Machine-readable views of the knowledge base: concepts.json, schema.org JSON-LD,
llms.txt and llms-full.txt (https://llmstxt.org) and a SKOS thesaurus in Turtle.

Every function here is pure: it takes the index and a function giving each concept's
URL, and returns text that depends on nothing else (no clock, no dictionary order).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from conceptkb.bodyscan import WIKILINK, mask_code, wikilinks
from conceptkb.index import ConceptIndex
from conceptkb.memo import Same, SessionMemo, cached
from conceptkb.model import Concept, Reference
from conceptkb.names import display_name

EXPORT_VERSION = 1

UrlFor = Callable[[str], str]
"""Maps a concept id to its URL (relative to the site root, or absolute)."""


def concept_record(concept: Concept, index: ConceptIndex, url_for: UrlFor) -> dict[str, Any]:
    """Every field of a concept, its derived relations and its URL."""
    return {
        "id": concept.id,
        "url": url_for(concept.id),
        "title": concept.title,
        "summary": concept.summary,
        "aliases": list(concept.aliases),
        "category": concept.category,
        "tags": list(concept.tags),
        "status": concept.status,
        "broader": list(concept.broader),
        "narrower": index.narrower.get(concept.id, []),
        "related": index.related.get(concept.id, []),
        "referenced_by": index.backlinks.get(concept.id, []),
        "former_ids": list(concept.former_ids),
        "references": [r.to_json() for r in concept.references],
    }


def concepts_json(index: ConceptIndex, url_for: UrlFor, *, memo: SessionMemo | None = None) -> str:
    """The ``concepts.json`` export, sorted by id (indented by one space per level)."""
    items: list[str] = []
    for cid in sorted(index.concepts):
        concept = index.concepts[cid]
        derived = (
            url_for(cid),
            tuple(index.narrower.get(cid, ())),
            tuple(index.related.get(cid, ())),
            tuple(index.backlinks.get(cid, ())),
        )
        items.append(
            _per_concept(
                memo,
                "concepts.json",
                concept,
                derived,
                _record_text,
                concept,
                index,
                url_for,
            )
        )
    # Each record is indented on its own, as deep as json.dumps(..., indent=1) puts it
    # in the whole, so that a session keeps the records of unchanged concepts.
    concepts = "[\n" + ",\n".join(items) + "\n ]" if items else "[]"
    return (
        f'{{\n "version": {EXPORT_VERSION},\n "count": {len(items)},\n "concepts": {concepts}\n}}'
    )


def _record_text(concept: Concept, index: ConceptIndex, url_for: UrlFor) -> str:
    """A concept's record as it stands in concepts.json: indented one space per level,
    two levels deep (JSON strings hold no raw line breaks, so every line break is the
    indent's)."""
    text = json.dumps(concept_record(concept, index, url_for), ensure_ascii=False, indent=1)
    return "  " + text.replace("\n", "\n  ")


def _per_concept(
    memo: SessionMemo | None,
    export: str,
    concept: Concept,
    derived: Hashable,
    compute: Callable[..., str],
    *arguments: object,
) -> str:
    """``compute(*arguments)``: a concept's part of an export, which depends on the
    concept and on ``derived`` (what it shows of the others: relations, titles, URLs)
    alone; kept for a session while both stay the same."""
    if memo is None:
        return compute(*arguments)
    part: str = memo.table(export).get((Same(concept), derived), lambda _: compute(*arguments))
    return part


def defined_term(concept: Concept, url: str, set_url: str) -> dict[str, Any]:
    """schema.org ``DefinedTerm`` for a concept page."""
    term: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": concept.title,
        "description": concept.summary,
        "termCode": concept.id,
        "url": url,
        "inDefinedTermSet": set_url,
    }
    if concept.aliases:
        term["alternateName"] = list(concept.aliases)
    return term


def defined_term_set(index: ConceptIndex, url: str, url_for: UrlFor, name: str) -> dict[str, Any]:
    """schema.org ``DefinedTermSet`` for the index page."""
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": name,
        "url": url,
        "hasDefinedTerm": [
            {
                "@type": "DefinedTerm",
                "name": index.concepts[cid].title,
                "termCode": cid,
                "url": url_for(cid),
            }
            for cid in sorted(index.concepts)
        ],
    }


def script_json(data: Any) -> str:
    """JSON safe to embed in a ``<script>`` element: no '<', '>' or '&' characters."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


# -- llms.txt and llms-full.txt --------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]<])")
"""Characters that would turn text into code, a link or HTML in Markdown."""
_BLOCK_START = re.compile(r"([#>+\-*_=~]|\d{1,9}[.)])")
"""How a line can start a block other than a paragraph (the character to escape ends
the group)."""
_HEADING_CLOSER = re.compile(r"(^|\s)(#+)$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)", re.MULTILINE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _markdown_text(text: str) -> str:
    """``text`` on one line, shown as written: Markdown's active characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def _paragraph(text: str) -> str:
    """``text`` as a paragraph of its own: shown as written, even when it starts like a
    heading, a quote, a list item or a thematic break."""
    escaped = _markdown_text(text)
    marker = _BLOCK_START.match(escaped)
    if marker is None:
        return escaped
    at = marker.end(1) - 1
    return f"{escaped[:at]}\\{escaped[at:]}"


def _heading(level: int, text: str) -> str:
    escaped = _markdown_text(text)
    # "C #" would end in a closing sequence, which is not part of the heading's text.
    escaped = _HEADING_CLOSER.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return f"{'#' * level} {escaped}"


def _encode(url: str, unsafe: str) -> str:
    """``url`` with each character of ``unsafe``, every control character and every
    lone ``%`` percent-encoded (as UTF-8); an existing ``%XX`` is kept."""
    url = _PERCENT.sub("%25", url)
    return "".join(
        "".join(f"%{b:02X}" for b in char.encode("utf-8"))
        if char in unsafe or ord(char) <= 0x20 or 0x7F <= ord(char) <= 0x9F
        else char
        for char in url
    )


_IRI_UNSAFE = '<>"{}|^`\\'
"""What an IRIREF may not hold besides controls and spaces (Turtle, production [18])."""
_MARKDOWN_URL_UNSAFE = _IRI_UNSAFE + "()"
"""A Markdown link destination ends at an unbalanced ')': encode both parentheses."""


def _markdown_url(url: str) -> str:
    return _encode(url, _MARKDOWN_URL_UNSAFE)


def _url_text(url: str) -> str:
    """A URL in running text: an autolink when absolute, else the URL itself."""
    safe = _markdown_url(url)
    return f"<{safe}>" if _SCHEME.match(safe) else _markdown_text(safe)


def _by_title(concepts: Iterable[Concept]) -> list[Concept]:
    return sorted(concepts, key=lambda c: (c.title.casefold(), c.title, c.id))


def _titles(index: ConceptIndex, ids: Iterable[str]) -> str:
    """Concepts named by title, sorted, separated by ';' (titles may hold commas)."""
    return "; ".join(_markdown_text(c.title) for c in _by_title(index.concepts[i] for i in ids))


def _broader(concept: Concept, index: ConceptIndex) -> list[str]:
    """The concept's broader concepts that exist, as the index derives narrower ones."""
    return sorted({p for p in concept.broader if p in index.concepts and p != concept.id})


def _concepts(count: int) -> str:
    return f"{count} concept{'' if count == 1 else 's'}"


def _header(site_name: str, site_description: str) -> list[str]:
    lines = [_heading(1, site_name), ""]
    if site_description.strip():
        lines += [f"> {_paragraph(site_description)}", ""]
    return lines


def llms_txt(
    index: ConceptIndex,
    url_for: UrlFor,
    *,
    site_name: str,
    site_description: str,
    memo: SessionMemo | None = None,
) -> str:
    """The ``llms.txt`` index (https://llmstxt.org): the site's name as H1, its
    description as a blockquote, then one H2 section per category (sorted by name)
    listing its concepts by title as ``- [Title](url): summary``."""
    by_category: dict[str, list[Concept]] = {}
    for concept in index.concepts.values():
        by_category.setdefault(concept.category, []).append(concept)
    lines = _header(site_name, site_description)
    lines += [
        f"{_concepts(len(index))} by category. Each link leads to a concept's page;"
        " the text after it is the concept's summary.",
        "",
    ]
    for category in sorted(by_category, key=lambda c: (display_name(c).casefold(), c)):
        lines += [_heading(2, display_name(category) or "Other"), ""]
        for concept in _by_title(by_category[category]):
            url = url_for(concept.id)
            lines.append(_per_concept(memo, "llms", concept, url, _llms_item, concept, url))
        lines.append("")
    return "\n".join(lines)


def _llms_item(concept: Concept, url: str) -> str:
    item = f"- [{_markdown_text(concept.title)}]({_markdown_url(url)})"
    summary = _markdown_text(concept.summary)
    return f"{item}: {summary}" if summary else item


def llms_full_txt(
    index: ConceptIndex,
    url_for: UrlFor,
    *,
    site_name: str,
    site_description: str,
    memo: SessionMemo | None = None,
) -> str:
    """Every concept in one Markdown document, sorted by title: per concept an H2 with
    its title, a list of its URL, aliases, category, tags and relations (by title),
    its summary, its body and its references.

    Each wikilink in a body becomes the text the site shows for it (see
    :meth:`ConceptIndex.link_text`) and ATX headings go down as far as needed to
    stay under the concept's H2 (the highest becomes an H3); code is never changed."""
    lines = _header(site_name, site_description)
    lines += [
        f"{_concepts(len(index))}, sorted by title. Links between concepts are written"
        " as plain text.",
        "",
    ]
    plan = cached(memo, _body_plan)
    concepts = index.concepts
    for concept in _by_title(concepts.values()):
        body = plan(concept.body)
        relations = (
            _broader(concept, index),
            tuple(index.narrower.get(concept.id, ())),
            tuple(index.related.get(concept.id, ())),
        )
        derived = (
            url_for(concept.id),
            tuple((i, concepts[i].title) for ids in relations for i in ids),
            tuple(index.link_text(*part) for part in body if not isinstance(part, str)),
        )
        lines.append(
            _per_concept(
                memo,
                "llms-full.txt",
                concept,
                derived,
                _full_section,
                concept,
                index,
                url_for,
                body,
            )
        )
    return "\n".join(lines)


def _full_section(
    concept: Concept, index: ConceptIndex, url_for: UrlFor, plan: tuple[str | _Link, ...]
) -> str:
    """A concept's section of llms-full.txt."""
    lines = [_heading(2, concept.title), ""]
    facts = [("URL", _url_text(url_for(concept.id)))]
    facts.append(("Aliases", "; ".join(_markdown_text(a) for a in concept.aliases)))
    facts.append(("Category", _markdown_text(display_name(concept.category))))
    facts.append(("Tags", ", ".join(_markdown_text(t) for t in concept.tags)))
    facts.append(("Broader", _titles(index, _broader(concept, index))))
    facts.append(("Narrower", _titles(index, index.narrower.get(concept.id, ()))))
    facts.append(("Related", _titles(index, index.related.get(concept.id, ()))))
    lines += [f"- {name}: {value}" for name, value in facts if value]
    lines.append("")
    # A paragraph ends the list above, so that a body starting with indented code
    # is code, not a continuation of the last item.
    lines += [_paragraph(concept.summary) if concept.summary.strip() else "<!-- -->", ""]
    body = _plain_body(plan, index).strip("\n")
    if body.strip():
        lines += [body, ""]
    if concept.references:
        lines += ["### References", ""]
        lines += [f"- {_reference(r)}" for r in concept.references]
        lines.append("")
    return "\n".join(lines)


_Link = tuple[str, "str | None"]
"""A wikilink's target and label, in a :func:`_body_plan`."""


def _body_plan(body: str) -> tuple[str | _Link, ...]:
    """``body`` as text and wikilinks, with ATX headings moved down so that the highest
    is an H3, outside code only (positions come from the masked body, in which code is
    blanked). What a wikilink shows depends on the other concepts: see
    :func:`_plain_body`."""
    masked = mask_code(body)
    edits: list[tuple[int, int, str | _Link]] = []
    for link in wikilinks(masked):
        match = WIKILINK.match(masked, link.offset)
        assert match is not None  # the same pattern found it at this offset
        edits.append((link.offset, match.end(), (link.target, link.label)))
    headings = list(_ATX_HEADING.finditer(masked)) if "#" in masked else []
    if headings:
        # The highest heading becomes an H3, under the concept's H2; H6 stays H6.
        shift = max(0, 3 - min(len(h.group(1)) for h in headings))
        for heading in headings:
            added = min(shift, 6 - len(heading.group(1)))
            if added:
                edits.append((heading.start(1), heading.start(1), "#" * added))
    if not edits:
        return (body,)
    parts: list[str | _Link] = []
    position = 0
    for start, end, edit in sorted(edits, key=lambda e: e[0]):
        parts += [body[position:start], edit]
        position = end
    parts.append(body[position:])
    return tuple(parts)


def _plain_body(plan: tuple[str | _Link, ...], index: ConceptIndex) -> str:
    """A body planned by :func:`_body_plan`, each wikilink replaced by its text."""
    return "".join(
        part if isinstance(part, str) else _markdown_text(index.link_text(*part)) for part in plan
    )


def _reference(reference: Reference) -> str:
    text = _markdown_text(reference.title)
    if not text.endswith((".", "?", "!")):
        text += "."
    if reference.authors:
        text += " " + ", ".join(_markdown_text(a) for a in reference.authors)
        text += f" ({reference.year})." if reference.year is not None else "."
    elif reference.year is not None:
        text += f" {reference.year}."
    text += f" {_url_text(reference.url)}"
    if reference.note:
        text += f" — {_markdown_text(reference.note)}"
    return text


# -- SKOS in Turtle ---------------------------------------------------------------------

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"

_TURTLE_ESCAPES = {
    **{code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F)},
    ord("\t"): "\\t",
    ord("\b"): "\\b",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\f"): "\\f",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
}
"""ECHAR for the characters that have one, UCHAR for every other control character
(a STRING_LITERAL_QUOTE may not hold a raw quote, backslash, LF or CR)."""
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")


def _turtle_string(text: str, language: str) -> str:
    """A Turtle string literal with a language tag."""
    return f'"{text.translate(_TURTLE_ESCAPES)}"@{language}'


def _turtle_iri(iri: str) -> str:
    """An IRIREF: the characters Turtle does not allow in one percent-encoded."""
    return f"<{_encode(iri, _IRI_UNSAFE)}>"


def skos_turtle(
    index: ConceptIndex,
    url_for: UrlFor,
    *,
    scheme_iri: str,
    site_name: str,
    language: str = "en",
    base: str = "./",
    memo: SessionMemo | None = None,
) -> str:
    """The knowledge base as a SKOS concept scheme, in Turtle.

    Each concept is a ``skos:Concept`` whose IRI is its page's URL, with its title as
    ``skos:prefLabel``, its aliases as ``skos:altLabel`` (an alias equal to the title is
    left out: SKOS keeps the two disjoint), its summary as ``skos:definition``, and
    ``skos:broader``, ``skos:narrower`` and ``skos:related`` as the index derives them
    (narrower from broader, related symmetric). Concepts without a broader concept are
    the scheme's top concepts. Literals are tagged with ``language``.

    When an IRI is relative (``url_for`` gives URLs relative to the site root when no
    site URL is known), the file declares ``@base <base>``: the default ``./`` is the
    folder the file is published in, which is right for a file at the site root.
    """
    if _LANGTAG.fullmatch(language) is None:
        raise ValueError(f"{language!r} is not a language tag")
    turtle_iri = cached(memo, _turtle_iri)
    iris = {cid: turtle_iri(url_for(cid)) for cid in sorted(index.concepts)}
    scheme = _turtle_iri(scheme_iri)
    broader = {cid: _broader(index.concepts[cid], index) for cid in iris}
    top = [cid for cid in iris if not broader[cid]]
    lines: list[str] = []
    if not all(_SCHEME.match(iri[1:]) for iri in (scheme, *iris.values())):
        lines.append(f"@base {_turtle_iri(base)} .")
    lines += [
        f"@prefix dcterms: <{DCTERMS}> .",
        f"@prefix skos: <{SKOS}> .",
        "",
    ]

    lines += _turtle_block(
        scheme,
        "skos:ConceptScheme",
        [("dcterms:title", _turtle_string(site_name, language))]
        + [("skos:hasTopConcept", iris[cid]) for cid in top],
    )
    parts = ["\n".join(lines)]
    for cid, iri in iris.items():
        concept = index.concepts[cid]
        relations = (
            tuple(iris[other] for other in broader[cid]),
            tuple(iris[other] for other in index.narrower.get(cid, ())),
            tuple(iris[other] for other in index.related.get(cid, ())),
        )
        derived = (iri, scheme, language, relations)
        parts.append(
            _per_concept(
                memo,
                "skos",
                concept,
                derived,
                _skos_concept,
                concept,
                iri,
                scheme,
                language,
                relations,
            )
        )
    return "\n".join(parts)


def _skos_concept(
    concept: Concept,
    iri: str,
    scheme: str,
    language: str,
    relations: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
) -> str:
    """A concept's block in the SKOS Turtle file, and the blank line after it."""
    pairs = [("skos:prefLabel", _turtle_string(concept.title, language))]
    aliases = dict.fromkeys(a for a in concept.aliases if a != concept.title)
    pairs += [("skos:altLabel", _turtle_string(a, language)) for a in aliases]
    if concept.summary:
        pairs.append(("skos:definition", _turtle_string(concept.summary, language)))
    broader, narrower, related = relations
    pairs += [("skos:broader", other) for other in broader]
    pairs += [("skos:narrower", other) for other in narrower]
    pairs += [("skos:related", other) for other in related]
    pairs.append(("skos:inScheme", scheme))
    if not broader:
        pairs.append(("skos:topConceptOf", scheme))
    return "\n".join(_turtle_block(iri, "skos:Concept", pairs))


def _turtle_block(subject: str, kind: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The lines of one subject's statements and the blank line after them."""
    lines = [f"{subject} a {kind}" + (" ;" if pairs else " .")]
    lines.extend(
        f"    {predicate} {value}" + (" ;" if i < len(pairs) - 1 else " .")
        for i, (predicate, value) in enumerate(pairs)
    )
    lines.append("")
    return lines
