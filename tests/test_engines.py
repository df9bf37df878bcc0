"""The same knowledge base on MkDocs, ProperDocs and Zensical: nothing lost on any.

ProperDocs (the maintained MkDocs 1.x fork) runs the plugin: its site must hold the
same files as MkDocs' (the engines' own search index, sitemap and 404 page aside),
the same concept pages, and pass `conceptkb check-site`. Zensical drops MkDocs plugins
without a word: building this repository's mkdocs.yml with it must fail with one clear
line instead of publishing a site without its concept pages. Each engine runs from its
own pinned environment (`make engines`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conceptkb import cli

from .conftest import K8S_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "tests" / "fixtures" / "kubernetes-glossary"
ENGINE_OWN = ("search/", "sitemap.xml", "sitemap.xml.gz", "404.html")

pytestmark = pytest.mark.slow


def engine(name: str, command: str) -> Path:
    path = ROOT / f".venv-{name}" / "bin" / command
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make engines` (make test does)", pytrace=False)
    return path


def copy_site(source: Path, target: Path) -> Path:
    """The files an engine builds from: config, docs and concepts."""
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "concepts"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).is_file():
            shutil.copy2(source / name, target / name)
    if not (target / "mkdocs.yml").exists():  # the glossary fixture: as its tests build it
        config = {
            "site_name": "Kubernetes glossary",
            "theme": {"name": "material", "features": ["content.tooltips"]},
            "plugins": [
                "search",
                {"conceptkb": {"categories": K8S_CATEGORIES, "severity": {"CK3": "off"}}},
            ],
        }
        (target / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        (target / "docs").mkdir()
        (target / "docs" / "index.md").write_text("# Glossary\n", encoding="utf-8")
    return target


def build(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def files(site: Path) -> set[str]:
    return {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and not p.relative_to(site).as_posix().startswith(ENGINE_OWN)
    }


def concept_pages(site: Path) -> dict[str, str]:
    pages = {}
    for page in sorted(site.glob("concepts/*/index.html")):
        concept = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
            ".ck-concept"
        )
        if concept is not None:
            pages[page.parent.name] = " ".join(concept.get_text(" ").split())
    return pages


def check_site(project: Path, site: Path, capsys: pytest.CaptureFixture[str]) -> str:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        code = cli.main(["check-site", str(site)])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert code == 0, out
    return out


@pytest.mark.parametrize("source", [ROOT, K8S], ids=["this-repository", "kubernetes-glossary"])
def test_properdocs_builds_the_same_site_as_mkdocs(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site(source, tmp_path / "kb")
    mkdocs = build(
        [str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict", "-d", "mk"], project
    )
    assert mkdocs.returncode == 0, mkdocs.stderr[-3000:]
    proper = build(
        [str(engine("properdocs", "properdocs")), "build", "--strict", "-d", "pd"], project
    )
    assert proper.returncode == 0, proper.stderr[-3000:]
    assert files(project / "pd") == files(project / "mk")
    pages = concept_pages(project / "mk")
    assert len(pages) == len(list((project / "concepts").glob("*.md")))
    assert concept_pages(project / "pd") == pages
    check_site(project, project / "pd", capsys)


def test_zensical_refuses_to_build_a_site_without_its_concept_pages(tmp_path: Path) -> None:
    project = copy_site(ROOT, tmp_path / "kb")
    result = build([str(engine("zensical", "zensical")), "build"], project)
    assert result.returncode != 0
    said = [line for line in (result.stdout + result.stderr).splitlines() if "conceptkb" in line]
    assert len(said) == 1, result.stdout + result.stderr
    assert "does not run the conceptkb plugin" in said[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert not list((project / "site").glob("concepts/*/index.html"))
