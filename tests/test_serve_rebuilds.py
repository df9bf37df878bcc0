"""``mkdocs serve`` robustness: many rebuilds with edits leave a correct site.

Rebuilds run in-process the way ``mkdocs serve`` runs them: the configuration is
loaded again for every rebuild, the site is built into the same folder, and the
conceptkb plugin instance is kept across rebuilds (as MkDocs keeps the instances of
plugins that have startup events), so state left over from one build would show in
the next. Entries are edited, broken and fixed, added and removed; memory must not
grow with the number of rebuilds.
"""

from __future__ import annotations

import datetime
import gc
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException

from conceptkb import scaffold
from conceptkb.markdown_ext import WikilinkExtension
from conceptkb.model import Concept
from conceptkb.sitemodel import STYLESHEETS

from .conftest import REVIEWED, Built, Project, plugin_cache, resident_bytes
from .test_nothing_lost import assert_nothing_lost

REBUILDS = 100
SERVE_URL = "http://127.0.0.1:8000/"
MEMORY_GROWTH_LIMIT = 32 * 1024 * 1024
"""Bytes of resident memory rebuilds 11 to 100 may add (a leak of one site per
rebuild would add far more)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


class Server:
    """What ``mkdocs serve`` does between edits, without the HTTP server."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.site_dir = project.root / "site"
        self.handler = _Collect()
        self.plugin: Any = None
        self._cache = plugin_cache()

    def config(self) -> MkDocsConfig:
        config = load_config(
            str(self.project.root / "mkdocs.yml"), site_dir=str(self.site_dir), strict=False
        )
        return config

    def start(self) -> None:
        config = self.config()
        self.plugin = config.plugins["conceptkb"]
        # MkDocs keeps plugin instances with startup events across rebuilds; keep this one.
        self._cache["conceptkb"] = self.plugin
        config.plugins.on_startup(command="serve", dirty=False)

    def stop(self) -> None:
        self._cache.pop("conceptkb", None)

    def rebuild(self) -> tuple[bool, str, MkDocsConfig]:
        config = self.config()
        assert config.plugins["conceptkb"] is self.plugin
        self.handler.lines.clear()
        try:
            build(config, serve_url=SERVE_URL, dirty=False)
        except (Abort, MkDocsException) as error:
            return False, "\n".join([*self.handler.lines, str(error)]), config
        return True, "\n".join(self.handler.lines), config


@pytest.fixture
def server(small_kb: Project) -> Iterator[Server]:
    small_kb.config()
    small_kb.docs.mkdir(exist_ok=True)
    server = Server(small_kb)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(server.handler)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        logger.removeHandler(server.handler)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _extra(project: Project, number: int) -> None:
    project.concept(
        f"extra-{number}",
        f"Extra {number}",
        aliases=[f"Extra alias {number}"],
        related=["lora"],
        references=[{"title": "Paper", "url": "https://arxiv.org/abs/0000.00009"}],
        body=f"## Idea\n\nExtra number {number}, next to [[lora]].\n",
    )


def _findings_shown(site: Path, concept_id: str) -> str:
    """The text of the findings banner on a concept's page ('' when it has none)."""
    page = BeautifulSoup(_page_text(site, concept_id), "html.parser")
    banner = page.select_one(".ck-findings")
    return banner.get_text(" ") if banner is not None else ""


def _page_text(site: Path, concept_id: str) -> str:
    return (site / "concepts" / concept_id / "index.html").read_text(encoding="utf-8")


