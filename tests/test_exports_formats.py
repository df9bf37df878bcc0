"""llms.txt, llms-full.txt and the SKOS thesaurus, read as their consumers read them:
the Turtle by an RDF parser, the Markdown line by line, code as bodyscan finds it.

Each export is checked on this repository's knowledge base, on the Kubernetes glossary
(whose bodies hold code) and on a small index of hostile names and bodies."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urljoin

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from conceptkb.bodyscan import mask_code
from conceptkb.checker import lint
from conceptkb.exports import concepts_json, llms_full_txt, llms_txt, skos_turtle
from conceptkb.frontmatter import Document
from conceptkb.index import ConceptIndex
from conceptkb.memo import SessionMemo
from conceptkb.model import Concept, Reference
from conceptkb.names import display_name
from conceptkb.settings import Settings, from_mkdocs_yml

from .conftest import K8S_CATEGORIES, K8S_CORPUS, ROOT

UrlFor = Callable[[str], str]
SITE_NAME = 'The "KB" \\ <glossary> [v2]'
DESCRIPTION = "Concepts\nfor adapting LLMs — with sources."
PUBLIC = "https://example.org/site/concepts.ttl"
"""Where a parser is told the Turtle file was read from: relative IRIs resolve here."""


@dataclass(frozen=True)
class Case:
    index: ConceptIndex
    url_for: UrlFor
    scheme: str = "concepts/"


def _linted(settings: Settings) -> Case:
    result = lint(settings)
    assert not result.errors, result.summary()
    assert result.space is not None
    urls = {
        r.concept_id: r.output.removesuffix("index.html")
        for r in result.space.of_kind("concept")
        if r.concept_id is not None
    }
    return Case(result.index, urls.__getitem__)


@pytest.fixture(scope="module")
def real() -> Case:
    """This repository's knowledge base, loaded as ``conceptkb lint`` loads it."""
    loaded = _linted(from_mkdocs_yml(ROOT / "mkdocs.yml"))
    assert len(loaded.index) == len(list((ROOT / "concepts").glob("*.md")))
    return loaded


@pytest.fixture(scope="module")
def k8s() -> Case:
    return _linted(Settings(concepts_dir=K8S_CORPUS / "concepts", categories=tuple(K8S_CATEGORIES)))


HOSTILE_BODY = """\
## Heading

Text [[lora]], [[lora|a label]], [[Low-Rank Adaptation]], [[nowhere]] and [[ünï]].

```python
x = "[[lora]]"  # kept
```

Inline `[[lora]]` and ``a `tick` [[lora|x]]`` stay.

    indented [[lora]] code

~~~
tilde [[lora]]
~~~

###### Six [[a b>c]]
"""


def _concept(concept_id: str, title: str, body: str = "", **fields: object) -> Concept:
    document = Document(
        path=f"concepts/{concept_id}.md", data={}, yaml_text="", body=body, body_line=9
    )
    fields.setdefault("summary", f"{title} is a concept.")
    fields.setdefault("category", "concept")
    return Concept(
        id=concept_id,
        path=document.path,
        document=document,
        title=title,
        **fields,  # type: ignore[arg-type]
    )


