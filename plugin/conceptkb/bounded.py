"""A time limit for one page's rendering.

The body limits (:mod:`conceptkb.limits`) keep every shape Python-Markdown handles
slowly out of the build; this is the second line: a render that still runs past its
budget is stopped and reported (CK207) instead of holding a build or a ``serve``
rebuild for minutes. It uses an interval timer, which only the main thread can set;
elsewhere (MkDocs rebuilds in a worker thread under ``serve``) only the body limits
apply.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

BASE_SECONDS = 2.0
CHARACTERS_PER_SECOND = 100_000
"""Python-Markdown renders plain prose at about 200,000 characters per CPU second on
this project's reference machine (2 cores); the budget allows half that speed."""


def render_budget(characters: int) -> float:
    """Seconds a page of ``characters`` may take to render: 2 s plus 1 s per 100,000
    characters (12 s for a 1 MB body, the default file size limit)."""
    return BASE_SECONDS + characters / CHARACTERS_PER_SECOND


class RenderTimeout(Exception):
    """Rendering took longer than its budget."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`RenderTimeout` in the block once ``seconds`` have passed."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise RenderTimeout(f"rendering took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
