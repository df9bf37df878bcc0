"""Name normalisation and slugs, shared by name resolution, collisions and URLs."""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

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


def display_name(name: str) -> str:
    """A vocabulary name (a category) as shown to readers: 'method-family' -> 'Method family'."""
    text = name.replace("-", " ")
    return text[:1].upper() + text[1:]


MAX_ID_LENGTH = 100
"""Characters in a concept id: the same limit for file names and for references
(the schema's ``$defs/id`` says the same; a test holds them equal)."""


def is_valid_id(value: str) -> bool:
    """Whether a string is a lowercase kebab-case concept id within the length limit."""
    return len(value) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(value) is not None


def did_you_mean(suggestion: str | None) -> str:
    """The hint that ends a message: `` (did you mean 'qlora'?)``, or nothing."""
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


@functools.cache
def _prototypes() -> dict[int, str]:
    """Unicode's confusable prototypes (UTS #39), shipped in ``data/confusables.tsv``."""
    table: dict[int, str] = {}
    text = resources.files("conceptkb").joinpath("data/confusables.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            source, target = line.split("\t")
            table[int(source, 16)] = "".join(chr(int(c, 16)) for c in target.split())
    return table


@functools.cache
def _ascii_prototypes() -> tuple[tuple[str, str], ...]:
    """The prototypes of ASCII characters ("1" -> "l", "m" -> "rn"): eight of them.
    No prototype holds a character that has one (a test holds the table so), so
    replacing them one after another gives what translating all at once gives, in a
    fraction of the time (``translate`` looks up every character of the name)."""
    return tuple(
        (chr(code), target) for code, target in sorted(_prototypes().items()) if code < 128
    )


def skeleton(name: str) -> str:
    """The TR39 confusable skeleton of a normalised name: names that look alike
    ("Alpha" with a Latin or a Cyrillic A) have equal skeletons."""
    normal = normalize(name)
    if normal.isascii():
        # Most names: decomposing ASCII changes nothing, and so does decomposing what
        # the ASCII prototypes give, unless one of them is not ASCII ("%").
        mapped = normal
        for source, target in _ascii_prototypes():
            if source in mapped:
                mapped = mapped.replace(source, target)
        return mapped if mapped.isascii() else unicodedata.normalize("NFD", mapped)
    decomposed = unicodedata.normalize("NFD", normal)
    return unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


def invisible_characters(text: str) -> list[str]:
    """Format (Cf) and control (Cc) characters in ``text``, as ``U+200B`` names:
    zero-width spaces and joiners, bidirectional overrides and the like."""
    return [
        f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
        for char in text
        if unicodedata.category(char) in ("Cf", "Cc")
    ]


_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,15})\)\s*$")


def fold(text: str) -> str:
    """``text`` without accents: 'Crème fraîche' -> 'Creme fraiche'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def proposed_id(title: str) -> str:
    """The id ``conceptkb new`` proposes for a title: the acronym in parentheses at the
    end when there is one ("Group Relative Policy Optimization (GRPO)" -> 'grpo'),
    else the title folded to ASCII and slugged ("Crème fraîche" -> 'creme-fraiche')."""
    acronym = _ACRONYM.search(title)
    if acronym is not None:
        return slugify(acronym.group(1))
    return slugify(fold(title))
