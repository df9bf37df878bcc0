"""Every internal link of the built site leads to a built file, and every fragment to an id.

The checker reads the HTML files of a site folder the way a static web server would
serve them: a directory URL is its ``index.html``, ``?query`` is ignored, and a
``#fragment`` must name an ``id`` (or ``<a name>``) in the target page. It reads
href, src and srcset attributes, meta refresh redirects and the URLs of the JSON-LD
blocks. External links (``http(s)``, ``mailto``, ...) are skipped, except absolute
URLs under the site's own ``site_url``, which must resolve like relative ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from bs4.element import Tag

from tests.conftest import ROOT, Built, Project

SUB_PATH_SITE_URL = "https://example.org/kb/"
_ORIGIN = "http://site.invalid"  # stands for the server; never contacted
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_JSON_LD_URL_KEYS = frozenset({"url", "@id", "inDefinedTermSet"})
_REFRESH = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


@dataclass
class LinkReport:
    """What the checker looked at and what it found wrong."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)


def _links(soup: BeautifulSoup) -> Iterator[tuple[str, str]]:
    """Every (attribute, URL) pair of a page: href, src, srcset, meta refresh, JSON-LD."""
    for element in soup.find_all(True):
        assert isinstance(element, Tag)
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if isinstance(value, str):
                yield attribute, value
        srcset = element.get("srcset")
        if isinstance(srcset, str):
            for candidate in srcset.split(","):
                if candidate.strip():
                    yield "srcset", candidate.split()[0]
        if str(element.get("http-equiv", "")).lower() == "refresh":
            match = _REFRESH.match(str(element.get("content", "")))
            if match:
                yield "refresh", match.group(1).strip()
        if element.name == "script" and element.get("type") == "application/ld+json":
            for url in _json_ld_urls(json.loads(element.get_text())):
                yield "ld+json", url


def _json_ld_urls(data: object) -> Iterator[str]:
    """The URL values of schema.org JSON-LD: url, @id and inDefinedTermSet."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _JSON_LD_URL_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _json_ld_urls(value)
    elif isinstance(data, list):
        for value in data:
            yield from _json_ld_urls(value)


class _Site:
    def __init__(self, site_dir: Path, site_url: str | None) -> None:
        self.site_dir = site_dir
        self.site_url = site_url.rstrip("/") + "/" if site_url else None
        self.mount = urlsplit(self.site_url).path if self.site_url else "/"
        self._soups: dict[Path, BeautifulSoup] = {}
        self._ids: dict[Path, set[str]] = {}

    def page_url(self, html_file: Path) -> str:
        """Where a static server serves the file (a directory URL for index.html)."""
        relative = html_file.relative_to(self.site_dir).as_posix()
        if relative == "index.html" or relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        return _ORIGIN + self.mount + relative

    def soup(self, html_file: Path) -> BeautifulSoup:
        """The parsed page; each file is parsed once."""
        if html_file not in self._soups:
            text = html_file.read_text(encoding="utf-8")
            self._soups[html_file] = BeautifulSoup(text, "html.parser")
        return self._soups[html_file]

    def ids(self, html_file: Path) -> set[str]:
        if html_file not in self._ids:
            soup = self.soup(html_file)
            found = {str(e["id"]) for e in soup.find_all(id=True) if isinstance(e, Tag)}
            found |= {str(e["name"]) for e in soup.find_all("a", attrs={"name": True})}
            self._ids[html_file] = found
        return self._ids[html_file]

    def internal(self, url: str) -> str | None:
        """The URL in this site's own terms, or None when it is external."""
        if self.site_url and url.startswith(self.site_url):
            return self.mount + url[len(self.site_url) :]
        if _EXTERNAL.match(url):
            return None
        return url

    def resolve(self, base: str, url: str) -> tuple[Path | None, str, str]:
        """(file or None, fragment, reason) for a link found on the page at ``base``."""
        parts = urlsplit(urljoin(base, url))
        path = unquote(parts.path)
        fragment = unquote(parts.fragment)
        if not path.startswith(self.mount):
            return None, fragment, f"leaves the site (resolves to {path})"
        relative = PurePosixPath(path[len(self.mount) :])
        if ".." in relative.parts:
            return None, fragment, f"leaves the site (resolves to {path})"
        target = self.site_dir.joinpath(*relative.parts)
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            shown = target.relative_to(self.site_dir).as_posix()
            return None, fragment, f"no such file: {shown}"
        return target, fragment, ""


