"""Nothing that runs script reaches a built page: body vectors, and payloads in names.

Every vector of ``tests/fixtures/xss_vectors.txt`` (OWASP and PortSwigger cheat sheet
classics) is put in a concept body. The build must then either fail with CK203 or
CK204, or succeed with a page that holds no script of its own, no event handler
attribute and no javascript:, vbscript: or data: URL. The same vectors are also fed
past the linter, straight to the rendered-HTML check the plugin runs last.

Titles, summaries and aliases are plain text: HTML in them must come out escaped in
every place they are shown (pages, tooltips, JSON-LD, concepts.json, the search
index, redirect pages).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
from bs4 import BeautifulSoup, Tag

from conceptkb import bodyscan
from conceptkb.htmlpolicy import check_html

from .conftest import Built, Project
from .test_head_tags import tags_of

VECTORS_FILE = Path(__file__).resolve().parent / "fixtures" / "xss_vectors.txt"
VECTORS = [
    line.replace("\\n", "\n").replace("\\t", "\t")
    for line in VECTORS_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

# The Markdown extensions of the project's own mkdocs.yml: attr_list can set attributes.
EXTENSIONS: list[Any] = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.superfences",
]

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "srcset",
    "xlink:href",
    "cite",
    "longdesc",
    "usemap",
    "dynsrc",
    "lowsrc",
    "codebase",
    "archive",
}
DANGEROUS_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "style",
    "svg",
    "math",
    "template",
    "portal",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "form",
    "isindex",
}
_UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def _cleaned(value: str) -> str:
    """An attribute value as a browser's URL parser reads it (WHATWG): leading and
    trailing controls and spaces stripped, tabs and newlines removed, lowercase.
    Spaces inside stay: "java    script:" has no scheme."""
    stripped = html.unescape(value).strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", stripped).lower()


def attribute_problems(soup: BeautifulSoup | Tag) -> list[str]:
    """Event handlers and script URLs in any attribute of any element."""
    problems = []
    for tag in soup.find_all(True):
        for name, raw in tag.attrs.items():
            value = " ".join(raw) if isinstance(raw, list) else str(raw)
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"<{tag.name} {name}=...>")
            elif lowered == "srcdoc":
                problems.append(f"<{tag.name} srcdoc>")
            elif lowered in URL_ATTRIBUTES and _UNSAFE_SCHEME.match(_cleaned(value)):
                problems.append(f"<{tag.name} {name}={value[:40]!r}>")
            elif lowered == "style" and re.search(r"script:|expression\(", _cleaned(value)):
                problems.append(f"<{tag.name} style={value[:40]!r}>")
            elif lowered == "content" and _REFRESH_URL.search(value):
                problems.append(f"<{tag.name} content={value[:40]!r}>")
    return problems


def _script_key(script: Tag) -> tuple[str, str]:
    return (str(script.get("src", "")), script.get_text())


def script_problems(soup: BeautifulSoup, allowed: set[tuple[str, str]]) -> list[str]:
    """Scripts that are neither Material's own (``allowed``) nor valid JSON-LD."""
    problems = []
    for script in soup.find_all("script"):
        kind = str(script.get("type", "")).lower()
        text = script.get_text()
        if kind == "application/ld+json":
            if "</script" in text.lower():
                problems.append("JSON-LD holds '</script'")
            try:
                json.loads(text)
            except ValueError:
                problems.append(f"JSON-LD is not JSON: {text[:80]!r}")
        elif _script_key(script) not in allowed:
            problems.append(f"script {str(script)[:80]!r}")
    return problems


MAP_ELEMENTS = {"g", "a", "line", "path", "circle", "rect", "text", "tspan", "title", "desc"}
"""What the concept map's drawing is made of: shapes, text and links, nothing that loads
or runs anything (its attributes are checked with every other element's)."""


def map_problems(page: BeautifulSoup) -> tuple[list[str], set[int]]:
    """Problems inside conceptkb's own concept-map drawings, and the drawings' ids."""
    problems, maps = [], set()
    for drawing in page.select("svg.ck-map"):
        maps.add(id(drawing))
        problems += [
            f"<{t.name}> in the concept map"
            for t in drawing.find_all(True)
            if t.name not in MAP_ELEMENTS
        ]
    return problems, maps


