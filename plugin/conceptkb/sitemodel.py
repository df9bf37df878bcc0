"""The site the knowledge base adds to any engine, computed once from a lint result.

Every page (concept pages, the A-Z index, tag and category pages, preview pages for
broken files), every redirect, export, schema and asset, with its path (from the URL
space), its URL, its title and its content rendered through the package's Jinja
templates, which a theme ``custom_dir`` can override. Nothing here knows an engine:
the MkDocs plugin adds these pages to a MkDocs build, the generator writes them into a
staging tree that Zensical (or any engine that reads ``mkdocs.yml``) builds. Both give
the same HTML because it comes from here.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup, escape

from conceptkb import bodyscan, citation, conceptmap, digest, exports, headtags, urlspace
from conceptkb.diagnostics import Finding, Severity
from conceptkb.index import ConceptIndex
from conceptkb.markdown_ext import tooltip_text
from conceptkb.mdlinks import relative_source
from conceptkb.memo import SessionMemo, cached
from conceptkb.model import DEPRECATED, Concept, Reference
from conceptkb.names import display_name, is_valid_id, normalize
from conceptkb.rules import BODY_LIMITS, RESERVED_HTML_ID, UNSAFE_HTML, UNSAFE_URL
from conceptkb.schema import export_schema_text, schema_text
from conceptkb.settings import Settings
from conceptkb.sourcelinks import Repository

UNSAFE_BODY = frozenset({BODY_LIMITS, UNSAFE_HTML, UNSAFE_URL, RESERVED_HTML_ID})
"""Findings after which a body is never rendered, not even in a preview."""

TEMPLATES_DIR = os.fspath(Path(str(resources.files("conceptkb").joinpath("templates"))))
STYLESHEETS = ("assets/conceptkb/conceptkb.css", "assets/conceptkb/summaries.css")
"""The stylesheets every site gets, by site path (files of the package's ``assets/``)."""
SCRIPTS = (
    "assets/conceptkb/conceptkb.js",
    "assets/conceptkb/summaries.js",
    "assets/conceptkb/cite.js",
    "assets/conceptkb/notfound.js",
)
"""The scripts every site gets, by site path: each works on its own, without the others."""
ASSETS = STYLESHEETS + SCRIPTS
_ASSETS = resources.files("conceptkb").joinpath("assets")


def _no_math(value: Any) -> Any:
    """A template value as HTML text in which no ``$`` starts a formula: the Markdown
    of a page holds the template's output, and ``conceptkb.math`` reads it (the body,
    already Markup, is the Markdown to render and passes as it is)."""
    if isinstance(value, Markup):
        return value
    return Markup(str(escape(value)).replace("$", "&#36;"))


Href = Callable[[str], str]
"""Source path of a page -> the link to it from the page being rendered."""


@dataclass(frozen=True, slots=True)
class Page:
    """A page the knowledge base adds, before any engine renders it."""

    src_uri: str
    kind: str
    """concept, broken (preview: a file that is not a concept), index, tags, tag, category."""
    key: str
    """The concept id, tag or category ('' for the index and the list of tags)."""
    title: str
    """Plain text: an adapter escapes it for its theme."""
    description: str = ""
    in_nav: bool = True
    search_exclude: bool = True
    """Listing pages are left out of search: they would outrank every concept."""
    must_win: bool = False
    """A hand-written file at this path hides a concept: a warning, not a note."""


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file copied into the site as it is: redirects, exports, schemas, assets."""

    src_uri: str
    content: str | bytes


@dataclass(frozen=True, slots=True)
class Rendered:
    """The content of a page and the headings it adds to the page's table of contents."""

    html: str
    toc: tuple[tuple[str, str], ...] = ()
    late: tuple[tuple[str, Callable[[], str]], ...] = ()
    """(marker, HTML to come) pairs: ``html`` holds each marker once, where the engine
    puts the HTML, made when it is placed, into the page's final output (see
    :meth:`SiteModel.render`). An engine renders every page's content before it writes
    the first: HTML made at once would be held for every page until then."""


MAP_SLOT = '<span class="ck-map-slot"></span>'
"""Where a concept page's map goes when it is placed late."""


def _letter(name: str) -> str:
    base = unicodedata.normalize("NFKD", name.strip())
    for char in base:
        if char.isalnum():
            upper = char.upper()
            return upper if "A" <= upper <= "Z" else "#"
    return "#"


def nav_paths(item: object) -> Iterator[str]:
    """Every path named in an explicit ``nav`` configuration."""
    if isinstance(item, str):
        yield item
    elif isinstance(item, dict):
        for value in item.values():
            yield from nav_paths(value)
    elif isinstance(item, list):
        for value in item:
            yield from nav_paths(value)


def _authors(reference: Reference) -> str:
    names = list(reference.authors)
    if len(names) > 6:
        return ", ".join(names[:3]) + " et al."
    return ", ".join(names)


class SiteModel:
    """Every page and file the knowledge base adds to one build of one site."""

    def __init__(
        self,
        index: ConceptIndex,
        settings: Settings,
        space: urlspace.UrlSpace,
        *,
        site_name: str = "",
        site_description: str = "",
        template_dirs: Sequence[str] = (),
        tooltips: bool = False,
        nav: object = None,
        findings: Sequence[Finding] = (),
        repository: Repository | None = None,
        bytecode_cache: jinja2.BytecodeCache | None = None,
        memo: SessionMemo | None = None,
    ) -> None:
        """``template_dirs`` come before the package's templates (a theme's
        ``custom_dir`` overrides them); ``nav`` is the site's explicit navigation, if
        any; ``findings`` are shown on their pages (a preview); ``repository`` gives
        concept pages their edit and issue links; ``bytecode_cache`` keeps compiled
        templates and ``memo`` other results for a session of rebuilds."""
        self.index = index
        self.memo = memo
        self.repository = repository or Repository()
        self.settings = settings
        self.space = space
        self.layout = space.layout
        self.use_directory_urls = space.use_directory_urls
        self.site_name = site_name
        self.site_description = site_description
        dirs = [d for d in template_dirs if d != TEMPLATES_DIR] + [TEMPLATES_DIR]
        self.env = self._environment(dirs, tooltips)
        # Pages an engine renders as Markdown: no text of the templates may read as math.
        self.markdown_env = self._environment(dirs, tooltips, finalize=_no_math)
        self.env.bytecode_cache = self.markdown_env.bytecode_cache = bytecode_cache
        self._nav = None if nav is None else set(nav_paths(nav))
        self._findings: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.severity is not Severity.INFO:  # notes fail nothing: no banner
                self._findings.setdefault(finding.path, []).append(finding)
        self._withheld: dict[str, str] = {}
        """Source path -> why the body of that page is not shown (a preview)."""
        self._broken: dict[str, str] = {}
        """Preview: id -> path of a file that could not be read as a concept."""
        self.hidden = (
            frozenset() if settings.show_drafts else frozenset(c.id for c in index.drafts())
        )
        """Drafts, left out of the index, tag and category lists, search and maps."""
        self.tags = sorted({t for c in index.concepts.values() for t in c.tags})
        self.pages: dict[str, Page] = {}
        for page in self._pages():
            self.pages[page.src_uri] = page
        for concept_id in sorted(index.concepts):
            concept = index.concepts[concept_id]
            if any(f.code in UNSAFE_BODY for f in self._findings.get(concept.path, ())):
                self._withheld[self.layout.concept(concept_id)] = (
                    "the body holds content that is not allowed"
                )

    @staticmethod
    def _environment(
        dirs: list[str], tooltips: bool, finalize: Callable[[Any], Any] | None = None
    ) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=finalize,
        )
        # Material's tooltips put a link's title into innerHTML: escape it for that too.
        env.filters["tooltip"] = tooltip_text if tooltips else (lambda text: text)
        return env

    # -- pages and files -----------------------------------------------------------

    def _in_nav(self, src_uri: str, listed_by_default: bool) -> bool:
        """With an explicit nav, a page is in it when the nav names it; else the default."""
        if self._nav is None:
            return listed_by_default
        return src_uri in self._nav

    def _pages(self) -> Iterator[Page]:
        layout, index = self.layout, self.index
        concepts_in_nav = len(index) <= self.settings.nav_threshold
        for concept_id in sorted(index.concepts):
            concept = index.concepts[concept_id]
            src_uri = layout.concept(concept_id)
            yield Page(
                src_uri,
                "concept",
                concept_id,
                concept.title,
                concept.summary,
                in_nav=self._in_nav(src_uri, concepts_in_nav) and concept_id not in self.hidden,
                search_exclude=concept_id in self.hidden,
                must_win=True,
            )
        yield from self._broken_pages()
        listed = len(index.concepts) - len(self.hidden)
        of_site = f" of {self.site_name}" if self.site_name else ""
        yield Page(
            layout.index,
            "index",
            "",
            "Concepts",
            f"An A-Z index of the {listed} concept{'' if listed == 1 else 's'}{of_site},"
            " each with its summary.",
            in_nav=self._in_nav(layout.index, True),
        )
        for category in self.settings.categories:
            src_uri = layout.category(category)
            yield Page(
                src_uri,
                "category",
                category,
                display_name(category),
                in_nav=self._in_nav(src_uri, True),
            )
        if self.tags:
            yield Page(layout.tags_index, "tags", "", "Tags", in_nav=False)
        for tag in self.tags:
            yield Page(layout.tag(tag), "tag", tag, f"Tag: {tag}", in_nav=False)

    def _broken_pages(self) -> Iterator[Page]:
        """Preview: a page for each concept file that could not be read as a concept,
        showing its findings in place of the content."""
        concepts_dir = {c.path.rsplit("/", 1)[0] for c in self.index.concepts.values()}
        taken = {self.layout.concept(c) for c in self.index.concepts}
        for path in sorted(self._findings):
            stem = path.rsplit("/", 1)[-1].removesuffix(".md")
            if not path.endswith(".md") or not is_valid_id(stem) or stem in self.index.concepts:
                continue
            if concepts_dir and path.rsplit("/", 1)[0] not in concepts_dir:
                continue
            src_uri = self.layout.concept(stem)
            if src_uri in taken:
                continue  # a collision is shown as a finding, never resolved by replacing
            taken.add(src_uri)
            self._broken[stem] = path
            yield Page(src_uri, "broken", stem, f"{stem} (not built: see its errors)", in_nav=False)

    def files(self) -> Iterator[StaticFile]:
        """Redirects, exports, schemas and assets."""
        layout = self.layout
        redirects = None if self.memo is None else self.memo.table("redirects")
        render = self._redirect
        for slug, concept_id in self.space.redirects().items():
            src_uri = layout.redirect(slug, self.use_directory_urls)
            target = self.url(layout.concept(concept_id))
            title = self.index.concepts[concept_id].title
            page = (src_uri, target, title, self.settings.site_url)
            html = render(page) if redirects is None else redirects.get(page, render)
            yield StaticFile(src_uri, html)
        index, url_for = self.index, self._concept_url
        yield StaticFile(layout.export, exports.concepts_json(index, url_for, memo=self.memo))
        about = {"site_name": self.site_name, "site_description": self.site_description}
        yield StaticFile(layout.llms_txt, exports.llms_txt(index, url_for, **about, memo=self.memo))
        full = exports.llms_full_txt(index, url_for, **about, memo=self.memo)
        yield StaticFile(layout.llms_full_txt, full)
        scheme = self._absolute(self.url(layout.index), "")
        turtle = exports.skos_turtle(
            index,
            self._absolute_concept_url,
            scheme_iri=scheme,
            site_name=self.site_name,
            memo=self.memo,
        )
        yield StaticFile(layout.skos, turtle)
        yield StaticFile(
            layout.schema, schema_text(self.settings.categories, self.settings.site_url)
        )
        yield StaticFile(layout.export_schema, export_schema_text())
        for path in ASSETS:
            yield StaticFile(path, _ASSETS.joinpath(path.rsplit("/", 1)[1]).read_bytes())

    def _redirect(self, page: tuple[str, str, str, str | None]) -> str:
        """The page at ``src_uri`` that sends readers on to ``target`` (a concept page
        titled ``title``) on a site at ``site_url``."""
        src_uri, target, title, _ = page
        return self.env.get_template("conceptkb/redirect.html").render(
            url=urlspace.relative_url(target, src_uri),
            canonical=self._absolute(target, src_uri),
            title=title,
        )

    def edit_url(self, src_uri: str) -> str | None:
        """The URL that edits a concept page's own file (its concept file), if any."""
        concept = self.concept_of(src_uri)
        if concept is None or concept.source is None:
            return None
        return self.repository.edit_url(concept.source)

    def _source_links(self, concept: Concept) -> dict[str, str | None] | None:
        """The URLs of "Edit this page" and "Report a problem" on a concept page (None
        for either that the site's repository cannot give; None for both without
        one). The issue names the page and the concept's file."""
        lines = [f"Page: {self._absolute_concept_url(concept.id)}"]
        if concept.source is not None:
            source = Path(os.path.relpath(concept.source.absolute(), self.settings.config_dir))
            lines.append(f"File: {source.as_posix()}")
        lines += ["", "What is wrong or missing:", ""]
        title = f'Problem with "{concept.title}"'
        links = {
            "edit": self.edit_url(self.layout.concept(concept.id)),
            "issue": self.repository.issue_url(title, "\n".join(lines)),
        }
        return links if any(links.values()) else None

    def concept_of(self, src_uri: str) -> Concept | None:
        page = self.pages.get(src_uri)
        if page is None or page.kind != "concept":
            return None
        return self.index.concepts[page.key]

    def body_withheld(self, src_uri: str) -> bool:
        """Preview: whether the page's body must not be rendered (findings say it is
        not safe, or the file could not be read as a concept)."""
        page = self.pages.get(src_uri)
        return page is not None and (page.kind == "broken" or src_uri in self._withheld)

    def withhold(self, src_uri: str, reason: str) -> None:
        """Preview: the body of a page is not shown; the page says why."""
        self._withheld[src_uri] = reason

    # -- URLs ----------------------------------------------------------------------

    def url(self, src_uri: str) -> str:
        """The URL of a page or file, relative to the site root."""
        return urlspace.page_url(src_uri, self.use_directory_urls)

    def _concept_url(self, concept_id: str) -> str:
        return self.url(self.layout.concept(concept_id))

    def _absolute_concept_url(self, concept_id: str) -> str:
        """Absolute with a ``site_url``, else relative to the site root."""
        return self._absolute(self._concept_url(concept_id), "")

    def _absolute(self, url: str, from_url: str) -> str:
        site_url = self.settings.site_url
        if site_url:
            return urljoin(site_url if site_url.endswith("/") else site_url + "/", url)
        return urlspace.relative_url(url, from_url)

    # -- content -------------------------------------------------------------------

    def render(
        self,
        src_uri: str,
        page_url: str,
        body: str = "",
        *,
        markdown: bool = False,
        late_map: bool = False,
    ) -> Rendered:
        """The content of a generated page at ``page_url``.

        ``body`` is a concept's body: HTML an engine has rendered, or, with
        ``markdown=True``, Markdown the engine will render, placed in a block that
        Python-Markdown's ``md_in_html`` extension parses as Markdown.

        ``late_map=True`` leaves :data:`MAP_SLOT` where the concept map goes and returns
        the map in :attr:`Rendered.late`, for an engine that puts it into the page's
        final HTML: a search indexer that parses every page's content then does not
        parse the drawing (half the tags of a concept page), which it leaves out of
        the index anyway."""
        page = self.pages[src_uri]

        def href(target: str) -> str:
            # An engine given Markdown resolves links against the source file (Zensical
            # rewrites them in raw HTML too); one given HTML needs the final URL.
            if markdown:
                return relative_source(target, src_uri)
            return urlspace.relative_url(self.url(target), page_url)

        common: dict[str, Any] = {
            "index_url": href(self.layout.index),
            "categories": [
                {"name": c, "title": display_name(c), "url": href(self.layout.category(c))}
                for c in self.settings.categories
            ],
        }
        template = (self.markdown_env if markdown else self.env).get_template
        if page.kind == "broken":
            path = self._broken[page.key]
            html = template("conceptkb/broken.html").render(
                concept_id=page.key, path=path, findings=self._shown(path), **common
            )
            return Rendered(html)
        if page.kind == "concept":
            return self._concept(page, href, body, markdown, common, template, late_map)
        listings = self._listings
        if page.kind == "index":
            html = template("conceptkb/index.html").render(
                entries=self._entries(href, listings[("index", "")], aliases=True),
                tags=[{"name": t, "url": href(self.layout.tag(t))} for t in self.tags],
                **common,
            )
        elif page.kind == "tags":
            html = template("conceptkb/tags.html").render(
                tags=[
                    {
                        "name": t,
                        "url": href(self.layout.tag(t)),
                        "count": len(listings.get(("tag", t), ())),
                    }
                    for t in self.tags
                ],
                **common,
            )
        else:
            html = template("conceptkb/list.html").render(
                title=page.title,
                kind=page.kind,
                entries=self._entries(href, listings.get((page.kind, page.key), []), aliases=False),
                **common,
            )
        return Rendered(html)

    def _link(self, concept_id: str, href: Href) -> dict[str, str]:
        concept = self.index.concepts[concept_id]
        return {
            "id": concept_id,
            "url": href(self.layout.concept(concept_id)),
            "title": concept.title,
            "summary": concept.summary,
        }

    def _concept(
        self,
        page: Page,
        href: Href,
        body: str,
        markdown: bool,
        common: dict[str, Any],
        template: Callable[[str], jinja2.Template],
        late_map: bool,
    ) -> Rendered:
        concept = self.index.concepts[page.key]
        index = self.index
        sections = [
            ("ck-broader", "Broader", [c for c in concept.broader if c in index.concepts]),
            ("ck-narrower", "Narrower", index.narrower.get(concept.id, [])),
            ("ck-related", "Related", index.related.get(concept.id, [])),
            ("ck-referenced-by", "Referenced by", index.backlinks.get(concept.id, [])),
        ]
        shown: list[dict[str, Any]] = [
            {"id": sid, "title": title, "items": [self._link(c, href) for c in ids]}
            for sid, title, ids in sections
            if ids
        ]
        toc = [(s["id"], s["title"]) for s in shown]
        if concept.references:
            toc.append(("ck-references", "References"))
        category_src = self.layout.category(concept.category)
        successor = index.successor(concept.id) if concept.status == DEPRECATED else None
        late: tuple[tuple[str, Callable[[], str]], ...] = ()
        if not conceptmap.has_neighbours(index, concept.id, hidden=self._hidden_from(concept.id)):
            drawing = ""
        elif late_map:
            # The concepts to draw are chosen when the map is placed: a build holds
            # every page's late parts at once (at N = 5,000, 100,000 nodes).
            drawing = MAP_SLOT
            late = ((MAP_SLOT, functools.partial(self._map_of, concept.id, href, markdown)),)
        else:
            drawing = self._map_of(concept.id, href, markdown)
        if drawing:
            toc.insert(0, ("ck-map", "Concept map"))
        html = template("conceptkb/concept.html").render(
            concept=concept,
            findings=self._shown(concept.path),
            withheld=self._withheld.get(page.src_uri),
            body=Markup(f"\n\n{body}\n\n" if markdown else body),
            markdown_body=markdown,
            category={
                "name": concept.category,
                "title": display_name(concept.category),
                "url": href(category_src),
            },
            tags=[{"name": t, "url": href(self.layout.tag(t))} for t in concept.tags],
            sections=shown,
            successor=None if successor is None else self._link(successor.id, href),
            citation=citation.cite(
                concept.id,
                concept.title,
                site_name=self.site_name,
                reviewed=concept.reviewed,
                url=self._absolute_concept_url(concept.id),
                absolute=bool(self.settings.site_url),
            ),
            concept_map=Markup(drawing),
            source_links=self._source_links(concept),
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
        return Rendered(html, tuple(toc), late)

    def _map_of(self, concept_id: str, href: Href, markdown: bool) -> str:
        """A concept's neighbourhood (two concepts or more) as an SVG drawing."""
        concepts = self.index.concepts
        svg = conceptmap.render_svg(
            self._neighbourhood(concept_id),
            lambda other: href(self.layout.concept(other)),
            title_of=lambda other: concepts[other].title,
            summary_of=lambda other: concepts[other].summary,
        )
        # In a page's Markdown no text may read as math (see _no_math).
        return svg.replace("$", "&#36;") if markdown else svg

    def _shown(self, path: str) -> list[str]:
        """Preview: a file's findings as ``path:line:col CODE message`` lines."""
        return [
            f"{f.location()} {f.code} {f.message}" for f in sorted(self._findings.get(path, ()))
        ]

    def _entries(
        self, href: Href, concepts: list[Concept], *, aliases: bool
    ) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for concept in concepts:
            link = self._link(concept.id, href)
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

    # -- what each page depends on ---------------------------------------------------

    def _shown_concept(self, concept_id: str) -> str:
        """What a page that names another concept shows of it: ``id:digest``, or for no
        concept the name as a Python literal (self-delimiting, whatever it holds)."""
        return self._shown_concepts.get(concept_id) or repr(concept_id)

    @functools.cached_property
    def _shown_concepts(self) -> dict[str, str]:
        """Each concept's id -> its id and a digest of what a page that names it shows
        of it: one digest each per build, where a concept's summary was repeated in the
        digest of every page that shows it. Strings, which a page's digest joins with
        spaces (an id is kebab-case)."""
        hidden = self.hidden
        return {
            c.id: f"{c.id}:{digest.of(c.title, c.summary, c.status, c.id in hidden)}"
            for c in self.index.concepts.values()
        }

    def _neighbourhood(self, concept_id: str) -> conceptmap.Graph:
        """The concepts the concept's map draws."""
        return conceptmap.neighbourhood(
            self.index, concept_id, hidden=self._hidden_from(concept_id)
        )

    def _hidden_from(self, concept_id: str) -> Collection[str]:
        """The concepts the concept's map leaves out: drafts, but the concept itself."""
        hidden = self.hidden
        return hidden - {concept_id} if concept_id in hidden else hidden

    def _map_shape(self, concept_id: str) -> tuple[str, tuple[str, ...]]:
        """A digest of the concept's map (its concepts, lines and places) and the ids of
        the concepts it draws: all a page's digest needs of the map besides what it
        shows of each concept. Kept for a session while no relation and no draft
        changes, as strings alone: a session keeps one for each concept, and tuples of
        strings are left out of the garbage collector's walks, where the graphs, kept
        before, were a quarter of what each full collection walked."""

        def shape(_: object) -> tuple[str, tuple[str, ...]]:
            graph = self._neighbourhood(concept_id)
            return digest.of(graph), tuple(node.id for node in graph.nodes)

        if self.memo is None:
            return shape(None)
        found: tuple[str, tuple[str, ...]] = self.memo.table("map shape").get(
            (self._relations_digest, self._hidden_digest, concept_id), shape
        )
        return found

    @functools.cached_property
    def _hidden_digest(self) -> str:
        return digest.of(sorted(self.hidden))

    @functools.cached_property
    def _relations_digest(self) -> str:
        """A digest of which concepts exist and how they relate: all a map depends on
        besides the concepts shown."""
        index = self.index
        relations = [
            (cid, index.concepts[cid].broader, index.narrower.get(cid), index.related.get(cid))
            for cid in sorted(index.concepts)
        ]
        return digest.of(relations)

    def _links_in(self, links: Iterable[bodyscan.WikiLink]) -> list[tuple[object, ...]]:
        """Each wikilink of a text and what it resolves to, as the page shows it."""
        shown: list[tuple[object, ...]] = []
        for link in links:
            concept = self.index.resolve(link.target).concept
            target = None if concept is None else self._shown_concept(concept.id)
            shown.append((link.target, link.label, target))
        return shown

    def signature(self, src_uri: str) -> str:
        """A digest of everything a generated page shows: equal digests, equal pages
        (the site's configuration, theme and navigation aside: the adapter adds them).

        An incremental build renders again only the pages whose digest changed."""
        page = self.pages[src_uri]
        parts: list[object] = [page, self._shown(self._broken.get(page.key, ""))]
        concepts = self.index.concepts
        if page.kind == "concept":
            concept = concepts[page.key]
            index = self.index
            document = concept.document
            around = {
                *concept.broader,
                *index.narrower.get(concept.id, ()),
                *index.related.get(concept.id, ()),
                *index.backlinks.get(concept.id, ()),
            }
            if concept.superseded_by:
                around.add(concept.superseded_by)
            shape, drawn_ids = self._map_shape(concept.id)
            shown = self._shown_concept
            drawn = [shape, " ".join(map(shown, drawn_ids))]
            parts += [
                cached(self.memo, digest.of)((document.yaml_text, document.body)),
                self._shown(concept.path),
                self._withheld.get(src_uri),
                self._links_in(concept.links),
                " ".join(map(shown, sorted(around))),
                drawn,
                self.settings.categories,
            ]
        elif page.kind in ("index", "category", "tag", "tags"):
            parts.append(self._listed_digest(page))
        return digest.of(parts)

    @functools.cached_property
    def _listings(self) -> dict[tuple[str, str], list[Concept]]:
        """(kind, key) of the A-Z index, each tag page and each category page -> the
        concepts it lists (drafts left out unless shown), in the index's order."""
        listed: dict[tuple[str, str], list[Concept]] = {("index", ""): []}
        for concept in self.index.concepts.values():
            if concept.id in self.hidden:
                continue
            listed[("index", "")].append(concept)
            listed.setdefault(("category", concept.category), []).append(concept)
            for tag in dict.fromkeys(concept.tags):
                listed.setdefault(("tag", tag), []).append(concept)
        return listed

    @functools.cached_property
    def _listed_digests(self) -> dict[tuple[str, str], str]:
        """(kind, key) of the index, the tags page, each tag and each category page ->
        a digest of what the page lists, so that an edit renders again only the
        listings that show the concept: a digest shared by all of them rendered every
        tag and category page (38 pages, 30,000 entries at N = 5,000) on each edit."""
        common = (self.tags, self.settings.categories)
        digests = {
            key: digest.of(
                common,
                [(c.id, c.title, c.summary, c.aliases, c.category, c.tags) for c in concepts],
            )
            for key, concepts in self._listings.items()
        }
        counts = [(tag, len(self._listings.get(("tag", tag), ()))) for tag in self.tags]
        digests[("tags", "")] = digest.of(common, counts)
        return digests

    def _listed_digest(self, page: Page) -> str:
        """What a listing page shows (see :attr:`_listed_digests`); a tag or category
        page that lists nothing shows the tags and categories alone."""
        found = self._listed_digests.get((page.kind, page.key))
        return found if found is not None else digest.of((self.tags, self.settings.categories), [])

    def navigation_signature(self) -> str:
        """A digest of what the generated pages add to every page's navigation."""
        listed = [(p.src_uri, p.title, p.in_nav) for p in self.pages.values()]
        return digest.of(listed)

    def links_signature(self, markdown: str) -> str:
        """A digest of what the wikilinks of one of the site's own pages show."""
        links = bodyscan.wikilinks(bodyscan.mask_code(markdown))
        return digest.of(self._links_in(links))

    def head_tags(
        self, src_uri: str, page_url: str, *, present: Collection[str] = ()
    ) -> str | None:
        """The ``<head>`` tags of a concept page or the index as HTML: canonical link,
        description, OpenGraph and Twitter card (see :mod:`conceptkb.headtags`),
        without the keys in ``present``, which the theme writes itself. None for other
        pages, or when nothing is left."""
        page = self.pages.get(src_uri)
        if page is None or page.kind not in ("concept", "index"):
            return None
        url = self._absolute(self.url(src_uri), page_url) if self.settings.site_url else ""
        tags = headtags.head_tags(
            title=page.title,
            description=page.description,
            url=url,
            kind="article" if page.kind == "concept" else "website",
            site_name=self.site_name,
            present=present,
        )
        if not tags:
            return None
        return self.env.get_template("conceptkb/head.html").render(tags=tags).strip() + "\n"

    def structured_data(self, src_uri: str, page_url: str) -> str | None:
        """The page's schema.org JSON-LD as a ``<script>`` element (concept pages and
        the index), with absolute URLs when the site has a ``site_url``."""
        page = self.pages.get(src_uri)
        if page is None or page.kind not in ("concept", "index"):
            return None
        set_url = self._absolute(self.url(self.layout.index), page_url)
        if page.kind == "concept":
            concept = self.index.concepts[page.key]
            data = exports.defined_term(
                concept, self._absolute(self._concept_url(concept.id), page_url), set_url
            )
        else:
            data = exports.defined_term_set(
                self.index,
                set_url,
                lambda cid: self._absolute(self._concept_url(cid), page_url),
                self.site_name,
            )
        return f'<script type="application/ld+json">{exports.script_json(data)}</script>\n'
