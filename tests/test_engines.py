"""The same knowledge base on MkDocs, ProperDocs and Zensical: nothing lost on any.

MkDocs and ProperDocs (the maintained MkDocs 1.x fork) run the plugin; Zensical, which
drops MkDocs plugins, builds the tree `conceptkb generate` writes. For this
repository and the Kubernetes glossary, the three sites must hold the same files (the
engines' own search index, sitemap and 404 page aside), show the same concept pages
(title, summary, aliases, relations, references, body and every link with its titles),
find every alias through the engine's own search index, and pass `conceptkb
check-site`. Building the original mkdocs.yml with Zensical, or a generated tree whose
sources changed since, fails with one clear line. Each engine runs from its own pinned
environment (`make engines`).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup

from conceptkb import cli, mkdocsyml

from .conftest import K8S_CATEGORIES
from .test_head_tags import tags_of
from .test_plugin_build import SITEMAP

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "tests" / "fixtures" / "kubernetes-glossary"
ENGINE_OWN = ("search/", "search.json", "sitemap.xml", "sitemap.xml.gz", "404.html")
ENGINES = ("mkdocs", "properdocs", "zensical")

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
    """Every page, redirect, export and conceptkb asset: the engine's own files (its
    theme's assets, search index, sitemap and 404 page) aside."""
    found = set()
    for path in site.rglob("*"):
        name = path.relative_to(site).as_posix()
        theme_asset = name.startswith("assets/") and not name.startswith("assets/conceptkb/")
        if path.is_file() and not name.startswith(ENGINE_OWN) and not theme_asset:
            found.add(name)
    return found


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


@dataclass
class Built:
    project: Path
    sites: dict[str, Path]


