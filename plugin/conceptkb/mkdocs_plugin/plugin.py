"""The ``conceptkb`` MkDocs plugin: thin event methods over the core and the site.

Every build starts from fresh state in ``on_config`` (``mkdocs serve`` may reuse a
plugin instance), lints the knowledge base once in ``on_files``, adds generated
pages, and renders them through overridable Jinja templates.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markdown.util import AtomicString
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext
from watchdog.observers.api import BaseObserver

from conceptkb import bodyscan, digest, htmlpolicy, mathtex
from conceptkb.bounded import RenderTimeout, render_budget, time_limit
from conceptkb.checker import LintResult, lint, wikilink_problem
from conceptkb.checksite import check_site
from conceptkb.diagnostics import Finding, Severity
from conceptkb.kbdate import KbDateError
from conceptkb.markdown_ext import WikilinkExtension
from conceptkb.math import MathExtension
from conceptkb.memo import SessionMemo
from conceptkb.mkdocs_plugin import heap, searchindex, watch
from conceptkb.mkdocs_plugin.collector import BuildCollector
from conceptkb.mkdocs_plugin.config import ConceptKBConfig
from conceptkb.mkdocs_plugin.incremental import Incremental
from conceptkb.mkdocs_plugin.searchindex import MaterialSearch
from conceptkb.mkdocs_plugin.site import Site
from conceptkb.model import Concept
from conceptkb.readcache import ReadCache
from conceptkb.rules import MATH_NOT_RENDERED, RULES_BY_CODE, UNKNOWN_WIKILINK
from conceptkb.settings import Settings, SettingsError, from_options
from conceptkb.sitemodel import SCRIPTS, STYLESHEETS
from conceptkb.suppress import BaselineError
from conceptkb.templatecache import SessionBytecodeCache

log = get_plugin_logger(__name__)

_TRIM_EVERY = 500
"""Pages let go between two returns of the heap's free pages to the system (each takes
a few milliseconds at N = 5,000; see conceptkb.mkdocs_plugin.heap)."""
_LOG_AT = {Severity.ERROR: log.error, Severity.WARNING: log.warning, Severity.INFO: log.info}


def source_position(concept: Concept, needle: str) -> tuple[int, int]:
    """Line and column of the concept file where ``needle`` first appears in the body
    (the rendered HTML has other lines), or the start of the body."""
    position = concept.body.lower().find(needle.lower()) if needle else -1
    if position == -1:
        return concept.body_line, 1
    line_start = concept.body.rfind("\n", 0, position) + 1
    return concept.body_line + concept.body.count("\n", 0, position), position - line_start + 1


def _bounded(render: Callable[[MkDocsConfig, Files], None], concept: Concept) -> Any:
    """``page.render`` for one concept page, with a time limit, and deep recursion
    turned into a finding instead of a traceback."""

    def run(config: MkDocsConfig, files: Files) -> None:
        where = f"{concept.path}:{concept.body_line}: CK207"
        try:
            with time_limit(render_budget(len(concept.body))):
                render(config, files)
        except RecursionError:
            raise PluginError(f"{where} the body nests too deeply to render") from None
        except RenderTimeout as error:
            raise PluginError(f"{where} {error}: simplify the body") from None

    return run


class _DirtyWarning(logging.Filter):
    """MkDocs warns that a dirty build gives inaccurate navigation and links; with the
    plugin deciding what to render (incremental.py), it does not: say so instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("A 'dirty' build is being performed"):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "conceptkb: incremental build: pages whose content changed are rendered"
        return True


_DIRTY_WARNING = _DirtyWarning()


