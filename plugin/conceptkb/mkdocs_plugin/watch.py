"""Watching the concepts folder under ``serve``.

MkDocs' server polls what it watches: every half second it lists each watched folder
and reads the status of every file in it. For a folder of 5,000 concepts that is about
60 ms of CPU each time on a 2-core machine, in the interpreter that also builds: a
rebuild at N = 5,000 shares it with about eight such scans, and a save waits up to half
a second more to be noticed. The operating system's notifications (inotify, FSEvents,
ReadDirectoryChangesW, through watchdog's native observer) cost nothing while nothing
changes and report a save at once.

The concepts folder is watched with the server's own handler, the one it gives every
path it watches (a change asks the server to rebuild): :meth:`LiveReloadServer.watch`
schedules it on the server's ``observer``, which for that one call is a native
observer. Where there is none, or the system refuses another watch (inotify's limits),
or the server does not schedule through ``observer``, the folder is polled as before;
and where the system gives a watch but no notifications (some network, virtual machine
and container mounts: a save would never show), the ``serve_polling`` option polls it.
Only changes to content are reported: a native observer also reports files being
opened and read, which each rebuild does to every concept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver, PollingObserverVFS

CHANGES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,  # closed after writing
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
"""What a native observer reports: everything that changes a file's content, name or
presence, and nothing that only reads it."""


class _Scheduler:
    """Stands in for the server's observer while it schedules its handler: the watch
    goes to the native observer, for content changes only."""

    def __init__(self, native: BaseObserver) -> None:
        self.native = native
        self.scheduled = False

    def schedule(
        self, event_handler: FileSystemEventHandler, path: str, *, recursive: bool = False
    ) -> ObservedWatch:
        self.scheduled = True
        return self.native.schedule(event_handler, path, recursive=recursive, event_filter=CHANGES)


def watch(server: Any, path: str | os.PathLike[str], *, native: bool = True) -> BaseObserver | None:
    """Have ``server`` rebuild when anything under ``path`` changes, told by the
    system where it can (unless ``native`` is false: the ``serve_polling`` option);
    the native observer then running, to be stopped with the session (:func:`stop`),
    or None where the server's own polling watches it."""
    # Spelled as the server spells it: both schedules then share one watch.
    folder = os.path.abspath(os.fspath(path))  # noqa: PTH100
    observer = _native(folder) if native else None
    if observer is None:
        server.watch(folder)
        return None
    scheduler = _Scheduler(observer)
    polling, server.observer = server.observer, scheduler
    try:
        server.watch(folder)
    finally:
        server.observer = polling
    if not scheduler.scheduled:  # the server watched it some other way
        stop(observer)
        return None
    return observer


def _native(folder: str) -> BaseObserver | None:
    """A started native observer already watching ``folder`` (with a handler that
    does nothing: the server's is added to the same watch), or None."""
    if not Path(folder).is_dir():
        return None
    try:
        native = Observer()
    except OSError:  # e.g. inotify's limit on instances reached
        return None
    if isinstance(native, (PollingObserver, PollingObserverVFS)):
        return None  # watchdog knows nothing native here: the server polls it
    try:
        native.start()
        native.schedule(FileSystemEventHandler(), folder, recursive=True, event_filter=CHANGES)
    except OSError:  # e.g. inotify's limit on watches reached
        stop(native)
        return None
    return native


def stop(observer: BaseObserver | None) -> None:
    """Stop an observer from :func:`watch`, started or not, and its threads."""
    if observer is not None:
        observer.stop()
        if observer.ident is not None:  # it was started
            observer.join(timeout=5)
