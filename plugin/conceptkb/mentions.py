"""Unlinked mentions: another concept's name written in a body as plain text.

A concept's *names* here are its title, its aliases, and the two parts of a title
written "Name (Other name)": "DPO (Direct Preference Optimization)" is also "DPO" and
"Direct Preference Optimization". A *mention* is one of them written out in prose:

- as whole words: the characters on either side are not letters, digits or ``_``
  (in any script), nor a hyphen or a dot that joins it to a word, so "LoRA" is not
  found in "QLoRA" or "LoRA-FA";
- as the name is spelt, ignoring case, except that a short acronym (at most
  :data:`MAX_ACRONYM` characters, every letter a capital: "DPO", "PEFT") must match
  its case;
- on one line, since a wikilink cannot span lines;
- outside code and math (the body is masked), and outside everything a link cannot
  go into or that is not prose: wikilinks, Markdown links, images, reference links,
  footnote markers, autolinks and bare URLs, raw HTML tags, the content of ``<a>``,
  ``<code>``, ``<pre>`` and the like, raw HTML blocks (Markdown leaves their text
  alone), attribute lists (:func:`unlinkable_spans`); headings, admonition titles,
  reference and abbreviation definitions (:func:`unlinkable_line`).

Where names overlap, the longest wins ("Direct Preference Optimization" over
"Preference Optimization"), then the leftmost. A name that wins hides the names inside
it even when it is not reported: the concept's own name, a concept the body links
already, a deprecated concept, a name two concepts share. Two more kinds of name are
not mentions, though they win over shorter ones: the head of a compound, a name right
after another name or a wikilink ("LoRA adapters" are LoRA modules, not the Adapters
concept), and a name inside a proper name, right after a capitalised word that does
not start its sentence ("Hugging Face PEFT library" is a library).

For each other concept the body's first mention is reported, with the wikilink that
replaces it and shows the same text: ``[[id]]`` when the text is the title as
written, else ``[[id|text]]``. On a line holding a ``|`` (a table row, where the
``|`` of a label would split the cell) it is ``[[text]]`` when that resolves to the
concept and shows the text; a mention that cannot be linked there is passed over.

Cost: one scanner for all names, an Aho-Corasick automaton (``ahocorasick_rs``, in
Rust) made once per run from the names in lower case. A body, its wikilinks blanked and
lower-cased (:func:`fold`), is read once by the automaton, which gives every place a
name is written, each in time linear in the body and in what it finds; only those
places are judged in Python. No regular expression is made from names, and the
patterns that find links and HTML are linear.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import ahocorasick_rs
from markdown.util import BLOCK_LEVEL_ELEMENTS

from conceptkb import bodyscan, digest
from conceptkb.index import ConceptIndex
from conceptkb.model import DEPRECATED, Concept
from conceptkb.names import normalize

MAX_ACRONYM = 5
"""Names this long or shorter whose letters are all capitals match only as written."""
_NOT_IN_NAME = frozenset("[]|`*_\\<>${}\n")
"""Names holding one of these are not looked for: Markdown reads the character as
syntax, or a wikilink cannot hold it."""
_JOINERS = "-."

# Patterns for unlinkable_spans(): each starts with a literal, which the regex engine
# looks for with a fast search.
_LINK = re.compile(r"\[[^\[\]]*\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\[\]]*\])")
"""An inline link or image ``[text](url "title")``, or a reference link ``[text][ref]``."""
_FOOTNOTE_MARK = re.compile(r"\[\^[^\[\]\s]+\]")
_DEFINITION = re.compile(r"\n[ ]{0,3}\[([^\[\]\n]+)\]:")
_DEFINITION_START = re.compile(r"\[[^\[\]\n^][^\[\]\n]*\]:")
"""A reference definition (a footnote's ``[^1]:`` starts prose, and is not one)."""
_ABBREVIATION = re.compile(r"\*\[[^\[\]\n]*\]:")
_BRACKETED = re.compile(r"\[([^\[\]\n]+)\]")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*+)(?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*+>")
"""An HTML start or end tag. No branch consumes ``<``, so an attempt never reads past
the next tag; the quantifiers are possessive, so a failed attempt is not retried with
a shorter name (which made ``<`` and a long word without ``>`` quadratic)."""
_OPAQUE = frozenset(
    {"a", "code", "kbd", "math", "pre", "samp", "script", "style", "svg", "textarea", "var"}
)
"""Elements whose content is a link already, code, or not prose."""
_BLOCK_LEVEL = frozenset(BLOCK_LEVEL_ELEMENTS)
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})


