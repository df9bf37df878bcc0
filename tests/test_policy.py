"""Unit tests of the owners the linter and the build share: the HTML allowlist, names
and identity, the URL space and the body limits."""

from __future__ import annotations

import json
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conceptkb import htmlpolicy, limits, urlspace
from conceptkb.bodyscan import WikiLink, mask_code, unsafe_content
from conceptkb.frontmatter import Document
from conceptkb.index import ConceptIndex
from conceptkb.model import Concept
from conceptkb.names import (
    MAX_ID_LENGTH,
    _ascii_prototypes,
    _prototypes,
    invisible_characters,
    is_valid_id,
    normalize,
    skeleton,
)

# -- HTML as a browser parses it ------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "code"),
    [
        ("<!--> <img src=x onerror=alert(1)>", "CK203"),  # abrupt comment close
        ("<![CDATA[ x ]]><img src=x onerror=alert(1)>", "CK203"),  # CDATA is a comment
        ('<img alt="a>b" src=x onerror=alert(1)>', "CK203"),  # '>' in a quoted value
        ('<textarea><img title="</textarea><img src=x onerror=1>">', "CK203"),
        ("<svg><foreignObject><img src=x></foreignObject></svg>", "CK203"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=1>", "CK203"),
        ('<a href="java\tscript:alert(1)">x</a>', "CK204"),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', "CK204"),
        ('<img src="data:image/svg+xml,x">', "CK204"),
        ('<div id="__config">x</div>', "CK206"),
        ('<span id="ck-references">x</span>', "CK206"),
        ('<abbr title="&lt;img src=x onerror=1&gt;">x</abbr>', "CK203"),
        ('<table><tr><td style="background:url(x)">x</td></tr></table>', "CK203"),
        ("<x-widget>x</x-widget>", "CK203"),
        ("<svg onload=alert(1)>", "CK203"),
        ('<svg><a href="javascript:alert(1)"><text>x</text></a></svg>', "CK204"),
        ('<svg><a xlink:href=" java\tscript:alert(1)"><text>x</text></a></svg>', "CK204"),
        ("<svg><script>alert(1)</script></svg>", "CK203"),
        ("<svg><style>a{}</style></svg>", "CK203"),
        ('<svg><use href="#x"/></svg>', "CK203"),
        ('<svg><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>', "CK203"),
        ('<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>', "CK203"),
        ('<svg><rect style="fill:red" width="1" height="1"/></svg>', "CK203"),
        ('<svg><rect fill="url(#x)" width="1" height="1"/></svg>', "CK203"),
        ('<svg><text onclick="alert(1)">x</text></svg>', "CK203"),
        ('<svg><g id="ck-map-title"></g></svg>', "CK206"),
        ("<svg><title><img src=x onerror=alert(1)></title></svg>", "CK203"),
        ("<svg><desc><b>x</b></desc></svg><title>x</title>", "CK203"),  # HTML <title>
    ],
)
def test_html_outside_the_allowlist_is_refused(html: str, code: str) -> None:
    assert code in {v.code for v in htmlpolicy.check_html(html)}


@pytest.mark.parametrize(
    "html",
    [
        '<p>Text <a href="https://example.org/" title="Q&amp;A">link</a></p>',
        '<table><tr><th style="text-align: left;">a</th></tr></table>',
        '<a href="../lora/">x</a> <a href="#part">y</a> <a href="mailto:a@b.c">z</a>',
        "<details><summary>More</summary><p>x &lt; y</p></details>",
        "<!-- a comment -->",
        "x < y and a <3 b",
        '<svg viewBox="0 0 10 10" width="10" height="10" aria-labelledby="t"><title id="t">A'
        '</title><a xlink:href="../lora/"><rect x="0" y="0" width="4" height="4" rx="1"/>'
        '<text x="1" y="2" text-anchor="middle"><tspan x="1" y="2">LoRA</tspan></text></a>'
        '<line x1="0" y1="0" x2="1" y2="1" class="edge"/></svg>',
    ],
)
def test_allowed_html_passes(html: str) -> None:
    assert htmlpolicy.check_html(html) == []


