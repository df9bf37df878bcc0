"""The one owner of the site's URL space: where every generated page and redirect lives.

Every page the knowledge base adds to a site (concept pages, the A-Z index, tag and
category pages, alias and former-id redirects, exports) gets its source path and its
output file here, in a fixed order of precedence. A path that is already taken is
never silently given to a second page: the loser is recorded as a collision, which
the linter reports (CK111) and the build refuses. Path segments made from names are
limited in UTF-8 bytes (CK114), since file systems limit names to 255 bytes.
The MkDocs plugin and any other engine adapter take their paths from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

from conceptkb.index import ConceptIndex
from conceptkb.names import slugify

MAX_SEGMENT_BYTES = 200
"""UTF-8 bytes in one path segment made from a name (file systems allow 255, and
``.html`` or ``/index.html`` is added)."""


@dataclass(frozen=True)
class Layout:
    """Source paths of every page the knowledge base adds to a site."""

    prefix: str = "concepts"

    def _join(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    @property
    def index(self) -> str:
        return self._join("index.md")

    def concept(self, concept_id: str) -> str:
        return self._join(f"{concept_id}.md")

    def tag(self, tag: str) -> str:
        return self._join("tags", f"{tag}.md")

    @property
    def tags_index(self) -> str:
        return self._join("tags", "index.md")

    def category(self, category: str) -> str:
        return self._join("categories", f"{slugify(category)}.md")

    def redirect(self, slug: str, use_directory_urls: bool) -> str:
        return self._join(slug, "index.html") if use_directory_urls else self._join(f"{slug}.html")

    @property
    def export(self) -> str:
        return "concepts.json"

    @property
    def schema(self) -> str:
        return "schema/concept.schema.json"

    @property
    def export_schema(self) -> str:
        return "schema/export.schema.json"

    @property
    def skos(self) -> str:
        """The SKOS thesaurus in Turtle, beside ``concepts.json``."""
        return "concepts.ttl"

    @property
    def llms_txt(self) -> str:
        """The llms.txt index: at the site root, where the llms.txt proposal looks."""
        return "llms.txt"

    @property
    def llms_full_txt(self) -> str:
        """The whole knowledge base as one Markdown file, beside ``llms.txt``."""
        return "llms-full.txt"

    @property
    def exports(self) -> tuple[str, ...]:
        """Every machine-readable file, in the order they are placed."""
        return (
            self.export,
            self.schema,
            self.export_schema,
            self.skos,
            self.llms_txt,
            self.llms_full_txt,
        )


def output_path(src_uri: str, use_directory_urls: bool) -> str:
    """The file a source path is written to, as MkDocs (and Zensical) write it."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[: -len(".md")]
    folder, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return f"{folder}/index.html" if folder else "index.html"
    return f"{stem}/index.html" if use_directory_urls else f"{stem}.html"


class Route(NamedTuple):
    """One generated page or redirect (a named tuple: a knowledge base makes one for
    every concept and alias, and a frozen dataclass costs three times as much to make)."""

    src_uri: str
    output: str
    kind: str
    """concept, index, tags, tag, category, export, former-id or alias."""
    key: str
    """The concept id, tag, category or redirect slug."""
    concept_id: str | None = None
    """The concept whose front matter asked for it (None for site-wide pages)."""
    where: tuple[str | int, ...] = ()
    """Where in that concept's front matter, for findings."""

    def describe(self) -> str:
        names = {
            "concept": "the page of concept",
            "index": "the A-Z index",
            "tags": "the list of tags",
            "tag": "the page of tag",
            "category": "the page of category",
            "export": "the export",
            "former-id": "the redirect of former id",
            "alias": "the redirect of alias",
        }
        text = names[self.kind]
        return text if self.kind in ("index", "tags", "export") else f"{text} {self.key!r}"


@dataclass(frozen=True)
class Collision:
    """A route that could not be placed because its output file was already taken."""

    route: Route
    holder: Route


@dataclass(frozen=True)
class TooLong:
    """A route whose path segment made from a name is over the byte limit."""

    route: Route
    size: int


