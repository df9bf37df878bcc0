"""``conceptkb lint`` keeps what reading each file gave, on disk, and reports the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conceptkb import bodyscan, checker, lintcache, mathtex
from conceptkb.lintcache import LintCache
from conceptkb.rules import UNKNOWN_WIKILINK
from conceptkb.settings import Settings

from .conftest import FIXTURES, Project, concept_text, run, write_small_kb

CASES = sorted(
    p for group in ("lint", "hostile") for p in (FIXTURES / group).iterdir() if p.is_dir()
)

_FIELDS = [
    "id",
    "path",
    "title",
    "summary",
    "category",
    "aliases",
    "tags",
    "broader",
    "related",
    "references",
    "status",
    "superseded_by",
    "reviewed",
    "former_ids",
    "source",
    "masked_body",
    "formulas",
    "ignore",
    "complete",
    "body",
    "body_line",
]


def _all_of(result: checker.LintResult) -> tuple[Any, ...]:
    """Everything a lint run gives that a reporter, a fix or a build reads."""
    concepts = {
        concept_id: (
            [getattr(concept, name) for name in _FIELDS],
            concept.document.data,
            concept.document.yaml_text,
            [(w.target, w.label, w.offset, w.end, w.line, w.column) for w in concept.links],
        )
        for concept_id, concept in result.index.concepts.items()
    }
    return result.findings, result.unfiltered, result.files, concepts, result.kb_date


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose text the linter parses, in order."""
    parsed: list[str] = []
    original = checker.parse

    def parse(text: str, display: str) -> object:
        parsed.append(display.rsplit("/", 1)[-1])
        return original(text, display)

    monkeypatch.setattr(checker, "parse", parse)
    return parsed


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_kept_reading_reports_what_reading_does(case: Path, tmp_path: Path) -> None:
    """Every rule's failing fixture and every hostile file: the run that fills the cache
    and the run that uses it give what a run without it gives."""
    settings = Settings(concepts_dir=case / "concepts", base_dir=case)
    fresh = _all_of(checker.lint(settings))
    filling = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert _all_of(filling) == fresh
    kept = LintCache.open(settings, tmp_path / "cache")
    assert _all_of(checker.lint(settings, kept=kept)) == fresh


def test_unchanged_files_are_not_parsed_again(
    project: Project, tmp_path: Path, counted: list[str]
) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert sorted(counted) == ["fine-tuning.md", "lora.md", "peft.md", "prompting.md"]
    counted.clear()
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert counted == []


def test_a_changed_text_is_read_again_whatever_its_time(
    project: Project, tmp_path: Path, counted: list[str]
) -> None:
    """The text decides, not the modification time: an edit that keeps the file's size
    and time (a checkout, a restore, two saves in one tick) is still seen."""
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    lora = project.concepts / "lora.md"
    before = lora.stat()
    text = lora.read_text(encoding="utf-8")
    edited = text.replace("Compare [[prompting]]", "Compare [[promptinx]]")
    assert len(edited) == len(text) and edited != text
    lora.write_text(edited, encoding="utf-8")
    os.utime(lora, ns=(before.st_atime_ns, before.st_mtime_ns))
    counted.clear()
    result = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert counted == ["lora.md"]
    assert [f.code for f in result.findings if f.path.endswith("lora.md")] == [UNKNOWN_WIKILINK]
    assert _all_of(result) == _all_of(checker.lint(settings))


def test_new_names_find_new_mentions_in_unchanged_files(project: Project, tmp_path: Path) -> None:
    """Unlinked mentions are kept while no concept's names change: an alias added to
    one concept is looked for in every other file, parsed again or not."""
    write_small_kb(project)
    project.concept("adapter", "Adapter", body="Adapters sit between layers, like a bottleneck.\n")
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    first = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert not [f for f in first.findings if f.code == "CK307"]
    project.concept(
        "bottleneck", "Bottleneck layer", aliases=["bottleneck"], body="See [[adapter]].\n"
    )
    result = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert [f.path for f in result.findings if f.code == "CK307"] == ["concepts/adapter.md"]
    assert _all_of(result) == _all_of(checker.lint(settings))


def test_other_settings_or_another_conceptkb_start_afresh(
    project: Project, tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    counted.clear()
    other = Settings(
        concepts_dir=project.concepts, base_dir=project.root, categories=("concept", "technique")
    )
    result = checker.lint(other, kept=LintCache.open(other, tmp_path / "cache"))
    assert len(counted) == 4
    assert _all_of(result) == _all_of(checker.lint(other))
    counted.clear()
    monkeypatch.setattr(lintcache, "_source_digest", lambda: "a changed rule")
    checker.lint(other, kept=LintCache.open(other, tmp_path / "cache"))
    assert len(counted) == 4


def test_a_reading_that_cannot_be_kept_is_read_again(
    project: Project, tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    monkeypatch.setattr(lintcache, "_blanked", lambda body, masked: None)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    counted.clear()
    result = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert len(counted) == 4
    assert _all_of(result) == _all_of(checker.lint(settings))


def test_the_cache_holds_the_last_runs_files_only(project: Project, tmp_path: Path) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    (project.concepts / "prompting.md").unlink()
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    (cache,) = (tmp_path / "cache").iterdir()
    assert sorted(json.loads(cache.read_text(encoding="utf-8"))["files"]) == [
        "concepts/fine-tuning.md",
        "concepts/lora.md",
        "concepts/peft.md",
    ]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "[]",
        lambda text: text.replace('"complete":true', '"complete":7'),
        lambda text: text.replace('"links":[[', '"links":[["x"],[', 1),
        lambda text: text.replace('"data":{', '"data":{"broader":5,', 1),
        lambda text: text.replace('"masked":[[', '"masked":[[100000,', 1),
        lambda text: text.replace('"CK', '"XX', 1),
        lambda text: text.replace(',"warning",', ',"fatal",', 1),
        lambda text: text.replace('"[[prompting]]",1,18]', '"[[prompting]]","1",18]', 1),
        lambda text: text.replace('[[17,26,"Prompting"', '[[17,"Prompting"', 1),
    ],
    ids=[
        "cut",
        "not-a-mapping",
        "wrong-flag",
        "short-link",
        "wrong-type",
        "masked-out-of-range",
        "unknown-code",
        "unknown-severity",
        "mention-type",
        "mention-short",
    ],
)
def test_a_damaged_cache_changes_nothing(project: Project, tmp_path: Path, damage: Any) -> None:
    write_small_kb(project)
    project.write("concepts/lora.md", concept_text("LoRA", body="Not [[nowhere]]: Prompting.\n"))
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    (cache,) = (tmp_path / "cache").iterdir()
    text = cache.read_text(encoding="utf-8")
    assert damage(text) != text
    cache.write_text(damage(text), encoding="utf-8")
    result = checker.lint(settings, kept=LintCache.open(settings, tmp_path / "cache"))
    assert _all_of(result) == _all_of(checker.lint(settings))


