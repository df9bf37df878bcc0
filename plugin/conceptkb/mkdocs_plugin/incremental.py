"""Incremental builds for ``mkdocs serve --dirty``: render only what an edit changes.

MkDocs renders every page on every rebuild; with ``--dirty`` it skips a page whose
source file is older than its output, which is wrong for a glossary: a generated page
has no source file, and a page that shows a concept (its neighbours' relation
sections, the index, the map) must change when the concept does. So the plugin
decides instead. Each page gets a digest of everything it shows (the site model's
:meth:`~conceptkb.sitemodel.SiteModel.signature`, or the page's source and what its
wikilinks resolve to) together with what every page shares (the configuration, the
theme's files, the navigation); a page is rendered again when its digest differs from
the one it was last rendered with. A file written from content (an export, a redirect)
is written again only when its content changed. The parts of a dirty build that MkDocs
gets wrong are mended here: a skipped page keeps its title in the navigation of the pages that
are rendered, Material's search index keeps the entries of skipped pages, and the
output of a page or file that no longer exists is removed.

The state lives in the plugin instance, for one ``serve`` session; a failed build
forgets it, so the next build renders everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation

from conceptkb import __version__, digest
from conceptkb.mkdocs_plugin import searchindex
from conceptkb.mkdocsyml import chain

SEARCH_INDEX = Path("search", "search_index.json")


def _page_url(file: File) -> str:
    """The URL MkDocs gives the file's page (and Material its search entries)."""
    return "" if file.url in (".", "./") else file.url


def _answer(value: bool) -> Callable[[], bool]:
    return lambda: value


def _theme_files(dirs: Iterable[str]) -> list[tuple[str, int, int]]:
    found = []
    for folder in dirs:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root, name)
                try:
                    status = path.stat()
                except OSError:
                    continue
                found.append((os.fspath(path), status.st_mtime_ns, status.st_size))
    return sorted(found)


@dataclass
class _Build:
    """What one build decided, kept only once the build has succeeded."""

    signatures: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    order: list[str] = field(default_factory=list)
    """Page URLs in the order MkDocs builds them (the search index's order)."""
    outputs: set[str] = field(default_factory=set)
    contents: dict[str, str] = field(default_factory=dict)
    """Digests of the files written from content (exports, redirects), by output path."""


