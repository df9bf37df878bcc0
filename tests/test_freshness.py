"""Freshness and status: review dates measured against the knowledge base's own date,
notes that never fail a strict build, and deprecated concepts that name a successor."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest

from conceptkb.checker import lint
from conceptkb.freshness import NEVER_REVIEWED
from conceptkb.kbdate import FROM_ENVIRONMENT, FROM_GIT, KbDate
from conceptkb.schemadoc import field_docs
from conceptkb.settings import Settings, from_mkdocs_yml

from .conftest import Project, run

REF = [{"title": "T", "url": "https://e.org"}]
JUNE_2026 = "1780272000"
"""2026-06-01T00:00:00Z as SOURCE_DATE_EPOCH."""


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = run(["lint", "--format", "json", *args], capsys)
    return code, json.loads(out)


# -- stale entries -------------------------------------------------------------------------


def test_a_stale_entry_is_a_note_that_passes_a_strict_build(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE_2026)
    kb.concept("old", "Old", related=["lora"], references=REF, reviewed="2024-01-02")
    kb.concept("unread", "Unread", related=["lora"], references=REF, reviewed=None)
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert (
        "concepts/old.md:10:11: CK305 last reviewed 2024-01-02, more than 12 months before"
        " the knowledge base's date" in out
    )
    assert f"concepts/unread.md:1:1: CK305 {NEVER_REVIEWED}\n" in out
    assert out.endswith("0 errors, 0 warnings, 2 notes in 6 concepts\n")

    built = kb.build(strict=True)
    assert built.ok, built.log
    assert "INFO: conceptkb: concepts/old.md:10:11: CK305 last reviewed 2024-01-02" in built.log
    assert "INFO: conceptkb: concepts/unread.md:1:1: CK305 never reviewed" in built.log
    assert not [r for r in built.records if r.levelname == "WARNING"], built.log

    # A knowledge base that wants stale entries to fail strict builds says so.
    kb.config(plugin={"severity": {"stale-entry": "warning"}})
    built = kb.build(strict=True)
    assert not built.ok
    assert "WARNING: conceptkb: concepts/old.md:10:11: CK305" in built.log


def test_the_review_period_is_an_option_and_zero_turns_it_off(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE_2026)
    kb.concept("seven", "Seven", related=["lora"], references=REF, reviewed="2025-11-01")
    kb.concept("six", "Six", related=["lora"], references=REF, reviewed="2025-12-01")
    kb.concept("unread", "Unread", related=["lora"], references=REF, reviewed=None)
    _, found = findings(capsys)
    assert [f["path"] for f in found] == ["concepts/unread.md"]
    kb.config(plugin={"review_period_months": 6})
    _, found = findings(capsys)
    assert [(f["path"], f["code"], f["severity"]) for f in found] == [
        ("concepts/seven.md", "CK305", "info"),
        ("concepts/unread.md", "CK305", "info"),
    ]
    assert "more than 6 months before" in str(found[0]["message"])
    kb.config(plugin={"review_period_months": 0})
    code, out, _ = run(["lint"], capsys)
    assert (code, out) == (0, "0 errors, 0 warnings in 7 concepts\n")


def test_drafts_and_deprecated_entries_are_not_expected_to_be_fresh(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE_2026)
    kb.concept("sketch", "Sketch", related=["lora"], references=REF, status="draft", reviewed=None)
    kb.concept(
        "gone",
        "Gone",
        references=REF,
        status="deprecated",
        superseded_by="lora",
        reviewed="2020-01-01",
    )
    code, out, _ = run(["lint"], capsys)
    assert (code, out) == (0, "0 errors, 0 warnings in 6 concepts\n")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (-1, "review_period_months: must be a whole number of months from 0 (off) to 1200"),
        ("12", "review_period_months: must be a whole number of months"),
        (True, "review_period_months: must be a whole number of months"),
        (1201, "review_period_months: must be a whole number of months"),
    ],
)
def test_a_bad_review_period_is_a_configuration_error(
    kb: Project, capsys: pytest.CaptureFixture[str], option: object, message: str
) -> None:
    kb.config(plugin={"review_period_months": option})
    code, _, err = run(["lint"], capsys)
    assert code == 2
    assert message in err


# -- the knowledge base's date ---------------------------------------------------------------


def _commit(root: Path, date: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    env["GIT_CEILING_DIRECTORIES"] = str(root.parent)
    identity = ["-c", "user.name=kb", "-c", "user.email=kb@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "kb", "--no-gpg-sign"]):
        subprocess.run(["git", *identity, *args], cwd=root, env=env, check=True)


def test_ages_are_measured_against_the_last_commit_not_the_clock(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("GIT_")]:
        monkeypatch.delenv(name)
    project.config()
    monkeypatch.chdir(project.root)
    project.concept("a", "A", related=["b"], references=REF, reviewed="2019-01-10")
    project.concept("b", "B", references=REF, reviewed="2019-05-01", body="See [[a]].")
    # Reviews from 2019 are fresh for a knowledge base last committed in 2019-06 ...
    _commit(project.root, "2019-06-15T10:00:00+00:00")
    code, out, _ = run(["lint"], capsys)
    assert (code, out) == (0, "0 errors, 0 warnings in 2 concepts\n")
    result = lint(from_mkdocs_yml(project.root / "mkdocs.yml"))
    assert result.kb_date == KbDate(datetime.date(2019, 6, 15), FROM_GIT)
    # ... and a review dated after the last commit is a warning that says what to do.
    project.concept("later", "Later", related=["a"], references=REF, reviewed="2019-06-16")
    _, found = findings(capsys)
    assert [(f["path"], f["code"], f["message"]) for f in found] == [
        (
            "concepts/later.md",
            "CK306",
            "reviewed 2019-06-16 is after the knowledge base's date, 2019-06-15 (the last"
            " commit): fix the date, or commit the review",
        )
    ]


def test_without_git_the_newest_review_is_the_date(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(project.root / "no-bin"))
    project.concept("a", "A", reviewed="2023-01-01")
    project.concept("b", "B", reviewed="2025-03-01")
    result = lint(Settings(concepts_dir=project.concepts, base_dir=project.root))
    assert result.kb_date is not None and str(result.kb_date) == (
        "2025-03-01 (the newest reviewed date)"
    )
    assert [f.message for f in result.notes] == [
        "last reviewed 2023-01-01, more than 12 months before the knowledge base's date:"
        " check the entry against its sources and update reviewed"
    ]


def test_source_date_epoch_reaches_the_lint_result(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE_2026)
    project.concept("a", "A")
    result = lint(Settings(concepts_dir=project.concepts, base_dir=project.root))
    assert result.kb_date == KbDate(datetime.date(2026, 6, 1), FROM_ENVIRONMENT)


def test_a_source_date_epoch_that_is_no_date_stops_lint_and_build(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "last tuesday")
    code, out, err = run(["lint"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("conceptkb: SOURCE_DATE_EPOCH='last tuesday' is not a date")
    built = kb.build(strict=False)
    assert not built.ok
    assert "SOURCE_DATE_EPOCH='last tuesday' is not a date" in built.error + built.log


def test_an_invalid_date_is_not_also_never_reviewed(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("typo", "Typo", related=["lora"], references=REF, reviewed="2026-13-01")
    _, found = findings(capsys)
    assert [(f["code"], f["message"]) for f in found] == [
        ("CK103", "reviewed '2026-13-01' is not a day of the calendar")
    ]


# -- status ------------------------------------------------------------------------------------


def test_a_deprecated_concept_names_a_known_successor(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("gone", "Gone", references=REF, status="deprecated", superseded_by="gone")
    kb.concept("moved", "Moved", references=REF, status="deprecated", superseded_by="prompts")
    kb.concept(
        "renamed", "Renamed", references=REF, status="deprecated", superseded_by="low-rank-adapters"
    )
    code, found = findings(capsys)
    assert code == 1
    assert [(f["path"], f["code"], f["message"]) for f in found] == [
        ("concepts/gone.md", "CK105", "superseded_by names the concept itself"),
        (
            "concepts/moved.md",
            "CK104",
            "unknown concept id 'prompts' in superseded_by (did you mean 'prompting'?)",
        ),
        (
            "concepts/renamed.md",
            "CK104",
            "unknown concept id 'low-rank-adapters' in superseded_by"
            " ('low-rank-adapters' was renamed to 'lora')",
        ),
    ]


def test_a_deprecated_concept_is_no_orphan_and_its_successor_knows_it(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("old-lora", "Old LoRA", references=REF, status="deprecated", superseded_by="lora")
    kb.concept("sketch", "Sketch", related=["lora"], references=REF, status="draft")
    code, out, _ = run(["lint"], capsys)
    assert (code, out) == (0, "0 errors, 0 warnings in 6 concepts\n")
    index = lint(from_mkdocs_yml(kb.root / "mkdocs.yml")).index
    assert [c.id for c in index.drafts()] == ["sketch"]
    assert [c.id for c in index.deprecated()] == ["old-lora"]
    successor = index.successor("old-lora")
    assert successor is not None and successor.id == "lora"
    assert index.successor("lora") is None and index.successor("nowhere") is None
    assert index.replaces == {"lora": ["old-lora"]}
    old = index.concepts["old-lora"]
    assert (old.status, old.superseded_by, old.reviewed) == ("deprecated", "lora", "2026-06-01")
    assert index.concepts["prompting"].status == "stable"


def test_show_drafts_is_an_option_read_once(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert from_mkdocs_yml(kb.root / "mkdocs.yml").show_drafts is False
    kb.config(plugin={"show_drafts": True})
    assert from_mkdocs_yml(kb.root / "mkdocs.yml").show_drafts is True
    assert kb.build().ok
    kb.config(plugin={"show_drafts": "yes"})
    code, _, err = run(["lint"], capsys)
    assert code == 2 and "show_drafts: must be true or false" in err
    built = kb.build()
    assert not built.ok and "show_drafts" in built.error + built.log


def test_the_field_table_says_what_the_new_fields_take() -> None:
    rows = {row.name: row for row in field_docs()}
    assert rows["reviewed"].rules == "a calendar date, `YYYY-MM-DD`"
    assert rows["status"].rules == "one of `stable`, `draft`, `deprecated`; default `stable`"
    assert rows["superseded_by"].rules.startswith("lowercase kebab-case")