def fold(text: str) -> str:
    """``text`` in lower case, character for character (offsets are kept)."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.replace("\u03c2", "\u03c3")  # final sigma


def _is_word(char: str) -> bool:
    return (
        char.isalnum()
        or char == "_"
        or (not char.isascii() and unicodedata.category(char).startswith("M"))
    )


def is_acronym(name: str) -> bool:
    """A short name in capitals ("DPO", "PEFT", "GPT-4"), matched only as written."""
    return len(name) <= MAX_ACRONYM and name.upper() == name and name.lower() != name


def title_parts(title: str) -> list[str]:
    """The two names in a title written "Name (Other name)", else none."""
    opening = title.rfind(" (")
    if not title.endswith(")") or opening <= 0:
        return []
    inner = title[opening + 2 : -1]
    if "(" in inner or ")" in inner:
        return []
    return [part for part in (title[:opening].strip(), inner.strip()) if part]


class _Name(NamedTuple):
    text: str
    folded: str
    concept_id: str | None
    """None when the name is not reported (see :class:`MentionScanner`)."""
    exact: bool
    """Matched only as written (a short acronym)."""
    word_start: bool
    word_end: bool


class Mention(NamedTuple):
    """The first unlinked mention of a concept in a body, and the link for it."""

    start: int
    """Offset in the body."""
    end: int
    text: str
    """The mention as written."""
    concept_id: str
    link: str
    """The wikilink that replaces the text and shows the same words."""
    line: int
    """Line in the body, 1-based."""
    column: int

    @property
    def message(self) -> str:
        return f'"{self.text}" names {self.concept_id}: link it as {self.link}'


_Found = tuple[int, int, _Name]
"""Where a name was found: start and end offsets, and the name."""


def _longest_then_leftmost(found: _Found) -> tuple[int, int]:
    return found[0] - found[1], found[0]


def names_digest(index: ConceptIndex) -> str:
    """A digest of all that :meth:`MentionScanner.scan` reads of the other concepts (their
    ids, names, former ids and status): equal digests, equal findings for an unchanged
    concept."""
    return digest.of(
        [(c.id, c.title, c.aliases, c.former_ids, c.status) for c in index.concepts.values()]
    )


class MentionScanner:
    """Every name of a knowledge base, filed for :meth:`scan`. Built once per lint run,
    from the index.

    A name two concepts share, or a deprecated concept's name, is filed too, so that it
    hides the shorter names inside it, but it is never reported."""

    def __init__(self, index: ConceptIndex) -> None:
        self.index = index
        self._part_owners: dict[str, set[str]] = {}
        """Title parts (which the index does not know as names) -> concept ids."""
        spelt: dict[str, list[tuple[str, Concept]]] = {}
        """Each name in lower case -> the names written so, with their concepts."""
        for concept in index.concepts.values():
            names = [concept.title, *concept.aliases]
            if concept.title.endswith(")"):
                for part in title_parts(concept.title):
                    self._part_owners.setdefault(normalize(part), set()).add(concept.id)
                    names.append(part)
            for text in names:
                if text and _NOT_IN_NAME.isdisjoint(text):
                    spelt.setdefault(fold(text), []).append((text, concept))
        self._written: list[list[tuple[str, Concept]]] = list(spelt.values())
        """The names that may be mentioned, with their concepts, by pattern."""
        self._names: dict[int, list[_Name]] = {}
        """The names of a pattern, made the first time a body holds it: a large knowledge
        base has many names that no body mentions."""
        self._automaton = ahocorasick_rs.AhoCorasick(list(spelt)) if spelt else None

    def names(self, written: list[tuple[str, Concept]]) -> list[_Name]:
        """The names spelt alike in lower case, each spelling once."""
        names: list[_Name] = []
        forms: set[tuple[str, bool]] = set()
        for text, concept in written:
            folded, exact = fold(text), is_acronym(text)
            if (folded, exact) in forms:
                continue
            forms.add((folded, exact))
            key = normalize(text)
            owners = self._part_owners.get(key, set()).union(self.index.names.get(key, ()))
            alone = owners == {concept.id} and concept.status != DEPRECATED
            target = concept.id if alone else None
            names.append(_Name(text, folded, target, exact, _is_word(text[0]), _is_word(text[-1])))
        return names

    def scan(self, concept: Concept) -> list[Mention]:
        """The first unlinked mention of each other concept in the body, in order."""
        if self._automaton is None:
            return []
        masked = concept.masked_body
        # Wikilinks blanked: names inside them are no mentions, and need no look-up.
        text = _without_links(masked, concept.links)
        folded = fold(text)
        found: list[_Found] = []
        known = self._names
        for pattern, start, end in self._automaton.find_matches_as_indexes(
            folded, overlapping=True
        ):
            names = known.get(pattern)
            if names is None:
                names = known[pattern] = self.names(self._written[pattern])
            for name in names:
                if _bounded(folded, start, end, name) and (
                    not name.exact or masked.startswith(name.text, start)
                ):
                    found.append((start, end, name))
        targets = {name.concept_id for _, _, name in found} - {None, concept.id}
        if not targets:
            return []
        linked = {concept.id, *self.index.links_to.get(concept.id, ())}
        if targets <= linked:
            return []
        return self._mentions(concept, text, found, linked)

    def _mentions(
        self, concept: Concept, text: str, found: list[_Found], linked: set[str]
    ) -> list[Mention]:
        """The first mention of each concept among ``found``, in ``text`` (the masked
        body with its wikilinks blanked)."""
        masked, body = concept.masked_body, concept.body
        spans = unlinkable_spans(text)
        excluded = _Spans(spans) if spans else None
        taken = _Spans()
        chosen: list[_Found] = []
        # The longest name first, then the leftmost; each keeps its text from the others.
        for item in sorted(found, key=_longest_then_leftmost) if len(found) > 1 else found:
            start, end, _ = item
            if taken.overlaps(start, end) or (
                excluded is not None and excluded.overlaps(start, end)
            ):
                continue
            if masked is not body and body[start:end] != masked[start:end]:
                continue  # it straddles code or math
            chosen.append(item)
            taken.add(start, end)
        if len(chosen) > 1:
            chosen.sort()
        ends = {end for _, end, _ in chosen}
        ends.update(link.end for link in concept.links)
        table = "|" in masked
        mentions: list[Mention] = []
        seen: set[str] = set()
        for start, end, name in chosen:
            target = name.concept_id
            if target is None or target in linked or target in seen:
                continue
            # A name on a line that is not prose hides only names on that line: all of
            # them are passed over there, so the line is judged for reported names alone.
            if unlinkable_line(masked, start):
                continue
            if masked[start - 1 : start] == " " and (
                start - 1 in ends or _after_proper_name(masked, start, ends)
            ):
                continue  # the head of a compound, or part of a proper name
            written = body[start:end]
            in_table = table and _in_table_row(masked, start, end)
            link = self.link_for(written, target, in_table=in_table)
            if link is None:
                continue
            seen.add(target)
            line_start = masked.rfind("\n", 0, start) + 1
            line = masked.count("\n", 0, start) + 1
            column = start - line_start + 1
            mentions.append(Mention(start, end, written, target, link, line, column))
        return mentions

    def link_for(self, text: str, target: str, *, in_table: bool = False) -> str | None:
        """The simplest wikilink to ``target`` that shows ``text``, or None."""
        if text == self.index.concepts[target].title:
            return f"[[{target}]]"
        if not in_table:
            return f"[[{target}|{text}]]"
        resolved = self.index.resolve(text).concept
        if (
            resolved is not None
            and resolved.id == target
            and self.index.link_text(text, None) == text
        ):
            return f"[[{text}]]"
        return None


def _without_links(masked: str, links: Iterable[bodyscan.WikiLink]) -> str:
    """``masked`` with every wikilink blanked."""
    pieces: list[str] = []
    done = 0
    for link in links:
        pieces += (masked[done : link.offset], " " * (link.end - link.offset))
        done = link.end
    if not pieces:
        return masked
    pieces.append(masked[done:])
    return "".join(pieces)


class _Spans:
    """Sorted, disjoint (start, end) spans, asked whether a range overlaps one."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans):
            if self._ends and start <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start) - 1
        if i >= 0 and self._ends[i] > start:
            return True
        return i + 1 < len(self._starts) and self._starts[i + 1] < end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none."""
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def _bounded(text: str, start: int, end: int, name: _Name) -> bool:
    """Whether ``text[start:end]`` stands as whole words: no word character next to it,
    and no hyphen or dot joining it to one ("QLoRA", "LoRA-FA", "GPT-4.5")."""
    if name.word_start and start > 0:
        before = text[start - 1]
        if _is_word(before) or (before in _JOINERS and start > 1 and _is_word(text[start - 2])):
            return False
    if name.word_end and end < len(text):
        after = text[end]
        if _is_word(after) or (
            after in _JOINERS and end + 1 < len(text) and _is_word(text[end + 1])
        ):
            return False
    return True


def _after_proper_name(text: str, start: int, ends: set[int]) -> bool:
    """Whether the word before ``start`` (one space between) is capitalised and is not
    the first word of its sentence: "Hugging Face PEFT". What comes before that word
    may be a word, a name or a wikilink (``ends``): a name and the wikilink that
    replaces it must read the same."""
    first = text.rfind(" ", 0, start - 1) + 1
    word = text[first : start - 1]
    if not word[:1].isupper() or not word.replace("-", "").isalnum():
        return False
    return first >= 2 and (_is_word(text[first - 2]) or first - 1 in ends)


def _in_table_row(masked: str, start: int, end: int) -> bool:
    """Whether the line holds a ``|`` outside wikilinks: in a table row, the ``|`` of a
    labelled wikilink would split the cell."""
    line_start = masked.rfind("\n", 0, start) + 1
    line_end = masked.find("\n", end)
    line = masked[line_start : None if line_end == -1 else line_end]
    return "|" in line and "|" in bodyscan.WIKILINK.sub("", line)


def unlinkable_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a masked body, its wikilinks blanked, where a wikilink cannot go:
    Markdown links, images and reference links, footnote markers, raw HTML, autolinks,
    bare URLs and attribute lists. Each pattern runs only when the text holds what it
    starts with; each is linear."""
    spans: list[tuple[int, int]] = []
    if "[" in text:
        if "](" in text or "][" in text:
            spans.extend(m.span() for m in _LINK.finditer(text))
        if "[^" in text:
            spans.extend(m.span() for m in _FOOTNOTE_MARK.finditer(text))
        if "]:" in text:
            labels = {
                normalize(m.group(1))
                for m in _DEFINITION.finditer("\n" + text)
                if not m.group(1).startswith("^")
            }
            if labels:  # shortcut reference links: [label] alone, when label is defined
                spans.extend(
                    m.span() for m in _BRACKETED.finditer(text) if normalize(m.group(1)) in labels
                )
    if "<" in text:
        spans.extend(m.span() for m in bodyscan.AUTOLINK.finditer(text))
        spans.extend(_html(text))
    if "://" in text or "www." in text:
        spans.extend(_bare_urls(text))
    if "{" in text:
        spans.extend(m.span() for m in bodyscan.ATTR_LIST.finditer(text))
    return spans


