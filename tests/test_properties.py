"""Property tests: no input, however broken, makes the engine raise."""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify as toc_slugify

from conceptkb import bodyscan, frontmatter, htmlpolicy, limits
from conceptkb.checker import lint
from conceptkb.frontmatter import LoadResult, decode, parse
from conceptkb.markdown_ext import WikilinkExtension
from conceptkb.rules import YAML_SYNTAX
from conceptkb.schema import SchemaChecker
from conceptkb.settings import Settings

VALID = (
    "---\ntitle: LoRA\nsummary: LoRA adds trainable low-rank matrices to frozen weights.\n"
    "aliases: [Low-Rank Adaptation]\ncategory: technique\ntags: [peft]\nbroader: [peft]\n"
    "related: [qlora]\nreferences:\n  - title: LoRA\n    url: https://arxiv.org/abs/2106.09685\n"
    "    authors: [Edward J. Hu]\n    year: 2021\n---\n## How it works\n\nSee [[peft]].\n"
)
CHECKER = SchemaChecker()
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def load_bytes(raw: bytes) -> LoadResult:
    text = decode(raw, "x.md")
    if isinstance(text, LoadResult):
        return text
    return parse(text, "x.md")


def check_cleanly(raw: bytes) -> None:
    result = load_bytes(raw)
    if result.document is None:
        assert result.findings, "a failed load must say why"
        for finding in result.findings:
            assert finding.line >= 1 and finding.column >= 1
            assert finding.code.startswith("CK0")
    else:
        for finding in CHECKER.check(result.document):
            assert finding.line >= 1 and finding.column >= 1


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    check_cleanly(raw)
    check_cleanly(b"---\n" + raw)
    check_cleanly(b"---\n" + raw + b"\n---\nbody\n")


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = bytearray(VALID.encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(
            st.sampled_from(
                [
                    b":",
                    b"-",
                    b" ",
                    b"\n",
                    b"\t",
                    b"[",
                    b"]",
                    b"{",
                    b"&a",
                    b"*a",
                    b"!!str ",
                    b"'",
                    b'"',
                    b"#",
                    b"? ",
                    b"|",
                    b">",
                    b"%",
                    b"@",
                    b"\xff",
                    b"\x00",
                    b"title: x\n",
                    b"2024-01-02",
                    b".nan",
                    b"~",
                    b"- ",
                    b"  ",
                    b"---\n",
                    b"\r",
                ]
            )
        )
        if action == "insert":
            text[position:position] = chunk
        elif action == "delete":
            del text[position : position + draw(st.integers(1, 10))]
        else:
            text[position : position + len(chunk)] = chunk
    return bytes(text)


@PROPERTY_SETTINGS
@given(mutated())
def test_mutated_front_matter_never_raises(raw: bytes) -> None:
    check_cleanly(raw)


@settings(max_examples=40, deadline=None)
@given(st.lists(mutated(), min_size=1, max_size=4))
def test_whole_lint_run_never_raises(tmp_path_factory: object, files: list[bytes]) -> None:
    folder = Path(tmp_path_factory.mktemp("kb"))  # type: ignore[attr-defined]
    for i, raw in enumerate(files):
        (folder / f"c{i}.md").write_bytes(raw)
    result = lint(Settings(concepts_dir=folder, base_dir=folder))
    assert len(result.index) <= len(files)
    broken = {f.path for f in result.errors}
    assert len(result.index) + len(broken) >= len(files)  # nothing vanishes silently


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["technique", "https://a.org/x", "kebab-case", ""]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
fields = st.sampled_from(
    [
        "title",
        "summary",
        "aliases",
        "category",
        "tags",
        "broader",
        "related",
        "references",
        "status",
        "former_ids",
        "relatd",
    ]
)


@PROPERTY_SETTINGS
@given(st.dictionaries(fields, json_values, max_size=8))
def test_fast_and_detailed_validators_agree(data: dict[str, object]) -> None:
    detailed_valid = not any(True for _ in CHECKER._detailed.iter_errors(data))
    assert CHECKER.is_valid(data) == detailed_valid


# Characters whose being whitespace ECMA-262, Python and Rust regular expressions
# disagree on, or that any of them counts as whitespace.
SPACES = "".join(
    chr(c)
    for c in range(0x110000)
    if chr(c).isspace() or unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp", "Cc", "Cf")
)
VALID_DATA = parse(VALID, "x.md").document.data  # type: ignore[union-attr]


def both_validators(data: dict[str, object]) -> tuple[bool, bool]:
    return CHECKER.is_valid(data), not any(True for _ in CHECKER._detailed.iter_errors(data))


def test_validators_agree_on_every_kind_of_space() -> None:
    assert CHECKER.is_valid(VALID_DATA)
    for char in SPACES:
        for field, value in (
            ("title", char),
            ("aliases", [char * 2]),
            ("references", [{"title": "x", "url": f"https://a{char}b"}]),
            ("ignore", {"CK307": char}),
        ):
            fast, detailed = both_validators({**VALID_DATA, field: value})
            assert fast == detailed, (field, hex(ord(char)))


@PROPERTY_SETTINGS
@given(
    st.text(alphabet=SPACES[:40] + "\ufeff\u2028a-", max_size=6),
    st.text(alphabet="0123456789\u0968\u0660-T:\n ", min_size=8, max_size=12),
)
def test_validators_agree_on_text_and_dates(text: str, date: str) -> None:
    for field, value in (
        ("title", text),
        ("tags", [text]),
        ("references", [{"title": text, "url": "https://" + text}]),
        ("reviewed", date),
    ):
        fast, detailed = both_validators({**VALID_DATA, field: value})
        assert fast == detailed, (field, value)


# -- the linter and the renderer see the same wikilinks -------------------------------

blocks = st.sampled_from(
    [
        "Plain text with [[alpha]] in it.",
        "Two [[alpha|links]] and [[beta]].",
        "Code `[[gamma]]` and a link [[beta]].",
        "```\n[[gamma]] in a fence\n```",
        "~~~python\nx = '[[gamma]]'\n~~~",
        "    [[gamma]] in indented code",
        "- a list item with [[alpha]]\n- another `[[gamma]]`",
        "1. ordered [[beta]]\n\n    continued [[alpha]] in the item",
        "> quoted [[alpha]]",
        "| a | b |\n|---|---|\n| [[alpha]] | `[[gamma]]` |",
        "Escaped \\`[[beta]]\\` ticks.",
        "``double `[[gamma]]` ticks``",
    ]
)


MKDOCS_DEFAULT = ["toc", "tables", "fenced_code"]  # MkDocs always enables these
MATERIAL_USUAL = ["toc", "tables", "pymdownx.superfences"]


@settings(max_examples=200, deadline=None)
@given(st.lists(blocks, min_size=1, max_size=6), st.sampled_from([MKDOCS_DEFAULT, MATERIAL_USUAL]))
def test_linter_and_renderer_agree_on_wikilinks(parts: list[str], extensions: list[str]) -> None:
    body = "\n\n".join(parts) + "\n"
    seen: list[str] = []

    def resolver(target: str, label: str | None) -> etree.Element:
        seen.append(target)
        element = etree.Element("a")
        element.text = label or target
        return element

    markdown.markdown(body, extensions=[*extensions, WikilinkExtension(resolver)])
    linted = [link.target for link in bodyscan.wikilinks(bodyscan.mask_code(body))]
    assert sorted(linted) == sorted(seen)


LAZY_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]*?))?\]\]")
"""The wikilink pattern as first written, with lazy parts."""


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(["[[", "]]", "[", "]", "|", "\n", " ", "a", "bc"]), max_size=20).map(
        "".join
    )
)
@example("[[a|b]]")
@example("[[a|b]c]] [[a||b]] [[ |]] [[a]]]")
def test_wikilink_pattern_reads_as_the_lazy_one(text: str) -> None:
    def read(pattern: re.Pattern[str]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]

    assert read(bodyscan.WIKILINK) == read(LAZY_WIKILINK)