def content_problems(page: BeautifulSoup, allowed: set[tuple[str, str]]) -> list[str]:
    """Everything on a page that could run script."""
    problems = attribute_problems(page) + script_problems(page, allowed)
    drawing_problems, maps = map_problems(page)
    problems += drawing_problems
    article = page.find("article")
    if article is not None:
        problems += [
            f"<{t.name}> in the content"
            for t in article.find_all(DANGEROUS_ELEMENTS)
            if id(t) not in maps
        ]
    return problems


def vector_project(project: Project, body: str) -> Project:
    project.config(markdown_extensions=EXTENSIONS)
    project.concept(
        "vector",
        "Vector",
        summary="Vector is a concept whose body holds an XSS vector.",
        references=[{"title": "Paper", "url": "https://arxiv.org/abs/2101.00001"}],
        body=f"## Vector\n\n{body}\n\nAfter the vector.\n",
    )
    return project


@pytest.fixture(scope="module")
def material_scripts(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """The scripts Material puts on a clean concept page at the same place."""
    built = vector_project(Project(tmp_path_factory.mktemp("clean") / "kb"), "Clean.").build()
    assert built.ok, built.error + built.log
    page = built.html("concepts/vector/")
    allowed = {
        _script_key(s)
        for s in page.find_all("script")
        if str(s.get("type", "")).lower() != "application/ld+json"
    }
    assert allowed and not content_problems(page, allowed)
    return allowed


def test_vectors_file_is_a_real_list() -> None:
    assert len(VECTORS) >= 40
    assert len(set(VECTORS)) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_is_refused_or_rendered_harmless(
    vector: str, project: Project, material_scripts: set[tuple[str, str]]
) -> None:
    built = vector_project(project, vector).build(strict=False)
    if not built.ok:
        assert re.search(r"concepts/vector\.md:\d+:\d+: CK20[346] ", built.log), built.log
        assert "Traceback" not in built.log + built.error
        assert not built.exists("concepts/vector/")
        return
    problems = content_problems(built.html("concepts/vector/"), material_scripts)
    assert not problems, f"{vector!r} reached the page: {problems}"


def _rendered(body: str) -> str:
    names = [e if isinstance(e, str) else next(iter(e)) for e in EXTENSIONS]
    configs = {k: v for e in EXTENSIONS if isinstance(e, dict) for k, v in e.items()}
    return markdown.Markdown(extensions=names, extension_configs=configs).convert(body)


@pytest.mark.parametrize("vector", VECTORS)
def test_rendered_html_check_catches_what_the_linter_would(vector: str) -> None:
    """Past the linter, the plugin's last check on rendered HTML must still hold."""
    rendered = _rendered(f"## Vector\n\n{vector}\n")
    if check_html(rendered):
        return
    soup = BeautifulSoup(f"<article>{rendered}</article>", "html.parser")
    problems = content_problems(soup, set())
    assert not problems, f"{vector!r} renders to {rendered!r}, unseen by safety: {problems}"


def test_rendered_html_check_stops_the_build(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the body scan blinded, the plugin still refuses a page that would run script."""

    def nothing(masked: str) -> Iterator[bodyscan.Unsafe]:
        return iter(())

    monkeypatch.setattr(bodyscan, "unsafe_content", nothing)
    built = vector_project(project, "<img src=x onerror=alert(1)>").build(strict=False)
    assert not built.ok
    assert re.search(r"concepts/vector\.md:\d+:\d+: CK203 ", built.log), built.log
    assert "Traceback" not in built.log + built.error


# -- names with payloads -------------------------------------------------------------

# Plain text that is hostile only where it is not escaped: quotes that would end an
# attribute, "<" and "&" that a theme could read as markup. Names holding markup are
# refused outright (CK205; see test_markup_in_names_is_refused).
TITLE = "\" onmouseover=\"alert(1) x < y & 'z'"
SUMMARY = "\"'> onfocus='alert(2)' autofocus x < y & z; AT&T < /script in a summary."
ALIASES = [
    "' onload='alert(4)",
    "x < /title> & alert(5)",
    '" onmouseover="alert(6)',
]
PAYLOADS = [TITLE, SUMMARY, *ALIASES]
MARKUP_NAMES = [
    "</script><script>alert(1)</script>",
    "&lt;img src=x onerror=alert(2)&gt;",
    "<!--><img src=x onerror=alert(3)>",
    "'><svg onload=alert(4)>",
]


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = Project(tmp_path_factory.mktemp("payload") / "kb")
    project.config(markdown_extensions=EXTENSIONS)
    reference = [{"title": "Paper <3 & more", "url": "https://arxiv.org/abs/2101.00001"}]
    project.concept(
        "payload",
        TITLE,
        summary=SUMMARY,
        aliases=ALIASES,
        tags=["xss"],
        related=["plain"],
        former_ids=["old-payload"],
        references=reference,
        body="## Links\n\nSee [[plain]].\n",
    )
    project.concept(
        "plain",
        "Plain",
        summary="Plain is a concept that links to the payload concept.",
        references=reference,
        body="## Links\n\nSee [[payload|the payload]] and [[old-payload|its old id]].\n",
    )
    project.write("docs/index.md", "# Home\n\nStart at [[payload|the payload]].\n")
    built = project.build(strict=False)
    assert built.ok, built.error + built.log
    return built


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_payloads_never_become_markup(
    payload_site: Built, material_scripts: set[tuple[str, str]]
) -> None:
    site = payload_site.site_dir
    files = _html_files(site)
    assert len(files) > 5
    found: dict[str, list[str]] = {}
    for file in files:
        page = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        problems = attribute_problems(page)
        for script in page.find_all("script"):
            kind = str(script.get("type", "")).lower()
            if kind in ("application/ld+json", "application/json") or script.get("src"):
                continue
            if "alert(" in script.get_text():
                problems.append(f"injected script {str(script)[:80]!r}")
        problems += [
            f"JSON-LD: {p}" for p in script_problems(page, set()) if p.startswith("JSON-LD")
        ]
        drawing_problems, maps = map_problems(page)
        problems += drawing_problems
        problems += [
            str(e)[:80]
            for e in page.find_all(["img", "svg"])
            if "alert" in str(e) and id(e) not in maps
        ]
        if problems:
            found[file.relative_to(site).as_posix()] = problems
    assert not found, f"payloads became markup in {len(found)} files: {found}"


def test_payloads_shown_as_text_on_the_concept_page(payload_site: Built) -> None:
    page = payload_site.html("concepts/payload/")
    concept = page.select_one(".ck-concept")
    assert concept is not None
    assert concept.select_one("h1").get_text() == TITLE
    assert concept.select_one(".ck-summary").get_text() == SUMMARY
    aliases = concept.select_one(".ck-aliases").get_text()
    for alias in ALIASES:
        assert alias in aliases
    assert page.title is not None and TITLE in page.title.get_text()
    description = page.find("meta", attrs={"name": "description"})
    assert description is not None and description["content"] == SUMMARY


def test_payloads_in_tooltips_are_whole_attribute_values(payload_site: Built) -> None:
    for path in ("concepts/plain/", "concepts/", "", "concepts/tags/xss/"):
        page = payload_site.html(path)
        links = [a for a in page.select("a.ck-link") if "payload" in str(a.get("href", ""))]
        assert links, path
        for link in links:
            # summaries.js shows data-ck-summary as text: the summary as written.
            assert link["data-ck-summary"] == SUMMARY, (path, str(link))
            assert set(link.attrs) == {"href", "class", "data-ck-summary"}, (path, str(link))
            (text,) = link.find_all(True)
            # Escaped once more for Material's tooltips, which use innerHTML.
            assert html.unescape(text["title"]) == SUMMARY, (path, str(link))
            assert (text.name, set(text.attrs)) == ("span", {"title"}), (path, str(link))


def test_head_tags_hold_the_names_as_whole_attribute_values(payload_site: Built) -> None:
    raw = (payload_site.site_dir / "concepts/payload/index.html").read_text(encoding="utf-8")
    tags = tags_of(raw)
    assert tags["og:title"] == tags["twitter:title"] == TITLE
    assert tags["og:description"] == tags["twitter:description"] == SUMMARY
    assert tags["description"] == SUMMARY


def test_json_ld_parses_and_holds_the_names(payload_site: Built) -> None:
    for path in ("concepts/payload/", "concepts/"):
        raw = (payload_site.site_dir / path / "index.html").read_text(encoding="utf-8")
        blocks = re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', raw, flags=re.DOTALL
        )
        assert len(blocks) == 1, path
        assert "</script" not in blocks[0].lower() and "<" not in blocks[0]
        data = json.loads(blocks[0])
        if path == "concepts/payload/":
            assert data["name"] == TITLE
            assert data["description"] == SUMMARY
            assert data["alternateName"] == ALIASES
        else:
            assert TITLE in [term["name"] for term in data["hasDefinedTerm"]]


def test_concepts_json_holds_the_exact_strings(payload_site: Built) -> None:
    data = json.loads((payload_site.site_dir / "concepts.json").read_text(encoding="utf-8"))
    record = next(c for c in data["concepts"] if c["id"] == "payload")
    assert record["title"] == TITLE
    assert record["summary"] == SUMMARY
    assert record["aliases"] == ALIASES


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_search_index_holds_no_markup_from_names(payload_site: Built) -> None:
    data = json.loads(
        (payload_site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    docs = [d for d in data["docs"] if d["location"].startswith("concepts/payload/")]
    assert docs
    for text in _strings(data):
        fragment = BeautifulSoup(text, "html.parser")
        problems = attribute_problems(fragment)
        problems += [f"<{t.name}>" for t in fragment.find_all(["script", "img", "svg"])]
        assert not problems, f"search index entry {text[:120]!r}: {problems}"


def test_redirect_pages_escape_the_names(payload_site: Built) -> None:
    site = payload_site.site_dir
    redirects = [
        p
        for p in _html_files(site)
        if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")
        and p.parent.parent == site / "concepts"
    ]
    names = sorted(p.parent.name for p in redirects)
    assert "old-payload" in names
    assert len(redirects) == 1 + len(ALIASES), names
    for path in redirects:
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert not attribute_problems(page), path
        assert not page.find_all(["script", "img", "svg"]), path
        assert page.title is not None and page.title.get_text() == f"Redirecting to {TITLE}"
        assert page.find("a").get_text() == TITLE


def test_wikilink_text_from_a_title_or_alias_is_escaped(project: Project) -> None:
    """A wikilink without a label shows the linked concept's title (or the alias written):
    plain text, which must not be parsed again as Markdown or HTML."""
    project.config(markdown_extensions=EXTENSIONS)
    reference = [{"title": "Paper", "url": "https://arxiv.org/abs/2101.00001"}]
    project.concept(
        "payload",
        TITLE,
        summary="Payload is a concept whose title holds quotes and angle brackets.",
        aliases=["x < y alias"],
        related=["plain"],
        references=reference,
        body="## Links\n\nSee [[plain|the plain one]].\n",
    )
    project.concept(
        "plain",
        "Plain",
        summary="Plain is a concept that links to the payload concept.",
        references=reference,
        body="## Links\n\nSee [[payload]].\n",
    )
    project.write("docs/index.md", "# Home\n\nStart at [[payload]] or [[x < y alias]].\n")
    built = project.build(strict=False)
    assert built.ok, built.error + built.log
    for path in ("", "concepts/plain/"):
        page = built.html(path)
        links = [a for a in page.select("a.ck-link") if "payload" in str(a.get("href", ""))]
        assert links, path
        assert links[0].get_text() == TITLE, (path, str(links[0]))
        assert not [s for s in page.find_all("script") if "alert(" in s.get_text()], path
    assert built.html("").find("b") is None


@pytest.mark.parametrize("name", MARKUP_NAMES)
@pytest.mark.parametrize("field", ["title", "summary", "alias"])
def test_markup_in_names_is_refused(project: Project, name: str, field: str) -> None:
    """Markup in text that the theme shows as HTML is an error, in lint and in the build."""
    project.config(markdown_extensions=EXTENSIONS)
    fields: dict[str, Any] = {
        "summary": name if field == "summary" else "Payload is a concept.",
        "references": [{"title": "Paper", "url": "https://arxiv.org/abs/2101.00001"}],
    }
    if field == "alias":
        fields["aliases"] = [name]
    project.concept("payload", name if field == "title" else "Payload", **fields)
    built = project.build(strict=False)
    assert not built.ok
    assert re.search(r"concepts/payload\.md:\d+:\d+: CK205 ", built.log), built.log
    assert not built.exists("concepts/payload/")
