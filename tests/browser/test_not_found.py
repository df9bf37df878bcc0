"""The 404 page suggests the concepts closest to the address asked for, in Chromium.

A server answers unknown paths with the site's 404.html, as GitHub Pages does; the
sites are built by MkDocs and Zensical, at the root and under a sub-path, with and
without directory URLs. Expected values come from the concept files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Tab, TabFactory, serve
from tests.browser.test_reader import concepts
from tests.conftest import Project, write_small_kb
from tests.test_engines import build as run_engine
from tests.test_engines import engine

pytestmark = pytest.mark.browser

SUB_PATH_SITE_URL = "https://kb.example.org/sub/"


def not_found(tab: Tab, path: str) -> Page:
    """Open an unknown path: the server answers 404 with the site's 404 page."""
    response = tab.page.goto(tab.url(path), wait_until="networkidle")
    assert response is not None and response.status == 404, path
    return tab.page


def suggestions(page: Page) -> list[tuple[str, str, str]]:
    """(title, href, text) of every suggested concept, in order."""
    expect(page.locator(".ck-suggest li").first).to_be_visible()
    found: list[tuple[str, str, str]] = page.eval_on_selector_all(
        ".ck-suggest li",
        "items => items.map(li => [li.querySelector('a').textContent,"
        " li.querySelector('a').href, li.textContent])",
    )
    return found


def assert_only_the_page_failed(tab: Tab, path: str) -> None:
    """No console error, no failed request but the 404 page itself, nothing external."""
    asked = tab.url(path)
    assert [f for f in tab.failures if not f.endswith(" " + asked)] == []
    assert [e for e in tab.console_errors if "404" not in e or asked not in e] == []
    assert tab.external == []


@pytest.mark.parametrize("path", ["concepts/lroa/", "concepts/low-rank/"])
def test_the_404_page_suggests_the_closest_concepts(
    open_tab: TabFactory, site_url: str, path: str
) -> None:
    tab = open_tab(site_url)
    page = not_found(tab, path)
    found = suggestions(page)
    lora = concepts()["lora"]
    assert 1 <= len(found) <= 5
    title, href, text = found[0]
    assert (title, href) == (lora["title"], tab.url("concepts/lora/"))
    assert text == f"{lora['title']}: {lora['summary']}"
    # The heading of the engine's own 404 page is still there, above the suggestions.
    expect(page.locator("article h1").first).to_contain_text("404")
    assert_only_the_page_failed(tab, path)


def test_a_path_like_no_concept_gets_no_suggestions(open_tab: TabFactory, site_url: str) -> None:
    tab = open_tab(site_url)
    page = not_found(tab, "concepts/zzzzqqqq/")
    expect(page.locator("article h1").first).to_contain_text("404")
    expect(page.locator(".ck-suggest")).to_have_count(0)
    assert_only_the_page_failed(tab, "concepts/zzzzqqqq/")


def test_other_pages_get_no_suggestions(open_tab: TabFactory, site_url: str) -> None:
    tab = open_tab(site_url)
    page = tab.open("concepts/lora/", quiet=True)
    expect(page.locator(".ck-suggest")).to_have_count(0)
    assert not any(url.endswith("/concepts.json") for url in tab.requests)
    tab.assert_clean()


@pytest.fixture(scope="module")
def sub_path_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The small knowledge base under a sub-path site_url: built by MkDocs without
    directory URLs, and by Zensical (from `conceptkb generate`) with them; each served
    under /sub/ of its own server."""
    tmp = tmp_path_factory.mktemp("not-found")
    project = Project(tmp / "kb")
    write_small_kb(project)
    project.write("docs/index.md", "# Home\n")
    project.config(site_url=SUB_PATH_SITE_URL, use_directory_urls=False)
    built = project.build(site_dir=tmp / "mkdocs" / "sub")
    assert built.ok, built.error + built.log
    project.config(site_url=SUB_PATH_SITE_URL)
    generated = run_engine([str(engine("zensical", "conceptkb")), "generate"], project.root)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    zensical = [str(engine("zensical", "zensical")), "build", "-f", "mkdocs.generated.yml"]
    result = run_engine(zensical, project.root)
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.move(project.root / "site", tmp / "zensical" / "sub")
    with serve(tmp / "mkdocs") as mkdocs_url, serve(tmp / "zensical") as zensical_url:
        yield {"mkdocs": mkdocs_url + "sub/", "zensical": zensical_url + "sub/"}


@pytest.mark.parametrize(
    ("engine_name", "path", "target"),
    [
        ("mkdocs", "concepts/lroa.html", "concepts/lora.html"),
        ("mkdocs", "concepts/low-rank/index.html", "concepts/lora.html"),
        ("zensical", "concepts/lroa/", "concepts/lora/"),
        ("zensical", "concepts/Low-Rank", "concepts/lora/"),
    ],
)
def test_suggestions_under_a_sub_path_on_each_engine(
    open_tab: TabFactory,
    sub_path_sites: dict[str, str],
    engine_name: str,
    path: str,
    target: str,
) -> None:
    tab = open_tab(sub_path_sites[engine_name])
    page = not_found(tab, path)
    title, href, _ = suggestions(page)[0]
    assert (title, href) == ("LoRA", tab.url(target))
    page.locator(".ck-suggest a").first.click()
    expect(page).to_have_url(tab.url(target))
    expect(page.locator(".ck-concept h1")).to_have_text("LoRA")
    assert_only_the_page_failed(tab, path)
