"""Machine-readable output: SARIF 2.1.0 valid against its schema, and GitHub
annotations that never drop findings without saying so."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from conceptkb import cli
from conceptkb.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
CASES = sorted(p for p in (FIXTURES / "lint").iterdir() if p.is_dir())


def lint(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(case)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    code = cli.main(["lint", "--format", fmt])
    return code, out.getvalue()


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_sarif_is_valid_and_holds_every_finding(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = lint(case, "sarif", monkeypatch)
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    _, as_json = lint(case, "json", monkeypatch)
    findings = json.loads(as_json)
    run = log["runs"][0]
    assert [(r["ruleId"], r["message"]["text"]) for r in run["results"]] == [
        (f["code"], f["message"]) for f in findings
    ]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in RULES]
    assert all(r["name"] and r["help"]["text"] for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0)


def _many_errors(root: Path, count: int) -> None:
    (root / "concepts").mkdir()
    for i in range(count):
        (root / "concepts" / f"c{i}.md").write_text(
            f"---\ntitle: C{i}\nsummary: C{i} is a concept.\ncategory: nowhere\n---\nText.\n",
            encoding="utf-8",
        )


def test_github_annotations_beyond_the_limit_go_to_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many_errors(tmp_path, 14)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = lint(tmp_path, "github", monkeypatch)
    assert code == 1
    _, as_json = lint(tmp_path, "json", monkeypatch)
    findings = json.loads(as_json)
    errors = sum(f["severity"] == "error" for f in findings)
    warnings = sum(f["severity"] == "warning" for f in findings)
    notes = sum(f["severity"] == "info" for f in findings)  # CK305: never reviewed
    assert errors > 10 and warnings > 10 and notes > 10
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(findings)  # every one printed
    assert sum(line.startswith("::notice ") for line in annotations) == notes
    beyond = errors - 10 + warnings - 10 + notes - 10  # GitHub shows 10 of each kind
    assert f"{beyond} findings beyond GitHub's limit" in out
    table = summary.read_text(encoding="utf-8")
    assert table.count("| `concepts/c") == len(findings)


def test_no_job_summary_when_every_annotation_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many_errors(tmp_path, 3)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _, out = lint(tmp_path, "github", monkeypatch)
    assert "beyond GitHub's limit" not in out
    assert not summary.exists()
