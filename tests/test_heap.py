"""Giving freed memory back to the system before the search index is written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conceptkb.mkdocs_plugin import heap


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    # Chunks of a page's content size come from the C library's heap, not from pages
    # mapped for each one: freed, they stay in the process until trimmed. Every other
    # chunk stays alive, so the heap cannot shrink from its top alone.
    chunks = [bytes(12_000) for _ in range(8_000)]  # zeroed when made: resident
    kept = chunks[::2]
    del chunks
    before = _rss_kib()
    assert heap.give_back()
    after = _rss_kib()
    assert before - after > 20_000, (before, after)  # about 46 MiB were freed
    assert len(kept) == 4_000