@dataclass
class UrlSpace:
    """Every route of a site, by output file, and what could not be placed."""

    layout: Layout
    use_directory_urls: bool
    routes: dict[str, Route] = field(default_factory=dict)
    collisions: list[Collision] = field(default_factory=list)
    too_long: list[TooLong] = field(default_factory=list)

    def place(self, route: Route) -> bool:
        holder = self.routes.get(route.output)
        if holder is not None:
            self.collisions.append(Collision(route, holder))
            return False
        self.routes[route.output] = route
        return True

    def of_kind(self, *kinds: str) -> list[Route]:
        return [r for r in self.routes.values() if r.kind in kinds]

    def redirects(self) -> dict[str, str]:
        """Redirect slug -> concept id, for every redirect that was placed."""
        return {
            r.key: r.concept_id
            for r in self.routes.values()
            if r.kind in ("former-id", "alias") and r.concept_id is not None
        }


def build(
    index: ConceptIndex,
    categories: tuple[str, ...] | list[str],
    *,
    prefix: str = "concepts",
    use_directory_urls: bool = True,
) -> UrlSpace:
    """Place every page and redirect of the knowledge base, first come first served:
    concept pages, the index, category and tag pages, exports, then former ids and
    aliases (redirects never displace a page)."""
    layout = Layout(prefix)
    space = UrlSpace(layout, use_directory_urls)

    def page(src_uri: str, kind: str, key: str, concept_id: str | None = None) -> None:
        space.place(Route(src_uri, output_path(src_uri, use_directory_urls), kind, key, concept_id))

    for concept_id in sorted(index.concepts):
        page(layout.concept(concept_id), "concept", concept_id, concept_id)
    page(layout.index, "index", "")
    for category in categories:
        page(layout.category(category), "category", category)
    owners: dict[str, str] = {}  # tag -> the first concept id (in id order) that has it
    for concept_id in sorted(index.concepts):
        for tag in index.concepts[concept_id].tags:
            owners.setdefault(tag, concept_id)
    if owners:
        page(layout.tags_index, "tags", "")
    for tag in sorted(owners):
        page(layout.tag(tag), "tag", tag, owners[tag])
    for src_uri in layout.exports:
        page(src_uri, "export", src_uri)
    seen: dict[str, str] = {}
    for kind, field_name in (("former-id", "former_ids"), ("alias", "aliases")):
        for concept_id in sorted(index.concepts):
            concept = index.concepts[concept_id]
            for i, name in enumerate(getattr(concept, field_name)):
                if kind == "former-id" and index.former.get(name) != concept_id:
                    continue  # an id, or another concept's former id: CK108
                slug = name if kind == "former-id" else slugify(name)
                if not slug or seen.get(slug) == concept_id or slug == concept_id:
                    continue  # an alias that only restates the concept's own URL
                path = layout.redirect(slug, use_directory_urls)
                route = Route(path, path, kind, slug, concept_id, (field_name, i))
                size = len(slug.encode("utf-8"))
                if size > MAX_SEGMENT_BYTES:
                    space.too_long.append(TooLong(route, size))
                    continue
                if space.place(route):
                    seen[slug] = concept_id
    return space


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL of a source path relative to the site root, as MkDocs and Zensical give
    it: ``concepts/lora/`` (directory URLs) or ``concepts/lora.html``; ``./`` for the
    site's home page."""
    output = output_path(src_uri, use_directory_urls)
    folder, _, name = output.rpartition("/")
    if use_directory_urls and name == "index.html":
        return f"{folder}/" if folder else "./"
    return quote(output)


def _parts(url: str) -> list[str]:
    parts: list[str] = []
    for part in url.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return parts


def relative_url(url: str, other: str) -> str:
    """``url`` relative to the page at ``other`` (both site-root relative): what a link
    on ``other`` must hold to reach ``url``. The last segment of ``other`` is a file
    when it holds a dot."""
    folder, _, name = other.rpartition("/")
    if "." in name:
        other = folder
    base, target = _parts(other), _parts(url)
    common = 0
    for a, b in zip(base, target, strict=False):
        if a != b:
            break
        common += 1
    relative = "/".join([".."] * (len(base) - common) + target[common:]) or "."
    return relative + "/" if url.endswith("/") else relative
