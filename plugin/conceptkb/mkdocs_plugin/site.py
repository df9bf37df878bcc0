"""The pages the knowledge base adds to a site, and how each is rendered.

A :class:`Site` is made for one build, once every concept is known: it adds the
generated files, sets page metadata, renders page content through the package's
Jinja templates (which a theme ``custom_dir`` can override) and writes the
machine-readable outputs.
"""

from __future__ import annotations

import html
import logging
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from conceptkb import urlspace
from conceptkb.diagnostics import Finding
from conceptkb.exports import concepts_json, defined_term, defined_term_set, script_json
from conceptkb.index import ConceptIndex
from conceptkb.markdown_ext import tooltip_text
from conceptkb.model import Concept, Reference
from conceptkb.names import is_valid_id, normalize
from conceptkb.rules import BODY_LIMITS, RESERVED_HTML_ID, UNSAFE_HTML, UNSAFE_URL
from conceptkb.schema import export_schema_text, schema_text
from conceptkb.settings import Settings

_NOT_SEARCH_WORD = re.compile(r"[^\w\s-]+")
"""Characters that Material's search would glue to a word: parentheses, quotes, commas."""


_SEARCH_SEPARATOR = re.compile(r"[\s\-]+")
"""Material's default search separator: how it splits names into terms."""


def _search_words(text: str) -> str:
    return " ".join(_NOT_SEARCH_WORD.sub(" ", text).split())


UNSAFE_BODY = frozenset({BODY_LIMITS, UNSAFE_HTML, UNSAFE_URL, RESERVED_HTML_ID})
"""Findings after which a body is never rendered, not even in a preview."""

TEMPLATES_DIR = os.fspath(Path(str(resources.files("conceptkb").joinpath("templates"))))
_ASSETS = resources.files("conceptkb").joinpath("assets")


@dataclass(frozen=True)
class _Kind:
    kind: str  # concept, index, tag, tags, category
    key: str = ""


def _display(name: str) -> str:
    """'method-family' -> 'Method family'."""
    text = name.replace("-", " ")
    return text[:1].upper() + text[1:]


def _letter(name: str) -> str:
    base = unicodedata.normalize("NFKD", name.strip())
    for char in base:
        if char.isalnum():
            upper = char.upper()
            return upper if "A" <= upper <= "Z" else "#"
    return "#"


def _nav_paths(item: object) -> Iterator[str]:
    """Every path named in an explicit ``nav`` configuration."""
    if isinstance(item, str):
        yield item
    elif isinstance(item, dict):
        for value in item.values():
            yield from _nav_paths(value)
    elif isinstance(item, list):
        for value in item:
            yield from _nav_paths(value)


def _authors(reference: Reference) -> str:
    names = list(reference.authors)
    if len(names) > 6:
        return ", ".join(names[:3]) + " et al."
    return ", ".join(names)


