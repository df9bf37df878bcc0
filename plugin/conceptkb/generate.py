"""``conceptkb generate``: the site as a staging tree any ``mkdocs.yml`` engine builds.

Zensical (and any engine that reads ``mkdocs.yml`` and runs Python-Markdown
extensions, but not MkDocs plugins) builds the tree this writes:

- ``<out>/docs/``: the site's own docs with wikilinks written as Markdown links, and
  every page, redirect, export and asset of the site model, each page as Markdown
  front matter and the HTML the MkDocs plugin would put on it;
- ``<out>/overrides/``: the theme overrides the engine builds with: the site's own
  ``custom_dir``, copied, and a ``main.html`` that puts each generated page's head
  tags (its ``conceptkb_head`` front matter) into ``<head>``, unless the site has its
  own ``main.html``;
- ``<out>/manifest.json``: the sources and their content hash;
- ``<config>.generated.yml`` beside the original configuration (Zensical builds only
  folders inside the configuration's folder): the original settings with ``docs_dir``
  and the theme's ``custom_dir`` pointing at the tree, the ``conceptkb`` plugin left
  out, and ``conceptkb.guard`` given the manifest, so that a stale tree stops the build.

Nothing is written when the knowledge base has errors, unless it is a preview. A file
is rewritten only when its content changes, and files of earlier runs that the site no
longer has are removed: running it twice changes nothing.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from conceptkb import __version__, bodyscan, digest, manifest, mdlinks, mkdocsyml, urlspace
from conceptkb.atomicfile import write_atomically
from conceptkb.checker import LintResult, display_path, lint, wikilink_problem
from conceptkb.diagnostics import Finding
from conceptkb.memo import SessionMemo
from conceptkb.readcache import ReadCache
from conceptkb.rules import RULES_BY_CODE
from conceptkb.settings import PLUGIN_NAME, Settings, from_mkdocs_yml
from conceptkb.sitemodel import SCRIPTS, STYLESHEETS, SiteModel
from conceptkb.sourcelinks import Repository

GUARD = "conceptkb.guard"
MKDOCS_DEFAULT_EXTENSIONS = ("toc", "tables", "fenced_code")
"""What MkDocs renders with when ``markdown_extensions`` is not set: the generated
configuration says so, since another engine has other defaults."""
NEEDED_EXTENSIONS = ("attr_list", "md_in_html", "conceptkb.math")
"""Python-Markdown extensions the generated pages rely on: ``{: .ck-link }`` on links,
Markdown inside the concept page's HTML, and math (the plugin adds it to every build)."""
OVERRIDES = "overrides"
"""The folder of the tree that the generated configuration names as the theme's
``custom_dir``."""
MAIN_HTML = "main.html"
HEAD_KEY = "conceptkb_head"
"""The front matter key that carries a page's head tags to the theme override."""
THEME_WRITES = ("description", "canonical")
"""Head tags Zensical's theme writes itself: the description from the front matter,
the canonical link from ``site_url``."""
_MAIN = resources.files("conceptkb") / "templates" / "zensical" / MAIN_HTML


class GenerateError(ValueError):
    """The tree cannot be generated from this configuration; the message says why."""


@dataclass
class Outcome:
    """What a run did."""

    result: LintResult
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    config_file: Path | None = None
    warnings: list[Finding] = field(default_factory=list)
    """Findings in the site's own pages (unknown wikilinks), as the plugin reports them."""
    refused: bool = False
    """True when errors kept anything from being written."""
    notes: list[str] = field(default_factory=list)
    """What the tree cannot do for this site, and why."""


def default_out(config_file: Path) -> Path:
    return config_file.parent / "build" / "conceptkb"


def generated_config_path(config_file: Path) -> Path:
    return config_file.with_name(f"{config_file.stem}.generated.yml")


def _front_matter(title: str, description: str, search: dict[str, Any], head: str = "") -> str:
    # JSON strings are YAML strings; the theme inserts titles as HTML: escape them.
    lines = ["---", f"title: {json.dumps(html.escape(title))}"]
    if description:
        lines.append(f"description: {json.dumps(html.escape(description))}")
    lines.append(f"search: {json.dumps(search)}")
    if head:
        lines.append(f"{HEAD_KEY}: {json.dumps(head)}")  # HTML, printed by main.html
    return "\n".join(lines) + "\n---\n\n"


def _split_front_matter(text: str) -> tuple[str, str]:
    """A Markdown file's YAML front matter (with its fences) and the rest: wikilinks
    are looked for in the rest only."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return "", text
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            cut = sum(len(x) for x in lines[: number + 1])
            return text[:cut], text[cut:]
    return "", text


def _docs_files(docs_dir: Path, skip: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the docs folder (or a theme folder) as MkDocs sees it (no
    dot-files), by source path."""
    for folder, dirs, names in os.walk(docs_dir):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d != skip)
        for name in sorted(names):
            if not name.startswith("."):
                path = here / name
                yield path.relative_to(docs_dir).as_posix(), path


