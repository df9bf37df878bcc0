"""Where each generated page lives, as source paths relative to the docs folder.

The generator turns ``<prefix>/<id>.md`` into ``<prefix>/<id>/`` (or
``<prefix>/<id>.html`` without directory URLs); redirects are plain HTML files.
"""

from __future__ import annotations

from dataclasses import dataclass

from conceptkb.index import ConceptIndex
from conceptkb.names import slugify


@dataclass(frozen=True)
class Layout:
    """Source paths of every page the knowledge base adds to a site."""

    prefix: str = "concepts"

    def _join(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    @property
    def index(self) -> str:
        return self._join("index.md")

    def concept(self, concept_id: str) -> str:
        return self._join(f"{concept_id}.md")

    def tag(self, tag: str) -> str:
        return self._join("tags", f"{tag}.md")

    @property
    def tags_index(self) -> str:
        return self._join("tags", "index.md")

    def category(self, category: str) -> str:
        return self._join("categories", f"{slugify(category)}.md")

    def redirect(self, slug: str, use_directory_urls: bool) -> str:
        return self._join(slug, "index.html") if use_directory_urls else self._join(f"{slug}.html")

    @property
    def export(self) -> str:
        return "concepts.json"

    @property
    def schema(self) -> str:
        return "schema/concept.schema.json"

    @property
    def export_schema(self) -> str:
        return "schema/export.schema.json"


def redirects(index: ConceptIndex) -> dict[str, str]:
    """Every URL slug that leads to a concept without being its id: aliases, former ids.

    Slugs already taken by a concept id, or by an earlier redirect, are left out
    (the linter reports those collisions).
    """
    found: dict[str, str] = {}
    for concept in sorted(index.concepts.values(), key=lambda c: c.id):
        for former in concept.former_ids:
            if former not in index.concepts:
                found.setdefault(former, concept.id)
    for concept in sorted(index.concepts.values(), key=lambda c: c.id):
        for name in concept.aliases:
            slug = slugify(name)
            if slug and slug not in index.concepts:
                found.setdefault(slug, concept.id)
    return found
