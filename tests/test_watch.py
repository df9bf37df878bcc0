"""Under ``serve``, the concepts folder is watched with the system's notifications
(conceptkb.mkdocs_plugin.watch): MkDocs' own server rebuilds on a change to a concept
file, at once, and not when files are only read; where no native watch can be had, the
server polls the folder as it polls everything else."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.api import BaseObserver

from conceptkb.mkdocs_plugin import watch

from .conftest import Project, own_plugin_instance
from .test_workflow import free_port

native_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="inotify is the native watch these tests expect"
)


class Session:
    """MkDocs' live-reload server, serving in a thread, counting its rebuilds."""

    def __init__(self, root: Path) -> None:
        self.rebuilds = 0
        self.rebuilt = threading.Event()
        self.server = LiveReloadServer(
            builder=self._build, host="127.0.0.1", port=free_port(), root=str(root)
        )
        self.observer: BaseObserver | None = None
        self.serving = False

    def _build(self) -> None:
        self.rebuilds += 1
        self.rebuilt.set()

    def start(self) -> None:
        self.serving = True
        threading.Thread(target=self.server.serve, daemon=True).start()
        time.sleep(0.3)  # serving: its build loop waits for changes

    def rebuilt_within(self, seconds: float) -> bool:
        done = self.rebuilt.wait(seconds)
        self.rebuilt.clear()
        return done


@pytest.fixture
def concepts(tmp_path: Path) -> Path:
    folder = tmp_path / "concepts"
    folder.mkdir()
    (folder / "lora.md").write_text("---\ntitle: LoRA\n---\n", encoding="utf-8")
    (tmp_path / "site").mkdir()
    return folder


@pytest.fixture
def session(concepts: Path) -> Iterator[Session]:
    running = Session(concepts.parent / "site")
    try:
        yield running
    finally:
        if running.serving:
            running.server.shutdown(wait=True)
        else:
            running.server.server_close()
        watch.stop(running.observer)


@native_only
def test_a_saved_concept_rebuilds_at_once_and_a_read_one_does_not(
    concepts: Path, session: Session
) -> None:
    polling = session.server.observer
    session.observer = watch.watch(session.server, concepts)
    assert session.observer is not None and session.observer.is_alive()
    assert session.server.observer is polling  # the server's own, for the rest
    assert polling.emitters == set()  # nothing polls the concepts folder
    session.start()

    (concepts / "lora.md").read_text(encoding="utf-8")  # as each rebuild reads it
    assert not session.rebuilt_within(1.0)

    saved = time.monotonic()
    (concepts / "lora.md").write_text("---\ntitle: LoRA!\n---\n", encoding="utf-8")
    assert session.rebuilt_within(5.0)
    # Without polling's half-second: the server's 0.1 s wait for the writes to settle.
    assert time.monotonic() - saved < 0.45

    (concepts / "qlora.md").write_text("---\ntitle: QLoRA\n---\n", encoding="utf-8")
    assert session.rebuilt_within(5.0)
    (concepts / "qlora.md").rename(concepts / "q-lora.md")
    assert session.rebuilt_within(5.0)
    (concepts / "q-lora.md").unlink()
    assert session.rebuilt_within(5.0)
    (concepts / "drafts").mkdir()
    (concepts / "drafts" / "dora.md").write_text("---\ntitle: DoRA\n---\n", encoding="utf-8")
    assert session.rebuilt_within(5.0)

    observer = session.observer
    watch.stop(observer)
    session.observer = None
    assert not observer.is_alive()


@pytest.mark.parametrize("why", ["refused", "serve_polling"])
def test_without_a_native_watch_the_server_polls_the_folder(
    concepts: Path, session: Session, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    def refused() -> BaseObserver:
        raise OSError(24, "inotify instance limit reached")

    if why == "refused":
        monkeypatch.setattr(watch, "Observer", refused)
    session.observer = watch.watch(session.server, concepts, native=why == "refused")
    assert session.observer is None
    assert [e.watch.path for e in session.server.observer.emitters] == [str(concepts)]
    session.start()
    (concepts / "lora.md").write_text("---\ntitle: LoRA!\n---\n", encoding="utf-8")
    assert session.rebuilt_within(5.0)


@native_only
def test_a_folder_the_server_already_watches_is_left_to_it(
    concepts: Path, session: Session
) -> None:
    session.server.watch(str(concepts))  # e.g. the concepts folder is docs/ itself
    session.observer = watch.watch(session.server, concepts)
    assert session.observer is None
    assert [e.watch.path for e in session.server.observer.emitters] == [str(concepts)]


@pytest.mark.parametrize("polling", [False, True])
def test_the_plugin_watches_the_concepts_folder_for_its_session(
    small_kb: Project, tmp_path: Path, polling: bool
) -> None:
    """``serve_polling: true`` leaves the folder to the server's polling; otherwise the
    plugin's observer watches it until the session ends."""
    small_kb.config(plugin={"serve_polling": True} if polling else {})
    with own_plugin_instance():  # this session's, and no other test's
        _serve_and_stop(small_kb, tmp_path, polling=polling)


def _serve_and_stop(small_kb: Project, tmp_path: Path, *, polling: bool) -> None:
    config = load_config(str(small_kb.root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin: Any = config.plugins["conceptkb"]
    config.plugins.on_startup(command="serve", dirty=True)
    config.plugins.run_event("config", config)
    server = LiveReloadServer(
        builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path)
    )
    try:
        config.plugins.on_serve(server, config=config, builder=lambda: None)
        polled = [e.watch.path for e in server.observer.emitters]
        observer = plugin._observer
        if polling or not sys.platform.startswith("linux"):
            assert observer is None
            assert polled == [str(small_kb.concepts)]
        else:
            assert observer is not None and observer.is_alive() and polled == []
        config.plugins.on_shutdown()
        assert plugin._observer is None
        assert observer is None or not observer.is_alive()
    finally:
        server.server_close()
