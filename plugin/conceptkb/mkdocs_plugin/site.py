"""The site model in a MkDocs build: its pages as MkDocs files, its content in pages.

Everything the knowledge base adds comes from :class:`conceptkb.sitemodel.SiteModel`;
this adapter only speaks MkDocs: ``File.generated`` for each page and file (a user's
own file at the same path wins), page metadata, the table of contents, the head tags
and JSON-LD in ``<head>`` and the extra entries in Material's search index.
"""

from __future__ import annotations

import functools
import html
import logging
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import get_relative_url

from conceptkb import headtags, urlspace
from conceptkb.diagnostics import Finding
from conceptkb.index import ConceptIndex
from conceptkb.memo import SessionMemo
from conceptkb.model import Concept
from conceptkb.settings import Settings
from conceptkb.sitemodel import SiteModel
from conceptkb.sourcelinks import Repository

_NOT_SEARCH_WORD = re.compile(r"[^\w\s-]+")
"""Characters that Material's search would glue to a word: parentheses, quotes, commas."""


_SEARCH_SEPARATOR = re.compile(r"[\s\-]+")
"""Material's default search separator: how it splits names into terms."""


_EXPANDED = re.compile(r"^(?P<short>[^()]+?)\s*\((?P<long>[^()]+)\)$")
"""A title that spells out its short form: "LoRA (Low-Rank Adaptation)"."""


def _search_words(text: str) -> str:
    return " ".join(_NOT_SEARCH_WORD.sub(" ", text).split())


def search_names(title: str, aliases: Sequence[str]) -> list[str]:
    """The names a reader may type for a concept, each once whatever its case: a
    title of the form "Short (Long)" counts as its two names, then come the aliases."""
    match = _EXPANDED.match(title)
    names = [match["short"], match["long"]] if match else [title]
    found: dict[str, str] = {}
    for name in (*names, *aliases):
        found.setdefault(_search_words(name).casefold(), name)
    return list(found.values())


