"""The one vocabulary of HTML that contributors may write, judged as browsers parse it.

Everything a contributor writes that can reach a page (raw HTML in a body, the HTML a
body renders to, front-matter text) is parsed with an HTML5-conformant parser
(justhtml, which passes the html5lib conformance tests): comments, CDATA, RCDATA
elements (``<textarea>``, ``<title>``), foreign content (SVG, MathML) and quoted
``>`` are tokenised exactly as Chromium, Firefox and WebKit tokenise them. The result
is held against an allowlist of elements, attributes, URL schemes and ids; anything
else is a finding. The linter (on the Markdown source), the build (on the rendered
HTML), the math converter (on each formula's MathML) and the tests all use this
module, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conceptkb.rules import RESERVED_HTML_ID, UNSAFE_HTML, UNSAFE_URL

if TYPE_CHECKING:
    from justhtml import JustHTML

ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    ]
)
"""Elements a body may hold: what Markdown and its usual extensions produce, and
the inert text-level and table elements people write by hand."""

GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    # data-ck-summary: a concept link's summary, which summaries.js shows as text.
    "a": frozenset({"href", "rel", "hreflang", "data-ck-summary"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan", "align", "style"}),
    "th": frozenset({"colspan", "rowspan", "align", "style", "scope"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "time": frozenset({"datetime"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "details": frozenset({"open"}),
    "span": frozenset({"data-linenos"}),
}
"""Attributes allowed per element, besides :data:`GLOBAL_ATTRIBUTES`."""

MATHML_ELEMENTS = frozenset(
    [
        "annotation",
        "math",
        "menclose",
        "merror",
        "mfrac",
        "mi",
        "mmultiscripts",
        "mn",
        "mo",
        "mover",
        "mpadded",
        "mphantom",
        "mprescripts",
        "mroot",
        "mrow",
        "ms",
        "mspace",
        "msqrt",
        "mstyle",
        "msub",
        "msubsup",
        "msup",
        "mtable",
        "mtd",
        "mtext",
        "mtr",
        "munder",
        "munderover",
        "semantics",
    ]
)
"""MathML elements a body may hold (in the MathML namespace, under ``<math>``): the
presentation elements of MathML Core, ``menclose`` (boxes and strike-outs, which the
math converter emits), and ``semantics`` with ``annotation`` for the TeX source. Left
out: ``annotation-xml`` (it can hold HTML or SVG), ``maction`` (interactive),
``mglyph`` (loads an image) and the MathML 3 elements no converter here emits."""

MATHML_GLOBAL_ATTRIBUTES = frozenset(
    {"displaystyle", "scriptlevel", "mathcolor", "mathbackground", "mathsize", "mathvariant"}
)
"""Attributes every MathML element may carry, besides :data:`GLOBAL_ATTRIBUTES`: the
global presentation attributes of MathML Core (colours and sizes, never URLs), and
``mathvariant``."""

MATHML_ATTRIBUTES: dict[str, frozenset[str]] = {
    "math": frozenset({"display", "alttext"}),
    "annotation": frozenset({"encoding"}),
    "mo": frozenset(
        {
            "form",
            "fence",
            "separator",
            "lspace",
            "rspace",
            "stretchy",
            "symmetric",
            "maxsize",
            "minsize",
            "largeop",
            "movablelimits",
            "accent",
        }
    ),
    "mfrac": frozenset({"linethickness"}),
    "mover": frozenset({"accent"}),
    "munder": frozenset({"accentunder"}),
    "munderover": frozenset({"accent", "accentunder"}),
    "mspace": frozenset({"width", "height", "depth", "linebreak"}),
    "mpadded": frozenset({"width", "height", "depth", "lspace", "voffset"}),
    "mtable": frozenset(
        {"columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines"}
    ),
    "mtr": frozenset({"columnalign", "rowalign"}),
    "mtd": frozenset({"columnalign", "rowalign", "columnspan", "rowspan"}),
    "menclose": frozenset({"notation"}),
}
"""Attributes allowed per MathML element, besides the global ones. None holds a URL:
``href`` (which Firefox follows on any MathML element) and event handlers are refused
like every attribute not listed."""


SVG_ELEMENTS = frozenset(
    ["a", "circle", "desc", "g", "line", "path", "rect", "svg", "text", "title", "tspan"]
)
"""SVG elements a body may hold: shapes, text and links, enough for a diagram such as the
concept map (:mod:`conceptkb.conceptmap`). Left out on purpose: ``script`` and ``style``;
``foreignObject`` (HTML inside the drawing, out of this check's sight); ``use``,
``image`` and ``feImage`` (they load other documents); ``animate`` and ``set`` (they
can rewrite an ``href`` after the check); filters, markers, fonts and everything else."""

SVG_GLOBAL_ATTRIBUTES = frozenset({"id", "class", "aria-hidden"})
_SVG_TEXT = frozenset({"x", "y", "dx", "dy", "text-anchor", "font-size", "font-weight"})
SVG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "svg": frozenset(
        {
            "viewBox",
            "width",
            "height",
            "preserveAspectRatio",
            "font-size",
            "font-weight",
            "text-anchor",
            "aria-labelledby",
            "aria-describedby",
        }
    ),
    "g": frozenset({"font-size", "font-weight", "text-anchor"}),
    "a": frozenset({"href", "xlink:href"}),
    "line": frozenset({"x1", "y1", "x2", "y2"}),
    "path": frozenset({"d"}),
    "circle": frozenset({"cx", "cy", "r"}),
    "rect": frozenset({"x", "y", "width", "height", "rx", "ry"}),
    "text": _SVG_TEXT,
    "tspan": _SVG_TEXT,
}
"""Attributes allowed per SVG element, besides :data:`SVG_GLOBAL_ATTRIBUTES`: geometry
and text layout only. Paint (``fill``, ``stroke``), ``style`` and ``transform`` are not
among them: colours come from the site's CSS through classes."""

URL_ATTRIBUTES = frozenset({"href", "src", "cite", "xlink:href"})
SCHEMES = frozenset({"http", "https", "mailto"})
"""URL schemes a link or image may use; URLs without a scheme (relative) are allowed."""

RESERVED_ID_PREFIXES = ("_", "ck-")
"""Ids the theme or conceptkb use for their own elements (Material's ``__config``,
``__search``, ``__md_*``; conceptkb's ``ck-*`` sections): a body's element with such an
id would shadow them (DOM clobbering)."""

_TABLE_ALIGN = re.compile(r"text-align:\s*(?:left|right|center);?")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = "".join(chr(c) for c in range(0x21))
_URL_REMOVED = re.compile(r"[\t\n\r]")


@dataclass(frozen=True)
class Violation:
    """Something outside the allowlist, at a 1-based line and column of the checked text."""

    code: str
    message: str
    line: int
    column: int
    needle: str
    """Text to look for in the source when the checked text was rendered from it."""


def url_scheme(url: str) -> str | None:
    """The scheme of ``url`` as a browser's URL parser reads it, lowercased, or None.

    Leading and trailing C0 controls and spaces are stripped and tabs and newlines
    removed anywhere (WHATWG URL standard), so ``" java\\tscript:"`` is ``javascript``.
    """
    cleaned = _URL_REMOVED.sub("", url.strip(_URL_STRIP))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def url_allowed(url: str) -> bool:
    """Whether a link or image may point at ``url``: relative, or an allowed scheme."""
    scheme = url_scheme(url)
    return scheme is None or scheme in SCHEMES


def reserved_id(value: str) -> bool:
    """Whether an element id would collide with the theme's or conceptkb's own."""
    return value.strip().lower().startswith(RESERVED_ID_PREFIXES)


def parse(text: str, *, fragment: bool = False, locations: bool = False) -> JustHTML:
    """``text`` parsed as a browser parses it (a whole document, or a fragment of
    ``<body>``), unsanitised: what is unsafe is for the caller to judge."""
    # Imported here: justhtml takes about 0.15 s to import, and a lint whose files are
    # all kept from the last run parses nothing.
    from justhtml import JustHTML

    return JustHTML(text, fragment=fragment, sanitize=False, track_node_locations=locations)


def check_html(text: str, *, own_ids: Collection[str] = ()) -> list[Violation]:
    """Every element, attribute, URL and id in ``text`` that the allowlist refuses.

    ``text`` is parsed as a browser parses a page; positions are those of the text.
    ``own_ids`` are reserved ids that ``text`` may carry because conceptkb wrote it
    (such as the concept map's :data:`conceptkb.conceptmap.IDS`); a contributor's text
    is checked without them.
    """
    if "<" not in text:
        return []
    # Parsed as a whole document, not as a fragment: a stray <body onload=...> or
    # <html ...> start tag adds its attributes to the page's own element, which a
    # fragment parse would not show.
    # Positions cost about a quarter of a parse: only text that fails is parsed again
    # with them, to say where.
    own = frozenset(own_ids)
    if not any(_violations(parse(text).root, own)):
        return []
    document = parse(text, locations=True)
    return list(_violations(document.root, own))


def check_node(node: object, *, own_ids: Collection[str] = ()) -> list[Violation]:
    """Every violation inside an already parsed element (its children, not itself)."""
    return list(_violations(node, frozenset(own_ids)))


def element_violations(
    name: str,
    attrs: dict[str, str | None],
    *,
    namespace: str = "html",
    line: int = 1,
    column: int = 1,
    own_ids: frozenset[str] = frozenset(),
) -> list[Violation]:
    """What the allowlist refuses in one element: the element itself, or its attributes."""
    if not _allowed_element(name, namespace):
        where = "" if namespace == "html" else f" ({namespace.upper()})"
        return [
            Violation(
                UNSAFE_HTML,
                f"<{name}>{where} element is not allowed: write Markdown, or put the"
                f" text in a code span",
                line,
                column,
                f"<{name}",
            )
        ]
    return list(
        _attribute_violations(name, attrs, line, column, namespace=namespace, own_ids=own_ids)
    )


def _allowed_element(name: str, namespace: str) -> bool:
    if namespace == "html":
        return name in ELEMENTS
    if namespace == "svg":
        return name in SVG_ELEMENTS
    return namespace == "math" and name in MATHML_ELEMENTS


_STRUCTURE = frozenset({"html", "head", "body"})
"""Elements every page has: the parse creates them; only attributes on them can come
from the text."""


def _violations(root: object, own_ids: frozenset[str]) -> Iterator[Violation]:
    stack = list(reversed(getattr(root, "children", None) or []))
    while stack:
        node = stack.pop()
        name = getattr(node, "name", "")
        if not name or name.startswith("#"):
            continue  # text, comments, doctype: inert
        line, column = getattr(node, "origin_location", None) or (1, 1)
        namespace = getattr(node, "namespace", "html")
        if name in _STRUCTURE and namespace == "html":
            for attribute in getattr(node, "attrs", None) or {}:
                yield Violation(
                    UNSAFE_HTML,
                    f"attribute {attribute}= on <{name}> is not allowed (a <{name}> tag in a"
                    " body sets it on the page's own element)",
                    line,
                    column,
                    f"<{name}",
                )
            stack.extend(reversed(getattr(node, "children", None) or []))
            continue
        yield from element_violations(
            name,
            getattr(node, "attrs", {}) or {},
            namespace=namespace,
            line=line,
            column=column,
            own_ids=own_ids,
        )
        if not _allowed_element(name, namespace):
            continue  # its content is not looked at: the element is refused whole
        children = getattr(node, "children", None) or []
        stack.extend(reversed(children))


def _attribute_violations(
    element: str,
    attrs: dict[str, str | None],
    line: int,
    column: int,
    *,
    namespace: str,
    own_ids: frozenset[str] = frozenset(),
) -> Iterator[Violation]:
    common = GLOBAL_ATTRIBUTES
    if namespace == "math":
        allowed = MATHML_GLOBAL_ATTRIBUTES | MATHML_ATTRIBUTES.get(element, frozenset())
    elif namespace == "svg":
        allowed, common = SVG_ATTRIBUTES.get(element, frozenset()), SVG_GLOBAL_ATTRIBUTES
    else:
        allowed = ATTRIBUTES.get(element, frozenset())
    for name, raw in attrs.items():
        value = raw or ""
        if name not in common and name not in allowed:
            yield Violation(
                UNSAFE_HTML,
                f"attribute {name}= on <{element}> is not allowed",
                line,
                column,
                name,
            )
        elif name in URL_ATTRIBUTES and not url_allowed(value):
            yield Violation(
                UNSAFE_URL,
                f"{url_scheme(value)}: URL in {name}= on <{element}>: links may use"
                f" {', '.join(sorted(SCHEMES))} or a relative URL",
                line,
                column,
                name,
            )
        elif name == "style" and not _TABLE_ALIGN.fullmatch(value.strip()):
            yield Violation(
                UNSAFE_HTML,
                f"style= on <{element}> may only set text-align",
                line,
                column,
                "style",
            )
        elif name == "id" and reserved_id(value) and value not in own_ids:
            yield Violation(
                RESERVED_HTML_ID,
                f"id {value!r} on <{element}> would shadow the theme's own elements:"
                f" ids may not start with {' or '.join(map(repr, RESERVED_ID_PREFIXES))}",
                line,
                column,
                value,
            )
        elif name == "title" and "<" in value:
            yield Violation(
                UNSAFE_HTML,
                f"title= on <{element}> holds markup, which the theme's tooltips render as HTML",
                line,
                column,
                "title",
            )


def markup_in_text(value: str) -> str | None:
    """What makes ``value`` more than plain text to a browser, or None if it is plain.

    Plain text parses to exactly itself: "Q&A" and "x < y" do; ``&lt;b&gt;``
    (a character reference), ``<b>`` (an element) and ``<!-- -->`` do not.
    """
    if "<" not in value and "&" not in value:
        return None
    document = parse(value, fragment=True)
    children = getattr(document.root, "children", None) or []
    if not children:
        return "markup that renders as nothing"
    for node in children:
        name = getattr(node, "name", "")
        if name == "#comment":
            return "an HTML comment"
        if not name.startswith("#"):
            return f"a <{name}> element"
    text = "".join(getattr(node, "data", "") or "" for node in children)
    if text != value:
        return "a character reference (such as &lt; or &amp;); write the character itself"
    return None