def test_a_cache_that_cannot_be_written_is_not_kept(project: Project, tmp_path: Path) -> None:
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    result = checker.lint(settings, kept=LintCache.open(settings, blocked / "cache"))
    assert _all_of(result) == _all_of(checker.lint(settings))


def test_without_a_home_folder_nothing_is_kept(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONCEPTKB_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    code, out, err = run(["lint"], capsys)
    assert (code, err) == (0, "")
    assert "in 4 concepts" in out


def test_the_command_keeps_its_cache_outside_the_project(
    kb: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("CONCEPTKB_CACHE_DIR", str(folder))
    code, out, _ = run(["lint", "--no-cache"], capsys)
    assert code == 0
    assert not folder.exists()
    assert run(["lint"], capsys) == (code, out, "")
    assert len(list(folder.glob("lint-*.json"))) == 1
    assert folder.stat().st_mode & 0o777 == 0o700  # the text of the knowledge base
    assert run(["lint"], capsys) == (code, out, "")
    assert not list(kb.root.rglob("lint-*.json"))


_ONLY_TO_PARSE = ("jsonschema", "justhtml", "jinja2", "conceptkb.sitemodel")
"""What a lint imports only to read a file again (explain its schema errors, parse its
HTML) or to build a site: about 0.4 s of each run's start together."""


def test_a_lint_whose_files_are_all_kept_imports_nothing_to_parse(
    kb: Project, tmp_path: Path
) -> None:
    script = (
        "import sys\n"
        "from conceptkb import cli\n"
        "code = cli.main(['lint'])\n"
        f"print(code, *sorted(m for m in {_ONLY_TO_PARSE!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "CONCEPTKB_CACHE_DIR": str(tmp_path / "user-cache")}
    kb.concept("bad-schema", "Bad Schema", body="Has <b>bold</b> text.\n", status="unknown")

    def lint() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=kb.root, env=env, capture_output=True, text=True
        )
        return done.stdout.splitlines()[-1].split()

    # The first run parses every file: the invalid one needs the schema's explanations
    # and the HTML parser.
    assert lint() == ["1", "jsonschema", "justhtml"]
    assert lint() == ["1"]


_VARIANTS = [
    concept_text(
        "LoRA", body="Part of [[peft]]. Compare prompting.\n", aliases=["Low-Rank Adaptation"]
    ),
    concept_text("LoRA", body="See [[nowhere]] and $x^{2$.\n"),
    concept_text("LoRA", summary="No full stop", body="```\n[[code]]\n```\n"),
    "---\ntitle: [unclosed\n---\n",
    concept_text("Prompting", aliases=["LoRA"], body="Name clash.\n"),
    concept_text("LoRA", tags=["efficiency"], broader=["lora"], body="Its own broader.\n"),
]


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["lora", "prompting", "new"]), st.integers(-1, 5)), max_size=6
    )
)
def test_any_sequence_of_edits_reports_as_a_fresh_run(
    tmp_path: Path, edits: list[tuple[str, int]]
) -> None:
    project = Project(tmp_path / f"kb-{len(list(tmp_path.iterdir()))}")
    write_small_kb(project)
    settings = Settings(concepts_dir=project.concepts, base_dir=project.root)
    folder = project.root / ".." / f"{project.root.name}-cache"
    checker.lint(settings, kept=LintCache.open(settings, folder))
    for concept_id, variant in edits:
        path = project.concepts / f"{concept_id}.md"
        if variant < 0:
            path.unlink(missing_ok=True)
        else:
            path.write_text(_VARIANTS[variant], encoding="utf-8")
        kept = checker.lint(settings, kept=LintCache.open(settings, folder))
        assert _all_of(kept) == _all_of(checker.lint(settings))


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "word ",
                "`code`",
                "``a ` b``",
                "$x^2$",
                "$$\n y \n$$",
                "\n",
                "\n```\n",
                "    ",
                "\t",
                " ",
                "é",
                "[[a]]",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_the_masked_body_is_kept_as_the_runs_it_blanks(body: str) -> None:
    masked = bodyscan.mask_code(body)
    masked = mathtex.mask_math(masked, mathtex.find_math(body, masked))
    assert lintcache._masked(body, lintcache._blanked(body, masked)) == masked
