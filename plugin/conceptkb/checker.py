"""The lint engine: read every concept file, check each, then check them together.

Checking never prints and never exits; it returns a :class:`LintResult` that the CLI
reports and the plugin renders.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import markdown

from conceptkb import (
    bodyscan,
    freshness,
    htmlpolicy,
    kbdate,
    limits,
    lintcache,
    mathtex,
    mentions,
    suppress,
    urlspace,
)
from conceptkb.diagnostics import Finding, Severity
from conceptkb.frontmatter import Document, LoadResult, load, parse, read_text, split
from conceptkb.index import ConceptIndex
from conceptkb.memo import Same, SessionMemo
from conceptkb.model import DEPRECATED, STABLE, STATUSES, Concept
from conceptkb.names import (
    MAX_ID_LENGTH,
    WINDOWS_RESERVED,
    did_you_mean,
    invisible_characters,
    is_valid_id,
    normalize,
    skeleton,
    slugify,
)
from conceptkb.readcache import ReadCache, Reading, stamp
from conceptkb.rules import (
    AMBIGUOUS_WIKILINK,
    BODY_LIMITS,
    BROADER_CYCLE,
    CONFUSABLE_NAMES,
    DUPLICATE_ID,
    INVALID_ID,
    INVALID_VALUE,
    INVISIBLE_CHARACTER,
    MARKUP_IN_TEXT,
    MATH_NOT_RENDERED,
    NAME_COLLISION,
    NO_REFERENCES,
    ORPHAN,
    PLACEHOLDER,
    RULES_BY_CODE,
    SELF_REFERENCE,
    SUCCESSOR_MISMATCH,
    SUMMARY_NO_FULL_STOP,
    SUMMARY_NOT_PLAIN,
    UNKNOWN_CONCEPT,
    UNKNOWN_WIKILINK,
    UNLINKED_MENTION,
    UNREADABLE_FILE,
    URL_COLLISION,
    URL_TOO_LONG,
)
from conceptkb.schema import SchemaChecker
from conceptkb.settings import Settings

PLACEHOLDER_TEXT = "FIXME"
_MAY_BE_MARKDOWN = re.compile(r"[`*_\[\]!#<&]|^\s*(?:[-+>]|\d+[.)])\s", re.MULTILINE)
"""Characters without which a summary cannot hold Markdown syntax (a prefilter)."""
_CLOSING = "\"')]}\u00bb\u201d\u2019"
"""Closing quotes and brackets that may follow a summary's full stop."""


@dataclass
class LintResult:
    """Findings, and the concepts that are valid enough to render."""

    findings: list[Finding]
    index: ConceptIndex
    files: list[Path] = field(default_factory=list)
    hidden: suppress.Counts = field(default_factory=suppress.Counts)
    """Findings silenced in front matter or accepted in the baseline."""
    unfiltered: list[Finding] = field(default_factory=list)
    """Every finding before silences and the baseline (for --write-baseline)."""
    suppressor: suppress.Suppressor | None = None
    """What hides findings in this run, for the build's own checks."""
    space: urlspace.UrlSpace | None = None
    """Every page and redirect of the site, as the linter placed them."""
    kb_date: kbdate.KbDate | None = None
    """The knowledge base's date, which review ages are measured against (None when
    there is no SOURCE_DATE_EPOCH, no commit and no reviewed date)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Finding]:
        """Info findings: shown, but they fail neither the lint nor a strict build."""
        return [f for f in self.findings if f.severity is Severity.INFO]

    def summary(self) -> str:
        """``3 errors, 1 warning in 25 concepts``; ``, 4 notes`` before ``in`` when
        there are info findings."""
        errors, warnings, notes = len(self.errors), len(self.warnings), len(self.notes)
        noted = f", {notes} note{'' if notes == 1 else 's'}" if notes else ""
        return (
            f"{errors} error{'' if errors == 1 else 's'}, "
            f"{warnings} warning{'' if warnings == 1 else 's'}{noted} in "
            f"{len(self.files)} concept{'' if len(self.files) == 1 else 's'}"
            f"{self.hidden.describe()}"
        )


def display_path(path: Path, base: Path) -> str:
    """A path as findings show it: relative to ``base`` when inside it, POSIX slashes."""
    try:
        return (
            Path(os.path.relpath(path, base)).as_posix() if path.is_absolute() else path.as_posix()
        )
    except ValueError:
        return path.as_posix()


def discover(root: Path, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every non-hidden file below ``root``, sorted; only ``.md`` files are concepts.

    Folders that cannot be listed are added to ``unreadable`` with the reason, never
    skipped in silence.
    """
    found: list[tuple[str, str]] = []

    def refused(error: OSError) -> None:
        if unreadable is not None:
            unreadable.append((Path(error.filename or root), error.strerror or str(error)))

    for folder, dirnames, filenames in os.walk(root, onerror=refused):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend((folder, name) for name in filenames if not name.startswith("."))
        for name in dirnames:
            if Path(folder, name).is_symlink() and unreadable is not None:
                unreadable.append(
                    (Path(folder, name), "a symbolic link to a folder is not followed")
                )
        # A folder named like a concept file is reported (CK010), not silently skipped.
        found.extend((folder, name) for name in dirnames if name.endswith(".md"))
    parts = {folder: Path(folder).parts for folder in {folder for folder, _ in found}}
    found.sort(key=lambda item: (*parts[item[0]], item[1]))
    return [Path(folder, name) for folder, name in found]


