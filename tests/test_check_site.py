"""`conceptkb check-site`: a built site, whatever built it, against the knowledge base."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conceptkb import cli

from .conftest import Built, Project


def check(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check-site", str(site)])
    return code, capsys.readouterr().out


@pytest.fixture
def built(small_kb: Project, monkeypatch: pytest.MonkeyPatch) -> Built:
    small_kb.config()
    result = small_kb.build()
    assert result.ok, result.log
    monkeypatch.chdir(small_kb.root)
    return result


def test_a_whole_site_passes(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(built.site_dir, capsys)
    assert code == 0, out
    assert out.endswith("0 problems in the site built from 4 concepts\n")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_kind_of_damage_is_reported(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    site = built.site_dir
    shutil.rmtree(site / "concepts" / "peft")
    lora = site / "concepts" / "lora" / "index.html"
    _edit(lora, '<div class="ck-body">', '<div class="ck-body"><img src=x onerror=alert(1)>')
    _edit(lora, "</h1>", "</h1><p>See [[nowhere]].</p>")
    title = re.search(r'<h1 id="ck-title">([^<]*)</h1>', lora.read_text(encoding="utf-8"))
    assert title is not None
    _edit(lora, title.group(0), '<h1 id="ck-title">Something else</h1>')
    redirect = site / "concepts" / "low-rank-adapters" / "index.html"
    _edit(redirect, "url=../lora/", "url=../peft/")
    code, out = check(site, capsys)
    assert code == 1
    assert "concepts/peft/index.html: missing: the page of concept 'peft'" in out
    assert "concepts/lora/index.html: CK203 the body holds attribute onerror=" in out
    assert "concepts/lora/index.html: raw wikilink left in the text: '[[nowhere]]" in out
    assert "concepts/lora/index.html: the title " in out
    assert "concepts/low-rank-adapters/index.html: redirects to concepts/peft/" in out


def test_the_build_runs_the_same_check(small_kb: Project) -> None:
    """A wikilink with a label in a table row is split by the table: the build says so."""
    small_kb.config()
    small_kb.write("docs/index.md", "# Home\n\n| a | b |\n|---|---|\n| [[lora|the method]] | x |\n")
    result = small_kb.build(strict=False)
    assert not result.ok
    assert "check-site: index.html: raw wikilink left in the text" in result.log