def check_links(site_dir: Path, site_url: str | None = None) -> LinkReport:
    """Check every internal href/src/srcset/refresh URL and fragment of every HTML file."""
    site = _Site(site_dir, site_url)
    report = LinkReport()
    for html_file in sorted(site_dir.rglob("*.html")):
        source = html_file.relative_to(site_dir).as_posix()
        base = site.page_url(html_file)
        for attribute, raw in _links(site.soup(html_file)):
            url = site.internal(raw.strip())
            if url is None or url in ("", "#"):
                continue
            report.checked += 1
            where = f"{source}: {attribute}={raw!r}"
            if source == "404.html" and not url.startswith(("/", "#")):
                # The 404 page is served at any depth: only root-relative links work there.
                report.problems.append(f"{where}: relative link in the 404 page")
                continue
            target, fragment, reason = site.resolve(base, url)
            if target is None:
                report.problems.append(f"{where}: {reason}")
            elif fragment and target.suffix == ".html" and fragment not in site.ids(target):
                shown = target.relative_to(site_dir).as_posix()
                report.problems.append(f"{where}: no id {fragment!r} in {shown}")
    return report


def build_repository_site(site_dir: Path, **overrides: object) -> Built:
    """Build this repository's own mkdocs.yml (strict) into ``site_dir``."""
    built = Project(ROOT).build(site_dir=site_dir, **overrides)
    assert built.ok, f"the site did not build: {built.error}\n{built.log}"
    return built


@pytest.fixture(scope="module", params=[True, False], ids=["directory-urls", "no-directory-urls"])
def repository_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Built:
    site_dir = tmp_path_factory.mktemp("links") / "site"
    return build_repository_site(site_dir, use_directory_urls=request.param)


def test_every_internal_link_and_fragment_resolves(repository_site: Built) -> None:
    report = check_links(repository_site.site_dir)
    assert report.problems == []
    # Guard against a checker that silently looks at nothing.
    pages = list(repository_site.site_dir.rglob("*.html"))
    assert len(pages) > 40
    assert report.checked > 10 * len(pages)


def test_links_resolve_under_a_sub_path_site_url(tmp_path: Path) -> None:
    built = build_repository_site(tmp_path / "site", site_url=SUB_PATH_SITE_URL)
    report = check_links(built.site_dir, SUB_PATH_SITE_URL)
    assert report.problems == []
    # Absolute URLs were checked too: canonical links, JSON-LD, the 404 page's links.
    lora = built.html("concepts/lora/")
    canonical = lora.find("link", rel="canonical")
    assert canonical is not None
    assert canonical["href"] == SUB_PATH_SITE_URL + "concepts/lora/"
    term = json.loads(lora.find("script", type="application/ld+json").get_text())
    assert term["url"] == SUB_PATH_SITE_URL + "concepts/lora/"
    redirect = built.html("concepts/low-rank-adaptation/")
    canonical = redirect.find("link", rel="canonical")
    assert canonical is not None
    assert canonical["href"] == SUB_PATH_SITE_URL + "concepts/lora/"
    not_found = built.html("404.html")
    stylesheets = [str(link["href"]) for link in not_found.find_all("link", rel="stylesheet")]
    assert stylesheets
    assert all(href.startswith("/kb/") for href in stylesheets)


def test_checker_reports_a_broken_link_and_a_broken_fragment(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "index.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="style.css"></head><body>'
        '<a href="guide/">ok: a directory URL</a>'
        '<a href="guide/#setup">ok: a fragment</a>'
        '<a href="#top" id="top">ok: a fragment on this page</a>'
        '<a href="https://example.org/missing/">skipped: external</a>'
        '<a href="mailto:someone@example.org">skipped: mail</a>'
        '<a href="missing/">broken link</a>'
        '<a href="guide/#no-such-section">broken fragment</a>'
        "</body></html>",
        encoding="utf-8",
    )
    (site / "style.css").write_text("", encoding="utf-8")
    (site / "guide" / "index.html").write_text(
        '<!doctype html><html><body><h2 id="setup">Setup</h2><a href="../">up</a></body></html>',
        encoding="utf-8",
    )
    report = check_links(site)
    assert report.problems == [
        "index.html: href='missing/': no such file: missing/index.html",
        "index.html: href='guide/#no-such-section': no id 'no-such-section' in guide/index.html",
    ]
    assert report.checked == 7
