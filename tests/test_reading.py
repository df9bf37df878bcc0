"""Reading a concept file: what the file holds when it is read, never more than the limit
allows, whatever size the file had when it was looked at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conceptkb.frontmatter import LoadResult, read_text
from conceptkb.rules import FILE_TOO_LARGE

TEXT = "---\nid: x\n---\nBody.\n"


def _stale_size(monkeypatch: pytest.MonkeyPatch, size: int) -> list[int]:
    """Make the size the reader looks at (``fstat`` of the open file) ``size`` bytes, as if
    the file grew after it was looked at. Returns the descriptors looked at."""
    real = os.fstat
    looked: list[int] = []

    def fstat(descriptor: int) -> os.stat_result:
        info = list(real(descriptor))
        info[6] = size  # st_size
        looked.append(descriptor)
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", fstat)
    return looked


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text(TEXT, encoding="utf-8")
    assert read_text(path, "x.md", 1_000, tmp_path) == TEXT


@pytest.mark.parametrize("size", [0, 1, len(TEXT) - 1])
def test_a_file_that_grew_since_it_was_looked_at_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    path = tmp_path / "x.md"
    path.write_text(TEXT, encoding="utf-8")
    looked = _stale_size(monkeypatch, size)
    assert read_text(path, "x.md", 1_000, tmp_path) == TEXT
    assert looked  # the stale size was the one read


def test_a_file_that_grew_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.md"
    path.write_text(TEXT + "x" * 100, encoding="utf-8")
    looked = _stale_size(monkeypatch, 10)
    result = read_text(path, "x.md", 50, tmp_path)
    assert looked
    assert isinstance(result, LoadResult)
    assert [f.code for f in result.findings] == [FILE_TOO_LARGE]
    assert "over the limit of 50 bytes" in result.findings[0].message


def test_short_reads_still_give_the_whole_file_and_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read may return fewer bytes than asked for (a pipe, a network file system):
    the file is read on until its end or one byte over the limit."""
    real = os.read

    def short(descriptor: int, size: int) -> bytes:
        return real(descriptor, min(size, 3))

    monkeypatch.setattr(os, "read", short)
    path = tmp_path / "x.md"
    path.write_text(TEXT, encoding="utf-8")
    assert read_text(path, "x.md", 1_000, tmp_path) == TEXT
    big = tmp_path / "big.md"
    big.write_text(TEXT + "x" * 100, encoding="utf-8")
    result = read_text(big, "big.md", 50, tmp_path)
    assert isinstance(result, LoadResult)
    assert [f.code for f in result.findings] == [FILE_TOO_LARGE]