# -- the rendered-HTML check's prefilter never hides what the parser would find ------

html_fragments = st.sampled_from(
    [
        "<p>",
        "</p>",
        '<a href="',
        '">',
        "<img src=x ",
        "onerror",
        "=",
        "alert(1)",
        " ",
        "\t",
        "\n",
        "java",
        "script",
        ":",
        "&#",
        "106;",
        "&colon;",
        "data",
        "<svg",
        "/",
        ">",
        "<SCRIPT",
        "<iframe",
        " srcdoc=",
        'style="',
        "expression(",
        "behavior",
        "'",
        '"',
        'title="a>b" ',
        "<div ",
        "ONCLICK",
        "&amp;",
        "x",
        "on",
        "<math",
        "<noscript",
        "\x00",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(html_fragments, max_size=16))
def test_html_check_judges_every_fragment(parts: list[str]) -> None:
    """Whatever the fragment, the check answers with findings at real positions."""
    from conceptkb import htmlpolicy

    html = "".join(parts)
    lines = html.count("\n") + 1
    for violation in htmlpolicy.check_html(html):
        assert 1 <= violation.line <= lines
        assert violation.code in ("CK203", "CK204", "CK206")


nesting_lines = st.tuples(
    st.text(alphabet=" \t>*+-", max_size=20),
    st.integers(0, 50).map(">".__mul__) | st.integers(0, 40).map("- ".__mul__),
    st.text(alphabet=" \t>*+-", max_size=20),
    st.sampled_from(["", "x", "  ", "[", "\t"]),
).map("".join)
"""Lines that start with a run of the characters that open levels, as deep lines do."""


@PROPERTY_SETTINGS
@given(st.lists(nesting_lines | st.text(alphabet=" \t>*+-x[", max_size=80), max_size=8))
@example([">" * (limits.MAX_NESTING + 1) + "x"])
@example(["x", "- " * 20 + "x"])
def test_the_quick_nesting_check_skips_no_body_the_full_one_reports(lines: list[str]) -> None:
    """The line-by-line scan is skipped only when no line could open too many levels:
    a body it would report is never skipped."""
    masked = "\n".join(lines)
    deep = any(
        line.strip() and limits._nesting(line) > limits.MAX_NESTING for line in masked.split("\n")
    )
    if deep:
        assert limits._may_nest_deep(masked)
        assert any("levels of nested" in e.message for e in limits.excesses(masked, masked))


# -- scans that find line starts from newlines find what a line-by-line scan finds ---

body_lines = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "   ", "    ", "\t"]),
        st.sampled_from(["", "#", "## ", "###### ", "####### ", "[ref]: ", "[a]:", "- ? : "]),
        st.sampled_from(["", " ", "*", "`", "_x", "ck", "CK-y", "c\u212a", "x", "javascript:x"]),
        st.sampled_from(["", " #", " y", "\t"]),
    ).map("".join),
    max_size=8,
).map("\n".join)


