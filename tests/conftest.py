"""Shared fixtures: a concept knowledge base in a temp folder, and real site builds."""

from __future__ import annotations

import logging
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import settings
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
K8S_CORPUS = FIXTURES / "kubernetes-glossary"
K8S_CATEGORIES = [
    "architecture",
    "community",
    "core-object",
    "cri",
    "extension",
    "fundamental",
    "networking",
    "operation",
    "security",
    "storage",
    "tool",
    "user-type",
    "workload",
]
"""The Kubernetes glossary's own category vocabulary (see its NOTICE.md)."""


REVIEWED = "2026-06-01"
"""The ``reviewed`` date of test concepts, as ``conceptkb new`` fills one in. Outside git
and without SOURCE_DATE_EPOCH it is also the knowledge base's date: nothing is stale."""


def resident_bytes() -> int:
    """Resident set size of this process, in bytes (Linux: /proc/self/statm)."""
    statm = Path("/proc/self/statm").read_text(encoding="ascii")
    return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")


def concept_text(
    title: str,
    summary: str | None = None,
    body: str = "",
    **fields: Any,
) -> str:
    """A concept file; ``fields`` are extra front matter (YAML-dumped), ``reviewed``
    last (``reviewed=None`` leaves it out: never reviewed)."""
    data: dict[str, Any] = {
        "title": title,
        "summary": summary or f"{title} is a concept used in the tests of this project.",
        "category": fields.pop("category", "concept"),
    }
    reviewed = fields.pop("reviewed", REVIEWED)
    data.update(fields)
    if reviewed is not None:
        data["reviewed"] = reviewed
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{textwrap.dedent(body).lstrip()}"


@dataclass
class Built:
    """The outcome of one site build."""

    site_dir: Path
    ok: bool
    log: str
    error: str = ""
    records: list[logging.LogRecord] = field(default_factory=list)

    def html(self, path: str) -> BeautifulSoup:
        """Parse a built file, given as a site path: 'concepts/lora/' or 'index.html'."""
        target = self.site_dir / path
        if path.endswith("/") or path == "":
            target = target / "index.html"
        return BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")

    def exists(self, path: str) -> bool:
        target = self.site_dir / path
        return (target / "index.html").is_file() if path.endswith("/") else target.is_file()