class Incremental:
    """The pages one ``serve`` session rendered, and with what."""

    def __init__(self) -> None:
        self._signatures: dict[str, str] = {}
        self._titles: dict[str, str | None] = {}
        self._search: dict[str, tuple[str, str]] = {}
        """Each page's search entries and name entries, as written (JSON fragments)."""
        self._outputs: set[str] = set()
        self._contents: dict[str, str] = {}
        self._theme_dirs: tuple[str, ...] = ()
        self._theme_digest = ""
        self._build = _Build()

    def forget(self) -> None:
        """After a failed build: render everything next time."""
        self.__init__()  # type: ignore[misc]

    # -- deciding --------------------------------------------------------------------

    def _shared(self, config: MkDocsConfig, files: Files, navigation: str) -> str:
        """What every page shows: the configuration, the theme, the navigation."""
        dirs = tuple(config.theme.dirs)
        if dirs != self._theme_dirs or not self._theme_digest:
            self._theme_dirs = dirs
            self._theme_digest = digest.of(
                _theme_files(d for d in dirs if "site-packages" not in d)
            )
        config_text = [p.read_bytes() for p in chain(Path(config.config_file_path or "mkdocs.yml"))]
        # A page's title shows in every page's navigation: the site's own pages' sources
        # (their titles come from them) and the generated pages' titles.
        pages = [
            (f.src_uri, f.url, f.inclusion.name, f.content_string if not f.generated_by else "")
            for f in files.documentation_pages()
        ]
        return digest.of(__version__, config_text, self._theme_digest, pages, navigation)

    def decide(
        self,
        config: MkDocsConfig,
        files: Files,
        signature_of: Callable[[File], str],
        navigation: str,
    ) -> None:
        """Mark each page that must be rendered again; the others are skipped.
        ``navigation`` is a digest of the generated pages' titles and places."""
        shared = self._shared(config, files, navigation)
        build = self._build = _Build()
        # Checked for every page and file of each rebuild: os.path, without a Path each.
        site_dir = os.fspath(config.site_dir)
        written = os.path.isfile
        for file in files:
            build.outputs.add(file.dest_uri)
            if file.generated_by is not None and not file.is_documentation_page():
                # Written from content: again only when the content changed.
                content = hashlib.sha256(file.content_bytes).hexdigest()
                build.contents[file.dest_uri] = content
                if self._contents.get(file.dest_uri) == content and written(
                    f"{site_dir}/{file.dest_uri}"
                ):
                    file.is_modified = _answer(False)  # type: ignore[method-assign]
        for file in files.documentation_pages():
            signature = digest.of(shared, signature_of(file))
            build.signatures[file.src_uri] = signature
            build.order.append(_page_url(file))
            fresh = (
                self._signatures.get(file.src_uri) == signature
                and file.src_uri in self._titles
                and written(f"{site_dir}/{file.dest_uri}")
            )
            if fresh:
                build.skipped.add(file.src_uri)
            file.is_modified = _answer(not fresh)  # type: ignore[method-assign]

    def keep_titles(self, nav: Navigation) -> None:
        """A skipped page is not read, so MkDocs knows no title for it: give it the one
        it was rendered with, for the navigation of the pages that are rendered."""
        for page in nav.pages:
            if page.file.src_uri in self._build.skipped:
                page.markdown = ""
                page.meta = {"title": self._titles[page.file.src_uri]}

    def skipped(self, src_uri: str) -> bool:
        return src_uri in self._build.skipped

    # -- finishing -------------------------------------------------------------------

    def finish(
        self,
        config: MkDocsConfig,
        files: Files,
        names_of: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    ) -> None:
        """Mend the output folder and the search index; remember this build.

        Material wrote the entries of the pages it rendered; the index is written
        again whole, each page's entries (its titles mended, and its name entries
        added by ``names_of``) after the others' as they were: the text of a skipped
        page's entries is the one made when it was last rendered."""
        build = self._build
        site_dir = Path(config.site_dir)
        for file in files.documentation_pages():
            if file.src_uri not in build.skipped and file.page is not None:
                self._titles[file.src_uri] = file.page.title
        for gone in self._outputs - build.outputs:
            path = site_dir / gone
            if path.is_file():
                path.unlink()
                _remove_empty(path.parent, site_dir)
        self._outputs = build.outputs
        self._contents = build.contents
        self._signatures = build.signatures
        index_file = site_dir / SEARCH_INDEX
        if not index_file.is_file():
            self._search = {}
            return
        data: dict[str, Any] = json.loads(index_file.read_text(encoding="utf-8"))
        fresh: dict[str, list[dict[str, Any]]] = {}
        for entry in data.get("docs", []):
            fresh.setdefault(str(entry.get("location", "")).split("#", 1)[0], []).append(entry)
        skipped_urls = {
            _page_url(f) for f in files.documentation_pages() if f.src_uri in build.skipped
        }
        search: dict[str, tuple[str, str]] = {}
        for url in build.order:
            kept = self._search.get(url) if url in skipped_urls else None
            if kept is None:
                entries = fresh.get(url, [])
                names = names_of(entries)
                kept = (searchindex.fragment(entries), searchindex.fragment(names))
            search[url] = kept
        self._search = search
        # The pages' entries in order, then their name entries (as in a single build).
        parts = [entries for entries, _ in search.values()]
        parts += [names for _, names in search.values()]
        searchindex.write(index_file, data, docs=parts)


def _remove_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
