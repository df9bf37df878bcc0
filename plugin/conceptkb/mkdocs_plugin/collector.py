"""The garbage collector during a build.

While the pages render, what the build keeps to its end (the knowledge base, the site
model, the files) is set aside from the collector (``gc.freeze``): each full collection
would walk all of it again (about 7% of a build's CPU time at N = 1,000, no more
memory). It is given back at the end of the build, and when the build fails.

Under ``serve`` what is set aside also holds what the session keeps between rebuilds
and what the last rebuild dropped, which goes back to the oldest generation uncounted
when it is given back: no full collection would be due for it, and a session held each
rebuild's garbage (48 MiB over 90 rebuilds of a small site) until something else
triggered one. So a session collects once after each rebuild, where a rebuild at
N = 5,000 ran two full collections of everything the session holds.

That collection (0.2-0.4 CPU seconds at N = 5,000) is not part of showing the edit: the
server shows the rebuilt site only once the build has returned. It runs on a timer
once the server is idle, and at the start of the next rebuild if that comes first, so
that each rebuild's garbage is collected exactly once.
"""

from __future__ import annotations

import gc
import threading

IDLE = 0.5
"""Seconds after a rebuild before its collection: a browser reloads the page the
rebuild changed within them."""


class BuildCollector:
    """Sets a build's objects aside from the collector and, in a session, collects
    what each rebuild dropped when the server is idle."""

    def __init__(self, *, session: bool, idle: float | None = None) -> None:
        self._session = session
        self._idle = IDLE if idle is None else idle
        self._frozen = False
        self._due = False
        """Whether a rebuild's garbage still waits for its collection."""
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def hold(self) -> None:
        """Set everything alive aside until :meth:`release`; the collection a last
        rebuild left due runs first, or its garbage would be set aside with the rest."""
        self._cancel()
        self._collect_due()
        gc.freeze()
        self._frozen = True

    def release(self) -> None:
        """Give back what :meth:`hold` set aside; in a session, collect it when idle."""
        if not self._give_back() or not self._session:
            return
        with self._lock:
            self._due = True
        timer = threading.Timer(self._idle, self._collect_due)
        timer.daemon = True
        self._cancel()
        self._timer = timer
        timer.start()

    def close(self) -> None:
        """The session ends: give back what is set aside; nothing more is collected."""
        self._cancel()
        self._give_back()
        with self._lock:
            self._due = False

    def _give_back(self) -> bool:
        """Undo :meth:`hold`; whether there was anything to undo."""
        if not self._frozen:
            return False
        self._frozen = False
        gc.unfreeze()
        return True

    def _cancel(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _collect_due(self) -> None:
        """The one collection of a rebuild's garbage: on the timer's thread or at the
        next :meth:`hold`, whichever comes first (the other then finds nothing due)."""
        with self._lock:
            if self._due:
                self._due = False
                gc.collect()