def test_own_ids_pass_only_where_conceptkb_wrote_them() -> None:
    html = '<svg aria-labelledby="ck-map-title"><title id="ck-map-title">Map</title></svg>'
    assert [v.code for v in htmlpolicy.check_html(html)] == ["CK206"]
    assert htmlpolicy.check_html(html, own_ids={"ck-map-title"}) == []
    assert [v.code for v in htmlpolicy.check_html(html, own_ids={"ck-map-desc"})] == ["CK206"]


def test_positions_are_those_of_the_parsed_text() -> None:
    [violation] = htmlpolicy.check_html("one\ntwo <script>x</script>")
    assert (violation.line, violation.column) == (2, 5)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Q&A", True),
        ("x < y", True),
        ("AT&T and <3", True),
        ("&lt;img src=x&gt;", False),
        ("<b>bold</b>", False),
        ("a <!-- b --> c", False),
        ("&amp;", False),
    ],
)
def test_plain_text_parses_to_itself(text: str, plain: bool) -> None:
    assert (htmlpolicy.markup_in_text(text) is None) is plain


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://a.b/", "https"),
        (" java\tscript:x", "javascript"),
        ("\x01vbscript:x", "vbscript"),
        ("../x.md", None),
        ("#top", None),
        ("a/b:c", None),
    ],
)
def test_url_scheme_as_a_browser_reads_it(url: str, scheme: str | None) -> None:
    assert htmlpolicy.url_scheme(url) == scheme


# -- Markdown bodies ------------------------------------------------------------------


def _codes(body: str) -> set[str]:
    return {u.code for u in unsafe_content(mask_code(body))}


def test_markdown_syntax_is_judged_too() -> None:
    assert _codes("[x](javascript:alert(1))") == {"CK204"}
    assert _codes("[x]: vbscript:alert(1)") == {"CK204"}
    assert _codes("<javascript:alert(1)>") == {"CK204"}  # as an autolink or as raw HTML
    assert _codes("Text {: onclick=alert(1) }") == {"CK203"}
    assert _codes("Text {: #__config }") == {"CK206"}
    assert _codes("## __md_scope") == {"CK206"}
    assert _codes("See <https://example.org/> and <a@b.org>.") == set()
    assert _codes('A set {1, 2} and JSON {"a": 1}.') == set()
    assert _codes("`<script>` and\n\n    <script>\n") == set()


def test_code_spans_are_masked_in_linear_time() -> None:
    body = " ".join("`" * n + " x" for n in range(1, 400))
    masked = mask_code(body)
    assert len(masked) == len(body)
    assert mask_code("a `b` c") == "a     c"
    assert mask_code("a ``b ` c`` d") == "a           d"
    assert mask_code("a `b\n\nc` d") == "a `b\n\nc` d"  # spans end at a blank line


def test_body_limits() -> None:
    assert [e.line for e in limits.excesses("x" * 10_001, "")] == [1]
    assert [e.line for e in limits.excesses("", "[" * 501)] == [1]
    nested = "".join("    " * i + "- x\n" for i in range(40))
    assert [e.line for e in limits.excesses(nested, nested)] == [33]
    assert list(limits.excesses("[a](b) " * 400, "[a](b) " * 400)) == []


# -- names ------------------------------------------------------------------------------


def test_confusable_skeletons() -> None:
    assert skeleton("Alpha") == skeleton("\u0410lpha")  # Cyrillic A
    assert len({skeleton("DPO"), skeleton("IPO"), skeleton("KTO")}) == 3
    assert skeleton("rn1") == skeleton("ml")


def test_no_ascii_prototype_holds_a_character_that_has_one() -> None:
    # What lets skeleton() replace the ASCII prototypes one after another.
    pairs = _ascii_prototypes()
    assert len(pairs) == 8
    assert not [(s, t) for s, _ in pairs for _, t in pairs if s in t]


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_skeletons_take_the_general_path_s_answer(text: str) -> None:
    """ASCII names skip decomposing; the answer is the one TR39's steps give."""
    decomposed = unicodedata.normalize("NFD", normalize(text))
    assert skeleton(text) == unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


def test_invisible_characters() -> None:
    assert invisible_characters("Al\u200bpha\u202e") == [
        "U+200B ZERO WIDTH SPACE",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    ]
    assert invisible_characters("Crème fraîche") == []