def unlinkable_line(masked: str, offset: int) -> bool:
    """Whether the line holding ``offset`` is not prose a link may go into: a heading
    (``#`` or underlined with ``=`` or ``-``), an admonition title (``!!!``, ``???``),
    a reference definition (``[label]: url``) or an abbreviation (``*[HTML]: ...``).
    Read in place: the line is not copied (this runs for every mention)."""
    start = masked.rfind("\n", 0, offset) + 1
    end = masked.find("\n", offset)
    end = len(masked) if end == -1 else end
    first = start  # the first character after the spaces that indent the line
    while first < end and masked[first] == " ":
        first += 1
    lead = masked[first] if first < end else ""
    if lead == "#":
        marks = first
        while marks < end and masked[marks] == "#":
            marks += 1
        if first - start <= 3 and marks - first <= 6 and (marks == end or masked[marks] in " \t"):
            return True
    elif lead in ("!", "?", "\t"):
        after_tabs = first
        while after_tabs < end and masked[after_tabs] == "\t":
            after_tabs += 1
        if masked.startswith(("!!!", "???"), after_tabs, end):
            return True
    elif lead == "[" and first - start <= 3 and _DEFINITION_START.match(masked, first, end):
        return True
    if lead == "*" and _ABBREVIATION.match(masked, start, end):
        return True
    if end == len(masked) or masked[end + 1 : end + 2] not in ("=", "-"):
        return False  # no next line, or it cannot underline this one
    if not masked[start:end].strip():
        return False
    underline_end = masked.find("\n", end + 1)
    underline = masked[end + 1 : len(masked) if underline_end == -1 else underline_end].rstrip(" ")
    return underline == underline[0] * len(underline)


