"""Giving freed memory back to the system before the search index is written."""

from __future__ import annotations

import sys

import pytest

from conceptkb.mkdocs_plugin import heap

from .conftest import resident_bytes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    # Chunks of a page's content size come from the C library's heap, not from pages
    # mapped for each one: freed, they stay in the process until trimmed. Every other
    # chunk stays alive, so the heap cannot shrink from its top alone.
    chunks = [bytes(12_000) for _ in range(8_000)]  # zeroed when made: resident
    kept = chunks[::2]
    del chunks
    before = resident_bytes() // 1024
    assert heap.give_back()
    after = resident_bytes() // 1024
    assert before - after > 20_000, (before, after)  # about 46 MiB were freed
    assert len(kept) == 4_000
