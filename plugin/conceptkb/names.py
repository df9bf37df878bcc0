"""Name normalisation and slugs, shared by name resolution, collisions and URLs."""

from __future__ import annotations

import functools
import re
import unicodedata

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[\W_]+")

WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)


@functools.lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """The form names are compared in: Unicode NFKC, case-folded, spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def slugify(name: str) -> str:
    """A URL path segment for a name: 'Low-Rank Adaptation' -> 'low-rank-adaptation'."""
    return _NOT_SLUG.sub("-", normalize(name)).strip("-")


def is_valid_id(value: str) -> bool:
    """Whether a string is a lowercase kebab-case concept id."""
    return ID_PATTERN.fullmatch(value) is not None


def did_you_mean(suggestion: str | None) -> str:
    """The hint that ends a message: `` (did you mean 'qlora'?)``, or nothing."""
    return f" (did you mean {suggestion!r}?)" if suggestion else ""
