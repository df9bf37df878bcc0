"""A serve session's memo: results kept by the values they come from, for one build."""

from __future__ import annotations

import pytest

from conceptkb.memo import Memo, SessionMemo, cached


def test_a_result_is_computed_once_per_key_and_kept_while_used() -> None:
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = SessionMemo()
    kept = memo.of(upper)
    assert memo.of(upper) is kept
    assert [kept("a"), kept("b"), kept("a")] == ["A", "B", "A"]
    memo.next_build()
    assert kept("a") == "A"  # kept from the build before
    memo.next_build()
    assert kept("a") == "A"
    assert kept("b") == "B"  # the build before did not use it: computed again
    assert calls == ["a", "b", "b"]


def test_memory_holds_at_most_two_builds() -> None:
    memo: Memo[int, int] = Memo(lambda n: n * n)
    for build in range(5):
        memo.next_build()
        for n in range(build * 10, build * 10 + 10):
            memo(n)
    assert len(memo) == 20


def test_a_table_computes_from_more_than_its_key() -> None:
    memo = SessionMemo()
    table = memo.table("t")
    assert memo.table("t") is table
    assert table.get(("k", 2), lambda key: key[1] * 3) == 6
    assert table.get(("k", 2), lambda key: -1) == 6


def test_without_a_session_the_function_itself() -> None:
    assert cached(None, str.upper) is str.upper
    assert cached(SessionMemo(), str.upper)("x") == "X"


def test_a_bound_method_is_refused() -> None:
    """Each object's bound method is a key of its own: its results would never be found
    again, and the memo would keep every object it was made from."""
    memo = SessionMemo()
    with pytest.raises(TypeError, match="bound method"):
        memo.of(Memo(str.upper).__call__)
