"""Machine-readable views of the knowledge base: concepts.json and schema.org JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conceptkb.index import ConceptIndex
from conceptkb.model import Concept

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


def concepts_json(index: ConceptIndex, url_for: UrlFor) -> str:
    """The ``concepts.json`` export, sorted by id."""
    records = [
        concept_record(index.concepts[cid], index, url_for) for cid in sorted(index.concepts)
    ]
    return json.dumps(
        {"version": EXPORT_VERSION, "count": len(records), "concepts": records},
        ensure_ascii=False,
        indent=1,
    )


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
