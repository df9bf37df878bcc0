"""The knowledge base's date: SOURCE_DATE_EPOCH, else the last commit, else the newest
review; never the wall clock."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from conceptkb import kbdate
from conceptkb.kbdate import FROM_ENVIRONMENT, FROM_GIT, FROM_REVIEWS, KbDate, KbDateError

D = datetime.date


@pytest.fixture(autouse=True)
def _no_outside_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """git finds the repository from the working folder only, never above tmp_path."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv(kbdate.ENVIRONMENT, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


GIT_IDENTITY = (
    "-c",
    "user.name=kb",
    "-c",
    "user.email=kb@example.org",
    "-c",
    "commit.gpgsign=false",
)


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )


def repository(root: Path, committed: str) -> Path:
    """A repository whose only commit has the committer date ``committed``."""
    (root / "concepts").mkdir(parents=True)
    (root / "concepts" / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one", env={"GIT_COMMITTER_DATE": committed})
    return root


def test_source_date_epoch_comes_first_as_a_utc_date(tmp_path: Path) -> None:
    repo = repository(tmp_path / "kb", "2024-03-15T12:00:00+00:00")
    # 2025-06-01T23:30:00Z: the UTC day, whatever the local time zone says.
    environ = {"SOURCE_DATE_EPOCH": "1748820600"}
    found = kbdate.knowledge_base_date(repo / "concepts", [D(2030, 1, 1)], environ)
    assert found == KbDate(D(2025, 6, 1), FROM_ENVIRONMENT)
    assert str(found) == "2025-06-01 (SOURCE_DATE_EPOCH)"


def test_source_date_epoch_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert kbdate.knowledge_base_date(tmp_path, []) == KbDate(D(1970, 1, 1), FROM_ENVIRONMENT)


@pytest.mark.parametrize("value", ["yesterday", "1.5e9", "99999999999999999999"])
def test_a_source_date_epoch_that_is_no_date_is_an_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(KbDateError, match=r"SOURCE_DATE_EPOCH=.* is not a date"):
        kbdate.knowledge_base_date(tmp_path, [], {"SOURCE_DATE_EPOCH": value})


def test_an_empty_source_date_epoch_counts_as_unset(tmp_path: Path) -> None:
    found = kbdate.knowledge_base_date(tmp_path, [D(2024, 1, 2)], {"SOURCE_DATE_EPOCH": " "})
    assert found == KbDate(D(2024, 1, 2), FROM_REVIEWS)


def test_the_last_commit_gives_the_committers_own_day(tmp_path: Path) -> None:
    # 01:30 in UTC+02:00 is still the previous day in UTC: the committer's day counts.
    repo = repository(tmp_path / "kb", "2024-03-15T01:30:00+02:00")
    found = kbdate.knowledge_base_date(repo / "concepts", [D(2030, 1, 1)], {})
    assert found == KbDate(D(2024, 3, 15), FROM_GIT)
    assert found.isoformat() == "2024-03-15"


def test_the_last_commit_of_the_repository_counts_not_of_the_folder(tmp_path: Path) -> None:
    repo = repository(tmp_path / "kb", "2024-03-15T12:00:00+00:00")
    (repo / "README.md").write_text("later\n", encoding="utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "two", env={"GIT_COMMITTER_DATE": "2024-09-30T12:00:00+00:00"})
    assert kbdate.from_git(repo / "concepts") == D(2024, 9, 30)


def test_uncommitted_changes_do_not_move_the_date(tmp_path: Path) -> None:
    repo = repository(tmp_path / "kb", "2024-03-15T12:00:00+00:00")
    (repo / "concepts" / "b.md").write_text("---\ntitle: B\n---\n", encoding="utf-8")
    assert kbdate.from_git(repo / "concepts") == D(2024, 3, 15)


def test_outside_a_repository_the_newest_review_counts(tmp_path: Path) -> None:
    reviews = [D(2023, 5, 1), D(2024, 2, 29), D(2022, 1, 1)]
    found = kbdate.knowledge_base_date(tmp_path, reviews, {})
    assert found == KbDate(D(2024, 2, 29), FROM_REVIEWS)


def test_a_repository_without_commits_falls_back(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert kbdate.from_git(tmp_path) is None
    found = kbdate.knowledge_base_date(tmp_path, [D(2024, 1, 2)], {})
    assert found == KbDate(D(2024, 1, 2), FROM_REVIEWS)


def test_without_git_the_newest_review_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repository(tmp_path / "kb", "2024-03-15T12:00:00+00:00")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert kbdate.from_git(repo) is None
    found = kbdate.knowledge_base_date(repo, [D(2023, 1, 1)], {})
    assert found == KbDate(D(2023, 1, 1), FROM_REVIEWS)


def test_a_git_that_hangs_is_given_up_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    assert kbdate.from_git(tmp_path, timeout=0.2) is None


def test_no_date_at_all(tmp_path: Path) -> None:
    assert kbdate.knowledge_base_date(tmp_path, [], {}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", D(2024, 2, 29)),
        ("2023-02-29", None),
        ("2024-1-2", None),
        ("20240102", None),
        ("2024-01-02T00:00:00", None),
        ("\uff12\uff10\uff12\uff14-01-02", None),  # fullwidth digits
        (20240102, None),
        (None, None),
    ],
)
def test_parse_date(text: object, expected: D | None) -> None:
    assert kbdate.parse_date(text) == expected


@pytest.mark.parametrize(
    ("date", "months", "expected"),
    [
        (D(2026, 12, 2), 12, D(2025, 12, 2)),
        (D(2026, 3, 31), 1, D(2026, 2, 28)),
        (D(2024, 3, 31), 1, D(2024, 2, 29)),
        (D(2026, 1, 15), 1, D(2025, 12, 15)),
        (D(2026, 1, 15), 0, D(2026, 1, 15)),
        (D(2026, 5, 31), 25, D(2024, 4, 30)),
    ],
)
def test_months_before(date: D, months: int, expected: D) -> None:
    assert kbdate.months_before(date, months) == expected