class ConceptKBPlugin(BasePlugin[ConceptKBConfig]):  # type: ignore[no-untyped-call]
    """Lints concept files and renders them into a cross-linked glossary."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._result: LintResult | None = None
        self._site: Site | None = None
        self._page: Page | None = None
        self._files: Files | None = None
        self._missing: list[str] = []
        self._tooltips = False
        self._preview = False
        """True under ``mkdocs serve``: a knowledge base with errors still renders."""
        self._read_cache: ReadCache | None = None
        self._templates: SessionBytecodeCache | None = None
        """Under ``mkdocs serve``: compiled templates, for every rebuild of the session."""
        self._memo: SessionMemo | None = None
        """Under ``mkdocs serve``: results that unchanged concepts give each rebuild."""
        self._collector = BuildCollector(session=False)
        """The garbage collector during each build (see collector.py)."""
        self._observer: BaseObserver | None = None
        """Under ``serve``: what tells the server of changes to concept files (see watch.py)."""
        self._released = 0
        """Generated pages this build has let go (see _release)."""
        self._search: MaterialSearch | None = None
        """Material's search plugin, when this build added the name entries to its index
        before it was written (see _write_search)."""
        self._incremental: Incremental | None = None
        """Under ``mkdocs serve --dirty``: what the session rendered, to render only
        what an edit changes."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps this instance for every rebuild of one `serve` session.
        self._preview = command == "serve"
        self._incremental = Incremental() if command == "serve" and dirty else None
        # Under serve, unchanged files are not read again by the lint of each rebuild.
        self._read_cache = ReadCache() if command == "serve" else None
        # Each rebuild makes new template environments: their templates compile once.
        self._templates = SessionBytecodeCache() if command == "serve" else None
        self._memo = SessionMemo() if command == "serve" else None
        self._collector.close()
        self._collector = BuildCollector(session=command == "serve")
        build_log = logging.getLogger("mkdocs.commands.build")
        build_log.removeFilter(_DIRTY_WARNING)
        if self._incremental is not None:
            build_log.addFilter(_DIRTY_WARNING)

    def on_shutdown(self) -> None:
        logging.getLogger("mkdocs.commands.build").removeFilter(_DIRTY_WARNING)
        self._collector.close()
        self._collector = BuildCollector(session=False)  # the session is over
        watch.stop(self._observer)
        self._observer = None

    # -- configuration --------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._result = None
        self._released = 0
        self._site = None
        self._page = None
        try:
            settings = from_options(
                dict(self.config),
                Path(config.config_file_path or ".").resolve().parent,
                use_directory_urls=config.use_directory_urls,
                site_url=config.site_url or "",
                base_dir=Path(config.config_file_path or ".").resolve().parent,
            )
        except SettingsError as error:
            raise PluginError(f"conceptkb: configuration: {error}") from error
        self._settings = settings
        self._tooltips = "content.tooltips" in (config.theme.get("features") or ())
        extension = WikilinkExtension(self._wikilink, settings.categories, tooltips=self._tooltips)
        config.markdown_extensions.append(extension)  # type: ignore[arg-type]
        config.markdown_extensions.append(MathExtension())  # type: ignore[arg-type]
        config.extra_css.extend(STYLESHEETS)
        config.extra_javascript.extend(SCRIPTS)
        search = searchindex.material_plugin(config)
        fields = getattr(getattr(search, "config", None), "fields", None)
        if isinstance(fields, dict):
            fields.setdefault("aliases", {"boost": 1e5})
        return config

    # -- files ----------------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self._settings is not None
        if self._memo is not None:
            self._memo.next_build()
        try:
            result = lint(self._settings, cache=self._read_cache, memo=self._memo)
        except (BaselineError, KbDateError) as error:
            raise PluginError(f"conceptkb: {error}") from error
        for finding in result.findings:
            self._report(finding)
        if result.errors and not self._preview:
            raise PluginError(f"conceptkb: {result.summary()}: the site was not built")
        if result.errors:
            log.info(
                f"conceptkb: preview of {result.summary()}: pages with errors show them;"
                " `mkdocs build` refuses to publish until they are fixed"
            )
        elif len(result.index) != len(result.files):
            raise PluginError(
                f"conceptkb: {len(result.files)} concept files but {len(result.index)} concepts;"
                " refusing to build a site that loses entries"
            )
        self._result = result
        self._site = Site(
            result.index,
            config,
            self._settings,
            log=log,
            tooltips=self._tooltips,
            findings=result.findings if self._preview else (),
            space=result.space,
            bytecode_cache=self._templates,
            memo=self._memo,
        )
        self._site.add_files(files, write_now=not self._preview)
        self._files = files
        if self._incremental is not None:
            # Material's search keeps the last index in a dirty build and merges each
            # page's new entries into it, assuming one page changed; the merge here
            # needs its entries of this build alone.
            search = searchindex.material_plugin(config)
            if search is not None:
                search.search_index_prev = None
            navigation = self._site.model.navigation_signature()
            self._incremental.decide(config, files, self._signature, navigation)
        self._collector.hold()
        return files

    def _signature(self, file: File) -> str:
        """What a page shows, for an incremental build (see incremental.py)."""
        assert self._site is not None
        if self._site.generates(file):
            return self._site.model.signature(file.src_uri)
        text = file.content_string
        return digest.of(text, self._site.model.links_signature(text))

    # Last, after plugins that add extensions to the theme's environment.
    @event_priority(-100)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self._templates is not None:
            env.bytecode_cache = self._templates
        if self._site is not None and not self._preview:
            # Every page is converted (MkDocs converts them all before the environment):
            # a single build reads no concept's texts again.
            self._site.release_texts()
        return env

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self._incremental is not None:
            self._incremental.keep_titles(nav)
        return nav

    def on_build_error(self, *, error: Exception) -> None:
        self._give_search_back()
        self._collector.release()
        if self._incremental is not None:
            self._incremental.forget()

    # -- pages ----------------------------------------------------------------------

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        concept = self._site.concept_of(page) if self._site is not None else None
        if concept is not None:
            page.render = _bounded(page.render, concept)  # type: ignore[method-assign]
        return page

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        self._page = page
        self._missing = []
        if self._site is None:
            return markdown
        if self._site.is_generated(page):
            self._site.set_meta(page)
            if self._site.body_withheld(page):
                return ""  # preview of a body that is not safe to render: never rendered
        else:
            self._check_page_body(markdown, page)
        return markdown

    def _fail(self, message: str) -> None:
        """A build stops with ``message``; a preview (``serve``) logs it and goes on."""
        if not self._preview:
            raise PluginError(message)
        log.error(message)

    def _report(self, finding: Finding) -> None:
        """Log a finding at the severity the policy gives it (or not at all if off)."""
        assert self._settings is not None
        applied = self._settings.apply(finding)
        result = self._result
        if applied is None or (
            result is not None
            and result.suppressor is not None
            and result.suppressor.why(applied) is not None
        ):
            return
        line = f"{applied.location()}: {applied.code} {applied.message}"
        # Only warnings count for --strict: an info finding is logged at INFO level.
        _LOG_AT[applied.severity](line)

    def _check_page_body(self, markdown: str, page: Page) -> None:
        """Report unresolved wikilinks and formulas that do not render in the site's own
        pages, with their lines, as the linter reports them in concept files."""
        assert self._site is not None
        source = page.file.content_string
        offset = (
            source[: len(source) - len(markdown)].count("\n") if source.endswith(markdown) else 0
        )
        masked = bodyscan.mask_code(markdown)
        formulas = mathtex.find_math(markdown, masked)
        findings: list[tuple[int, int, str, str]] = []
        for link in bodyscan.wikilinks(mathtex.mask_math(masked, formulas)):
            problem = wikilink_problem(self._site.index, link.target)
            if problem is not None:
                findings.append((link.line, link.column, *problem))
        if formulas:
            lines = bodyscan.LineIndex(markdown)
            for math_problem in mathtex.problems(formulas):
                line, column = lines.locate(math_problem.formula.start)
                findings.append((line, column, MATH_NOT_RENDERED, math_problem.message))
        for line, column, code, message in findings:
            self._report(
                Finding(
                    page.file.src_path,
                    line + offset,
                    column,
                    code,
                    RULES_BY_CODE[code].severity,
                    message,
                )
            )

    def _wikilink(self, target: str, label: str | None) -> etree.Element:
        site, page = self._site, self._page
        concept = site.index.resolve(target).concept if site is not None else None
        if site is None or page is None or concept is None:
            element = etree.Element("span", {"class": "ck-missing"})
            element.text = AtomicString(label or target)
            self._missing.append(target)
            return element
        # The summary: a tooltip of the text on hover (the title of the inner span, so
        # that the theme's tooltip does not also open on keyboard focus), and in
        # data-ck-summary for summaries.js, which shows it on focus and on tap.
        element = etree.Element(
            "a",
            {
                "href": site.concept_source_link(concept.id, page),
                "class": "ck-link",
                "data-ck-summary": concept.summary,
            },
        )
        text = etree.SubElement(element, "span", {"title": concept.summary})
        # Atomic: the text is shown as written, never parsed again as Markdown or HTML.
        text.text = AtomicString(site.index.link_text(target, label))
        return element

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        site = self._site
        if site is None:
            return html
        concept = site.concept_of(page)
        if concept is not None:
            problems = htmlpolicy.check_html(html)
            if problems:
                first = problems[0]
                line, column = source_position(concept, first.needle)
                message = (
                    f"{concept.path}:{line}:{column}: {first.code} the body renders to HTML"
                    f" with {first.message}"
                )
                self._fail(message)
                html = site.withhold(page, message)
            # The linter reported the links it saw; anything else Markdown found is new.
            seen = {link.target for link in concept.links}
            unseen = [target for target in self._missing if target not in seen]
            if unseen:
                self._report(
                    Finding(
                        concept.path,
                        concept.body_line,
                        1,
                        UNKNOWN_WIKILINK,
                        RULES_BY_CODE[UNKNOWN_WIKILINK].severity,
                        f"unresolved wikilinks: {', '.join(unseen)}",
                    )
                )
        return html  # the page's own parts go around it in on_page_context

    # First of all plugins, before any that rewrites the HTML (a minifier) could alter
    # the marker: the concept map, kept out of the content that search parses.
    @event_priority(100)
    def _place_late(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._site is None:
            return output
        return self._site.place_late(page, output)

    # After plugins that write head tags themselves (Material's social plugin runs at
    # 50): the page then says each thing once.
    @event_priority(-25)
    def _add_head(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._site is None:
            return output
        return self._site.add_head(page, output)

    # Last of all plugins: every one that reads the page's content has done so.
    @event_priority(-100)
    def _release(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._site is not None and self._site.release(page):
            # The time-limited render (on_pre_page) holds the concept; the page's own
            # method is back.
            vars(page).pop("render", None)
            self._released += 1
            if self._released % _TRIM_EVERY == 0:
                heap.give_back()  # what the pages let go since the last time
        return output

    on_post_page = CombinedEvent(_place_late, _add_head, _release)

    # First of all plugins, before the search plugin indexes the content.
    @event_priority(100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """A generated page's content is made here, just before its template renders
        it: MkDocs converts every page before it builds the first one, and holds each
        content until the end, so a content made in ``on_page_content`` would hold
        every concept page's parts at once (65 MiB at N = 5,000). Until then, a concept
        page's content is its body as Markdown rendered it."""
        if self._site is None:
            return context
        # The first page's context comes after MkDocs has written the files built from
        # content (files.copy_static_files): their contents can go.
        self._site.release_files()
        page.content = self._site.render_page(page, page.content or "")
        return context

    # -- the end of the build -------------------------------------------------------

    @event_priority(1)  # just before Material's search plugin (0) writes its index
    def _write_search(self, *, config: MkDocsConfig) -> None:
        """Return the pages' freed memory to the system, add the concepts' name entries
        to Material's search index, and write it in Material's place, a few entries at a
        time (see searchindex): before, writing it was the build's largest need of
        memory (its text and bytes whole beside its entries). Other search plugins'
        indexes are read back and written again at the end (_finish)."""
        self._search = None
        site = self._site
        if site is None or self._result is None:
            return
        heap.give_back()
        if self._incremental is not None:
            return
        search = MaterialSearch.find(config)
        if search is not None:
            site.annotate_search_index({"docs": search.entries})
            search.write_in_its_place(config.site_dir)
            self._search = search

    @event_priority(-75)  # after the search plugin has written search_index.json
    def _after_search(self, *, config: MkDocsConfig) -> None:
        try:
            self._finish(config)
        finally:
            self._give_search_back()
            self._collector.release()

    on_post_build = CombinedEvent(_write_search, _after_search)

    def _give_search_back(self) -> None:
        if self._search is not None:
            self._search.release()
            self._search = None

    def _finish(self, config: MkDocsConfig) -> None:
        result, site = self._result, self._site
        if result is None or site is None:
            return
        index_file = Path(config.site_dir, "search", "search_index.json")
        data: dict[str, Any] | None = None
        rendered: set[str] | None = None
        if self._incremental is not None and self._files is not None:
            self._incremental.finish(config, self._files, site.search_names_of)
            rendered = {
                f.dest_uri
                for f in self._files.documentation_pages()
                if not self._incremental.skipped(f.src_uri)
            }
        elif self._search is None and index_file.is_file():
            # Another search plugin than Material's: its index, read back.
            data = json.loads(index_file.read_text(encoding="utf-8"))
        if data is not None:
            site.annotate_search_index(data)
            searchindex.write(index_file, data)
        log.info(result.summary())
        if site.lost:
            message = (
                f"conceptkb: another plugin removed the concept map's place from"
                f" {len(site.lost)} page(s), first {site.lost[0]}: the map is missing there"
            )
            self._fail(message)
        if not result.errors:
            # Bodies were checked as they rendered (on_page_content): the rest is the same.
            problems = check_site(
                Path(config.site_dir), result.index, site.space, bodies=False, pages=rendered
            )
            for problem in problems:
                log.error(f"conceptkb: check-site: {problem}")
            if problems and not self._preview:
                raise PluginError(
                    f"conceptkb: the built site fails {len(problems)} check(s): see above"
                )

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        if self._settings is not None:
            watch.stop(self._observer)
            self._observer = watch.watch(
                server, self._settings.concepts_dir, native=not self._settings.serve_polling
            )
        return server
