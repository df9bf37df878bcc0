"""Citations of concept pages: the strings, and the block every engine shows them in.

BibTeX entries are read back the way BibTeX reads them: a field's value runs to the
brace that balances its opening one, counting braces without looking at backslashes.
A title, whatever it holds, must stay inside its field and typeset as written.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from conceptkb.citation import ACCESSED, bibtex_escape, cite

from .conftest import REVIEWED, Project, run
from .test_generate import render

SITE_URL = "https://example.org/docs/kb/"
SPECIALS = "\\{}&%$#_~^"
_COMMANDS = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    **{f"\\{char}": char for char in "&%$#_"},
}


def bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """(type, key, fields) of one entry, read as BibTeX reads brace-delimited values."""
    match = re.match(r"@(\w+)\{([^,\s]+),", entry)
    assert match, entry
    fields: dict[str, str] = {}
    at = match.end()
    while True:
        name = re.compile(r"\s*(\w+)\s*=\s*\{").match(entry, at)
        if name is None:
            break
        depth, start = 1, name.end()
        at = start
        while depth:
            assert at < len(entry), f"unbalanced braces in {name.group(1)}: {entry}"
            depth += {"{": 1, "}": -1}.get(entry[at], 0)
            at += 1
        fields[name.group(1)] = entry[start : at - 1]
        at = entry.index(",", at) + 1 if entry.find(",", at) != -1 else at
    assert entry[at:].strip() == "}", f"left over: {entry[at:]!r}"
    return match.group(1), match.group(2), fields


def typeset(value: str) -> str:
    """What LaTeX prints for a value this module escaped (groups dropped)."""
    pattern = "|".join(re.escape(command) for command in _COMMANDS)
    out = re.sub(pattern, lambda m: "\0" + _COMMANDS[m.group(0)] + "\0", value)
    pieces = out.split("\0")
    # Every other piece came from a command: keep it; strip grouping braces elsewhere.
    return "".join(
        p if i % 2 else p.replace("{", "").replace("}", "") for i, p in enumerate(pieces)
    )


def test_plain_text_and_bibtex_of_a_reviewed_concept() -> None:
    citation = cite(
        "lora",
        "LoRA (Low-Rank Adaptation)",
        site_name="conceptkb",
        reviewed="2026-05-01",
        url=SITE_URL + "concepts/lora/",
        absolute=True,
    )
    assert citation.text == (
        "LoRA (Low-Rank Adaptation). In conceptkb, last reviewed 2026-05-01."
        f" {SITE_URL}concepts/lora/ (accessed YYYY-MM-DD)."
    )
    assert citation.bibtex == (
        "@misc{lora,\n"
        "  title = {{LoRA (Low-Rank Adaptation)}},\n"
        "  howpublished = {conceptkb},\n"
        "  year = {2026},\n"
        "  note = {Last reviewed 2026-05-01},\n"
        f"  url = {{{SITE_URL}concepts/lora/}},\n"
        "  urldate = {YYYY-MM-DD}\n"
        "}"
    )


def test_never_reviewed_and_without_a_site_name() -> None:
    citation = cite("x", "Why?", site_name="", reviewed=None, url="concepts/x/", absolute=False)
    assert citation.text == "Why? concepts/x/ (accessed YYYY-MM-DD)."
    _, _, fields = bibtex_fields(citation.bibtex)
    assert set(fields) == {"title", "url", "urldate"}
    assert not citation.absolute


def test_every_special_character_is_escaped() -> None:
    assert bibtex_escape("A {b} \\c & d % e $ f # g _ h ~ i ^ j") == (
        r"A \textbraceleft{}b\textbraceright{} \textbackslash{}c \& d \% e \$ f \# g \_ h"
        r" \textasciitilde{} i \textasciicircum{} j"
    )


@pytest.mark.parametrize(
    "title",
    [
        "}, note = {pwned",
        "{{{",
        "}}}",
        "\\}",
        "& starts with a special character",
        "50% of $x$ in C# with snake_case ~ x^2 \\ end",
        '@misc{other, title = {x}} "quoted"',
    ],
)
def test_a_hostile_title_stays_in_its_field(title: str) -> None:
    citation = cite("k", title, site_name="Q&A_site", reviewed=REVIEWED, url="u", absolute=False)
    kind, key, fields = bibtex_fields(citation.bibtex)
    assert (kind, key) == ("misc", "k")
    assert list(fields) == ["title", "howpublished", "year", "note", "url", "urldate"]
    assert typeset(fields["title"]) == title
    assert typeset(fields["howpublished"]) == "Q&A_site"
    # A group starting with a backslash would be a BibTeX "special character", whose
    # letters styles change: the title's protecting group never starts with one.
    assert not fields["title"].startswith("{\\")
    assert citation.text.startswith(title)


@given(st.text(alphabet=st.sampled_from(list(SPECIALS + "aZ 1.")), max_size=40))
def test_escaping_keeps_braces_balanced_and_text_intact(text: str) -> None:
    escaped = bibtex_escape(text)
    depth = 0
    for char in escaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert typeset(escaped) == " ".join(text.split())


def test_the_url_field_keeps_the_url_and_encodes_what_would_break_it() -> None:
    url = "https://example.org/a_b/%7E{x}\\ y#frag"
    citation = cite("k", "T", site_name="", reviewed=None, url=url, absolute=True)
    _, _, fields = bibtex_fields(citation.bibtex)
    assert fields["url"] == "https://example.org/a_b/%7E%7Bx%7D%5C%20y#frag"
    assert citation.text == f"T. {url} (accessed {ACCESSED})."


# -- on the page ---------------------------------------------------------------------


def cite_block(page: BeautifulSoup) -> dict[str, object]:
    block = page.select_one(".ck-concept details.ck-cite")
    assert block is not None
    assert block.find_next_sibling("p", class_="ck-back") is not None  # just before it
    buttons = block.select("button[data-ck-copy]")
    status = block.select_one(".ck-cite-status")
    assert status is not None and status.get("aria-live") == "polite"
    return {
        "summary": block.summary.get_text(),
        "help": block.select_one(".ck-cite-help").get_text(),
        "text": block.select_one("pre#ck-cite-text").get_text(),
        "bibtex": block.select_one("pre#ck-cite-bibtex").get_text(),
        "buttons": [(b["data-ck-copy"], b.has_attr("hidden"), b.get_text()) for b in buttons],
    }


def test_a_concept_page_shows_how_to_cite_it(small_kb: Project) -> None:
    small_kb.config(site_url=SITE_URL)
    built = small_kb.build()
    assert built.ok, built.error
    shown = cite_block(built.html("concepts/lora/"))
    assert shown["summary"] == "Cite this page"
    assert shown["text"] == (
        f"LoRA. In Test glossary, last reviewed {REVIEWED}."
        f" {SITE_URL}concepts/lora/ (accessed YYYY-MM-DD)."
    )
    _, key, fields = bibtex_fields(str(shown["bibtex"]))
    assert key == "lora"
    assert fields["url"] == SITE_URL + "concepts/lora/"
    assert fields["note"] == f"Last reviewed {REVIEWED}"
    # Hidden until the script can copy: without it, the text is there to select.
    assert shown["buttons"] == [
        ("ck-cite-text", True, "Copy the plain text"),
        ("ck-cite-bibtex", True, "Copy the BibTeX"),
    ]
    assert "site_url" not in str(shown["help"])


def test_without_site_url_the_page_says_the_address_is_relative(small_kb: Project) -> None:
    built = small_kb.build(use_directory_urls=False)
    assert built.ok, built.error
    shown = cite_block(built.html("concepts/lora.html"))
    assert str(shown["text"]).endswith(" concepts/lora.html (accessed YYYY-MM-DD).")
    assert "site_url" in str(shown["help"]) and "relative" in str(shown["help"])


HOSTILE_TITLE = "Costs $5 & 50% {of} C# x_y ~ a^b \\ end"


def test_the_generated_tree_shows_the_same_citation(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zensical's page (the tree's Markdown, rendered as the engine renders it) and the
    MkDocs page hold the same citation, math-like dollars included."""
    kb.concept(
        "odd",
        HOSTILE_TITLE,
        related=["lora"],
        references=[{"title": "R", "url": "https://example.org/r"}],
    )
    kb.config(site_url=SITE_URL)
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    generated = cite_block(render(kb.root, "concepts/odd.md"))
    built = kb.build()
    assert built.ok, built.error
    assert cite_block(built.html("concepts/odd/")) == generated
    _, _, fields = bibtex_fields(str(generated["bibtex"]))
    assert typeset(fields["title"]) == HOSTILE_TITLE
    assert str(generated["text"]).startswith(HOSTILE_TITLE + ". In Test glossary")
