"""Results of pure functions kept for one session of rebuilds (``mkdocs serve``).

A rebuild after an edit recomputes what the site shows of every concept, though one
file changed: the exports' text of each body, each page's digest. The lint's read cache
hands back the same objects for files that did not change, so a result computed from
them can be kept. :class:`SessionMemo` keeps the results of the functions it is asked
for, keyed by the *values* they were computed from (a changed value is a different
key, so a kept result is never stale); looking a key up again is cheap when it is the
same object as last time (a string caches its hash, and a dictionary compares by
identity first). A concept is never changed once read, so a result computed from it
can be keyed by the object itself (:class:`Same`) with the other values it depends on.

Only what the last build and the current one used is kept: memory stays bounded by
one build's worth. A build that keeps nothing (``mkdocs build``) passes no memo, and
each function is simply called.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING: Any = object()


class Same:
    """A key part equal only to the very same object: for results computed from an
    object that never changes once made (a concept, once the lint has read it). The
    memo holds the object, so its identity is not reused while the result is kept."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value


class Memo(Generic[K, V]):
    """One function's results, by argument."""

    def __init__(self, function: Callable[[K], V] | None = None) -> None:
        self._function = function
        self._kept: dict[K, V] = {}
        self._used: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        assert self._function is not None, "a memo made without a function: use get()"
        return self.get(key, self._function)

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        """The result kept for ``key``, or ``compute(key)``."""
        value = self._used.get(key, _MISSING)
        if value is _MISSING:
            value = self._kept.pop(key, _MISSING)
            if value is _MISSING:
                value = compute(key)
            self._used[key] = value
        return value  # type: ignore[no-any-return]

    def next_build(self) -> None:
        """Keep what the build that ended used; forget the rest."""
        self._kept, self._used = self._used, {}

    def __len__(self) -> int:
        return len(self._used) + len(self._kept)


class SessionMemo:
    """The memos of one session, one per function."""

    def __init__(self) -> None:
        self._memos: dict[Callable[..., Any], Memo[Any, Any]] = {}
        self._tables: dict[str, Memo[Any, Any]] = {}

    def of(self, function: Callable[[K], V]) -> Callable[[K], V]:
        """``function`` (a module's function: a bound method would be another key for
        each object), with its results kept for the session."""
        if inspect.ismethod(function):
            raise TypeError(f"{function!r} is a bound method: use table() for it")
        memo = self._memos.get(function)
        if memo is None:
            memo = self._memos[function] = Memo(function)
        return memo

    def table(self, name: str) -> Memo[Any, Any]:
        """A memo for results that need more than their key to compute (see
        :meth:`Memo.get`); its key must hold every value the result depends on."""
        memo = self._tables.get(name)
        if memo is None:
            memo = self._tables[name] = Memo()
        return memo

    def next_build(self) -> None:
        """Call when a build starts: results the previous build did not use are let go."""
        for memo in [*self._memos.values(), *self._tables.values()]:
            memo.next_build()


def cached(memo: SessionMemo | None, function: Callable[[K], V]) -> Callable[[K], V]:
    """``function`` with its results kept in ``memo``, or itself when there is none."""
    return function if memo is None else memo.of(function)
