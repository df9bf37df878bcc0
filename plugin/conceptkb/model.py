"""Domain objects: a concept and a reference, built from validated front matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from conceptkb.bodyscan import WikiLink
from conceptkb.frontmatter import Document
from conceptkb.kbdate import parse_date
from conceptkb.mathtex import Formula

STABLE, DRAFT, DEPRECATED = "stable", "draft", "deprecated"
STATUSES = (STABLE, DRAFT, DEPRECATED)
"""Editorial statuses; a concept without one is stable."""


class Reference(NamedTuple):
    """A cited source (a named tuple: a knowledge base makes one per citation, and a
    frozen dataclass costs three times as much to make)."""

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


@dataclass(slots=True)
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
    status: str = STABLE
    """``stable``, ``draft`` or ``deprecated``."""
    superseded_by: str | None = None
    """The id of the concept that replaces a deprecated one."""
    reviewed: str | None = None
    """The date of the last review, ``YYYY-MM-DD``; None if never reviewed."""
    former_ids: tuple[str, ...] = ()
    source: Path | None = None
    """The file itself."""
    masked_body: str = ""
    """The body with code and math blanked: what Markdown reads as Markdown."""
    formulas: list[Formula] = field(default_factory=list)
    links: list[WikiLink] = field(default_factory=list)
    ignore: dict[str, str] = field(default_factory=dict)
    """Configurable rules silenced for this file: rule code or name -> reason."""
    complete: bool = True
    """False when the front matter failed the schema (see :meth:`from_partial`)."""

    @property
    def body(self) -> str:
        return self.document.body

    @property
    def body_line(self) -> int:
        return self.document.body_line

    @classmethod
    def from_partial(cls, concept_id: str, document: Document) -> Concept:
        """A concept from front matter that failed the schema: every field that has the
        right type is kept, the rest take empty values, so the other checks still run."""
        data = document.data

        def text(key: str, default: str = "") -> str:
            value = data.get(key)
            return value.strip() if isinstance(value, str) else default

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key)
            if not isinstance(value, list):
                return ()
            return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())

        references = data.get("references")
        return cls(
            id=concept_id,
            path=document.path,
            document=document,
            title=text("title", concept_id),
            summary=text("summary"),
            category=text("category"),
            aliases=strings("aliases"),
            tags=strings("tags"),
            broader=strings("broader"),
            related=strings("related"),
            references=tuple(
                Reference(title=r["title"].strip(), url=r["url"])
                for r in (references if isinstance(references, list) else ())
                if isinstance(r, dict)
                and isinstance(r.get("title"), str)
                and isinstance(r.get("url"), str)
            ),
            status=status if (status := data.get("status")) in STATUSES else STABLE,
            superseded_by=text("superseded_by") or None,
            reviewed=reviewed if parse_date(reviewed := data.get("reviewed")) else None,
            former_ids=strings("former_ids"),
            ignore={str(k): v for k, v in (data.get("ignore") or {}).items() if isinstance(v, str)}
            if isinstance(data.get("ignore"), dict)
            else {},
            complete=False,
        )

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
            aliases=tuple([a.strip() for a in data.get("aliases", ())]),
            tags=tuple(data.get("tags", ())),
            broader=tuple(data.get("broader", ())),
            related=tuple(data.get("related", ())),
            references=tuple(
                [
                    Reference(
                        title=r["title"].strip(),
                        url=r["url"],
                        authors=tuple(r.get("authors", ())),
                        year=r.get("year"),
                        note=r.get("note"),
                    )
                    for r in data.get("references", ())
                ]
            ),
            status=data.get("status", STABLE),
            superseded_by=data.get("superseded_by"),
            reviewed=data.get("reviewed"),
            former_ids=tuple(data.get("former_ids", ())),
            ignore=dict(data.get("ignore", {})),
        )
