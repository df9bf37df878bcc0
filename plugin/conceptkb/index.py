"""The concept index: every concept by id and by name, and the derived relations."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from conceptkb.model import DEPRECATED, DRAFT, Concept
from conceptkb.names import normalize


class Resolution(NamedTuple):
    """What a name in a wikilink points to: one concept, several, or none (a named
    tuple: one is made for every name links use, and a tuple is made fastest)."""

    concept: Concept | None
    candidates: tuple[str, ...] = ()
    suggestion: str | None = None


class ConceptIndex:
    """Concepts by id, former id and normalised name, with derived relations.

    Built once per lint run or build, after every file has been read; every lookup is
    a dictionary access, so the cost of resolving links grows with their number only.
    """

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {}
        for concept in concepts:
            self.concepts.setdefault(concept.id, concept)
        self.former: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        for concept in self.concepts.values():
            for former in concept.former_ids:
                if former not in self.concepts:
                    self.former.setdefault(former, concept.id)
            formers = (f for f in concept.former_ids if f not in self.concepts)
            for name in (concept.id, concept.title, *concept.aliases, *formers):
                owners = self.names.setdefault(normalize(name), [])
                if concept.id not in owners:
                    owners.append(concept.id)
        self.narrower: dict[str, list[str]] = {}
        self.related: dict[str, list[str]] = {}
        self.backlinks: dict[str, list[str]] = {}
        self.links_to: dict[str, AbstractSet[str]] = {}
        """Concept id -> ids of the other concepts its wikilinks resolve to."""
        self.replaces: dict[str, list[str]] = {}
        """Successor id -> ids of the deprecated concepts whose superseded_by names it."""
        self._resolved: dict[str, Resolution] = {}
        self._derive()

    def _derive(self) -> None:
        narrower: dict[str, set[str]] = defaultdict(set)
        related: dict[str, set[str]] = defaultdict(set)
        backlinks: dict[str, set[str]] = defaultdict(set)
        replaces: dict[str, set[str]] = defaultdict(set)
        # Each name links use, resolved once: the same names recur in many bodies.
        resolve = self.resolve
        target_ids = {
            name: None if (target := resolve(name).concept) is None else target.id
            for name in {link.target for c in self.concepts.values() for link in c.links}
        }
        for concept in self.concepts.values():
            successor = self.successor(concept.id)
            if successor is not None:
                replaces[successor.id].add(concept.id)
            for parent in concept.broader:
                if parent in self.concepts and parent != concept.id:
                    narrower[parent].add(concept.id)
            for other in concept.related:
                if other in self.concepts and other != concept.id:
                    related[concept.id].add(other)
                    related[other].add(concept.id)
            if concept.links:
                targets = {
                    target_id
                    for link in concept.links
                    if (target_id := target_ids[link.target]) is not None
                    and target_id != concept.id
                }
                for target_id in targets:
                    backlinks[target_id].add(concept.id)
                self.links_to[concept.id] = targets
        self.narrower.update((k, sorted(v)) for k, v in narrower.items())
        self.related.update((k, sorted(v)) for k, v in related.items())
        self.backlinks.update((k, sorted(v)) for k, v in backlinks.items())
        self.replaces.update((k, sorted(v)) for k, v in replaces.items())

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def get(self, concept_id: str) -> Concept | None:
        """A concept by id or former id."""
        found = self.concepts.get(concept_id)
        if found is None and concept_id in self.former:
            found = self.concepts[self.former[concept_id]]
        return found

    def resolve(self, name: str) -> Resolution:
        """A wikilink target: an id, a former id, or an unambiguous title or alias."""
        known = self._resolved.get(name)
        if known is None:
            known = self._resolved[name] = self._resolve(name)
        return known

    def _resolve(self, name: str) -> Resolution:
        found = self.get(name)
        if found is not None:
            return Resolution(found)
        owners = self.names.get(normalize(name), [])
        if len(owners) == 1:
            return Resolution(self.concepts[owners[0]])
        if owners:
            return Resolution(None, tuple(sorted(owners)))
        return Resolution(None, suggestion=self.suggest(name))

    def link_text(self, target: str, label: str | None) -> str:
        """The text a wikilink shows: its label, else the concept's title when the link
        names it by id, else the name as written (a title, an alias, a former id or a
        name that resolves to nothing)."""
        if label:
            return label
        concept = self.resolve(target).concept
        return concept.title if concept is not None and target == concept.id else target

    def suggest(self, name: str) -> str | None:
        """The id of the concept whose id or name is closest to ``name``, if any is close."""
        match = difflib.get_close_matches(normalize(name), list(self.names), n=1, cutoff=0.75)
        if not match:
            return None
        return self.names[match[0]][0]

    def drafts(self) -> list[Concept]:
        """Concepts with ``status: draft``, by id. The site leaves them out of the index,
        search and map unless the ``show_drafts`` option is set."""
        return [self.concepts[cid] for cid in sorted(self.concepts) if self._is(cid, DRAFT)]

    def deprecated(self) -> list[Concept]:
        """Concepts with ``status: deprecated``, by id."""
        return [self.concepts[cid] for cid in sorted(self.concepts) if self._is(cid, DEPRECATED)]

    def _is(self, concept_id: str, status: str) -> bool:
        return self.concepts[concept_id].status == status

    def successor(self, concept_id: str) -> Concept | None:
        """The concept that replaces a deprecated one (its ``superseded_by``), when the
        concept is deprecated and the id names another known concept."""
        concept = self.concepts.get(concept_id)
        if concept is None or concept.status != DEPRECATED or concept.superseded_by == concept_id:
            return None
        return self.concepts.get(concept.superseded_by or "")

    def _sources(self, concept_id: str) -> tuple[Iterable[str], ...]:
        """What may link to a concept's page: its backlinks, narrower and related
        concepts, and the parents it names (which may name no known concept)."""
        return (
            self.backlinks.get(concept_id, ()),
            self.narrower.get(concept_id, ()),
            self.related.get(concept_id, ()),
            self.concepts[concept_id].broader,
        )

    def is_linked(self, concept_id: str) -> bool:
        """Whether any other concept's page links to this one: ``links_of`` is not
        empty, found without making the set."""
        return any(
            source != concept_id and source in self.concepts
            for sources in self._sources(concept_id)
            for source in sources
        )

    def links_of(self, concept_id: str) -> set[str]:
        """Every other concept whose page links to this one (written or derived)."""
        sources = {
            source
            for sources in self._sources(concept_id)
            for source in sources
            if source in self.concepts
        }
        sources.discard(concept_id)
        return sources