def _build_all(source: Path, tmp: Path) -> Built:
    project = copy_site(source, tmp / "kb")
    sites = {}
    for name, command in (
        ("mkdocs", [str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict", "-d", "mk"]),
        ("properdocs", [str(engine("properdocs", "properdocs")), "build", "--strict", "-d", "pd"]),
    ):
        result = build(command, project)
        assert result.returncode == 0, result.stderr[-3000:]
        sites[name] = project / command[-1]
    generated = build([str(engine("zensical", "conceptkb")), "generate"], project)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    zensical = [str(engine("zensical", "zensical")), "build", "-f", "mkdocs.generated.yml"]
    result = build(zensical, project)
    assert result.returncode == 0, result.stdout + result.stderr
    sites["zensical"] = project / "site"
    return Built(project, sites)


@pytest.fixture(scope="module", params=[ROOT, K8S], ids=["this-repository", "kubernetes-glossary"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build_all(request.param, tmp_path_factory.mktemp("engines"))


def shown(page: Path) -> dict[str, object] | None:
    """What a reader gets from a concept page: its text and every link in it."""
    concept = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
        ".ck-concept"
    )
    if concept is None:
        return None
    for permalink in concept.select(".headerlink"):
        permalink.decompose()  # the engine's table of contents adds these to headings
    return {
        "text": " ".join(concept.get_text(" ").split()),
        "links": [
            (
                a.get("href"),
                a.get("title"),
                a.get("data-ck-summary"),  # what summaries.js shows on focus and tap
                [s.get("title") for s in a.select("span")],  # the hover tooltip of a concept link
                a.get_text(),
            )
            for a in concept.select("a")
        ],
        "sections": [h.get("id") for h in concept.select("h2[id^=ck-]")],
    }


def concept_pages(site: Path) -> dict[str, dict[str, object]]:
    pages = {}
    for page in sorted(site.glob("concepts/*/index.html")):
        content = shown(page)
        if content is not None:
            pages[page.parent.name] = content
    return pages


def search_texts(site: Path) -> dict[str, str]:
    """Page URL -> every title and text the engine's own search index holds for it."""
    material = site / "search" / "search_index.json"
    data = json.loads((material if material.is_file() else site / "search.json").read_text())
    texts: dict[str, str] = {}
    for entry in data.get("docs") or data.get("items") or []:
        url = str(entry["location"]).split("#", 1)[0]
        words = html.unescape(re.sub(r"<[^>]*>", " ", f"{entry['title']} {entry['text']}"))
        texts[url] = texts.get(url, "") + " " + " ".join(words.split())
    return texts


def test_three_engines_build_the_same_files(built: Built) -> None:
    expected = files(built.sites["mkdocs"])
    assert any(f.startswith("concepts/") for f in expected)
    for name in ENGINES[1:]:
        assert files(built.sites[name]) == expected, name


def test_three_engines_show_the_same_concept_pages(built: Built) -> None:
    pages = concept_pages(built.sites["mkdocs"])
    assert len(pages) == len(list((built.project / "concepts").glob("*.md")))
    for name in ENGINES[1:]:
        other = concept_pages(built.sites[name])
        assert other.keys() == pages.keys(), name
        for concept_id, content in pages.items():
            assert other[concept_id] == content, f"{name}: {concept_id}"


def test_three_engines_give_the_same_head_tags(built: Built) -> None:
    """Canonical link, description, OpenGraph and Twitter card: each once (Zensical's
    come through the theme override `conceptkb generate` writes), the same everywhere."""
    ids = sorted(path.stem for path in (built.project / "concepts").glob("*.md"))
    pages = ["concepts/index.html", *(f"concepts/{concept_id}/index.html" for concept_id in ids)]
    expected = {path: tags_of((built.sites["mkdocs"] / path).read_text("utf-8")) for path in pages}
    assert all(tags["og:title"] and tags["twitter:card"] for tags in expected.values())
    has_site_url = bool(mkdocsyml.load(built.project / "mkdocs.yml").get("site_url"))
    assert all(("canonical" in tags) == has_site_url for tags in expected.values())
    for name in ENGINES[1:]:
        for path in pages:
            assert tags_of((built.sites[name] / path).read_text("utf-8")) == expected[path], (
                name,
                path,
            )


def test_every_engine_lists_every_concept_page_in_its_sitemap(built: Built) -> None:
    site_url = mkdocsyml.load(built.project / "mkdocs.yml").get("site_url")
    if not site_url:
        pytest.skip("a sitemap lists absolute URLs: this site has no site_url")
    ids = [path.stem for path in (built.project / "concepts").glob("*.md")]
    wanted = {urljoin(site_url, f"concepts/{concept_id}/") for concept_id in ids}
    for name in ENGINES:
        sitemap = ElementTree.parse(built.sites[name] / "sitemap.xml")
        listed = {loc.text for loc in sitemap.iter(f"{{{SITEMAP}}}loc")}
        assert wanted <= listed, (name, sorted(wanted - listed)[:5])


def test_every_engine_finds_aliases_in_its_own_search_index(built: Built) -> None:
    concepts = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        for path in sorted((built.project / "concepts").glob("*.md"))
    }
    with_aliases = {k: c for k, c in concepts.items() if c.get("aliases")}
    assert with_aliases
    for name in ENGINES:
        texts = search_texts(built.sites[name])
        for concept_id, concept in with_aliases.items():
            url = f"concepts/{concept_id}/"
            for alias in concept["aliases"]:
                assert " ".join(alias.split()) in texts.get(url, ""), (name, url, alias)


@pytest.mark.parametrize("name", ENGINES)
def test_check_site_passes_on_every_engine(
    built: Built, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check_site(built.project, built.sites[name], capsys)
    assert out.startswith("0 problems"), out


def test_zensical_stops_on_a_stale_tree_with_one_line(tmp_path: Path) -> None:
    project = copy_site(ROOT, tmp_path / "kb")
    generated = build([str(engine("zensical", "conceptkb")), "generate"], project)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    lora = project / "concepts" / "lora.md"
    lora.write_text(lora.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    zensical = [str(engine("zensical", "zensical")), "build", "-f", "mkdocs.generated.yml"]
    result = build(zensical, project)
    assert result.returncode != 0
    said = [line for line in (result.stdout + result.stderr).splitlines() if "conceptkb" in line]
    assert len(said) == 1, result.stdout + result.stderr
    assert "out of date" in said[0] and "conceptkb generate" in said[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_zensical_refuses_to_build_a_site_without_its_concept_pages(tmp_path: Path) -> None:
    project = copy_site(ROOT, tmp_path / "kb")
    result = build([str(engine("zensical", "zensical")), "build"], project)
    assert result.returncode != 0
    said = [line for line in (result.stdout + result.stderr).splitlines() if "conceptkb" in line]
    assert len(said) == 1, result.stdout + result.stderr
    assert "does not run the conceptkb plugin" in said[0]
    assert "conceptkb generate" in said[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert not list((project / "site").glob("concepts/*/index.html"))