def _bare_urls(text: str) -> Iterator[tuple[int, int]]:
    """``https://...`` and ``www....`` written without link syntax, to the next space."""
    for marker, before in (("://", True), ("www.", False)):
        position = text.find(marker)
        while position != -1:
            start = position
            if before:
                scheme = _URL_SCHEME.search(text, max(0, position - 32), position)
                start = scheme.start() if scheme else position
            end = position + len(marker)
            while end < len(text) and not text[end].isspace() and text[end] not in "<>":
                end += 1
            yield start, end
            position = text.find(marker, end)


def _html(masked: str) -> Iterator[tuple[int, int]]:
    """Comments, tags, the content of opaque elements and raw HTML blocks."""
    position = masked.find("<!--")
    while position != -1:
        close = masked.find("-->", position + 4)
        end = len(masked) if close == -1 else close + 3
        yield position, end
        position = masked.find("<!--", end)
    tags = list(_TAG.finditer(masked))
    for i, tag in enumerate(tags):
        yield tag.span()
        name = tag.group(2).lower()
        if tag.group(1) or tag.group(0).endswith("/>"):
            continue
        block = name in _BLOCK_LEVEL and _starts_line(masked, tag.start())
        if name in _VOID:
            if block:
                paragraph = masked.find("\n\n", tag.end())
                yield tag.start(), len(masked) if paragraph == -1 else paragraph
        elif name in _OPAQUE or block:
            yield tag.start(), _element_end(tags, i, name, len(masked))


def _starts_line(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return offset - line_start <= 3 and not text[line_start:offset].strip()


def _element_end(tags: list[re.Match[str]], i: int, name: str, default: int) -> int:
    """Where the element opened by ``tags[i]`` ends: after its end tag, counting nested
    elements of the same name; the end of the text when it is never closed."""
    depth = 0
    for tag in tags[i + 1 :]:
        if tag.group(2).lower() != name:
            continue
        if not tag.group(1):
            depth += 1
        elif depth:
            depth -= 1
        else:
            return tag.end()
    return default
