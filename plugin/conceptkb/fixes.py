"""Write the wikilinks that CK307 (unlinked-mention) suggests into the concept files.

Only the mentions a lint run reported are linked, so everything that hides a finding
hides its fix too: the rule turned off, ``ignore: {CK307: ...}`` in a file, paths or
``--changed`` that leave a file out. Only files inside the concepts folder are written.

A file changes only where a mention is: the mention's text becomes the suggested
wikilink, which shows the same text, and every other byte stays as it was: a byte
order mark, CRLF or CR line ends, the end of the last line or its absence. Code is
never touched, since the scanner never finds a mention in it. A file is written
atomically: to a temporary file in the same folder, flushed to the disk, then renamed
over the original, so that a crash leaves the old file or the new one, never a part.
A file that changed since the lint read it is left alone.

Linking is idempotent: a linked mention's concept is linked in that body from then on,
so the next run finds nothing more to link there.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conceptkb.atomicfile import write_atomically
from conceptkb.checker import LintResult
from conceptkb.frontmatter import split
from conceptkb.mentions import Mention, MentionScanner
from conceptkb.model import Concept
from conceptkb.rules import UNLINKED_MENTION

_LINE_END = re.compile(r"(\r\n|\r|\n)")
"""What ends a line in a concept file, kept when the file is split into lines."""


@dataclass(frozen=True)
class Linked:
    """A mention replaced by its wikilink."""

    path: str
    line: int
    column: int
    text: str
    link: str

    def describe(self) -> str:
        return f'{self.path}:{self.line}:{self.column}: linked "{self.text}" -> {self.link}'


@dataclass(frozen=True)
class NotLinked:
    """A file with reported mentions that was not written, and why."""

    path: str
    reason: str

    def describe(self) -> str:
        return f"{self.path}: not changed: {self.reason}"


class _Refused(Exception):
    pass


def link_mentions(result: LintResult, concepts_dir: Path) -> tuple[list[Linked], list[NotLinked]]:
    """Link every unlinked mention ``result`` reports; what was linked, and the files
    that could not be written."""
    places: dict[str, set[tuple[int, int]]] = {}
    for finding in result.findings:
        if finding.code == UNLINKED_MENTION:
            places.setdefault(finding.path, set()).add((finding.line, finding.column))
    if not places:
        return [], []
    scanner = MentionScanner(result.index)
    concepts = {concept.path: concept for concept in result.index.concepts.values()}
    root = concepts_dir.resolve()
    linked: list[Linked] = []
    refused: list[NotLinked] = []
    for path in sorted(places):
        concept = concepts[path]
        mentions = [
            m for m in scanner.scan(concept) if (_file_line(concept, m), m.column) in places[path]
        ]
        try:
            _rewrite(concept, mentions, root)
        except _Refused as error:
            refused.append(NotLinked(path, str(error)))
            continue
        linked += (Linked(path, _file_line(concept, m), m.column, m.text, m.link) for m in mentions)
    return linked, refused


def _file_line(concept: Concept, mention: Mention) -> int:
    return concept.body_line + mention.line - 1


def _rewrite(concept: Concept, mentions: Iterable[Mention], root: Path) -> None:
    source = concept.source
    if source is None:
        raise _Refused("no file")
    if source.is_symlink():
        raise _Refused("it is a symbolic link: link the mentions in the file it points to")
    if root not in source.resolve().parents:
        raise _Refused("it is outside the concepts folder")
    try:
        raw = source.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _Refused(f"it cannot be read ({error})") from error
    parts = split(text.replace("\r\n", "\n").replace("\r", "\n"), concept.path)
    if not isinstance(parts, tuple) or parts[1:] != (concept.body, concept.body_line):
        raise _Refused("it changed since it was linted: lint it again")
    lines = _LINE_END.split(text)  # line, end, line, end, ..., last line
    for mention in sorted(mentions, key=lambda m: (m.line, m.column), reverse=True):
        index = 2 * (_file_line(concept, mention) - 1)
        line = lines[index]
        start = mention.column - 1
        if line[start : start + len(mention.text)] != mention.text:
            raise _Refused(f"line {_file_line(concept, mention)} is not as it was linted")
        lines[index] = line[:start] + mention.link + line[start + len(mention.text) :]
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    try:
        write_atomically(source, bom + "".join(lines).encode("utf-8"), sync=True)
    except OSError as error:
        raise _Refused(f"it cannot be written ({error.strerror or error})") from error
