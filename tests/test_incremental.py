"""`mkdocs serve --dirty` renders only what an edit changes, and stays right.

A serve session is driven in-process as MkDocs drives it (one plugin instance,
configuration reloaded for every build, the same site folder, ``dirty=True``). After
every fourth of 20 mixed edits (summaries, titles, bodies, relations, tags, status, an added,
a renamed and a deleted concept, the site's own pages), the served folder must equal a
clean build of the same files, byte for byte (the search index compared as data, the
compressed sitemap by its content); and a page that shows nothing of an edited concept
must not be written again.
"""

from __future__ import annotations

import gc
import gzip
import json
import shutil
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure.pages import Page

from conceptkb import htmlpolicy

from .conftest import Project, own_plugin_instance, write_small_kb

SERVE_URL = "http://127.0.0.1:8000/"


def _config(project: Project, site: Path):  # type: ignore[no-untyped-def]
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(site))
    config.site_url = SERVE_URL
    return config


def session(project: Project, site: Path, *, dirty: bool) -> Callable[[], None]:
    """A serve session's builder: the first call builds, each later call rebuilds."""
    first = _config(project, site)
    first.plugins.on_startup(command="serve", dirty=dirty)

    def rebuild() -> None:
        build(_config(project, site), serve_url=SERVE_URL, dirty=dirty)

    return rebuild