def heading_problems_line_by_line(masked: str) -> list[tuple[int, int]]:
    found = []
    for number, line in enumerate(masked.split("\n"), start=1):
        match = bodyscan._HEADING.fullmatch(line.rstrip())
        if match is not None:
            slug = toc_slugify(match.group(2).strip().rstrip("#").strip(), "-")
            if htmlpolicy.reserved_id(slug):
                found.append((number, match.start(2) + 1))
    return found


@PROPERTY_SETTINGS
@given(body_lines)
@example("## _private")
@example("x\n   ### CK-toc")
def test_heading_ids_are_found_as_line_by_line(masked: str) -> None:
    found = [(u.line, u.column) for u in bodyscan._heading_id_problems(masked)]
    assert found == heading_problems_line_by_line(masked)


@PROPERTY_SETTINGS
@given(body_lines)
@example("[a]: javascript:x")
@example("x\n   [a]:\njavascript:x")
def test_definition_urls_are_found_as_with_multiline_anchors(masked: str) -> None:
    multiline = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S+)", re.MULTILINE)
    wanted = [m.group(1) for m in multiline.finditer(masked)]
    found = [m.group(1) for m in bodyscan._DEFINITION_URL.finditer("\n" + masked)]
    assert found == wanted
    bad = [u for u in bodyscan.unsafe_content(masked) if u.code == "CK204"]
    locate = bodyscan.LineIndex(masked).locate
    starts = [m.start(1) for m in multiline.finditer(masked)]
    unsafe = [
        locate(start)
        for start, url in zip(starts, wanted, strict=True)
        if not htmlpolicy.url_allowed(url)
    ]
    assert [(u.line, u.column) for u in bad if (u.line, u.column) in unsafe] == unsafe


