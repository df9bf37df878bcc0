"""Example-file tests: each folder in fixtures/lint is a knowledge base and its expected output.

A case named ``ckNNN-...`` must raise rule CKNNN; adding a case is adding a folder.
Set CONCEPTKB_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change.
Every case is linted as of one knowledge-base date (SOURCE_DATE_EPOCH, 2026-06-01), not
as of the repository's last commit, so review ages never drift.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from conceptkb import cli
from conceptkb.rules import RULES

CASES = Path(__file__).parent / "fixtures" / "lint"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
FORMATS = {"text": "expected.txt", "json": "expected.json", "github": "expected.github"}
UPDATE = os.environ.get("CONCEPTKB_UPDATE_GOLDEN") == "1"
KB_DATE = "1780272000"
"""2026-06-01T00:00:00Z, as SOURCE_DATE_EPOCH."""


def run_lint(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(case)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", KB_DATE)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    args = ["lint", "--format", fmt]
    if (case / "mkdocs.yml").exists():
        args += ["--config", "mkdocs.yml"]
    code = cli.main(args)
    return code, out.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_output_matches_golden(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_lint(case, fmt, monkeypatch)
    golden = case / FORMATS[fmt]
    if UPDATE:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
    has_errors = (
        '"severity": "error"' in output
        if fmt == "json"
        else not re.search(r"^0 errors", output, re.M)
    )
    assert code == (1 if has_errors else 0)


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_raises_its_rule(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, output = run_lint(case, "text", monkeypatch)
    match = re.match(r"(ck\d{3})-", case.name)
    if match is None:
        assert case.name.startswith("ok-")
        assert re.search(r"^0 errors, 0 warnings", output, re.M), output
    else:
        assert f" {match.group(1).upper()} " in output


BUILD_ONLY = {"CK207"}
"""Rules only a build can break (rendering); tests/test_bounded.py covers them."""


def test_every_rule_has_a_failing_fixture() -> None:
    covered = {p.name[:5].upper() for p in CASE_DIRS}
    missing = [r.code for r in RULES if r.code not in covered and r.code not in BUILD_ONLY]
    assert not missing, f"rules without a fixture in {CASES}: {missing}"