class Site:
    """Generated pages of one build."""

    CSS = "assets/conceptkb/conceptkb.css"
    JS = "assets/conceptkb/conceptkb.js"

    def __init__(
        self,
        index: ConceptIndex,
        config: MkDocsConfig,
        options: Settings,
        log: logging.LoggerAdapter[logging.Logger],
        *,
        tooltips: bool = False,
        findings: Sequence[Finding] = (),
        space: urlspace.UrlSpace | None = None,
    ) -> None:
        self.index = index
        self.config = config
        self.options = options
        # The linter placed every page once; build the space only when given none.
        self.space = space or urlspace.build(
            index,
            options.categories,
            prefix=options.url_prefix,
            use_directory_urls=config.use_directory_urls,
        )
        self.layout = self.space.layout
        self.log = log
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(config.theme.dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        # Material's tooltips put a link's title into innerHTML: escape it for that too.
        self.env.filters["tooltip"] = tooltip_text if tooltips else (lambda text: text)
        self._kinds: dict[str, _Kind] = {}
        self._concept_files: dict[str, File] = {}
        self._index_file: File | None = None
        self._tag_files: dict[str, File] = {}
        self._category_files: dict[str, File] = {}
        self._nav_paths = None if config.nav is None else set(_nav_paths(config.nav))
        # Preview (mkdocs serve): each file's findings, shown on its page.
        self._findings: dict[str, list[Finding]] = {}
        for finding in findings:
            self._findings.setdefault(finding.path, []).append(finding)
        self._withheld: dict[str, str] = {}
        """Source path -> why the body of that page is not shown."""
        self._broken_paths: dict[str, str] = {}
        """Preview: id -> path of a file that could not be read as a concept."""

    # -- files ----------------------------------------------------------------------

    def _add(
        self,
        files: Files,
        src_uri: str,
        content: str | bytes,
        kind: _Kind | None = None,
        *,
        in_nav: bool = True,
        must_win: bool = False,
    ) -> File:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            message = f"docs/{src_uri} exists and replaces the generated page"
            (self.log.warning if must_win else self.log.info)(message)
            if kind is not None:
                self._kinds[src_uri] = kind
            return existing
        file = File.generated(
            self.config,
            src_uri,
            content=content,
            inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV,
        )
        files.append(file)
        if kind is not None:
            self._kinds[src_uri] = kind
        return file

    def _in_nav(self, src_uri: str, listed_by_default: bool) -> bool:
        """With an explicit nav, a page is in it when the nav names it; else the default."""
        if self._nav_paths is None:
            return listed_by_default
        return src_uri in self._nav_paths

    def add_files(self, files: Files) -> None:
        """Add every generated page, redirect, export and asset to the build."""
        layout = self.layout
        concepts_in_nav = len(self.index) <= self.options.nav_threshold
        docs_dir = Path(self.config.docs_dir).absolute()
        for concept_id in sorted(self.index.concepts):
            concept = self.index.concepts[concept_id]
            # A leading blank line: MkDocs must not read the body's first lines as metadata.
            file = self._add(
                files,
                layout.concept(concept_id),
                "\n" + concept.body,
                _Kind("concept", concept_id),
                in_nav=self._in_nav(layout.concept(concept_id), concepts_in_nav),
                must_win=True,
            )
            if file.generated_by is not None and concept.source is not None:
                file.edit_uri = Path(
                    os.path.relpath(concept.source.absolute(), docs_dir)
                ).as_posix()
            self._concept_files[concept_id] = file
        self._add_broken_pages(files)
        self._index_file = self._add(
            files, layout.index, "\n", _Kind("index"), in_nav=self._in_nav(layout.index, True)
        )
        for category in self.options.categories:
            src_uri = layout.category(category)
            self._category_files[category] = self._add(
                files,
                src_uri,
                "\n",
                _Kind("category", category),
                in_nav=self._in_nav(src_uri, True),
            )
        tags = sorted({t for c in self.index.concepts.values() for t in c.tags})
        if tags:
            self._add(files, layout.tags_index, "\n", _Kind("tags"), in_nav=False)
        for tag in tags:
            self._tag_files[tag] = self._add(
                files, layout.tag(tag), "\n", _Kind("tag", tag), in_nav=False
            )
        for slug, concept_id in self.space.redirects().items():
            src_uri = layout.redirect(slug, self.config.use_directory_urls)
            target = self._concept_files[concept_id]
            html = self.env.get_template("conceptkb/redirect.html").render(
                url=get_relative_url(target.url, src_uri),
                canonical=self._absolute(target.url, src_uri),
                title=self.index.concepts[concept_id].title,
            )
            self._add(files, src_uri, html)
        self._add(files, layout.export, concepts_json(self.index, self._site_url_of))
        self._add(
            files, layout.schema, schema_text(self.options.categories, self.config.site_url or "")
        )
        self._add(files, layout.export_schema, export_schema_text())
        for name in ("conceptkb.css", "conceptkb.js"):
            self._add(files, f"assets/conceptkb/{name}", _ASSETS.joinpath(name).read_bytes())

    def _add_broken_pages(self, files: Files) -> None:
        """Preview: a page for each concept file that could not be read as a concept,
        showing its findings in place of the content."""
        concepts_dir = {c.path.rsplit("/", 1)[0] for c in self.index.concepts.values()}
        for path in sorted(self._findings):
            stem = path.rsplit("/", 1)[-1].removesuffix(".md")
            if not path.endswith(".md") or not is_valid_id(stem) or stem in self.index.concepts:
                continue
            if concepts_dir and path.rsplit("/", 1)[0] not in concepts_dir:
                continue
            src_uri = self.layout.concept(stem)
            if files.get_file_from_path(src_uri) is not None:
                continue  # a collision is shown as a finding, never resolved by replacing
            self._add(files, src_uri, "\n", _Kind("broken", stem), in_nav=False)
            self._broken_paths[stem] = path

    def body_withheld(self, page: Page) -> bool:
        """Preview: whether the page's body must not be rendered (it has findings that
        say it is not safe, or the file could not be read)."""
        kind = self._kind(page)
        if kind is None or kind.kind not in ("concept", "broken"):
            return False
        if kind.kind == "broken":
            return True
        concept = self.index.concepts[kind.key]
        unsafe = [f for f in self._findings.get(concept.path, ()) if f.code in UNSAFE_BODY]
        if unsafe:
            self._withheld[page.file.src_uri] = "the body holds content that is not allowed"
        return bool(unsafe)

    def withhold(self, page: Page, reason: str) -> str:
        """Preview: the body of ``page`` is not shown; its page says why."""
        self._withheld[page.file.src_uri] = reason
        return ""

    # -- URLs -----------------------------------------------------------------------

    def _site_url_of(self, concept_id: str) -> str:
        return self._concept_files[concept_id].url

    def _absolute(self, url: str, from_url: str) -> str:
        site_url = self.config.site_url
        if site_url:
            return urljoin(site_url if site_url.endswith("/") else site_url + "/", url)
        return get_relative_url(url, from_url)

    def concept_url(self, concept_id: str, page: Page) -> str:
        return get_relative_url(self._concept_files[concept_id].url, page.url)

    def concept_source_link(self, concept_id: str, page: Page) -> str:
        """A link to the concept's source path, which MkDocs turns into a URL and validates."""
        return get_relative_url(self._concept_files[concept_id].src_uri, page.file.src_uri)

    def _url(self, file: File | None, page: Page) -> str:
        assert file is not None
        return get_relative_url(file.url, page.url)

    # -- pages ----------------------------------------------------------------------

    def _kind(self, page: Page) -> _Kind | None:
        return self._kinds.get(page.file.src_uri)

    def is_generated(self, page: Page) -> bool:
        return self._kind(page) is not None

    def concept_of(self, page: Page) -> Concept | None:
        kind = self._kind(page)
        if kind is None or kind.kind != "concept" or page.file.generated_by is None:
            return None
        return self.index.concepts[kind.key]

    def set_meta(self, page: Page) -> None:
        """Title, description and search settings of a generated page."""
        kind = self._kind(page)
        if kind is None or page.file.generated_by is None:
            return
        if kind.kind == "concept":
            concept = self.index.concepts[kind.key]
            # Themes insert page titles and descriptions as HTML: escape them here.
            page.meta["title"] = html.escape(concept.title)
            page.meta["description"] = html.escape(concept.summary)
            page.meta["search"] = {"boost": self.options.search_boost}
            return
        if kind.kind == "broken":
            page.meta["title"] = f"{kind.key} (not built: see its errors)"
            page.meta["search"] = {"exclude": True}
            return
        titles = {
            "index": "Concepts",
            "tags": "Tags",
            "tag": f"Tag: {kind.key}",
            "category": _display(kind.key),
        }
        page.meta["title"] = titles[kind.kind]
        page.meta["search"] = {"exclude": True}

    def _link(self, concept_id: str, page: Page) -> dict[str, str]:
        concept = self.index.concepts[concept_id]
        return {
            "id": concept_id,
            "url": self.concept_url(concept_id, page),
            "title": concept.title,
            "summary": concept.summary,
        }

    def render_page(self, page: Page, html: str) -> str:
        """The content of a generated page; other pages pass through unchanged."""
        kind = self._kind(page)
        if kind is None or page.file.generated_by is None:
            return html
        common: dict[str, Any] = {
            "index_url": self._url(self._index_file, page),
            "categories": [
                {"name": c, "title": _display(c), "url": self._url(f, page)}
                for c, f in self._category_files.items()
            ],
        }
        if kind.kind == "broken":
            path = self._broken_paths[kind.key]
            return self.env.get_template("conceptkb/broken.html").render(
                concept_id=kind.key, path=path, findings=self._shown(path), **common
            )
        if kind.kind == "concept":
            return self._render_concept(page, html, common)
        if kind.kind == "index":
            return self.env.get_template("conceptkb/index.html").render(
                entries=self._entries(page, list(self.index.concepts.values()), aliases=True),
                tags=[{"name": t, "url": self._url(f, page)} for t, f in self._tag_files.items()],
                **common,
            )
        if kind.kind == "tags":
            return self.env.get_template("conceptkb/tags.html").render(
                tags=[
                    {
                        "name": t,
                        "url": self._url(f, page),
                        "count": sum(t in c.tags for c in self.index.concepts.values()),
                    }
                    for t, f in self._tag_files.items()
                ],
                **common,
            )
        members = [
            c
            for c in self.index.concepts.values()
            if (kind.key in c.tags if kind.kind == "tag" else c.category == kind.key)
        ]
        return self.env.get_template("conceptkb/list.html").render(
            title=page.meta["title"],
            kind=kind.kind,
            entries=self._entries(page, members, aliases=False),
            **common,
        )

    def _render_concept(self, page: Page, body: str, common: dict[str, Any]) -> str:
        concept = self.index.concepts[self._kinds[page.file.src_uri].key]
        index = self.index
        sections = [
            ("ck-broader", "Broader", [c for c in concept.broader if c in index.concepts]),
            ("ck-narrower", "Narrower", index.narrower.get(concept.id, [])),
            ("ck-related", "Related", index.related.get(concept.id, [])),
            ("ck-referenced-by", "Referenced by", index.backlinks.get(concept.id, [])),
        ]
        shown: list[dict[str, Any]] = [
            {"id": sid, "title": title, "items": [self._link(c, page) for c in ids]}
            for sid, title, ids in sections
            if ids
        ]
        toc: list[tuple[str, str]] = [(s["id"], s["title"]) for s in shown]
        if concept.references:
            toc.append(("ck-references", "References"))
        for anchor, title in toc:
            page.toc.items.append(AnchorLink(title, anchor, 2))
        return self.env.get_template("conceptkb/concept.html").render(
            concept=concept,
            findings=self._shown(concept.path),
            withheld=self._withheld.get(page.file.src_uri),
            body=Markup(body),
            category={
                "name": concept.category,
                "title": _display(concept.category),
                "url": self._url(self._category_files.get(concept.category), page),
            },
            tags=[{"name": t, "url": self._url(self._tag_files[t], page)} for t in concept.tags],
            sections=shown,
            references=[
                {
                    "title": r.title,
                    "url": r.url,
                    "authors": _authors(r),
                    "year": r.year,
                    "note": r.note,
                }
                for r in concept.references
            ],
            **common,
        )

    def _shown(self, path: str) -> list[str]:
        """Preview: a file's findings as ``path:line:col CODE message`` lines."""
        return [
            f"{f.location()} {f.code} {f.message}" for f in sorted(self._findings.get(path, ()))
        ]

    def _entries(
        self, page: Page, concepts: list[Concept], *, aliases: bool
    ) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for concept in concepts:
            link = self._link(concept.id, page)
            base = {
                "category": concept.category,
                "tags": " ".join(concept.tags),
                "url": link["url"],
                "summary": concept.summary,
            }
            entries.append({**base, "name": concept.title, "alias_of": None})
            if aliases:
                for alias in concept.aliases:
                    entries.append({**base, "name": alias, "alias_of": concept.title})
        entries.sort(key=lambda e: (normalize(e["name"]), e["alias_of"] is not None))
        for entry in entries:
            entry["letter"] = _letter(entry["name"])
        return entries

    # -- head and search ------------------------------------------------------------

    def add_head(self, page: Page, output: str) -> str:
        """Put the page's schema.org JSON-LD into its ``<head>``."""
        kind = self._kind(page)
        if kind is None or page.file.generated_by is None or kind.kind not in ("concept", "index"):
            return output
        assert self._index_file is not None
        set_url = self._absolute(self._index_file.url, page.url)
        if kind.kind == "concept":
            concept = self.index.concepts[kind.key]
            data = defined_term(
                concept, self._absolute(self._concept_files[concept.id].url, page.url), set_url
            )
        else:
            data = defined_term_set(
                self.index,
                set_url,
                lambda cid: self._absolute(self._concept_files[cid].url, page.url),
                self.config.site_name,
            )
        script = f'<script type="application/ld+json">{script_json(data)}</script>\n'
        head_end = output.find("</head>")
        if head_end == -1:
            return output
        return output[:head_end] + script + output[head_end:]

    def annotate_search_index(self, data: dict[str, Any]) -> None:
        """Add one search entry per name of each concept (its title and each alias).

        Material's search scores with BM25 without length normalisation (b = 0), so a
        page whose longer name holds the query's words ("Weight-Decomposed Low-Rank
        Adaptation") would tie with the concept named exactly so ("Low-Rank
        Adaptation"). Each name gets a short entry of its own under its concept's page:
        the name in the boosted ``aliases`` field, the summary as its text (so the hit
        says what the concept is), and a boost that falls with the name's length, so
        the concept whose name the query spells ranks first. Titles are indexed as
        words: Material's tokenizer would keep "(Low" with its parenthesis.
        """
        by_url = {
            file.url: self.index.concepts[concept_id]
            for concept_id, file in self._concept_files.items()
        }
        docs = data.get("docs", [])
        names: list[dict[str, Any]] = []
        for entry in docs:
            page_url = str(entry.get("location", "")).split("#", 1)[0]
            concept = by_url.get(page_url)
            if concept is None:
                continue
            if concept.title == html.unescape(str(entry.get("title", ""))):
                entry["title"] = html.escape(_search_words(concept.title))
            if entry.get("location") != page_url:
                continue
            for number, name in enumerate((concept.title, *concept.aliases)):
                words = _search_words(name)
                count = max(1, len(_SEARCH_SEPARATOR.split(words)))
                names.append(
                    {
                        "location": f"{page_url}#ck-name-{number}",
                        "title": html.escape(name),
                        "aliases": html.escape(words),
                        "text": html.escape(concept.summary),
                        "boost": self.options.search_boost * 4 / count,
                    }
                )
        docs.extend(names)