@PROPERTY_SETTINGS
@given(body_lines)
@example(" " * 16 + "x")
@example("a\n- ? : x")
def test_deep_yaml_lines_are_found_as_with_multiline_anchors(text: str) -> None:
    multiline = re.compile(r"^(?: {16,}|[ \t]*(?:[-?:][ \t]+){3,})", re.MULTILINE)
    assert frontmatter.MAX_DEPTH == 16
    found = frontmatter._DEEP_BLOCK.search("\n" + text) is not None
    assert found == (multiline.search(text) is not None)


# -- remembered implicit types are YAML's ----------------------------------------------


def test_remembered_implicit_types_come_from_the_loaders_resolvers() -> None:
    assert frontmatter._RESOLVER.yaml_implicit_resolvers == (
        frontmatter._Loader.yaml_implicit_resolvers
    )


def test_the_loader_has_no_path_resolvers_to_step_through() -> None:
    # The loader's steps into and out of nodes do nothing: right only while no path
    # resolver is added, which would type nodes by where they are.
    assert not frontmatter._Loader.yaml_path_resolvers
    document = "a:\n  - [1, {b: c}]\n  - d\n"
    assert frontmatter.load_data(document) == yaml.safe_load(document)


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.sampled_from(["1", "0", "2024", "-", "+", ".", "_", ":", "e", "x", "yes", "No", "~"]),
        min_size=1,
        max_size=5,
    ).map("".join)
)
@example("2024-01-01")
@example("0o17")
@example("1_000")
@example("0x_")
@example("-0b_")
def test_scalars_read_as_pyyaml_reads_them(text: str) -> None:
    try:
        expected = yaml.safe_load(f"k: {text}\n")
    except yaml.YAMLError:
        return  # not a plain scalar there
    except ValueError:
        # PyYAML's constructor fails on what its own pattern typed ("0x_" is a base-16
        # integer without digits): a clear YAML error with a place here, no traceback.
        with pytest.raises(yaml.MarkedYAMLError, match="is not a number"):
            frontmatter.load_data(f"k: {text}\n")
        return
    if not isinstance(expected, dict):
        return
    value = expected["k"]
    if isinstance(value, float) and not math.isfinite(value):
        return  # refused: not a JSON number
    read = frontmatter.load_data(f"k: {text}\n")
    if hasattr(value, "isoformat"):
        value = text  # timestamps stay text
    assert read == {"k": value}
    assert read == frontmatter.load_data(f"k: {text}\n")  # and again, remembered


def test_a_number_pyyaml_cannot_read_is_a_finding_on_its_line() -> None:
    text = "---\ntitle: X\nyear: 0x_\n---\nBody.\n"
    result = frontmatter.parse(text, "concepts/x.md")
    assert result.document is None
    assert [(f.line, f.column, f.code) for f in result.findings] == [(3, 7, YAML_SYNTAX)]
    assert "'0x_' is not a number" in result.findings[0].message