def test_one_id_limit_for_files_and_references() -> None:
    schema = json.loads(resources.files("conceptkb").joinpath("concept.schema.json").read_text())
    assert schema["$defs"]["id"]["maxLength"] == MAX_ID_LENGTH
    assert is_valid_id("a" * MAX_ID_LENGTH)
    assert not is_valid_id("a" * (MAX_ID_LENGTH + 1))


# -- the URL space ----------------------------------------------------------------------


def _concept(concept_id: str, **fields: object) -> Concept:
    document = Document(
        path=f"concepts/{concept_id}.md", data={}, yaml_text="", body="", body_line=9
    )
    return Concept(
        id=concept_id,
        path=document.path,
        document=document,
        title=concept_id.title(),
        summary="S.",
        category="concept",
        **fields,  # type: ignore[arg-type]
    )


_IDS = ["a", "b", "c", "d", "gone"]
_some_ids = st.lists(st.sampled_from(_IDS), max_size=3).map(tuple)


@given(
    st.lists(
        st.tuples(_some_ids, _some_ids, _some_ids, st.sampled_from(["stable", "deprecated"])),
        min_size=4,
        max_size=4,
    )
)
def test_is_linked_says_whether_links_of_is_empty(
    fields: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]],
) -> None:
    """The orphan check's quick answer agrees with the set of linking concepts,
    whatever the relations, links to itself and ids that name no concept."""
    concepts = []
    for concept_id, (broader, related, linked, status) in zip(_IDS, fields, strict=False):
        concept = _concept(concept_id, broader=broader, related=related, status=status)
        concept.links = [WikiLink(target, None, 0, 1, "") for target in linked]
        concepts.append(concept)
    index = ConceptIndex(concepts)
    for concept_id in index.concepts:
        assert index.is_linked(concept_id) == bool(index.links_of(concept_id))


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_route_has_its_own_file(directory_urls: bool) -> None:
    index = ConceptIndex(
        [
            _concept("alpha", aliases=("Tags",), tags=("index", "peft")),
            _concept("beta", former_ids=("alpha-old",), aliases=("Index",)),
        ]
    )
    space = urlspace.build(index, ["concept"], use_directory_urls=directory_urls)
    lost = {(c.route.kind, c.route.key) for c in space.collisions}
    assert ("tag", "index") in lost
    assert (("alias", "tags") in lost) is directory_urls  # tags/index.html or tags.html
    assert (("alias", "index") in lost) is (not directory_urls)
    assert "alpha-old" in space.redirects()
    outputs = [r.output for r in space.routes.values()]
    assert len(outputs) == len(set(outputs))


def test_names_are_limited_in_bytes_not_characters() -> None:
    index = ConceptIndex([_concept("alpha", aliases=("\u00e9" * 101,))])
    space = urlspace.build(index, ["concept"])
    assert [t.size for t in space.too_long] == [202]


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("prefix", ["concepts", "", "kb/terms"])
def test_exports_sit_at_fixed_paths_whatever_the_prefix(directory_urls: bool, prefix: str) -> None:
    index = ConceptIndex([_concept("llms", aliases=("llms.txt", "Concepts TTL"))])
    space = urlspace.build(index, ["concept"], prefix=prefix, use_directory_urls=directory_urls)
    exports = {r.output: r.src_uri for r in space.of_kind("export")}
    assert exports == {
        path: path
        for path in (
            "concepts.json",
            "schema/concept.schema.json",
            "schema/export.schema.json",
            "concepts.ttl",
            "llms.txt",
            "llms-full.txt",
        )
    }
    assert list(space.layout.exports) == list(exports)
    assert not space.collisions


def test_a_second_claim_on_an_export_path_is_refused() -> None:
    space = urlspace.build(ConceptIndex([_concept("alpha")]), ["concept"], prefix="")
    for path in ("llms.txt", "llms-full.txt", "concepts.ttl"):
        assert not space.place(urlspace.Route(path, path, "alias", path, "alpha"))
    assert [(c.route.output, c.holder.kind) for c in space.collisions] == [
        ("llms.txt", "export"),
        ("llms-full.txt", "export"),
        ("concepts.ttl", "export"),
    ]