class Generator:
    """One run of ``conceptkb generate`` for one configuration file."""

    def __init__(self, config_file: Path, out: Path | None = None) -> None:
        self.config_file = config_file.absolute()
        self.root = self.config_file.parent
        self.out = (out or default_out(self.config_file)).absolute()
        try:
            self.out.relative_to(self.root)
        except ValueError:
            raise GenerateError(
                f"--out {out}: must be inside {self.root}, the configuration's folder"
                " (Zensical builds only folders inside it)"
            ) from None
        try:
            self.config = mkdocsyml.load(self.config_file, keep_tags=True)
        except mkdocsyml.ConfigFileError as error:
            raise GenerateError(str(error)) from error
        self.docs_dir = (self.root / str(self.config.get("docs_dir") or "docs")).resolve()
        if self.out == self.docs_dir or self.docs_dir.is_relative_to(self.out):
            raise GenerateError(f"--out {out}: must not hold the docs folder {self.docs_dir}")
        custom = self._custom_dir()
        if custom is not None and not custom.is_dir():
            raise GenerateError(f"{config_file.name}: theme.custom_dir {custom} is not a folder")
        self.docs_out = self.out / "docs"
        # Kept between the runs of one `--watch` session: each file's reading, what
        # unchanged concepts give (conceptkb.memo), and each generated page with the
        # digest of what it shows (sitemodel.signature).
        self._reads = ReadCache()
        self._memo = SessionMemo()
        self._pages: dict[str, tuple[str, bytes]] = {}
        self.overrides_out = self.out / OVERRIDES

    # -- the inputs ------------------------------------------------------------------

    def settings(self) -> Settings:
        return from_mkdocs_yml(self.config_file)

    def _theme(self) -> dict[str, Any]:
        theme = self.config.get("theme")
        return theme if isinstance(theme, dict) else {"name": theme}

    def _custom_dir(self) -> Path | None:
        custom = self._theme().get("custom_dir")
        return (self.root / str(custom)) if isinstance(custom, str) else None

    def _custom_files(self) -> list[tuple[str, int, int]]:
        """The theme overrides' files: the templates may be overridden there."""
        custom = self._custom_dir()
        if custom is None or not custom.is_dir():
            return []
        found = []
        for path in sorted(custom.rglob("*")):
            if path.is_file():
                status = path.stat()
                found.append((path.as_posix(), status.st_mtime_ns, status.st_size))
        return found

    def _tooltips(self) -> bool:
        return "content.tooltips" in (self._theme().get("features") or ())

    def sources(self, settings: Settings) -> list[str]:
        paths = [*mkdocsyml.chain(self.config_file), self.docs_dir, settings.concepts_dir]
        if settings.baseline is not None and settings.baseline.exists():
            paths.append(settings.baseline)
        custom = self._custom_dir()
        if custom is not None:
            paths.append(custom)
        found = []
        for path in paths:
            try:
                found.append(Path(path).resolve().relative_to(self.root).as_posix())
            except ValueError:
                raise GenerateError(
                    f"{path}: outside {self.root}; the generated tree can only follow"
                    " sources inside the configuration's folder"
                ) from None
        return found

    # -- the run ---------------------------------------------------------------------

    def run(self, *, preview: bool = False) -> Outcome:
        settings = self.settings()
        self._memo.next_build()
        result = lint(settings, cache=self._reads, memo=self._memo)
        outcome = Outcome(result)
        if result.errors and not preview:
            outcome.refused = True
            return outcome
        space = result.space or urlspace.build(
            result.index,
            settings.categories,
            prefix=settings.url_prefix,
            use_directory_urls=settings.use_directory_urls,
        )
        model = SiteModel(
            result.index,
            settings,
            space,
            site_name=str(self.config.get("site_name") or ""),
            site_description=str(self.config.get("site_description") or ""),
            template_dirs=[os.fspath(d) for d in (self._custom_dir(),) if d is not None],
            tooltips=self._tooltips(),
            nav=self.config.get("nav"),
            findings=result.findings if preview else (),
            repository=self._repository(),
            memo=self._memo,
        )
        files = self._files(model, outcome)
        self._write(self.docs_out, files, outcome, "")
        self._write(self.overrides_out, self._overrides(outcome), outcome, f"{OVERRIDES}/")
        record = manifest.make(self.root, self.sources(settings), skip=self.out)
        self._put(self.out / manifest.FILE_NAME, record.to_json().encode(), outcome, "")
        config_file = generated_config_path(self.config_file)
        text = self._config_text(model)
        self._put(config_file, text.encode(), outcome, "")
        outcome.config_file = config_file
        return outcome

    def _files(self, model: SiteModel, outcome: Outcome) -> dict[str, bytes]:
        """Every file of the tree's docs folder, by source path."""
        files: dict[str, bytes] = {}
        index, layout, tooltips = model.index, model.layout, self._tooltips()
        for src_uri, path in _docs_files(self.docs_dir, self.out):
            if not src_uri.endswith(".md"):
                files[src_uri] = path.read_bytes()
                continue
            text = path.read_text(encoding="utf-8-sig")
            front, body = _split_front_matter(text)
            offset = front.count("\n")
            for link in bodyscan.wikilinks(bodyscan.mask_code(body)):
                problem = wikilink_problem(index, link.target)
                if problem is not None:
                    code, message = problem
                    severity = RULES_BY_CODE[code].severity
                    where = display_path(path, Path.cwd())
                    finding = Finding(
                        where, link.line + offset, link.column, code, severity, message
                    )
                    outcome.warnings.append(finding)
            resolved = mdlinks.resolve(body, src_uri, index, layout, tooltips=tooltips)
            files[src_uri] = (front + resolved).encode()
        shared = digest.of(__version__, repr(self.config), model.settings, self._custom_files())
        pages: dict[str, tuple[str, bytes]] = {}
        for page in model.pages.values():
            if page.src_uri in files:
                continue  # the site's own file wins, as it does in a MkDocs build
            key = digest.of(shared, model.signature(page.src_uri))
            kept = self._pages.get(page.src_uri)
            if kept is not None and kept[0] == key:
                files[page.src_uri] = kept[1]
                pages[page.src_uri] = kept
                continue
            page_url = model.url(page.src_uri)
            concept = model.concept_of(page.src_uri)
            body = ""
            if concept is not None and not model.body_withheld(page.src_uri):
                body = mdlinks.resolve(concept.body, page.src_uri, index, layout, tooltips=tooltips)
            rendered = model.render(page.src_uri, page_url, body, markdown=True)
            search: dict[str, Any] = (
                {"exclude": True} if page.search_exclude else {"boost": model.settings.search_boost}
            )
            head = model.head_tags(page.src_uri, page_url, present=THEME_WRITES) or ""
            front = _front_matter(page.title, page.description, search, head.strip())
            parts = [front, rendered.html]
            script = model.structured_data(page.src_uri, page_url)
            if script is not None:
                parts.append("\n\n" + script)
            files[page.src_uri] = ("".join(parts).rstrip("\n") + "\n").encode()
            pages[page.src_uri] = (key, files[page.src_uri])
        self._pages = pages
        for static in model.files():
            if static.src_uri not in files:
                content = static.content
                files[static.src_uri] = content.encode() if isinstance(content, str) else content
        return files

    def _put(self, path: Path, content: bytes, outcome: Outcome, name: str | None) -> None:
        try:
            if path.read_bytes() == content:
                outcome.unchanged += 1
                return
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, content)
        if name is not None:
            outcome.written.append(name or path.name)

    def _overrides(self, outcome: Outcome) -> dict[str, bytes]:
        """The theme overrides of the tree: the site's own ``custom_dir``, and the
        ``main.html`` that puts each page's head tags into ``<head>``, unless the site
        has a ``main.html`` of its own (a template cannot extend one of the same name)."""
        custom = self._custom_dir()
        if custom is None:
            return {MAIN_HTML: _MAIN.read_bytes()}
        files = {path: file.read_bytes() for path, file in _docs_files(custom, self.out)}
        if MAIN_HTML not in files:
            files[MAIN_HTML] = _MAIN.read_bytes()
        else:
            outcome.notes.append(
                f"{display_path(custom / MAIN_HTML, Path.cwd())}: the site's own {MAIN_HTML}"
                " is kept, so generated pages have no canonical link, OpenGraph or Twitter"
                f" tags unless its extrahead block prints page.meta.{HEAD_KEY}"
                " (see docs/engines.md)"
            )
        return files

    def _write(self, root: Path, files: dict[str, bytes], outcome: Outcome, name: str) -> None:
        """Write ``files`` (by path) under ``root`` and remove the files of earlier runs
        that are not among them; outcomes name them after ``name``."""
        for path, content in sorted(files.items()):
            self._put(root / path, content, outcome, name + path)
        if not root.is_dir():
            return
        for folder, dirs, names in os.walk(root, topdown=False):
            here = Path(folder)
            for file_name in names:
                file = here / file_name
                path = file.relative_to(root).as_posix()
                if path not in files:
                    file.unlink()
                    outcome.removed.append(name + path)
            for dir_name in dirs:
                sub = here / dir_name
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
        if not files:
            shutil.rmtree(root, ignore_errors=True)

    # -- the engine's configuration --------------------------------------------------

    def _config_text(self, model: SiteModel) -> str:
        config = dict(self.config)
        config["docs_dir"] = self.docs_out.relative_to(self.root).as_posix()
        config["plugins"] = _without_plugin(config.get("plugins"))
        theme = {k: v for k, v in self._theme().items() if v is not None}  # no name: material
        theme["custom_dir"] = self.overrides_out.relative_to(self.root).as_posix()
        config["theme"] = theme
        config["markdown_extensions"] = _extensions(
            config.get("markdown_extensions"),
            {
                "manifest": os.fspath(self.out / manifest.FILE_NAME),
                "tooltips": self._tooltips(),
                "categories": list(model.settings.categories),
            },
        )
        edit_uri = self._edit_uri(config)
        if edit_uri is not None:
            config["edit_uri"] = edit_uri
        for key, assets in (("extra_css", STYLESHEETS), ("extra_javascript", SCRIPTS)):
            listed = list(config.get(key) or [])
            listed += [asset for asset in assets if asset not in listed]
            config[key] = listed
        if config.get("nav") is None:
            hidden = sorted(f"/{p.src_uri}" for p in model.pages.values() if not p.in_nav)
            if hidden:
                before = str(config.get("not_in_nav") or "").strip()
                config["not_in_nav"] = "\n".join(filter(None, [before, *hidden])) + "\n"
        heading = (
            f"# Written by `conceptkb generate` from {self.config_file.name}: do not edit.\n"
            f"# Build it with the engine, e.g. `zensical build -f {self.config_file.stem}"
            ".generated.yml`.\n"
        )
        return heading + mkdocsyml.dump(config)

    def _repository(self) -> Repository:
        """The repository settings the generated configuration gives the engine."""
        config = self.config
        edit_uri = config.get("edit_uri") if "edit_uri" in config else self._edit_uri(config)
        template = config.get("edit_uri_template")
        return Repository(
            url=str(config.get("repo_url") or ""),
            edit_uri=None if edit_uri is None else str(edit_uri),
            edit_uri_template=str(template) if template else None,
            docs_dir=self.docs_dir,
        )

    def _edit_uri(self, config: dict[str, Any]) -> str | None:
        """The edit link of the original docs folder: an engine's default would name the
        tree's folder, which is not in the repository."""
        repo_url = str(config.get("repo_url") or "")
        if not repo_url or "edit_uri" in config:
            return None
        docs = self.docs_dir.relative_to(self.root).as_posix()
        for host, path in (("github.com", "edit/master"), ("gitlab.com", "edit/master")):
            if host in repo_url:
                return f"{path}/{docs}/"
        if "bitbucket.org" in repo_url:
            return f"src/default/{docs}/"
        return None