HOSTILE = [
    _concept(
        "lora",
        'LoRA "quoted" \\ back',
        HOSTILE_BODY,
        aliases=(
            "Low-Rank Adaptation",
            'Alias "with" quotes',
            "Line\nbreak",
            "Tab\there\r",
            "Bell\x07 and DEL\x7f",
            'LoRA "quoted" \\ back',  # the title again: not an altLabel
        ),
        summary='A summary with "quotes", a back\\slash,\na new line and é — ✓ 日本語.',
        tags=("peft", "t a g"),
        references=(
            Reference(
                "Paper [one]: `code`",
                "https://example.org/p?a=1&b=(2)",
                ('Ann "A" O\'Neil', "Bo"),
                2021,
            ),
            Reference("Second", "https://example.org/s p", note="A\nnote."),
        ),
    ),
    _concept(
        "a b>c",
        "Spaces > and <angle> [brackets]",
        broader=("lora",),
        related=("ünï", "lora"),
        summary="# Not a heading",
        category="method-family",
    ),
    _concept(
        "ünï",
        "Ünïcödé 日本語",
        "Body with [[a b>c|spaces]] and\n\n# Top heading\n",
        broader=("lora", "missing-parent", "ünï"),
        related=("lora",),
        summary="~~~ not a fence",
    ),
    _concept(
        'q"uote\\{x}|^`',
        "C #",
        "```\nunclosed? no: closed\n```\n",
        category="method-family",
        broader=("a b>c",),
        summary="1. Not a list",
    ),
    _concept(
        "100%",
        "Weird [[x]] title",
        "    indented code first [[lora]]\n\nthen prose [[100%]]\n",
        summary="",
        category="",
    ),
]


@pytest.fixture(scope="module")
def hostile() -> Case:
    return Case(ConceptIndex(HOSTILE), lambda cid: f"concepts/{cid}/")


@pytest.fixture(params=["real", "k8s", "hostile"])
def case(request: pytest.FixtureRequest) -> Case:
    fixture: Case = request.getfixturevalue(request.param)
    return fixture


def _absolute(case: Case) -> Case:
    return Case(
        case.index,
        lambda cid: f"https://example.org/kb/{case.url_for(cid)}",
        "https://example.org/kb/concepts/",
    )


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _by_title(index: ConceptIndex) -> list[Concept]:
    return sorted(index.concepts.values(), key=lambda c: (c.title.casefold(), c.title, c.id))


# -- llms.txt ----------------------------------------------------------------------------

ITEM = re.compile(r"- \[((?:[^\[\]\\]|\\.)+)\]\(([^()\s<>]+)\)(?:: (.+))?")


@dataclass
class LlmsTxt:
    title: str
    summary: str | None
    sections: dict[str, list[tuple[str, str, str | None]]]


def _parse_llms_txt(text: str) -> LlmsTxt:
    """The llms.txt proposal's structure, strictly: an H1 first, an optional blockquote,
    paragraphs without headings, then H2 sections holding only link list items."""
    lines = iter(text.split("\n"))
    first = next(lines)
    assert first.startswith("# "), first
    parsed = LlmsTxt(_unescape(first[2:]), None, {})
    current: list[tuple[str, str, str | None]] | None = None
    for line in lines:
        if not line:
            continue
        assert not line.startswith("# ") and not line.startswith("###"), line
        if line.startswith("## "):
            assert _unescape(line[3:]) not in parsed.sections, line
            current = parsed.sections[_unescape(line[3:])] = []
        elif current is not None:
            item = ITEM.fullmatch(line)
            assert item is not None, line
            current.append((_unescape(item.group(1)), item.group(2), item.group(3)))
        elif line.startswith("> "):
            assert parsed.summary is None and not parsed.sections, line
            parsed.summary = line[2:]
    return parsed


def test_llms_txt_lists_each_concept_once_under_its_category(case: Case) -> None:
    text = llms_txt(case.index, case.url_for, site_name=SITE_NAME, site_description=DESCRIPTION)
    parsed = _parse_llms_txt(text)
    assert parsed.title == SITE_NAME
    assert parsed.summary == _one_line(DESCRIPTION)
    index = case.index
    categories = sorted(
        {c.category for c in index.concepts.values()}, key=lambda c: (display_name(c).casefold(), c)
    )
    assert list(parsed.sections) == [display_name(c) or "Other" for c in categories]
    by_title = {c.title: c for c in index.concepts.values()}
    seen = []
    for heading, items in parsed.sections.items():
        for title, url, summary in items:
            concept = by_title[title]
            seen.append(concept.id)
            assert (display_name(concept.category) or "Other") == heading
            assert unquote(url) == case.url_for(concept.id)
            assert _unescape(summary or "") == _one_line(concept.summary)
        titles = [t for t, _, _ in items]
        assert titles == sorted(titles, key=lambda t: (t.casefold(), t))
    assert sorted(seen) == sorted(index.concepts)


