"""Check a built site against the knowledge base, whatever engine built it.

Every page and redirect of the URL space must exist; no ``[[`` may be left in any
page's text (an engine that dropped the plugin leaves raw wikilinks); the body of each
concept page must pass the HTML allowlist as a browser parses it; each concept page
must show its title, summary and aliases. ``conceptkb check-site`` runs it after any
engine's build, and the MkDocs plugin runs it at the end of every build.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from conceptkb import htmlpolicy, urlspace
from conceptkb.index import ConceptIndex

if TYPE_CHECKING:
    from justhtml import JustHTML

_REFRESH = re.compile(r"url=([^\"'>\s]+)", re.IGNORECASE)
_SKIPPED_TEXT = frozenset({"code", "pre", "script", "style", "kbd", "samp"})


@dataclass(frozen=True)
class Problem:
    """Something wrong with a built site, at a site path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_site(
    site_dir: Path,
    index: ConceptIndex,
    space: urlspace.UrlSpace,
    *,
    bodies: bool = True,
    pages: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem of the built site in ``site_dir``, in path order.

    ``bodies=False`` leaves out the allowlist check of concept bodies, for a caller that
    has just checked the same HTML (the MkDocs plugin checks each body as it renders).
    ``pages`` limits the reading of pages to those output files (an incremental build
    checks what it wrote); every page and redirect must exist all the same."""
    problems: list[Problem] = []
    for output, route in sorted(space.routes.items()):
        file = site_dir / output
        if not file.is_file():
            problems.append(Problem(output, f"missing: {route.describe()}"))
            continue
        if pages is not None and output not in pages:
            continue
        if route.kind == "concept" and route.concept_id is not None:
            html = file.read_text("utf-8")
            problems += _concept_page(output, html, index, route.concept_id, bodies=bodies)
        elif route.kind in ("alias", "former-id") and route.concept_id is not None:
            target = space.layout.concept(route.concept_id)
            wanted = urlspace.output_path(target, space.use_directory_urls)
            problems += _redirect(output, file.read_text("utf-8"), wanted)
    for relative in _html_pages(site_dir, pages):
        raw = (site_dir / relative).read_text("utf-8", errors="replace")
        if "[[" not in raw:
            continue  # no raw wikilink can be in its text: no need to parse it
        text = _visible_text(raw)
        if "[[" in text:
            at = text.index("[[")
            problems.append(
                Problem(relative, f"raw wikilink left in the text: {text[at : at + 40]!r}")
            )
    return sorted(problems, key=lambda p: (p.path, p.message))


def _html_pages(site_dir: Path, pages: Collection[str] | None) -> list[str]:
    """The HTML files of the site to read (``pages`` of them, when given), relative."""
    if pages is not None:
        return sorted(p for p in pages if p.endswith(".html") and (site_dir / p).is_file())
    return [p.relative_to(site_dir).as_posix() for p in sorted(site_dir.rglob("*.html"))]


_PARTS = ("ck-concept", "ck-summary", "ck-aliases", "ck-body")
"""The classes of the parts of a concept page that the check reads."""


def _parts(document: JustHTML) -> dict[str, object]:
    """The first element of each class in :data:`_PARTS`, and under "h1" the first
    ``h1`` inside the first ``.ck-concept``: one walk of the tree in document order,
    where a selector query per part walked it once each."""
    found: dict[str, object] = {}
    stack: list[tuple[object, bool]] = [(document.root, False)]
    while stack:
        node, inside = stack.pop()
        name = getattr(node, "name", "")
        if name.startswith("#") and name not in ("#document", "#document-fragment"):
            continue
        for cls in _classes(node):
            if cls in _PARTS and cls not in found:
                found[cls] = node
                inside = inside or cls == "ck-concept"
        if name == "h1" and inside and "h1" not in found:
            found["h1"] = node
        children = getattr(node, "children", None) or []
        stack.extend((child, inside) for child in reversed(children))
    return found


def _text(node: object | None) -> str:
    """The text of a node as a reader sees it, without the permalink a table of
    contents extension may add to a heading."""
    if node is None:
        return ""
    return " ".join("".join(_text_nodes(node, skip_class="headerlink")).split())


def _concept_page(
    path: str, html: str, index: ConceptIndex, concept_id: str, *, bodies: bool
) -> list[Problem]:
    concept = index.concepts[concept_id]
    # Parse the concept's own part of the page only: from its .ck-concept element (the
    # theme's navigation before it holds a link per page, and parsing it for every
    # concept page made the check quadratic), to the end without the body check, or
    # to its body with it (a long body costs seconds to parse).
    start = html.find('<div class="ck-concept"')
    start = 0 if start == -1 else start
    end = -1 if bodies else html.find('<div class="ck-body"', start)
    document = htmlpolicy.parse(html[start:] if end == -1 else html[start:end])
    problems = []
    parts = _parts(document)
    if "ck-concept" not in parts:
        return [Problem(path, f"not a concept page: no .ck-concept for {concept_id!r}")]
    if _text(parts.get("h1")) != " ".join(concept.title.split()):
        problems.append(Problem(path, f"the title {concept.title!r} is not shown"))
    if _text(parts.get("ck-summary")) != " ".join(concept.summary.split()):
        problems.append(Problem(path, "the summary is not shown as written"))
    shown_aliases = _text(parts.get("ck-aliases"))
    for alias in concept.aliases:
        if " ".join(alias.split()) not in shown_aliases:
            problems.append(Problem(path, f"the alias {alias!r} is not shown"))
    if not bodies:
        if end == -1:
            problems.append(Problem(path, "no .ck-body: the body is not on the page"))
        return problems
    body = parts.get("ck-body")
    if body is None:
        problems.append(Problem(path, "no .ck-body: the body is not on the page"))
    else:
        for violation in htmlpolicy.check_node(body):
            problems.append(Problem(path, f"{violation.code} the body holds {violation.message}"))
    return problems


def _redirect(path: str, html: str, wanted: str) -> list[Problem]:
    match = _REFRESH.search(html)
    if match is None:
        return [Problem(path, "a redirect without a refresh target")]
    target = urljoin(path, match.group(1))
    wanted_url = wanted.removesuffix("index.html")
    if target not in (wanted, wanted_url):
        return [Problem(path, f"redirects to {target}, not {wanted_url}")]
    return []


def _classes(node: object) -> list[str]:
    attrs = getattr(node, "attrs", None)
    value = attrs.get("class") if isinstance(attrs, dict) else None
    return str(value).split() if value else []


def _visible_text(html: str) -> str:
    """The text a reader sees: outside code, scripts and styles."""
    document = htmlpolicy.parse(html)
    return "".join(_text_nodes(document.root))


def _text_nodes(node: object, *, skip_class: str = "") -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        name = getattr(current, "name", "")
        if name == "#text":
            yield getattr(current, "data", "") or ""
            continue
        if name in _SKIPPED_TEXT or name == "#comment":
            continue
        if skip_class and skip_class in _classes(current):
            continue
        children = getattr(current, "children", None) or []
        stack.extend(reversed(children))
        template = getattr(current, "template_content", None)
        if template is not None:
            stack.append(template)