class _Run:
    """The state of one lint run; a new one for every run, nothing shared."""

    def __init__(
        self,
        settings: Settings,
        cache: ReadCache | None = None,
        memo: SessionMemo | None = None,
        kept: lintcache.LintCache | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.kept = kept
        self.memo = memo
        self.schema = SchemaChecker(settings.categories)
        self.findings: list[Finding] = []
        self.concepts: list[Concept] = []
        self._folders: dict[str, str] = {}
        """A folder's path, as text -> the folder as findings show it."""
        self._name_collisions: set[tuple[str, str]] = set()
        """(concept id, name) of names already reported as CK109."""
        self._markdown: markdown.Markdown | None = None
        self.space: urlspace.UrlSpace | None = None
        """The site's URL space, placed once by the cross-checks."""
        self.kb_date: kbdate.KbDate | None = None
        """The knowledge base's date, found once every file is read."""

    def report(self, path: str, line: int, column: int, code: str, message: str) -> None:
        rule = RULES_BY_CODE[code]
        self.findings.append(Finding(path, line, column, code, rule.severity, message))

    def at(self, document: Document, where: list[str | int], code: str, message: str) -> None:
        line, column = document.position(where)
        self.report(document.path, line, column, code, message)

    # -- one file -------------------------------------------------------------------

    def read(self, path: Path) -> None:
        cache = self.cache
        if cache is None:
            if self.kept is not None:
                self._read_kept(path, self.kept)
            else:
                self._read(path)
            return
        before = stamp(path)
        kept = cache.get(path, before)
        if kept is not None:
            self.findings.extend(kept.findings)
            if kept.concept is not None:
                self.concepts.append(kept.concept)
            return
        findings, concepts = len(self.findings), len(self.concepts)
        self._read(path)
        if before is not None and stamp(path) == before:  # not changed while being read
            concept = self.concepts[concepts] if len(self.concepts) > concepts else None
            cache.put(path, Reading(before, tuple(self.findings[findings:]), concept))

    def _display(self, path: Path) -> str:
        # By the path's text, which a path keeps once made: a parent is a new path.
        parent, name = os.path.split(path)
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = display_path(path.parent, self.settings.base_dir)
        return name if folder == "." else f"{folder}/{name}"

    def _read_kept(self, path: Path, kept: lintcache.LintCache) -> None:
        """Read a file, or take what reading its text gave last time from ``kept``."""
        display = self._display(path)
        if path.suffix != ".md":
            self._read(path)
            return
        text = read_text(path, display, self.settings.max_file_size, self.settings.concepts_dir)
        if isinstance(text, LoadResult):
            self.findings.extend(text.findings)
            return
        digest = lintcache.text_digest(text)
        entry = kept.get(display, digest)
        if entry is not None and self._restore(path, display, text, entry):
            return
        findings, concepts = len(self.findings), len(self.concepts)
        self._read(path, text)
        concept = self.concepts[concepts] if len(self.concepts) > concepts else None
        kept.put(display, digest, self.findings[findings:], concept)

    def _restore(self, path: Path, display: str, text: str, entry: lintcache.Entry) -> bool:
        if entry.concept is None:
            self.findings.extend(entry.findings)
            return True
        parts = split(text, display)
        if isinstance(parts, LoadResult):
            return False
        yaml_text, body, body_line = parts
        document = Document(display, {}, yaml_text, body, body_line)
        concept = lintcache.restore(path.stem, path, entry.concept, document)
        if concept is None:
            return False
        self.findings.extend(entry.findings)
        self.concepts.append(concept)
        return True

    def _read(self, path: Path, text: str | None = None) -> None:
        display = self._display(path)
        if path.suffix != ".md":
            self.report(
                display, 1, 1, UNREADABLE_FILE, "is not a concept file: concept files end in '.md'"
            )
            return
        loaded = (
            load(
                path,
                display,
                max_bytes=self.settings.max_file_size,
                root=self.settings.concepts_dir,
            )
            if text is None
            else parse(text, display)
        )
        self.findings.extend(loaded.findings)
        document = loaded.document
        if document is None:
            return
        schema_findings = self.schema.check(document)
        self.findings.extend(schema_findings)
        concept_id = path.stem
        if not self._check_id(concept_id, display):
            return
        # A file with schema errors still gets every finding its valid parts allow.
        concept = (
            Concept.from_partial(concept_id, document)
            if schema_findings
            else Concept.from_document(concept_id, document)
        )
        concept.source = path
        masked = bodyscan.mask_code(document.body)
        concept.formulas = mathtex.find_math(document.body, masked)
        concept.masked_body = mathtex.mask_math(masked, concept.formulas)
        concept.links = bodyscan.wikilinks(concept.masked_body)
        self._check_ignores(concept)
        self._check_text_fields(concept)
        if not self._check_limits(concept):
            self._check_body(concept)
        self._check_quality(concept)
        self.concepts.append(concept)

    def _check_id(self, concept_id: str, display: str) -> bool:
        if len(concept_id) > MAX_ID_LENGTH:
            self.report(
                display,
                1,
                1,
                INVALID_ID,
                f"file name is {len(concept_id)} characters long; an id has at most"
                f" {MAX_ID_LENGTH}",
            )
            return False
        if not is_valid_id(concept_id):
            self.report(
                display,
                1,
                1,
                INVALID_ID,
                f"file name {concept_id!r} is not a concept id: use lowercase kebab-case,"
                f" e.g. {slugify(concept_id) or 'my-concept'!r}.md",
            )
            return False
        if concept_id in WINDOWS_RESERVED:
            self.report(
                display,
                1,
                1,
                INVALID_ID,
                f"id {concept_id!r} is a reserved file name on Windows; choose another",
            )
            return False
        return True

    def _check_ignores(self, concept: Concept) -> None:
        for key in concept.ignore:
            code = suppress.rule_code(key)
            if code is None:
                self.at(
                    concept.document,
                    ["ignore", key],
                    INVALID_VALUE,
                    f"ignore names no rule {key!r} (see 'conceptkb rules')",
                )
            elif not suppress.silenceable(code):
                self.at(
                    concept.document,
                    ["ignore", key],
                    INVALID_VALUE,
                    f"{code} guards the knowledge base's integrity: it cannot be silenced",
                )

    def _check_limits(self, concept: Concept) -> bool:
        """Report every limit the body exceeds; True if it exceeds any."""
        found = False
        for excess in limits.excesses(concept.body, concept.masked_body, concept.formulas):
            found = True
            self.report(
                concept.path,
                concept.body_line + excess.line - 1,
                excess.column,
                BODY_LIMITS,
                excess.message,
            )
        return found

    def _check_body(self, concept: Concept) -> None:
        for unsafe in bodyscan.unsafe_content(concept.masked_body):
            self.report(
                concept.path,
                concept.body_line + unsafe.line - 1,
                unsafe.column,
                unsafe.code,
                unsafe.message,
            )
        if concept.formulas:
            lines = bodyscan.LineIndex(concept.body)
            for problem in mathtex.problems(concept.formulas):
                line, column = lines.locate(problem.formula.start)
                self.report(
                    concept.path,
                    concept.body_line + line - 1,
                    column,
                    MATH_NOT_RENDERED,
                    problem.message,
                )

    def _check_text_fields(self, concept: Concept) -> None:
        """Text the theme shows as HTML (titles, tooltips) must be plain text, and
        names must be visible: no markup, no invisible or bidirectional characters."""
        document = concept.document
        raw = document.yaml_text
        if "<" not in raw and "&" not in raw and "\\" not in raw and raw.isascii():
            # Neither markup nor an invisible character can be written without one of
            # these (a backslash: YAML escapes such as "\u200b" or "\x3c").
            return
        fields: list[tuple[list[str | int], str]] = [
            (["title"], concept.title),
            (["summary"], concept.summary),
        ]
        fields += [(["aliases", i], a) for i, a in enumerate(concept.aliases)]
        references = document.data.get("references")
        for i, reference in enumerate(references if isinstance(references, list) else ()):
            if not isinstance(reference, dict):
                continue
            for key in ("title", "note"):
                if isinstance(reference.get(key), str):
                    fields.append((["references", i, key], reference[key]))
            authors = reference.get("authors")
            for j, author in enumerate(authors if isinstance(authors, list) else ()):
                if isinstance(author, str):
                    fields.append((["references", i, "authors", j], author))
        for where, value in fields:
            if not value:
                continue
            markup = htmlpolicy.markup_in_text(value)
            name = ".".join(str(p) for p in where)
            if markup is not None:
                self.at(
                    document,
                    where,
                    MARKUP_IN_TEXT,
                    f"{name} holds {markup}: it is shown as plain text, and the theme's"
                    " tooltips would render markup as HTML",
                )
            if where[0] in ("title", "aliases"):
                hidden = invisible_characters(value)
                if hidden:
                    self.at(
                        document,
                        where,
                        INVISIBLE_CHARACTER,
                        f"{name} holds {', '.join(hidden)}: names must read as they are"
                        " written; remove it",
                    )

    def _check_quality(self, concept: Concept) -> None:
        document = concept.document
        if PLACEHOLDER_TEXT in document.yaml_text or PLACEHOLDER_TEXT in concept.masked_body:
            self._report_placeholders(concept)
        if concept.summary and self._is_markdown(concept.summary):
            self.at(
                document,
                ["summary"],
                SUMMARY_NOT_PLAIN,
                "summary holds Markdown, which is shown as written: write plain text",
            )
        if concept.summary and not concept.summary.rstrip(_CLOSING).endswith("."):
            self.at(
                document, ["summary"], SUMMARY_NO_FULL_STOP, "summary does not end with a full stop"
            )
        if not concept.references and (concept.complete or "references" not in document.data):
            where: list[str | int] = ["references"] if "references" in document.data else []
            self.at(
                document, where, NO_REFERENCES, "no references: cite at least one primary source"
            )

    def _is_markdown(self, text: str) -> bool:
        """Whether Markdown would render ``text`` as more than one paragraph of text
        (HTML in it is CK205's; only Markdown syntax counts here)."""
        if _MAY_BE_MARKDOWN.search(text) is None or htmlpolicy.markup_in_text(text):
            return False
        if self._markdown is None:
            self._markdown = markdown.Markdown()
        rendered = self._markdown.reset().convert(text)
        inner = rendered.removeprefix("<p>").removesuffix("</p>")
        return "<" in inner or not rendered.startswith("<p>")

    def _report_placeholders(self, concept: Concept) -> None:
        document = concept.document
        for number, line in enumerate(document.yaml_text.split("\n"), start=2):
            column = line.find(PLACEHOLDER_TEXT)
            if column != -1 and not line.lstrip().startswith("#"):
                self.report(concept.path, number, column + 1, PLACEHOLDER, _PLACEHOLDER_MESSAGE)
        for number, line in enumerate(concept.masked_body.split("\n"), start=concept.body_line):
            column = line.find(PLACEHOLDER_TEXT)
            if column != -1:
                self.report(concept.path, number, column + 1, PLACEHOLDER, _PLACEHOLDER_MESSAGE)

    # -- the whole knowledge base ----------------------------------------------------

    def find_kb_date(self) -> None:
        """Find the knowledge base's date (the newest review is the last resort)."""
        folder = self.settings.concepts_dir
        reviews = (kbdate.parse_date(c.reviewed) for c in self.concepts)
        self.kb_date = kbdate.knowledge_base_date(
            folder if folder.is_dir() else self.settings.config_dir,
            (d for d in reviews if d is not None),
        )

    def cross_check(self) -> ConceptIndex:
        unique = self._check_duplicate_ids()
        index = ConceptIndex(unique)
        names = [_names_of(concept) for concept in index.concepts.values()]
        self._check_names(names)
        self._check_confusables(names)
        self._check_urls(index)
        self._check_relations(index)
        self._check_status(index)
        self._check_cycles(index)
        self._check_wikilinks(index)
        self._check_orphans(index)
        self._check_freshness(index)
        self._check_mentions(index)
        return index

    def _check_mentions(self, index: ConceptIndex) -> None:
        if not self.settings.is_on(UNLINKED_MENTION):
            return  # the scan is the cost: none when the rule is off
        scanners: list[mentions.MentionScanner] = []

        def scan(concept: Concept) -> list[mentions.Mention]:
            if not scanners:  # made on the first concept not found in the memo
                scanners.append(mentions.MentionScanner(index))
            return scanners[0].scan(concept)

        table = None if self.memo is None else self.memo.table("mentions")
        kept = self.kept
        names = "" if table is None and kept is None else mentions.names_digest(index)
        for concept in index.concepts.values():
            if table is not None:
                found = table.get((Same(concept), names), lambda key: scan(key[0].value))
            elif kept is not None:
                found = kept.mentions(concept.path, names, functools.partial(scan, concept))
            else:
                found = scan(concept)
            for mention in found:
                line = concept.body_line + mention.line - 1
                self.report(concept.path, line, mention.column, UNLINKED_MENTION, mention.message)

    def _check_freshness(self, index: ConceptIndex) -> None:
        found = freshness.problems(
            index.concepts.values(), self.kb_date, self.settings.review_period_months
        )
        for problem in found:
            if not problem.where:  # the file as a whole: no need to parse it for a position
                self.report(problem.concept.path, 1, 1, problem.code, problem.message)
            else:
                self.at(problem.concept.document, problem.where, problem.code, problem.message)

    def _check_duplicate_ids(self) -> list[Concept]:
        owner: dict[str, Concept] = {}
        unique = []
        for concept in self.concepts:
            first = owner.get(concept.id)
            if first is not None:
                self.report(
                    concept.path,
                    1,
                    1,
                    DUPLICATE_ID,
                    f"id {concept.id!r} is already used by {first.path}",
                )
                self.report(
                    first.path,
                    1,
                    1,
                    DUPLICATE_ID,
                    f"id {concept.id!r} is also used by {concept.path}",
                )
                continue
            owner[concept.id] = concept
            unique.append(concept)
        for concept in unique:
            for i, former in enumerate(concept.former_ids):
                first = owner.get(former)
                if first is not None and first is not concept:
                    what = "the id of" if first.id == former else "a former id of"
                    self.at(
                        concept.document,
                        ["former_ids", i],
                        DUPLICATE_ID,
                        f"former id {former!r} is {what} {first.path}",
                    )
                elif first is None:
                    owner[former] = concept
                else:
                    self.at(
                        concept.document,
                        ["former_ids", i],
                        DUPLICATE_ID,
                        f"former id {former!r} is this concept's own id",
                    )
        return unique

    def _check_names(self, names_by_concept: list[list[_Name]]) -> None:
        """Titles and aliases must name one concept only, and aliases one URL only."""
        rank = {"id": 0, "title": 1, "former id": 2, "alias": 3}
        owners: dict[str, list[_Name]] = {}
        for concept_names in names_by_concept:
            own: dict[str, str] = {}
            for name in concept_names:
                key = normalize(name.text)
                if key in own:
                    if name.kind == "alias" and own[key] != "id":
                        self.at(
                            name.concept.document,
                            name.where,
                            NAME_COLLISION,
                            f"alias {name.text!r} repeats this concept's {own[key]}",
                        )
                    continue
                own[key] = name.kind
                owners.setdefault(key, []).append(name)
        reported: set[tuple[str, str]] = set()
        for names in owners.values():
            if len(names) < 2:
                continue
            holder = min(names, key=lambda n: (rank[n.kind], n.concept.path))
            for name in names:
                if name.kind == "former id" and holder.kind != "title":
                    continue  # former ids that clash with ids are CK108
                # Reported on every file involved: each name points at the other side.
                other = holder if name is not holder else next(n for n in names if n is not name)
                if name.kind == "id" and other.kind == "former id":
                    continue  # CK108 again
                what = "the id" if other.kind == "id" else f"the {other.kind} {other.text!r}"
                verb = "is already" if name is not holder else "is also"
                self.at(
                    name.concept.document,
                    name.where,
                    NAME_COLLISION,
                    f"{name.kind} {name.text!r} {verb} {what} of {other.concept.path}",
                )
                reported.add((name.concept.id, name.text))
        self._name_collisions = reported

    def _check_confusables(self, names_by_concept: list[list[_Name]]) -> None:
        """Names of different concepts that look the same (TR39 skeletons) but are not
        the same name (that is CK109): reported on every file involved."""
        groups: dict[str, list[_Name]] = {}
        for concept_names in names_by_concept:
            for name in concept_names:
                if name.kind != "former id":
                    groups.setdefault(skeleton(name.text), []).append(name)
        for names in groups.values():
            if len({n.concept.id for n in names}) < 2:
                continue
            for name in names:
                for other in names:
                    if other.concept.id == name.concept.id:
                        continue
                    if normalize(other.text) == normalize(name.text):
                        continue  # the same name: CK109
                    self.at(
                        name.concept.document,
                        name.where,
                        CONFUSABLE_NAMES,
                        f"{name.kind} {name.text!r} looks the same as the {other.kind}"
                        f" {other.text!r} of {other.concept.path} but is spelt with other"
                        " characters: readers cannot tell them apart",
                    )
                    break

    def _check_urls(self, index: ConceptIndex) -> None:
        """Collisions and over-long names in the site's URL space, on every file involved."""
        space = self.space = urlspace.build(
            index,
            self.settings.categories,
            prefix=self.settings.url_prefix,
            use_directory_urls=self.settings.use_directory_urls,
        )
        for collision in space.collisions:
            route, holder = collision.route, collision.holder
            if route.kind == "alias" and (route.concept_id, route.key) in self._slug_reported():
                continue
            url = route.output
            for this, other in ((route, holder), (holder, route)):
                for concept, where in self._claimants(index, this):
                    self.at(
                        concept.document,
                        where,
                        URL_COLLISION,
                        f"{this.describe()} and {other.describe()}"
                        f"{self._of(index, other)} would both be {url}: rename one",
                    )
        for too_long in space.too_long:
            route = too_long.route
            for concept, where in self._claimants(index, route):
                self.at(
                    concept.document,
                    where,
                    URL_TOO_LONG,
                    f"{route.describe()} makes a URL segment of {too_long.size} bytes;"
                    f" the limit is {urlspace.MAX_SEGMENT_BYTES} bytes of UTF-8: shorten it",
                )

    def _slug_reported(self) -> set[tuple[str | None, str]]:
        return {(cid, slugify(text)) for cid, text in self._name_collisions}

    @staticmethod
    def _of(index: ConceptIndex, route: urlspace.Route) -> str:
        if route.concept_id is None or route.kind == "concept":
            return ""
        return f" of {index.concepts[route.concept_id].path}"

    @staticmethod
    def _claimants(
        index: ConceptIndex, route: urlspace.Route
    ) -> list[tuple[Concept, list[str | int]]]:
        """The concepts (and where in their front matter) that ask for a route."""
        if route.kind == "tag":
            return [
                (c, ["tags", c.tags.index(route.key)])
                for c in sorted(index.concepts.values(), key=lambda c: c.id)
                if route.key in c.tags
            ]
        if route.concept_id is None:
            return []
        return [(index.concepts[route.concept_id], list(route.where))]

    def _check_relations(self, index: ConceptIndex) -> None:
        for concept in index.concepts.values():
            for field_name in ("broader", "related"):
                for i, target in enumerate(getattr(concept, field_name)):
                    self._check_target(index, concept, [field_name, i], target)
            if concept.superseded_by is not None:
                self._check_target(index, concept, ["superseded_by"], concept.superseded_by)

    def _check_target(
        self, index: ConceptIndex, concept: Concept, where: list[str | int], target: str
    ) -> None:
        """The id at ``where`` must name another concept."""
        field_name = str(where[0])
        if target == concept.id:
            self.at(
                concept.document, where, SELF_REFERENCE, f"{field_name} names the concept itself"
            )
        elif target not in index.concepts:
            renamed = index.former.get(target)
            hint = (
                f" ({target!r} was renamed to {renamed!r})"
                if renamed
                else did_you_mean(index.suggest(target))
            )
            self.at(
                concept.document,
                where,
                UNKNOWN_CONCEPT,
                f"unknown concept id {target!r} in {field_name}{hint}",
            )

    def _check_status(self, index: ConceptIndex) -> None:
        """A deprecated concept names its successor, which is not deprecated too; no
        other concept names one."""
        for concept in index.concepts.values():
            document = concept.document
            if document.data.get("status", STABLE) not in STATUSES:
                continue  # an unknown status is the schema's finding (CK103)
            successor = concept.superseded_by
            if concept.status == DEPRECATED and successor is None:
                if "superseded_by" not in document.data:
                    self.at(
                        document,
                        ["status"],
                        SUCCESSOR_MISMATCH,
                        "status is deprecated but superseded_by names no successor: add"
                        " superseded_by: <id of the concept that replaces this one>",
                    )
            elif concept.status != DEPRECATED and successor is not None:
                self.at(
                    document,
                    ["superseded_by"],
                    SUCCESSOR_MISMATCH,
                    f"superseded_by is set but status is {concept.status!r}: set status:"
                    " deprecated, or remove superseded_by",
                )
            elif successor is not None and successor != concept.id:
                target = index.concepts.get(successor)
                if target is not None and target.status == DEPRECATED:
                    further = target.superseded_by
                    hint = f" (by {further!r})" if further else ""
                    self.at(
                        document,
                        ["superseded_by"],
                        SUCCESSOR_MISMATCH,
                        f"superseded_by names {successor!r}, which is deprecated too{hint}:"
                        " name the concept that replaces both",
                    )

    def _check_cycles(self, index: ConceptIndex) -> None:
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()
        for start in sorted(index.concepts):
            if start in state:
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = []
            while stack:
                node, position = stack.pop()
                if position == 0:
                    state[node] = 1
                    path.append(node)
                parents = [p for p in index.concepts[node].broader if p in index.concepts]
                if position < len(parents):
                    stack.append((node, position + 1))
                    parent = parents[position]
                    if state.get(parent) == 1 and parent != node:
                        cycle = path[path.index(parent) :]
                        if frozenset(cycle) not in reported:
                            reported.add(frozenset(cycle))
                            self._report_cycle(index, cycle)
                    elif parent not in state:
                        stack.append((parent, 0))
                else:
                    state[node] = 2
                    path.pop()

    def _report_cycle(self, index: ConceptIndex, cycle: list[str]) -> None:
        """Report a cycle on every concept in it, at its own link of the cycle."""
        first = min(range(len(cycle)), key=lambda i: cycle[i])
        ordered = cycle[first:] + cycle[:first]
        text = " -> ".join([*ordered, ordered[0]])
        for i, concept_id in enumerate(ordered):
            concept = index.concepts[concept_id]
            following = ordered[(i + 1) % len(ordered)]
            where: list[str | int] = ["broader", concept.broader.index(following)]
            self.at(concept.document, where, BROADER_CYCLE, f"cycle through broader: {text}")

    def _check_wikilinks(self, index: ConceptIndex) -> None:
        problems: dict[str, tuple[str, str] | None] = {}  # the same targets recur
        for concept in index.concepts.values():
            for link in concept.links:
                target = link.target
                if target in problems:
                    problem = problems[target]
                else:
                    problem = problems[target] = wikilink_problem(index, target)
                if problem is not None:
                    line = concept.body_line + link.line - 1
                    self.report(concept.path, line, link.column, *problem)

    def _check_orphans(self, index: ConceptIndex) -> None:
        if len(index) < 2:
            return
        for concept in index.concepts.values():
            # Links move to the successor: a deprecated concept is expected to lose them.
            if concept.status != DEPRECATED and not index.is_linked(concept.id):
                self.report(
                    concept.path,
                    1,
                    1,
                    ORPHAN,
                    "no other concept links to this one: link it from a related concept",
                )


class _Name(NamedTuple):
    """One name of a concept: its id, title, an alias or a former id."""

    concept: Concept
    kind: str
    text: str
    where: list[str | int]


def _names_of(concept: Concept) -> list[_Name]:
    names = [
        _Name(concept, "id", concept.id, []),
        _Name(concept, "title", concept.title, ["title"]),
    ]
    names += [_Name(concept, "alias", a, ["aliases", i]) for i, a in enumerate(concept.aliases)]
    names += [
        _Name(concept, "former id", f, ["former_ids", i]) for i, f in enumerate(concept.former_ids)
    ]
    return names


_PLACEHOLDER_MESSAGE = f"placeholder {PLACEHOLDER_TEXT} left from the template: replace it"


def wikilink_problem(index: ConceptIndex, target: str) -> tuple[str, str] | None:
    """(rule code, message) when a wikilink target names no concept or several."""
    resolution = index.resolve(target)
    if resolution.candidates:
        return (
            AMBIGUOUS_WIKILINK,
            f"wikilink [[{target}]] is ambiguous: it names"
            f" {', '.join(map(repr, resolution.candidates))}; link an id instead",
        )
    if resolution.concept is None:
        return (
            UNKNOWN_WIKILINK,
            f"wikilink [[{target}]] names no known concept{did_you_mean(resolution.suggestion)}",
        )
    return None


def lint(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    *,
    cache: ReadCache | None = None,
    memo: SessionMemo | None = None,
    kept: lintcache.LintCache | None = None,
) -> LintResult:
    """Lint the knowledge base; report findings for ``paths`` only, when given.

    Cross-reference checks always see every concept in ``settings.concepts_dir``
    plus the given paths. ``cache`` keeps each file's reading for the next run of the
    same session (``mkdocs serve``): unchanged files are not read again; ``memo`` keeps
    what the cross-checks find in an unchanged concept while the names it could
    mention stay the same. ``kept`` does for ``conceptkb lint`` what ``cache`` does for a
    session, across runs, on disk (see :mod:`conceptkb.lintcache`).
    """
    with _fewer_collections(promote=cache is None):
        return _lint(settings, paths, cache, memo, kept)


@contextlib.contextmanager
def _fewer_collections(*, promote: bool) -> Iterator[None]:
    """A run allocates many small objects that all live to its end, and makes no
    cyclic garbage worth collecting: collections during it only cost time (about 8% at
    N=5,000). The collector is as it was afterwards.

    What the run made is all in the youngest generation at its end, and the first
    collection after it would walk all of it (4% of a run at N = 5,000). It is counted
    as old instead (``gc.freeze`` then ``gc.unfreeze`` move every object into the oldest
    generation without walking any): a full collection still looks at it. Not while
    something else holds objects frozen (a build does while its pages render), nor
    with ``promote`` false: a serve session (which keeps a read cache) leaves what each
    rebuild dropped to the young collections, where it is found soonest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if promote and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _lint(
    settings: Settings,
    paths: Iterable[Path] | None,
    cache: ReadCache | None,
    memo: SessionMemo | None,
    kept: lintcache.LintCache | None,
) -> LintResult:
    if cache is not None:
        cache.for_settings(settings)
    run = _Run(settings, cache, memo, kept)
    unreadable: list[tuple[Path, str]] = []
    files = discover(settings.concepts_dir, unreadable)
    if not settings.concepts_dir.is_dir() and not unreadable:
        unreadable.append((settings.concepts_dir, "no such folder"))
    for folder, reason in unreadable:
        run.report(
            display_path(folder, settings.base_dir),
            1,
            1,
            UNREADABLE_FILE,
            f"folder cannot be read ({reason}): the concepts in it would be missing;"
            " move them into the concepts folder",
        )
    selected: list[Path] | None = None
    if paths is not None:
        selected = []
        for path in paths:
            selected.extend(discover(path) if path.is_dir() else [path])
        known = {p.resolve() for p in files}
        files += [p for p in selected if p.resolve() not in known]
    for path in files:
        run.read(path)
    if cache is not None:
        cache.keep_only(set(files))
    run.find_kb_date()
    index = run.cross_check()
    if kept is not None:
        kept.save()
    findings = [f for f in map(settings.apply, run.findings) if f is not None]
    unfiltered = sorted(set(findings))  # by path, line, column, code, severity, message
    ignored = {
        c.path: {suppress.rule_code(k) or k: v for k, v in c.ignore.items()}
        for c in index.concepts.values()
        if c.ignore
    }
    baseline: set[tuple[str, str, str]] = set()
    if settings.baseline is not None and settings.baseline.is_file():
        baseline = suppress.read_baseline(settings.baseline)
    suppressor = suppress.Suppressor(
        ignored, frozenset(baseline), settings.config_dir, settings.base_dir
    )
    findings, hidden = suppressor.apply(findings)
    if selected is not None:
        shown = {display_path(p, settings.base_dir) for p in selected}
        findings = [f for f in findings if f.path in shown]
        files = selected
    findings = sorted(set(findings))  # a finding reported twice is shown once
    return LintResult(
        findings, index, files, hidden, unfiltered, suppressor, run.space, run.kb_date
    )
