"""Domain objects: a concept and a reference, built from validated front matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conceptkb.bodyscan import WikiLink
from conceptkb.frontmatter import Document


@dataclass(frozen=True)
class Reference:
    """A cited source."""

    title: str
    url: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, "url": self.url}
        if self.authors:
            data["authors"] = list(self.authors)
        if self.year is not None:
            data["year"] = self.year
        if self.note is not None:
            data["note"] = self.note
        return data


@dataclass
class Concept:
    """One concept file, parsed and valid against the schema."""

    id: str
    path: str
    """The file path as shown in findings (relative to the working folder when possible)."""
    document: Document
    title: str
    summary: str
    category: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    status: str = "stable"
    former_ids: tuple[str, ...] = ()
    source: Path | None = None
    """The file itself."""
    masked_body: str = ""
    links: list[WikiLink] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.document.body

    @property
    def body_line(self) -> int:
        return self.document.body_line

    @classmethod
    def from_document(cls, concept_id: str, document: Document) -> Concept:
        data = document.data
        return cls(
            id=concept_id,
            path=document.path,
            document=document,
            title=data["title"].strip(),
            summary=data["summary"].strip(),
            category=data["category"],
            aliases=tuple(a.strip() for a in data.get("aliases", ())),
            tags=tuple(data.get("tags", ())),
            broader=tuple(data.get("broader", ())),
            related=tuple(data.get("related", ())),
            references=tuple(
                Reference(
                    title=r["title"].strip(),
                    url=r["url"],
                    authors=tuple(r.get("authors", ())),
                    year=r.get("year"),
                    note=r.get("note"),
                )
                for r in data.get("references", ())
            ),
            status=data.get("status", "stable"),
            former_ids=tuple(data.get("former_ids", ())),
        )