def test_llms_txt_without_a_description_has_no_blockquote(hostile: Case) -> None:
    text = llms_txt(hostile.index, hostile.url_for, site_name="KB", site_description=" ")
    assert _parse_llms_txt(text).summary is None
    assert not any(line.startswith(">") for line in text.splitlines())


def test_llms_txt_urls_are_absolute_when_given_so(real: Case) -> None:
    case = _absolute(real)
    parsed = _parse_llms_txt(llms_txt(case.index, case.url_for, site_name="S", site_description=""))
    urls = [url for items in parsed.sections.values() for _, url, _ in items]
    assert len(urls) == len(real.index)
    assert all(url.startswith("https://example.org/kb/concepts/") for url in urls)


# -- llms-full.txt -----------------------------------------------------------------------


def _full(case: Case) -> str:
    return llms_full_txt(
        case.index, case.url_for, site_name=SITE_NAME, site_description=DESCRIPTION
    )


def _code(text: str) -> str:
    """The characters of ``text`` that bodyscan finds inside code (blanked by masking)."""
    return "".join(c for c, m in zip(text, mask_code(text), strict=True) if c != m)


def _sections(text: str) -> Iterator[tuple[str, str]]:
    """(title, text) of each H2 section outside code."""
    starts = [m.start() for m in re.finditer(r"^## ", mask_code(text), re.MULTILINE)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        heading, _, rest = text[start:end].partition("\n")
        yield _unescape(heading[3:]), rest


def test_llms_full_has_every_concept_and_no_wikilink_outside_code(case: Case) -> None:
    text = _full(case)
    masked = mask_code(text)
    assert "[[" not in masked
    assert re.findall(r"^# .*", masked, re.MULTILINE) == [masked.split("\n", 1)[0]]
    titles = [title for title, _ in _sections(text)]
    assert titles == [c.title for c in _by_title(case.index)]


def test_llms_full_keeps_code_byte_identical(case: Case) -> None:
    text = _full(case)
    assert _code(text) == "".join(_code(c.body) for c in _by_title(case.index))
    if set(case.index.concepts) == {c.id for c in HOSTILE}:
        assert '```python\nx = "[[lora]]"  # kept\n```' in text
        assert "``a `tick` [[lora|x]]``" in text
        assert "    indented [[lora]] code" in text
        assert "    indented code first [[lora]]" in text


def test_llms_full_gives_each_concept_its_fields(case: Case) -> None:
    index = case.index
    sections = dict(_sections(_full(case)))
    for concept in index.concepts.values():
        section = _unescape(sections[concept.title])
        facts = {
            m.group(1): m.group(2) for m in re.finditer(r"^- (\w+): (.*)$", section, re.MULTILINE)
        }
        assert unquote(facts["URL"]) == case.url_for(concept.id)
        assert facts.get("Aliases") == ("; ".join(map(_one_line, concept.aliases)) or None)
        assert facts.get("Category") == (display_name(concept.category) or None)
        assert facts.get("Tags") == (", ".join(concept.tags) or None)
        for name, ids in (
            ("Broader", {p for p in concept.broader if p in index and p != concept.id}),
            ("Narrower", set(index.narrower.get(concept.id, ()))),
            ("Related", set(index.related.get(concept.id, ()))),
        ):
            shown = facts.get(name, "").split("; ") if ids else []
            assert sorted(shown) == sorted(index.concepts[i].title for i in ids), name
        assert _one_line(concept.summary) in section
        for reference in concept.references:
            assert _one_line(reference.title) in section
            assert all(author in section for author in reference.authors)
            assert reference.year is None or f"({reference.year})" in section
            assert unquote(reference.url) in unquote(section)


def test_llms_full_writes_links_as_the_site_shows_them(hostile: Case) -> None:
    sections = dict(_sections(_full(hostile)))
    lora = sections['LoRA "quoted" \\ back']
    assert (
        'Text LoRA "quoted" \\\\ back, a label, Low-Rank Adaptation, nowhere and Ünïcödé 日本語.'
        in lora
    )
    assert "\n### Heading\n" in lora
    assert "\n###### Six Spaces > and \\<angle> \\[brackets\\]\n" in lora
    assert "Body with spaces and\n\n### Top heading" in sections["Ünïcödé 日本語"]
    weird = sections["Weird [[x]] title"]
    assert "<!-- -->\n\n    indented code first [[lora]]\n\nthen prose Weird" in weird


# -- SKOS --------------------------------------------------------------------------------

IRIREF = re.compile(r'<(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
STRING_BODY = re.compile(r'(?:[^"\\\n\r]|\\[tbnrf"\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*')


def _parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle", publicID=PUBLIC)


def _turtle(case: Case) -> str:
    return skos_turtle(case.index, case.url_for, scheme_iri=case.scheme, site_name=SITE_NAME)


def _count(graph: Graph, predicate: URIRef) -> int:
    return len(list(graph.triples((None, predicate, None))))


@pytest.mark.parametrize("absolute", [False, True])
def test_the_turtle_holds_what_the_index_holds(case: Case, absolute: bool) -> None:
    if absolute:
        case = _absolute(case)
    text = _turtle(case)
    graph = _parse(text)
    index = case.index
    iri = {cid: URIRef(urljoin(PUBLIC, case.url_for(cid))) for cid in index.concepts}
    parsed = {URIRef(unquote(str(s))): s for s in graph.subjects(RDF.type, SKOS.Concept)}
    assert set(parsed) == set(iri.values())  # one Concept per concept, at its URL
    concept_of = {parsed[iri[cid]]: index.concepts[cid] for cid in index.concepts}

    def labels(predicate: URIRef) -> set[tuple[str, str]]:
        found = set()
        for subject, _, value in graph.triples((None, predicate, None)):
            assert isinstance(value, Literal) and value.language == "en"
            found.add((concept_of[subject].id, str(value)))
        return found

    assert labels(SKOS.prefLabel) == {(c.id, c.title) for c in index.concepts.values()}
    assert labels(SKOS.altLabel) == {
        (c.id, a) for c in index.concepts.values() for a in c.aliases if a != c.title
    }
    assert _count(graph, SKOS.prefLabel) == len(index)
    assert labels(SKOS.definition) == {
        (c.id, c.summary) for c in index.concepts.values() if c.summary
    }

    def pairs(predicate: URIRef) -> set[tuple[str, str]]:
        return {
            (concept_of[s].id, concept_of[o].id)
            for s, _, o in graph.triples((None, predicate, None))
        }

    narrower = {(p, c) for p, children in index.narrower.items() for c in children}
    related = {(a, b) for a, others in index.related.items() for b in others}
    assert pairs(SKOS.narrower) == narrower
    assert pairs(SKOS.broader) == {(c, p) for p, c in narrower}
    assert pairs(SKOS.related) == related == {(b, a) for a, b in related}
    assert _count(graph, SKOS.narrower) == _count(graph, SKOS.broader) == len(narrower)
    assert _count(graph, SKOS.related) == len(related)

    scheme = URIRef(urljoin(PUBLIC, case.scheme))
    assert graph.value(scheme, RDF.type) == SKOS.ConceptScheme
    assert graph.value(scheme, DCTERMS.title) == Literal(SITE_NAME, lang="en")
    assert set(graph.subjects(SKOS.inScheme, scheme)) == set(concept_of)
    top = {s for s in concept_of if (s, SKOS.broader, None) not in graph}
    assert set(graph.objects(scheme, SKOS.hasTopConcept)) == top
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == top
    assert text.startswith("@base <./> .\n") is not absolute


def test_turtle_tokens_follow_the_grammar(hostile: Case) -> None:
    """Every IRI is an IRIREF and every string a STRING_LITERAL_QUOTE as the Turtle spec
    writes them: stricter than a parser that forgives a raw space or control character."""
    for case in (hostile, _absolute(hostile)):
        text = _turtle(case)
        # Legal in a string, but invisible in an editor: every control character is escaped.
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text)
        for line in text.splitlines():
            for literal in STRING.finditer(line):
                assert STRING_BODY.fullmatch(literal.group(1)), line
            rest = STRING.sub("", line)
            assert rest.count("<") == len(IRIREF.findall(rest)), line


def test_hostile_ids_become_percent_encoded_iris(hostile: Case) -> None:
    graph = _parse(_turtle(hostile))
    subjects = {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
    assert subjects == {
        "https://example.org/site/concepts/lora/",
        "https://example.org/site/concepts/a%20b%3Ec/",
        "https://example.org/site/concepts/ünï/",
        "https://example.org/site/concepts/q%22uote%5C%7Bx%7D%7C%5E%60/",
        "https://example.org/site/concepts/100%25/",
    }


def test_the_language_tag_is_checked_and_used(hostile: Case) -> None:
    text = skos_turtle(
        hostile.index, hostile.url_for, scheme_iri="c/", site_name="S", language="fr-CA"
    )
    assert {o.language for o in _parse(text).objects() if isinstance(o, Literal)} == {"fr-CA"}
    with pytest.raises(ValueError, match="language tag"):
        skos_turtle(hostile.index, hostile.url_for, scheme_iri="c/", site_name="S", language="e n")


def test_the_exports_do_not_depend_on_the_order_of_the_files(hostile: Case) -> None:
    again = Case(ConceptIndex(reversed(HOSTILE)), hostile.url_for)
    for made in (_full, _turtle):
        assert made(again) == made(hostile)
    assert llms_txt(again.index, again.url_for, site_name="S", site_description="D") == llms_txt(
        hostile.index, hostile.url_for, site_name="S", site_description="D"
    )


# -- a serve session's kept results ---------------------------------------------------


def test_concepts_json_is_json_indented_by_one_space(case: Case) -> None:
    text = concepts_json(case.index, case.url_for)
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1)
    assert json.loads(text)["count"] == len(case.index)


def test_concepts_json_of_no_concepts() -> None:
    text = concepts_json(ConceptIndex([]), str)
    assert text == json.dumps({"version": 1, "count": 0, "concepts": []}, indent=1)


def test_exports_with_a_session_memo_equal_those_without(hostile: Case) -> None:
    """Kept results are keyed by what they depend on: a concept that changes, or one
    whose link target changes its title, gives new text."""
    memo = SessionMemo()
    about = {"site_name": SITE_NAME, "site_description": DESCRIPTION}

    def both(index: ConceptIndex) -> None:
        memo.next_build()
        assert concepts_json(index, hostile.url_for, memo=memo) == concepts_json(
            index, hostile.url_for
        )
        assert llms_full_txt(index, hostile.url_for, **about, memo=memo) == llms_full_txt(
            index, hostile.url_for, **about
        )
        assert llms_txt(index, hostile.url_for, **about, memo=memo) == llms_txt(
            index, hostile.url_for, **about
        )
        skos = {"scheme_iri": "https://example.org/kb/", "site_name": SITE_NAME}
        assert skos_turtle(index, hostile.url_for, **skos, memo=memo) == skos_turtle(
            index, hostile.url_for, **skos
        )

    concepts = list(hostile.index.concepts.values())
    both(hostile.index)
    both(hostile.index)  # every result kept
    target = hostile.index.concepts["100%"]  # its body links to it by id: shows the title
    renamed = dataclasses.replace(target, title=target.title + " renamed")
    both(ConceptIndex([renamed if c is target else c for c in concepts]))
    both(ConceptIndex([c for c in concepts if c is not target]))
    related = dataclasses.replace(concepts[0], related=(*concepts[0].related, concepts[-1].id))
    both(ConceptIndex([related, *concepts[1:]]))