class Site:
    """The generated pages of one MkDocs build."""

    def __init__(
        self,
        index: ConceptIndex,
        config: MkDocsConfig,
        options: Settings,
        log: logging.LoggerAdapter[logging.Logger],
        *,
        tooltips: bool = False,
        findings: tuple[Finding, ...] | list[Finding] = (),
        space: urlspace.UrlSpace | None = None,
        bytecode_cache: jinja2.BytecodeCache | None = None,
        memo: SessionMemo | None = None,
    ) -> None:
        self.index = index
        self.config = config
        self.log = log
        # The linter placed every page once; build the space only when given none.
        space = space or urlspace.build(
            index,
            options.categories,
            prefix=options.url_prefix,
            use_directory_urls=config.use_directory_urls,
        )
        self.model = SiteModel(
            index,
            options,
            space,
            site_name=config.site_name,
            site_description=config.site_description or "",
            template_dirs=config.theme.dirs,
            tooltips=tooltips,
            nav=config.nav,
            findings=findings,
            repository=Repository(
                url=config.repo_url or "",
                edit_uri=config.edit_uri,  # MkDocs has set its default
                edit_uri_template=str(config.edit_uri_template or "") or None,
                docs_dir=Path(config.docs_dir).absolute(),
            ),
            bytecode_cache=bytecode_cache,
            memo=memo,
        )
        self.space = space
        self._generated: set[str] = set()
        """Source paths of the pages this build generated (not replaced by docs/ files)."""
        self._static_files: list[File] = []
        """Files generated from content, until MkDocs has written them."""
        self._late: dict[str, tuple[tuple[str, Callable[[], str]], ...]] = {}
        """What each rendered page still has to place in its output (see place_late)."""
        self.lost: list[str] = []
        """Pages whose late HTML found no place in the output."""

    # -- files ----------------------------------------------------------------------

    def add_files(self, files: Files, *, write_now: bool = False) -> None:
        """Add every generated page, redirect, export and asset to the build. With
        ``write_now`` (a single build), the files built from content are written into
        the site folder at once, one after another, rather than held until MkDocs
        writes them after converting every page (the exports at N = 5,000: 26 MB)."""
        docs_dir = Path(self.config.docs_dir).absolute()
        for page in self.model.pages.values():
            if files.get_file_from_path(page.src_uri) is not None:
                message = f"docs/{page.src_uri} exists and replaces the generated page"
                (self.log.warning if page.must_win else self.log.info)(message)
                continue
            concept = self.model.concept_of(page.src_uri)
            # A leading blank line: MkDocs must not read the body's first lines as metadata.
            content = "\n" + (concept.body if concept is not None else "")
            file = self._add(files, page.src_uri, content, in_nav=page.in_nav)
            self._generated.add(page.src_uri)
            if concept is not None and concept.source is not None:
                # The edit link leads to the concept's own file.
                file.edit_uri = Path(
                    os.path.relpath(concept.source.absolute(), docs_dir)
                ).as_posix()
        for static in self.model.files():
            if files.get_file_from_path(static.src_uri) is not None:
                self.log.info(f"docs/{static.src_uri} exists and replaces the generated file")
                continue
            # As bytes: MkDocs would encode a text each time it reads the file's bytes
            # (when it writes it, and in release_files), a second copy of each export
            # at once (at N = 5,000, 20 MiB more while the files are written).
            data = static.content
            if isinstance(data, str):
                data = data.encode()
            if write_now:
                files.append(self._written(static.src_uri, data))
            else:
                self._static_files.append(self._add(files, static.src_uri, data, in_nav=True))

    def _written(self, src_uri: str, data: bytes) -> File:
        """A file written into the site folder now, backed by what was written: MkDocs
        lets plugins write there (copying the file onto itself does nothing)."""
        target = Path(self.config.site_dir, src_uri)  # not a page: its path is its URI
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return File.generated(self.config, src_uri, abs_src_path=str(target))

    def _add(self, files: Files, src_uri: str, content: str | bytes, *, in_nav: bool) -> File:
        file = File.generated(
            self.config,
            src_uri,
            content=content,
            inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV,
        )
        files.append(file)
        return file

    # -- pages ----------------------------------------------------------------------

    def _generated_page(self, page: Page) -> bool:
        return page.file.generated_by is not None and page.file.src_uri in self._generated

    def generates(self, file: File) -> bool:
        """Whether this build generated the file's page (no hand-written file replaced it)."""
        return file.generated_by is not None and file.src_uri in self._generated

    def is_generated(self, page: Page) -> bool:
        return self._generated_page(page)

    def concept_of(self, page: Page) -> Concept | None:
        if not self._generated_page(page):
            return None
        return self.model.concept_of(page.file.src_uri)

    def concept_source_link(self, concept_id: str, page: Page) -> str:
        """A link to the concept's source path, which MkDocs turns into a URL and validates."""
        return get_relative_url(self.model.layout.concept(concept_id), page.file.src_uri)

    def set_meta(self, page: Page) -> None:
        """Title, description and search settings of a generated page."""
        if not self._generated_page(page):
            return
        generated = self.model.pages[page.file.src_uri]
        if generated.kind == "concept":
            # The theme's edit button leads where the page's own edit link does.
            page.edit_url = self.model.edit_url(page.file.src_uri)
        # Themes insert page titles and descriptions as HTML: escape them here.
        page.meta["title"] = html.escape(generated.title)
        if generated.description:
            page.meta["description"] = html.escape(generated.description)
        if generated.search_exclude:
            page.meta["search"] = {"exclude": True}
        else:
            page.meta["search"] = {"boost": self.model.settings.search_boost}

    def body_withheld(self, page: Page) -> bool:
        return self._generated_page(page) and self.model.body_withheld(page.file.src_uri)

    def withhold(self, page: Page, reason: str) -> str:
        self.model.withhold(page.file.src_uri, reason)
        return ""

    def render_page(self, page: Page, body: str) -> str:
        """The content of a generated page; other pages pass through unchanged."""
        if not self._generated_page(page):
            return body
        rendered = self.model.render(page.file.src_uri, page.url, body, late_map=True)
        for anchor, title in rendered.toc:
            page.toc.items.append(AnchorLink(title, anchor, 2))
        if rendered.late:
            self._late[page.file.src_uri] = rendered.late
        return rendered.html

    def place_late(self, page: Page, output: str) -> str:
        """The page's output with its concept map in place of the marker the content
        holds. A marker that another plugin removed is recorded in :attr:`lost`: the
        build fails then, as a page that lost its map must not be published."""
        for marker, fragment in self._late.pop(page.file.src_uri, ()):
            at = output.find(marker)
            if at == -1:
                self.lost.append(page.file.src_uri)
                continue
            output = output[:at] + fragment() + output[at + len(marker) :]
        return output

    def release(self, page: Page) -> bool:
        """Let a generated page's content, source and table of contents go once its
        output is made: MkDocs keeps them to the end of the build, and nothing reads them
        after the page's output (search indexes the content and its sections before, in
        ``on_page_context``; the theme draws the contents of the page it builds only).
        At N = 5,000 the concept pages' contents are 80 MiB, held while the search index
        is written, their sources a copy of every body, and their tables of contents
        9 MiB. ``page.markdown`` stays: MkDocs reads a page's title from it whenever the
        navigation is drawn. Whether it was let go."""
        if not self._generated_page(page):
            return False
        page.content = None
        page.file.content_string = ""
        page.toc = TableOfContents([])
        return True

    def release_texts(self) -> None:
        """Let every concept's texts go once every page is converted (MkDocs converts
        them all before it builds the first): its body, the masked copy the checks read
        (and the wikilinks found in it, which hold it), its front matter as text and as
        data. What the pages and the end of the build read of a concept is its names,
        summary, relations and references (pages, search entries, ``check-site``). Only
        for a single build: a ``serve`` session keeps its readings for the next
        rebuild."""
        for concept in self.index.concepts.values():
            concept.masked_body = ""
            concept.links = []
            document = concept.document
            document.body = document.yaml_text = ""
            document.data = {}

    def release_files(self) -> None:
        """Let the generated files' contents (exports, redirects, assets) go once MkDocs
        has written them, before the pages are built: held to the end of the build, they
        kept their memory from the pages and the search index. (A single build wrote
        them at once: see add_files.)"""
        for file in self._static_files:
            # Only a file written whole: an engine that wrote it later keeps its content.
            try:
                written = Path(file.abs_dest_path).stat().st_size == len(file.content_bytes)
            except OSError:
                written = False
            if written:
                file.content_bytes = b""
        self._static_files.clear()

    # -- head and search ------------------------------------------------------------

    def add_head(self, page: Page, output: str) -> str:
        """Put the page's head tags (those the theme and other plugins have not
        written) and its schema.org JSON-LD into its ``<head>``."""
        head_end = output.find("</head>")
        if not self._generated_page(page) or head_end == -1:
            return output
        src_uri = page.file.src_uri
        present = headtags.declared(output[:head_end])
        added = [
            self.model.head_tags(src_uri, page.url, present=present),
            self.model.structured_data(src_uri, page.url),
        ]
        return output[:head_end] + "".join(filter(None, added)) + output[head_end:]

    def annotate_search_index(self, data: dict[str, Any]) -> None:
        """Add one search entry per name of each concept to a whole index (see
        :meth:`search_names_of`): after all the pages' entries, in their order."""
        docs = data.get("docs", [])
        docs.extend(self.search_names_of(docs))

    def search_names_of(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The name entries of the concept pages among ``entries`` (a few pages' search
        entries, in order), whose titles are mended in place.

        Material's search scores with BM25 without length normalisation (b = 0), so a
        page whose longer name holds the query's words ("Weight-Decomposed Low-Rank
        Adaptation") would tie with the concept named exactly so ("Low-Rank
        Adaptation"). Each name gets a short entry of its own under its concept's page:
        the name in the boosted ``aliases`` field, the summary as its text (so the top
        hit shows what the concept is), and a boost that falls with the square root of
        the name's length in words. The exact name then outranks a longer one holding
        the same words, while a name that matches more of the query's words still
        outranks a shorter one that matches fewer: with a boost inversely proportional
        to the length, "low rank" found "Re-ranking" before "Low-Rank Adaptation".
        A title "LoRA (Low-Rank Adaptation)" is two names, so that "lora" finds LoRA
        before "Adaptive LoRA". Titles are indexed as words: Material's tokenizer would
        keep "(Low" with its parenthesis.
        """
        by_url = self._concepts_by_url
        names: list[dict[str, Any]] = []
        boost = self.model.settings.search_boost
        for entry in entries:
            page_url = str(entry.get("location", "")).split("#", 1)[0]
            concept = by_url.get(page_url)
            if concept is None:
                continue
            if concept.title == html.unescape(str(entry.get("title", ""))):
                entry["title"] = html.escape(_search_words(concept.title))
            if entry.get("location") != page_url:
                continue
            for number, name in enumerate(search_names(concept.title, concept.aliases)):
                words = _search_words(name)
                count = max(1, len(_SEARCH_SEPARATOR.split(words)))
                names.append(
                    {
                        "location": f"{page_url}#ck-name-{number}",
                        "title": html.escape(name),
                        "aliases": html.escape(words),
                        "text": html.escape(concept.summary),
                        "boost": boost * 4 / math.sqrt(count),
                    }
                )
        return names

    @functools.cached_property
    def _concepts_by_url(self) -> dict[str, Concept]:
        """The concept of each generated concept page, by the page's URL (asked once
        the build's files are known: at the end of the build)."""
        return {
            self.model.url(page.src_uri): self.index.concepts[page.key]
            for page in self.model.pages.values()
            if page.kind == "concept" and page.src_uri in self._generated
        }
