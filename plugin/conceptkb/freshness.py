"""Freshness: entries never reviewed, reviewed too long ago, or reviewed "in the future".

Ages are measured against the knowledge base's own date (:mod:`conceptkb.kbdate`), so
the findings change with commits, never with the day a build runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from conceptkb.kbdate import FROM_ENVIRONMENT, FROM_GIT, KbDate, months_before, parse_date
from conceptkb.model import STABLE, Concept
from conceptkb.rules import REVIEWED_AFTER_KB_DATE, STALE_ENTRY

NEVER_REVIEWED = (
    "never reviewed: check the entry against its sources, then record the day with"
    " reviewed: YYYY-MM-DD"
)

_OR = {
    FROM_GIT: ", or commit the review",
    FROM_ENVIRONMENT: ", or set SOURCE_DATE_EPOCH to a later time",
}
"""How else a review dated after the knowledge base's date comes right."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding about one concept's ``reviewed`` date (``where`` [] is the file)."""

    concept: Concept
    where: list[str | int]
    code: str
    message: str


def problems(concepts: Iterable[Concept], kb_date: KbDate | None, period: int) -> Iterator[Problem]:
    """CK305 for stable entries never reviewed or reviewed more than ``period`` months
    before ``kb_date`` (none when ``period`` is 0), CK306 for any ``reviewed`` date
    after ``kb_date``. Drafts and deprecated entries are not expected to be fresh."""
    cutoff = months_before(kb_date.date, period) if kb_date is not None and period else None
    for concept in concepts:
        reviewed = parse_date(concept.reviewed)
        if reviewed is None:
            # An invalid date is the schema's finding (CK103); only absence is news here.
            if period and concept.status == STABLE and "reviewed" not in concept.document.data:
                yield Problem(concept, [], STALE_ENTRY, NEVER_REVIEWED)
            continue
        if kb_date is not None and reviewed > kb_date.date:
            hint = "fix the date" + _OR.get(kb_date.source, "")
            yield Problem(
                concept,
                ["reviewed"],
                REVIEWED_AFTER_KB_DATE,
                f"reviewed {concept.reviewed} is after the knowledge base's date, {kb_date}:"
                f" {hint}",
            )
        elif cutoff is not None and reviewed < cutoff and concept.status == STABLE:
            yield Problem(
                concept,
                ["reviewed"],
                STALE_ENTRY,
                f"last reviewed {concept.reviewed}, more than {period}"
                f" month{'' if period == 1 else 's'} before the knowledge base's date: check the"
                " entry against its sources and update reviewed",
            )
