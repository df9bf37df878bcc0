"""Gradual adoption: a file may silence a configurable rule with a reason, and a
baseline accepts today's findings so that later runs report only new ones. Both are
counted in the summary, apply to the build too, and never hide an integrity rule."""

from __future__ import annotations

import json

import pytest

from .conftest import Project, run

REF = [{"title": "T", "url": "https://e.org"}]


def test_front_matter_silences_a_rule_with_a_reason(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", references=REF, ignore={"orphan": "linked from the guide"})
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert "CK301" not in out
    assert out.strip().endswith("in 5 concepts (1 silenced in front matter)")
    built = kb.build()
    assert built.ok, built.log
    assert "(1 silenced in front matter)" in built.log


def test_integrity_rules_cannot_be_silenced(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept(
        "broken",
        "Broken",
        related=["nowhere", "lora"],
        references=REF,
        ignore={"CK104": "later", "CK999": "typo"},
    )
    code, out, _ = run(["lint"], capsys)
    assert code == 1
    assert "CK104 unknown concept id 'nowhere'" in out
    assert "CK104 guards the knowledge base's integrity: it cannot be silenced" in out
    assert "ignore names no rule 'CK999'" in out


def test_a_baseline_reports_only_new_findings(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", references=REF)
    kb.concept(
        "draft", "Draft", related=["lora"], body="## Idea\n\nSee [[nowhere]].\n", references=REF
    )
    code, out, _ = run(["lint"], capsys)
    assert code == 1 and "CK201" in out and "CK301" in out
    code, out, _ = run(["lint", "--write-baseline"], capsys)
    assert (code, out) == (
        0,
        "wrote 2 accepted findings to conceptkb-baseline.json\n",
    )
    data = json.loads((kb.root / "conceptkb-baseline.json").read_text())
    assert {e["code"] for e in data["findings"]} == {"CK201", "CK301"}
    assert all(e["path"].startswith("concepts/") for e in data["findings"])

    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert out.strip() == "0 errors, 0 warnings in 6 concepts (2 in the baseline)"
    assert kb.build().ok  # the build accepts the same findings

    kb.concept(
        "later", "Later", related=["lora"], body="## Idea\n\nSee [[elsewhere]].\n", references=REF
    )
    code, out, _ = run(["lint"], capsys)
    assert code == 1
    assert "concepts/later.md" in out and "[[elsewhere]]" in out
    assert "[[nowhere]]" not in out


def test_a_broken_baseline_is_a_clear_error(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb.root / "conceptkb-baseline.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(["lint"], capsys)
    assert code == 2
    assert "conceptkb-baseline.json: not a conceptkb baseline" in err
    built = kb.build(strict=False)
    assert not built.ok and "not a conceptkb baseline" in built.log + built.error


def test_a_baseline_leaves_notes_out(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    kb.concept("lonely", "Lonely", references=REF)
    kb.concept(
        "draft", "Draft", related=["lora"], body="## Idea\n\nSee [[nowhere]].\n", references=REF
    )
    kb.config(plugin={"severity": {"CK301": "info"}})
    assert run(["lint", "--write-baseline"], capsys)[1] == (
        "wrote 1 accepted finding to conceptkb-baseline.json\n"
    )
    data = json.loads((kb.root / "conceptkb-baseline.json").read_text())
    assert [e["code"] for e in data["findings"]] == ["CK201"]
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert "concepts/lonely.md:1:1: CK301" in out
    assert out.endswith("0 errors, 0 warnings, 1 note in 6 concepts (1 in the baseline)\n")
