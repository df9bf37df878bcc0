"""Rendering is bounded: a page that recurses too deeply or renders too long becomes
a CK207 finding that names the file, never a traceback or a hang."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mkdocs.exceptions import PluginError

from conceptkb.bounded import RenderTimeout, render_budget, time_limit
from conceptkb.frontmatter import Document
from conceptkb.mkdocs_plugin.plugin import _bounded
from conceptkb.model import Concept


def _concept() -> Concept:
    document = Document(path="concepts/deep.md", data={}, yaml_text="", body="x\n", body_line=9)
    return Concept(
        id="deep",
        path="concepts/deep.md",
        document=document,
        title="Deep",
        summary="Deep.",
        category="concept",
    )


def test_recursion_in_a_render_becomes_a_finding() -> None:
    def render(config: Any, files: Any) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(PluginError, match=r"^concepts/deep\.md:9: CK207 .*nests too deeply"):
        _bounded(render, _concept())(None, None)


def test_a_render_past_its_budget_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conceptkb.mkdocs_plugin.plugin.render_budget", lambda n: 0.2)

    def render(config: Any, files: Any) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pass

    started = time.monotonic()
    with pytest.raises(PluginError, match=r"^concepts/deep\.md:9: CK207 rendering took more"):
        _bounded(render, _concept())(None, None)
    assert time.monotonic() - started < 5


def test_the_timer_is_cleared_after_the_block() -> None:
    with time_limit(0.2):
        pass
    time.sleep(0.3)  # a timer left running would raise here


def test_time_limit_raises_in_the_block() -> None:
    with pytest.raises(RenderTimeout), time_limit(0.1):
        time.sleep(2)


def test_the_budget_grows_with_the_body() -> None:
    assert render_budget(0) == pytest.approx(2.0)
    assert render_budget(1_000_000) == pytest.approx(12.0)