def _name(item: object) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:
        return str(next(iter(item)))
    return None


def _without_plugin(plugins: object) -> Any:
    """The plugin list without conceptkb: its pages are in the tree already."""
    if isinstance(plugins, dict):
        return {k: v for k, v in plugins.items() if k != PLUGIN_NAME}
    if isinstance(plugins, list):
        return [p for p in plugins if _name(p) != PLUGIN_NAME]
    return plugins


def _extensions(extensions: object, guard_options: dict[str, Any]) -> Any:
    """The extension list with the guard given the manifest, and what the pages need."""
    guard = {GUARD: guard_options}
    if isinstance(extensions, dict):
        result: dict[str, Any] = {k: v for k, v in extensions.items() if k != GUARD}
        for name in NEEDED_EXTENSIONS:
            result.setdefault(name, {})
        return {**guard, **result}
    if extensions is None:
        extensions = list(MKDOCS_DEFAULT_EXTENSIONS)
    listed = [e for e in (extensions if isinstance(extensions, list) else []) if _name(e) != GUARD]
    names = {_name(e) for e in listed}
    return [guard, *listed, *(n for n in NEEDED_EXTENSIONS if n not in names)]


def _signature(generator: Generator, settings: Settings) -> tuple[tuple[str, int, int], ...]:
    """Path, modification time and size of every source file: what an edit changes."""
    found = []
    for path in sorted(manifest.files(generator.root, generator.sources(settings), generator.out)):
        try:
            status = path.stat()
        except OSError:
            continue
        found.append((os.fspath(path), status.st_mtime_ns, status.st_size))
    return tuple(found)


def watch(generator: Generator, *, preview: bool, interval: float = 0.3) -> Iterator[Outcome]:
    """Run again after every change of a source file; yields each run's outcome.
    Polling (a few thousand ``stat`` calls) needs no platform-specific watcher."""
    settings = generator.settings()
    seen = _signature(generator, settings)
    while True:
        time.sleep(interval)
        current = _signature(generator, settings)
        if current == seen:
            continue
        seen = current
        with contextlib.suppress(ValueError):  # a configuration being edited: keep the last
            settings = generator.settings()
        yield generator.run(preview=preview)
