"""What reading each concept file gave, kept on disk between runs of ``conceptkb lint``.

Reading a file (its front matter, the schema, the checks of its body) depends only on
the file's text, the settings and conceptkb itself; the cross-checks depend on every
file and run every time, except the search for unlinked mentions, which is kept too
while no concept's names change. So the command keeps, for each file, the digest of its
text with the findings and the parts of the concept that reading made, and on the next
run parses again only files whose text changed. Every file is still read and its text
compared, never trusted from a modification time, so a checkout, a restore or an edit
within the same second cannot return a stale reading.

One JSON file per concepts folder, in the user's cache folder (``$CONCEPTKB_CACHE_DIR``,
else ``$XDG_CACHE_HOME/conceptkb``, else ``~/.cache/conceptkb``), never in the
repository: a cache a pull request could write would be a way to approve a file
without checking it. The file is keyed by everything reading depends on (the version
and source of conceptkb, the Python version, the settings, the working folder); any
change makes it start empty. It holds the files of the last run only. A cache that
cannot be read, or holds something other than what this module writes, is ignored;
one that cannot be written is not kept. Either way the findings are the same, only
slower to get.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conceptkb import __version__, digest
from conceptkb.atomicfile import write_atomically
from conceptkb.bodyscan import WikiLink
from conceptkb.diagnostics import Finding, Severity
from conceptkb.frontmatter import Document
from conceptkb.mathtex import Formula
from conceptkb.mentions import Mention
from conceptkb.model import Concept
from conceptkb.rules import RULES_BY_CODE
from conceptkb.settings import Settings

FORMAT = 1
"""Bumped when what an entry holds changes: ``[digest of the text, findings, the
concept's parts or None, [names digest, unlinked mentions] or None]``."""

_PACKAGE = Path(__file__).parent


def default_folder() -> Path:
    """Where caches are kept unless told otherwise."""
    chosen = os.environ.get("CONCEPTKB_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "conceptkb"


def _source_digest() -> str:
    """A digest of conceptkb's own code and schema: a changed rule is a new cache."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.glob("*.py")) + sorted(_PACKAGE.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One file's reading as stored: its findings, and its concept's parts (or None)."""

    findings: tuple[Finding, ...]
    concept: dict[str, Any] | None


class LintCache:
    """Readings by file (as findings show it) and digest of its text."""

    def __init__(self, file: Path | None, key: str, entries: dict[str, list[Any]]) -> None:
        self.file = file
        self.key = key
        self._stored = entries
        self._now: dict[str, list[Any]] = {}
        self._changed = False

    @classmethod
    def open(cls, settings: Settings, folder: Path | None = None) -> LintCache:
        """The cache for ``settings``' concepts folder: what the last run kept, when it
        was made under the same conditions, else nothing."""
        try:
            folder = default_folder() if folder is None else folder
            where = digest.of(settings.concepts_dir.resolve())
            key = digest.of(
                FORMAT, __version__, _source_digest(), sys.version, settings, Path.cwd()
            )
        except (OSError, RuntimeError):  # no home folder, a symbolic link loop
            return cls(None, "", {})
        file = folder / f"lint-{where}.json"
        entries: dict[str, list[Any]] = {}
        with contextlib.suppress(OSError, ValueError, RecursionError):
            stored = json.loads(file.read_bytes())
            if (
                isinstance(stored, dict)
                and stored.get("key") == key
                and isinstance(stored.get("files"), dict)
            ):
                entries = stored["files"]
        return cls(file, key, entries)

    def get(self, display: str, digest: str) -> Entry | None:
        """The reading kept for this file's text, if any (and well formed)."""
        stored = self._stored.get(display)
        if not isinstance(stored, list) or len(stored) != 4 or stored[0] != digest:
            return None
        try:
            findings = tuple(
                Finding(display, line, column, code, Severity(severity), message)
                for line, column, code, severity, message in stored[1]
            )
        except (TypeError, ValueError):
            return None
        if not all(
            f.code in RULES_BY_CODE
            and type(f.line) is int
            and type(f.column) is int
            and isinstance(f.message, str)
            for f in findings
        ):
            return None
        concept = stored[2]
        if concept is not None and not isinstance(concept, dict):
            return None
        self._now[display] = stored
        return Entry(findings, concept)

    def put(
        self, display: str, digest: str, findings: list[Finding], concept: Concept | None
    ) -> None:
        self._changed = True
        parts = None if concept is None else _parts(concept)
        if concept is not None and parts is None:
            self._now.pop(display, None)  # not kept: read again next time
            return
        self._now[display] = [
            digest,
            [[f.line, f.column, f.code, f.severity.value, f.message] for f in findings],
            parts,
            None,
        ]

    def mentions(
        self, display: str, names: str, scan: Callable[[], list[Mention]]
    ) -> list[Mention]:
        """The unlinked mentions in a file read in this run: kept ones while the names
        of the knowledge base (``names``, :func:`conceptkb.mentions.names_digest`) are
        those they were found with, else ``scan()``'s."""
        entry = self._now.get(display)
        if entry is None:
            return scan()
        kept = entry[3]
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == names:
            try:
                found = [Mention(*mention) for mention in kept[1]]
            except TypeError:
                found = None
            if found is not None and all(map(_well_formed, found)):
                return found
        found = scan()
        entry[3] = [names, [list(mention) for mention in found]]
        self._changed = True
        return found

    def save(self) -> None:
        """Keep this run's readings (the files it read, no others) for the next run."""
        if self.file is None or (not self._changed and self._now.keys() == self._stored.keys()):
            return
        data = json.dumps({"key": self.key, "files": self._now}, separators=(",", ":"))
        with contextlib.suppress(OSError):
            # The cache holds the knowledge base's text: a new folder is the user's alone.
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(self.file, data.encode("utf-8", "surrogatepass"))


def _parts(concept: Concept) -> dict[str, Any] | None:
    """What reading adds to a concept beyond its front matter and body (None if the
    masked body is not the body with runs of spaces, which masking always gives)."""
    masked = _blanked(concept.body, concept.masked_body)
    if masked is None:
        return None
    return {
        "data": concept.document.data,
        "complete": concept.complete,
        "masked": masked,
        "formulas": [[f.start, f.end, f.tex, f.display] for f in concept.formulas],
        "links": [[w.target, w.label, w.offset, w.end] for w in concept.links],
    }


def restore(
    concept_id: str, source: Path, parts: dict[str, Any], document: Document
) -> Concept | None:
    """The concept that reading made, from its stored parts and the file's text as it
    is now (split into ``document``, whose data the parts replace); None if the parts
    are not what :func:`_parts` wrote."""
    try:
        data = parts["data"]
        if not isinstance(data, dict):
            return None
        complete = parts["complete"]
        if not isinstance(complete, bool):
            return None
        document.data = data
        concept = (
            Concept.from_document(concept_id, document)
            if complete
            else Concept.from_partial(concept_id, document)
        )
        masked = _masked(document.body, parts["masked"])
        if masked is None:
            return None
        concept.masked_body = masked
        concept.formulas = [
            Formula(int(start), int(end), str(tex), bool(display))
            for start, end, tex, display in parts["formulas"]
        ]
        concept.links = [
            WikiLink(
                str(target),
                None if label is None else str(label),
                int(offset),
                int(end),
                concept.masked_body,
            )
            for target, label, offset, end in parts["links"]
        ]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None
    concept.source = source
    return concept


def _well_formed(mention: Mention) -> bool:
    return all(type(mention[i]) is int for i in (0, 1, 5, 6)) and all(
        type(mention[i]) is str for i in (2, 3, 4)
    )


_SPACES = re.compile(" +")


def _blanked(body: str, masked: str) -> list[list[int]] | None:
    """Where ``masked`` (the body with code and math blanked) has spaces the body has
    not: ``[start, end]`` offsets of runs of spaces, in order, a fraction of the size of
    the masked body itself. None if ``masked`` is not ``body`` with some characters
    other than line breaks turned into spaces."""
    runs: list[list[int]] = []
    start = 0
    lines, blanked_lines = body.split("\n"), masked.split("\n")
    if len(lines) != len(blanked_lines):
        return None
    for line, blanked in zip(lines, blanked_lines, strict=True):
        if line != blanked:
            for run in _SPACES.finditer(blanked):
                if line[run.start() : run.end()] != run.group():
                    runs.append([start + run.start(), start + run.end()])
        start += len(line) + 1
    return None if _masked(body, runs) != masked else runs


def _masked(body: str, runs: Any) -> str | None:
    """The masked body from the body and :func:`_blanked`'s runs; None if they are not
    runs of offsets in order within it."""
    if not isinstance(runs, list):
        return None
    pieces: list[str] = []
    position = 0
    for run in runs:
        if not isinstance(run, list) or len(run) != 2:
            return None
        start, end = run
        if not (type(start) is int and type(end) is int and position <= start < end <= len(body)):
            return None
        pieces += (body[position:start], " " * (end - start))
        position = end
    if not pieces:
        return body
    pieces.append(body[position:])
    return "".join(pieces)