def contents(site: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        if name.endswith(".json"):
            found[name] = json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith(".gz"):
            found[name] = gzip.decompress(path.read_bytes())
        else:
            found[name] = path.read_bytes()
    return found


def clean_build(project: Project, site: Path) -> dict[str, object]:
    """A clean build by a plugin instance of its own: MkDocs keeps one instance per
    process (for `serve`), which the served session must keep to itself."""
    shutil.rmtree(site, ignore_errors=True)
    with own_plugin_instance():
        session(project, site, dirty=False)()
    return contents(site)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def served(project: Project, tmp_path: Path) -> Project:
    write_small_kb(project)
    project.concept(
        "isolated",
        "Isolated",
        summary="Isolated is a concept that no other concept shows.",
        body="It stands alone.\n",
        references=[{"title": "Paper Z", "url": "https://example.org/z"}],
    )
    project.write("docs/index.md", "# Home\n\nStart with [[lora]] or [[Prompt design]].\n")
    project.write("docs/guide.md", "# Guide\n\nSee [[peft]].\n")
    project.config({"severity": {"CK3": "off"}})
    return project


def edits(project: Project) -> list[tuple[str, Callable[[], None]]]:
    concepts = project.concepts
    return [
        ("summary", lambda: _replace(concepts / "prompting.md", "steers", "guides")),
        ("title", lambda: _replace(concepts / "lora.md", "title: LoRA", "title: LoRA method")),
        ("body", lambda: _replace(concepts / "peft.md", "A kind of", "A family of")),
        (
            "body link",
            lambda: _replace(
                concepts / "prompting.md", "Cheaper than", "See [[lora]]; cheaper than"
            ),
        ),
        (
            "alias",
            lambda: _replace(
                concepts / "lora.md",
                "- Low-Rank Adaptation",
                "- Low-Rank Adaptation\n- LoRA adapters",
            ),
        ),
        (
            "tag",
            lambda: _replace(
                concepts / "prompting.md",
                "category: practice",
                "category: practice\ntags:\n- inference",
            ),
        ),
        (
            "related",
            lambda: _replace(
                concepts / "fine-tuning.md", "category:", "related:\n- prompting\ncategory:"
            ),
        ),
        (
            "added",
            lambda: project.concept(
                "qlora",
                "QLoRA",
                summary="QLoRA fine-tunes a quantised model with LoRA adapters.",
                body="Builds on [[lora]].\n",
                broader=["lora"],
                category="technique",
                references=[{"title": "Paper Q", "url": "https://arxiv.org/abs/2305.14314"}],
            ),
        ),
        (
            "draft",
            lambda: _replace(
                concepts / "qlora.md", "category: technique", "category: technique\nstatus: draft"
            ),
        ),
        (
            "guide",
            lambda: project.write("docs/guide.md", "# Guide\n\nSee [[peft]] and [[qlora]].\n"),
        ),
        (
            "category",
            lambda: _replace(
                concepts / "prompting.md", "category: practice", "category: technique"
            ),
        ),
        ("published", lambda: _replace(concepts / "qlora.md", "\nstatus: draft", "")),
        ("summary again", lambda: _replace(concepts / "peft.md", "small number", "small share")),
        ("renamed", lambda: _rename(project)),
        ("broader", lambda: _replace(concepts / "qlora.md", "- lora", "- peft")),
        ("deleted", lambda: _delete(project)),
        ("home", lambda: project.write("docs/index.md", "# Home\n\nStart with [[peft]].\n")),
        (
            "error",
            lambda: _replace(concepts / "fine-tuning.md", "see [[lora]]", "see [[nowhere]]"),
        ),
        ("fixed", lambda: _replace(concepts / "fine-tuning.md", "see [[nowhere]]", "see [[lora]]")),
        ("last", lambda: _replace(concepts / "prompt-design.md", "guides", "steers")),
    ]


def _rename(project: Project) -> None:
    old = project.concepts / "prompting.md"
    text = old.read_text(encoding="utf-8").replace(
        "category: technique", "category: technique\nformer_ids:\n- prompting", 1
    )
    (project.concepts / "prompt-design.md").write_text(text, encoding="utf-8")
    old.unlink()
    _replace(project.concepts / "fine-tuning.md", "- prompting", "- prompt-design")


def _delete(project: Project) -> None:
    (project.concepts / "qlora.md").unlink()
    project.write("docs/guide.md", "# Guide\n\nSee [[peft]].\n")


def test_twenty_edits_serve_the_same_site_as_a_clean_build(served: Project, tmp_path: Path) -> None:
    site = tmp_path / "served"
    rebuild = session(served, site, dirty=True)
    rebuild()
    steps = edits(served)
    assert len(steps) == 20
    for number, (name, edit) in enumerate(steps, start=1):
        edit()
        rebuild()
        if number % 4:
            continue  # compared every fourth edit: a clean build costs seconds
        expected = clean_build(served, tmp_path / "clean")
        got = contents(site)
        assert got.keys() == expected.keys(), (name, got.keys() ^ expected.keys())
        different = [path for path in got if got[path] != expected[path]]
        assert not different, (name, different)


def test_an_edit_rewrites_only_the_pages_that_show_the_concept(
    served: Project, tmp_path: Path
) -> None:
    site = tmp_path / "served"
    rebuild = session(served, site, dirty=True)
    rebuild()
    isolated = site / "concepts" / "isolated" / "index.html"
    guide = site / "guide" / "index.html"
    lora = site / "concepts" / "lora" / "index.html"
    schema = site / "schema" / "concept.schema.json"
    export = site / "concepts.json"
    tag = site / "concepts" / "tags" / "training" / "index.html"
    other_category = site / "concepts" / "categories" / "technique" / "index.html"
    category = site / "concepts" / "categories" / "practice" / "index.html"
    watched = [isolated, guide, lora, schema, export, tag, other_category, category]
    before = [path.stat().st_mtime_ns for path in watched]
    _replace(served.concepts / "prompting.md", "steers", "guides")
    rebuild()
    after = dict(zip(watched, (path.stat().st_mtime_ns for path in watched), strict=True))
    assert after[isolated] == before[0]  # shows nothing of prompting
    assert after[guide] == before[1]  # the site's own page links to peft only
    assert after[lora] != before[2]  # its body links to prompting
    assert after[schema] == before[3]  # a generated file whose content did not change
    assert after[export] != before[4]  # holds the summary
    assert after[tag] == before[5]  # prompting has no tags
    assert after[other_category] == before[6]  # lists other concepts only
    assert after[category] != before[7]  # lists prompting with its summary
    assert "guides" in export.read_text(encoding="utf-8")
    assert "guides" in (site / "concepts" / "prompting" / "index.html").read_text()


def test_a_build_leaves_the_garbage_collector_as_it_was(served: Project, tmp_path: Path) -> None:
    """A build sets objects aside from the collector while pages render (gc.freeze),
    and gives them back at its end, a failed build's too. A serve session's rebuild
    does the same and the session collects once after it (when idle, or at the next
    rebuild): what it gave back sits in the oldest generation uncounted, and the site
    the last rebuild dropped would otherwise wait for a full collection nothing made
    due (tests/test_build_collector.py holds when that collection runs)."""
    frozen: list[int] = []
    original = htmlpolicy.check_html

    def spy(html: str, **options: Any) -> list[htmlpolicy.Violation]:  # pages render
        frozen.append(gc.get_freeze_count())
        if frozen[0] == -1:
            raise RuntimeError("a build that fails halfway")
        return original(html, **options)

    with own_plugin_instance():  # this test's own, started for `build`
        _config(served, tmp_path / "built").plugins.on_startup(command="build", dirty=False)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(htmlpolicy, "check_html", spy)
            build(_config(served, tmp_path / "built"))
            assert frozen and all(count > 0 for count in frozen)
            assert gc.get_freeze_count() == 0
            frozen[:] = [-1]
            with pytest.raises(RuntimeError, match="halfway"):
                build(_config(served, tmp_path / "built"))
            assert gc.get_freeze_count() == 0

    frozen.clear()
    rebuild = session(served, tmp_path / "served", dirty=True)
    gc.disable()  # only the build's own collection may free the dropped site
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(htmlpolicy, "check_html", spy)
            rebuild()
            assert gc.get_freeze_count() == 0
            dropped = [weakref.ref(o) for o in gc.get_objects() if isinstance(o, Page)]
            rebuild()
    finally:
        gc.enable()
    assert frozen and all(count > 0 for count in frozen)
    assert gc.get_freeze_count() == 0
    assert dropped and all(page() is None for page in dropped)