@dataclass
class Project:
    """A temp folder with mkdocs.yml, docs/ and concepts/."""

    root: Path

    @property
    def concepts(self) -> Path:
        return self.root / "concepts"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def concept(self, concept_id: str, title: str, **kwargs: Any) -> Path:
        return self.write(f"concepts/{concept_id}.md", concept_text(title, **kwargs))

    def config(self, plugin: dict[str, Any] | None = None, **options: Any) -> Path:
        data: dict[str, Any] = {
            "site_name": "Test glossary",
            "theme": {"name": "material", "font": False, "features": ["content.tooltips"]},
            "plugins": ["search", {"conceptkb": plugin or {}}],
        }
        data.update(options)
        return self.write("mkdocs.yml", yaml.safe_dump(data, sort_keys=False))

    def build(
        self, *, strict: bool = True, site_dir: Path | None = None, **overrides: Any
    ) -> Built:
        """Build the site in-process, as ``mkdocs build [--strict]`` does."""
        if not (self.root / "mkdocs.yml").exists():
            self.config()
        self.docs.mkdir(exist_ok=True)
        if not any(self.docs.iterdir()):
            self.write("docs/index.md", "# Home\n")
        target = site_dir or self.root / "site"
        handler = _Collect()
        logger = logging.getLogger("mkdocs")
        level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        try:
            config = load_config(
                str(self.root / "mkdocs.yml"), strict=strict, site_dir=str(target), **overrides
            )
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, MkDocsException, SystemExit) as error:
            return Built(target, False, handler.text(), str(error), handler.records)
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        return Built(target, True, handler.text(), "", handler.records)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(
            f"{r.levelname}: {r.getMessage()}" for r in self.records if r.levelno >= logging.INFO
        )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project; add concepts with ``project.concept(...)``."""
    return Project(tmp_path / "kb")


SMALL_KB: dict[str, dict[str, Any]] = {
    "fine-tuning": {
        "title": "Fine-tuning",
        "summary": "Fine-tuning continues training a pre-trained model on task data.",
        "category": "method-family",
        "tags": ["training"],
        "related": ["prompting"],
        "references": [
            {"title": "Paper A", "url": "https://arxiv.org/abs/0000.00001", "year": 2020}
        ],
        "body": "## How it works\n\nA broad family; see [[lora]] and [[Prompting|prompts]].\n\n"
        "```python\nx = '[[not-a-link]]'\n```\n\nInline `[[also-not]]` code.\n",
    },
    "peft": {
        "title": "Parameter-efficient fine-tuning (PEFT)",
        "summary": "PEFT trains a small number of parameters of a frozen model.",
        "category": "method-family",
        "aliases": ["PEFT methods"],
        "tags": ["training", "efficiency"],
        "broader": ["fine-tuning"],
        "references": [{"title": "Paper B", "url": "https://arxiv.org/abs/0000.00002"}],
        "body": "## Idea\n\nA kind of [[fine-tuning]]; best known: [[Low-Rank Adaptation]].\n",
    },
    "lora": {
        "title": "LoRA",
        "summary": "LoRA adds trainable low-rank matrices to frozen weight matrices.",
        "category": "technique",
        "aliases": ["Low-Rank Adaptation"],
        "tags": ["efficiency"],
        "broader": ["peft"],
        "former_ids": ["low-rank-adapters"],
        "references": [
            {
                "title": "LoRA: Low-Rank Adaptation of Large Language Models",
                "url": "https://arxiv.org/abs/2106.09685",
                "authors": ["Edward J. Hu", "Yelong Shen"],
                "year": 2021,
            }
        ],
        "body": "## How it works\n\nPart of [[peft]]. Compare [[prompting]].\n",
    },
    "prompting": {
        "title": "Prompting",
        "summary": "Prompting steers a model with instructions and examples in its input.",
        "category": "practice",
        "aliases": ["Prompt design"],
        "references": [{"title": "Paper C", "url": "https://example.org/c"}],
        "body": "## Idea\n\nCheaper than [[fine-tuning]].\n",
    },
}


def write_small_kb(project: Project) -> None:
    for concept_id, spec in SMALL_KB.items():
        spec = dict(spec)
        body = spec.pop("body")
        project.concept(concept_id, spec.pop("title"), body=body, **spec)


@pytest.fixture
def small_kb(project: Project) -> Project:
    """Four linked concepts exercising every relation, alias and former id."""
    write_small_kb(project)
    project.write("docs/index.md", "# Home\n\nStart with [[lora]] or [[Prompt design]].\n")
    return project


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the conceptkb command line in-process: exit code, stdout, stderr."""
    from conceptkb import cli

    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def kb(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The small knowledge base with a default mkdocs.yml, as the working folder."""
    write_small_kb(project)
    project.config()
    monkeypatch.chdir(project.root)
    return project


@pytest.fixture
def copy_tree() -> Callable[[Path, Path], Path]:
    def copy(source: Path, target: Path) -> Path:
        shutil.copytree(source, target, dirs_exist_ok=True)
        return target

    return copy


@pytest.fixture(autouse=True)
def _quiet_mkdocs_banner(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    yield


@pytest.fixture(autouse=True)
def _own_lint_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``conceptkb lint`` keeps a cache in the user's cache folder: each test (and the
    commands it runs) gets its own, so none reads another's and the user's stays as is."""
    monkeypatch.setenv("CONCEPTKB_CACHE_DIR", str(tmp_path_factory.mktemp("lint-cache")))


def plugin_cache() -> dict[str, Any]:
    """MkDocs' plugin instances kept for the process: a plugin with startup events
    (conceptkb's) is made once and handed to every later configuration, as `serve`
    needs."""
    cache: dict[str, Any] = dict(MkDocsConfig._schema)["plugins"].plugin_cache  # type: ignore[attr-defined]
    return cache


@contextmanager
def own_plugin_instance() -> Iterator[None]:
    """Configurations loaded inside get a plugin instance of their own, which no other
    test's configuration shares; the process's instances are put back after."""
    cache = plugin_cache()
    kept = dict(cache)
    cache.clear()
    try:
        yield
    finally:
        cache.clear()
        cache.update(kept)


@pytest.fixture(autouse=True)
def _serve_sessions_end() -> Iterator[None]:
    """A test that starts a serve session in-process ends it, as `mkdocs serve` does on
    exit (``on_shutdown``): MkDocs keeps the plugin instance for the process, and a
    session's collection timer or file watcher must not run into the next test."""
    yield
    plugin = plugin_cache().get("conceptkb")
    if plugin is not None:
        plugin.on_shutdown()


@pytest.fixture(autouse=True)
def _knowledge_base_dates_from_git_or_reviews(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SOURCE_DATE_EPOCH of the environment running the tests (a distribution's build)
    would move every knowledge base's date; tests that want one set it themselves."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# CI runs the same examples every time (a new counterexample is found locally, where
# the example database keeps it); elsewhere hypothesis explores new inputs each run.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