def test_many_rebuilds_with_edits_leave_a_correct_site(server: Server) -> None:
    project = server.project
    concepts, site = project.concepts, server.site_dir
    lora, peft = concepts / "lora.md", concepts / "peft.md"
    peft_good = peft.read_text(encoding="utf-8")
    revision = "Part of [[peft]]."
    extra: int | None = None
    rss_after_10 = 0
    failures = 0
    for number in range(1, REBUILDS + 1):
        step = number % 10
        new_revision = f"Part of [[peft]] (revision {number})."
        _edit(lora, revision, new_revision)
        revision = new_revision
        if step == 3:  # break an entry: a YAML error
            peft.write_text(peft_good.replace("category:", "category: [", 1), encoding="utf-8")
        elif step == 4:  # and fix it
            peft.write_text(peft_good, encoding="utf-8")
        elif step == 6:  # add a concept
            extra = number
            _extra(project, number)
        elif step == 8 and extra is not None:  # and remove it
            (concepts / f"extra-{extra}.md").unlink()
            extra = None
        elif step == 9:  # an unknown wikilink, an error until the next rebuild
            _edit(lora, revision, f"{revision} See [[nowhere-{number}]].")
        elif step == 0:
            _edit(lora, f" See [[nowhere-{number - 1}]].", "")

        ok, log, config = server.rebuild()
        # on_config ran on a fresh config: one wikilink extension, one stylesheet
        assert sum(isinstance(e, WikilinkExtension) for e in config.markdown_extensions) == 1
        assert config.extra_css.count(STYLESHEETS[0]) == 1
        assert "Traceback" not in log
        if step == 3:  # the preview goes on: the broken file's page shows its finding
            failures += 1
            assert ok, f"rebuild {number} stopped the preview:\n{log}"
            assert re.search(r"concepts/peft\.md:\d+:\d+: CK006 ", log), log
            assert "CK006" in _findings_shown(site, "peft")
        elif step == 9:
            failures += 1
            assert ok, f"rebuild {number} stopped the preview:\n{log}"
            assert re.search(r"concepts/lora\.md:\d+:\d+: CK201 ", log), log
            assert "CK201" in _findings_shown(site, "lora")
        else:
            assert ok, f"rebuild {number} failed:\n{log}"
            assert f"(revision {number})" in _page_text(site, "lora")
            pages = {p.parent.name for p in (site / "concepts").glob("*/index.html")}
            expected = {f"extra-{extra}", f"extra-alias-{extra}"} if extra is not None else set()
            assert {p for p in pages if p.startswith("extra-")} == expected, number
        if number == 10:
            gc.collect()
            rss_after_10 = resident_bytes()

    gc.collect()
    growth = resident_bytes() - rss_after_10
    assert growth < MEMORY_GROWTH_LIMIT, f"resident memory grew {growth / 2**20:.1f} MiB"
    # concepts of earlier builds are not kept alive (by the plugin, its index or caches)
    # (counted for this knowledge base: other tests of the session may hold their own)
    alive = sum(
        isinstance(o, Concept) and o.source is not None and concepts in o.source.parents
        for o in gc.get_objects()
    )
    assert alive <= 2 * len(list(concepts.glob("*.md"))), alive
    assert failures == 2 * REBUILDS // 10
    # the last rebuild succeeded: the site is whole, with nothing stale or lost
    built = Built(site, True, "")
    assert_nothing_lost(built, concepts)
    assert '"extra-' not in (site / "concepts.json").read_text(encoding="utf-8")


def test_a_preview_renders_every_page_with_errors_shown_and_nothing_unsafe(
    server: Server,
) -> None:
    """Under serve, drafts and broken files still render, each with its findings;
    unsafe HTML is never rendered and collisions never replace a page. A build still
    refuses the same knowledge base."""
    project = server.project
    # a draft right after `conceptkb new`: valid except for its placeholders
    reviewed = datetime.date.fromisoformat(REVIEWED)
    project.write(
        "concepts/draft.md", scaffold.render("Draft", "concept", ["concept"], 2026, reviewed)
    )
    project.write("concepts/unreadable.md", "---\ntitle: [unclosed\n---\nBody.\n")
    project.concept(
        "unsafe",
        "Unsafe",
        aliases=["Tags"],
        tags=["peft"],
        related=["lora"],
        references=[{"title": "Paper", "url": "https://arxiv.org/abs/0000.00009"}],
        body="## Idea\n\n<script>alert(1)</script> and [[lora]].\n",
    )
    ok, log, _ = server.rebuild()
    assert ok, log
    site = server.site_dir
    for concept_id in ("draft", "unreadable", "unsafe"):
        assert (site / "concepts" / concept_id / "index.html").is_file(), concept_id
    assert "CK110" in _findings_shown(site, "draft")
    assert "CK006" in _findings_shown(site, "unreadable")
    shown = _findings_shown(site, "unsafe")
    assert "CK203" in shown and "CK111" in shown
    page = BeautifulSoup(_page_text(site, "unsafe"), "html.parser")
    assert page.select_one("article script") is None
    assert "alert(1)" not in page.select_one(".ck-body").get_text()
    # the collision did not replace the list of tags with a redirect
    tags = (site / "concepts" / "tags" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in tags
    # links to a concept with errors work
    lora = BeautifulSoup(_page_text(site, "lora"), "html.parser")
    assert lora.select_one('a[href$="unsafe/"]') is not None
    # and nothing of it is published: a build refuses the same files
    built = Project(project.root).build(strict=False, site_dir=project.root / "published")
    assert not built.ok
    assert not (project.root / "published" / "concepts" / "unsafe" / "index.html").exists()
