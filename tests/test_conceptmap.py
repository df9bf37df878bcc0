"""The concept map: which concepts it draws, where, and what a browser makes of the SVG.

The SVG is judged as its consumers read it: parsed by an HTML5 parser (justhtml) as it
would be inside a page, held against the HTML allowlist, and measured with the layout's
own text-width estimate.
"""

from __future__ import annotations

import colorsys
import importlib.util
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from justhtml import JustHTML

from conceptkb import conceptmap, htmlpolicy, maplayout
from conceptkb.conceptmap import Edge, neighbourhood, render_svg
from conceptkb.frontmatter import Document
from conceptkb.index import ConceptIndex
from conceptkb.model import Concept

CSS = Path(__file__).resolve().parent.parent / "plugin" / "conceptkb" / "assets" / "conceptkb.css"


def _concept(concept_id: str, title: str | None = None, **fields: Any) -> Concept:
    document = Document(
        path=f"concepts/{concept_id}.md", data={}, yaml_text="", body="", body_line=9
    )
    return Concept(
        id=concept_id,
        path=document.path,
        document=document,
        title=title or concept_id.replace("-", " ").title(),
        summary=f"{concept_id} is a concept of the tests.",
        category="concept",
        **fields,
    )


def _render(index: ConceptIndex, graph: conceptmap.Graph) -> str:
    return render_svg(
        graph,
        lambda other: f"../{other}/",
        title_of=lambda c: index.concepts[c].title,
        summary_of=lambda c: index.concepts[c].summary,
    )


def _small() -> list[Concept]:
    """centre: broader a, narrower b and c, related d; a has broader e and related f;
    b has narrower g; d is related to h."""
    return [
        _concept("centre", broader=("a",), related=("d",)),
        _concept("a", broader=("e",), related=("f",)),
        _concept("b", broader=("centre",)),
        _concept("c", broader=("centre",)),
        _concept("d", related=("h",)),
        _concept("e"),
        _concept("f"),
        _concept("g", broader=("b",)),
        _concept("h"),
        _concept("far", broader=("e",)),  # three steps away
    ]


def _hub(count: int = 30) -> list[Concept]:
    """A concept with ``count`` neighbours (a third of each kind) with long and short
    titles, and each neighbour with neighbours of its own."""
    third = count // 3
    titles = [
        "Low-rank adaptation of attention projections",
        "DPO",
        "Reinforcement learning from human feedback with a learned reward model",
        "KV cache",
        "Supercalifragilisticexpialidociousnessfulness-regularisation",
        "In-context learning",
        "WWWWWWWW MMMMMMMM",
    ]
    up = [f"up-{i}" for i in range(third)]
    down = [f"down-{i}" for i in range(third)]
    side = [f"side-{i}" for i in range(count - 2 * third)]
    concepts = [_concept("hub", "The hub concept", broader=tuple(up), related=tuple(side))]
    for i, cid in enumerate([*up, *down, *side]):
        extra: dict[str, Any] = {"broader": ("hub",)} if cid.startswith("down") else {}
        concepts.append(_concept(cid, f"{titles[i % len(titles)]} {i}", **extra))
        concepts.append(_concept(f"{cid}-child", f"Child of {cid}", broader=(cid,)))
    return concepts


# -- choosing the concepts --------------------------------------------------------------


def test_depth_one_is_the_concept_and_its_neighbours() -> None:
    index = ConceptIndex(_small())
    graph = neighbourhood(index, "centre", depth=1)
    assert [(n.id, n.step, n.relation) for n in graph.nodes] == [
        ("centre", 0, None),
        ("a", 1, "broader"),
        ("b", 1, "narrower"),
        ("c", 1, "narrower"),
        ("d", 1, "related"),
    ]
    assert graph.edges == (
        Edge("centre", "a", "broader"),
        Edge("centre", "b", "narrower"),
        Edge("centre", "c", "narrower"),
        Edge("centre", "d", "related"),
    )
    assert (graph.left_out, graph.more) == (0, False)


def test_depth_two_adds_their_neighbours_once() -> None:
    index = ConceptIndex(_small())
    graph = neighbourhood(index, "centre")
    second = {(n.id, n.via, n.relation) for n in graph.nodes if n.step == 2}
    assert second == {
        ("e", "a", "broader"),
        ("f", "a", "related"),
        ("g", "b", "narrower"),
        ("h", "d", "related"),
    }
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))
    assert "far" not in ids  # three steps away
    assert {(e.source, e.target) for e in graph.edges} == {
        (n.via, n.id) for n in graph.nodes if n.via
    }


def test_depth_zero_is_the_concept_alone() -> None:
    graph = neighbourhood(ConceptIndex(_small()), "centre", depth=0)
    assert [n.id for n in graph.nodes] == ["centre"]
    assert graph.edges == ()


def test_a_former_id_finds_the_concept() -> None:
    concepts = _small()
    concepts[0].former_ids = ("old-centre",)
    graph = neighbourhood(ConceptIndex(concepts), "old-centre", depth=1)
    assert graph.centre == "centre"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"depth": 3}, ValueError), ({"limit": 0}, ValueError), ({"concept_id": "nope"}, KeyError)],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    arguments: dict[str, Any] = {"concept_id": "centre", **kwargs}
    with pytest.raises(error):
        neighbourhood(ConceptIndex(_small()), **arguments)


def test_the_limit_gives_each_relation_its_turn() -> None:
    index = ConceptIndex(_hub(30))
    graph = neighbourhood(index, "hub", limit=10)
    assert len(graph.nodes) == 10
    first = [n for n in graph.nodes if n.step == 1]
    assert [n.id for n in first] == [
        "up-0",
        "up-1",
        "up-2",
        "down-0",
        "down-1",
        "down-2",
        "side-0",
        "side-1",
        "side-2",
    ]
    assert graph.left_out == 30 - 9
    assert not any(n.step == 2 for n in graph.nodes)


def test_the_second_step_takes_turns_between_neighbours() -> None:
    concepts = [_concept("x", related=("p", "q"))]
    for parent in ("p", "q"):
        concepts.append(_concept(parent))
        concepts += [_concept(f"{parent}-{i}", broader=(parent,)) for i in range(5)]
    graph = neighbourhood(ConceptIndex(concepts), "x", limit=7)
    assert [n.id for n in graph.nodes if n.step == 2] == ["p-0", "q-0", "p-1", "q-1"]
    assert graph.more and graph.left_out == 0
    full = neighbourhood(ConceptIndex(concepts), "x", limit=100)
    assert len(full.nodes) == 13 and not full.more


def test_a_huge_neighbour_costs_no_more_than_the_limit() -> None:
    """A leaf under a hub of 5,000 concepts: the map draws at most ``limit`` of them,
    and pulls only a few more than that from the hub's list."""
    concepts = [_concept("hub"), _concept("leaf", broader=("hub",))]
    concepts += [_concept(f"n{i:05d}", broader=("hub",)) for i in range(5000)]
    index = ConceptIndex(concepts)
    pulled = 0
    narrower = index.narrower["hub"]

    class Counting(list[str]):
        def __iter__(self) -> Any:
            nonlocal pulled
            for item in narrower:
                pulled += 1
                yield item

    index.narrower["hub"] = Counting(narrower)
    graph = neighbourhood(index, "leaf", limit=24)
    assert len(graph.nodes) == 24 and graph.more
    assert pulled <= 2 * 24


# -- the same input, the same bytes ---------------------------------------------------


_IDS = ("a", "b", "c", "d", "e")


@given(
    relations=st.lists(
        st.tuples(
            st.sampled_from(_IDS), st.sampled_from(("broader", "related")), st.sampled_from(_IDS)
        ),
        max_size=8,
    ),
    hidden=st.frozensets(st.sampled_from(_IDS)),
    depth=st.sampled_from((1, 2)),
    limit=st.integers(2, 4),
)
def test_has_neighbours_says_whether_the_map_draws_another_concept(
    relations: list[tuple[str, str, str]], hidden: frozenset[str], depth: int, limit: int
) -> None:
    fields: dict[str, dict[str, tuple[str, ...]]] = {cid: {} for cid in _IDS}
    for source, relation, target in relations:
        fields[source][relation] = (*fields[source].get(relation, ()), target)
    index = ConceptIndex([_concept(cid, **fields[cid]) for cid in _IDS])
    for cid in _IDS:
        others = hidden - {cid}
        graph = neighbourhood(index, cid, depth=depth, limit=limit, hidden=others)
        assert conceptmap.has_neighbours(index, cid, hidden=others) == (len(graph.nodes) >= 2)


def test_the_same_index_gives_byte_identical_svg() -> None:
    concepts = _hub(30)
    first = _render(ConceptIndex(concepts), neighbourhood(ConceptIndex(concepts), "hub"))
    shuffled = list(concepts)
    random.Random(7).shuffle(shuffled)
    index = ConceptIndex(shuffled)
    assert _render(index, neighbourhood(index, "hub")) == first
    rebuilt = ConceptIndex(_hub(30))
    assert _render(rebuilt, neighbourhood(rebuilt, "hub")) == first


# -- the SVG as a browser parses it ---------------------------------------------------


def _elements(node: Any) -> list[Any]:
    found = []
    stack = list(reversed(getattr(node, "children", None) or []))
    while stack:
        item = stack.pop()
        if not str(getattr(item, "name", "#")).startswith("#"):
            found.append(item)
            stack.extend(reversed(getattr(item, "children", None) or []))
    return found


def _text_of(node: Any) -> str:
    parts = []
    stack = [node]
    while stack:
        item = stack.pop()
        if getattr(item, "name", "") == "#text":
            parts.append(item.data)
        stack.extend(reversed(getattr(item, "children", None) or []))
    return "".join(parts)


def _parse(svg: str) -> Any:
    """The <svg> element, parsed as part of a page body."""
    document = JustHTML(
        f"<!doctype html><html><body><p>Before</p>{svg}<p>After</p>", sanitize=False
    )
    [root] = [e for e in _elements(document.root) if e.name == "svg"]
    assert root.namespace == "svg"
    return root


def _children(node: Any, name: str) -> list[Any]:
    return [c for c in node.children or [] if getattr(c, "name", "") == name]


def _group(root: Any, name: str) -> Any:
    """The element of class ``name``."""
    return next(e for e in _elements(root) if e.attrs.get("class") == name)


def test_the_svg_parses_as_one_drawing_with_a_name_and_a_description() -> None:
    index = ConceptIndex(_small())
    svg = _render(index, neighbourhood(index, "centre"))
    document = JustHTML(f"<p>Before</p>{svg}<p>After</p>", sanitize=False)
    body = next(e for e in _elements(document.root) if e.name == "body")
    assert [c.name for c in body.children if not c.name.startswith("#")] == ["p", "svg", "p"]
    root = _parse(svg)
    assert "role" not in root.attrs
    assert root.attrs["viewBox"].startswith("0 0 ")
    [title] = _children(root, "title")
    [desc] = _children(root, "desc")
    assert root.attrs["aria-labelledby"] == title.attrs["id"]
    assert root.attrs["aria-describedby"] == desc.attrs["id"]
    assert _text_of(title) == "Concept map of Centre"
    assert {e.namespace for e in _elements(root)} == {"svg"}


def test_every_concept_but_the_page_s_own_is_a_link_to_its_page() -> None:
    index = ConceptIndex(_small())
    graph = neighbourhood(index, "centre")
    root = _parse(_render(index, graph))
    links = [e for e in _elements(root) if e.name == "a"]
    hrefs = {a.attrs["xlink:href"]: _text_of(_children(a, "title")[0]) for a in links}
    assert hrefs == {
        f"../{n.id}/": f"{index.concepts[n.id].title}: {index.concepts[n.id].summary}"
        for n in graph.nodes[1:]
    }
    assert all("href" not in a.attrs for a in links)  # see conceptmap._node
    [current] = [e for e in _elements(root) if "ck-map-current" in e.attrs.get("class", "")]
    assert current.name == "g"
    assert _text_of(_children(current, "title")[0]).startswith("Centre (this page): ")


def test_the_description_says_what_every_line_shows() -> None:
    index = ConceptIndex(_small())
    graph = neighbourhood(index, "centre")
    root = _parse(_render(index, graph))
    desc = _text_of(_children(root, "desc")[0])
    phrases = {"broader": "Broader than", "narrower": "Narrower than", "related": "Related to"}
    for edge in graph.edges:
        sentence = re.search(
            rf"{phrases[edge.relation]} {index.concepts[edge.source].title}: ([^.]*)\.", desc
        )
        assert sentence is not None, (edge, desc)
        assert index.concepts[edge.target].title in sentence.group(1).split(", ")
    drawn = {
        c.removeprefix("ck-map-edge-")
        for line in _children(_group(root, "ck-map-edges"), "line")
        for c in line.attrs["class"].split()
        if c.startswith("ck-map-edge-")
    }
    legend = _text_of(_group(root, "ck-map-legend"))
    assert drawn == {"broader", "narrower", "related"}
    assert "broader or narrower" in legend and "related" in legend


def test_the_map_passes_the_html_allowlist() -> None:
    index = ConceptIndex(_hub(30))
    svg = _render(index, neighbourhood(index, "hub"))
    assert htmlpolicy.check_html(svg, own_ids=conceptmap.IDS) == []
    # Its ids are conceptkb's own: the same markup in a body would be refused.
    assert {v.code for v in htmlpolicy.check_html(svg)} == {"CK206"}


HOSTILE = [
    "<script>alert(1)</script>",
    "\"quoted\" and 'single' <b>bold</b>",
    "]]> <![CDATA[ x ]]> & &amp; &lt;",
    "</title><img src=x onerror=alert(1)>",
    "</svg><script>alert(2)</script>",
    "a\x00b\x1bc\u202ed",
]


def test_hostile_titles_summaries_and_urls_stay_text() -> None:
    concepts = [_concept("centre", HOSTILE[0], related=tuple(f"h{i}" for i in range(1, 6)))]
    concepts += [_concept(f"h{i}", text) for i, text in enumerate(HOSTILE) if i]
    for concept in concepts:
        concept.summary = f"Summary {concept.title}"
    index = ConceptIndex(concepts)
    svg = render_svg(
        neighbourhood(index, "centre"),
        lambda other: f'../{other}/" onmouseover="alert(3)',
        title_of=lambda c: index.concepts[c].title,
        summary_of=lambda c: index.concepts[c].summary,
    )
    assert htmlpolicy.check_html(svg, own_ids=conceptmap.IDS) == []
    root = _parse(svg)
    elements = _elements(root)
    assert {e.name for e in elements} <= {
        "title",
        "desc",
        "g",
        "a",
        "rect",
        "text",
        "tspan",
        "line",
    }
    assert not any(name.startswith("on") for e in elements for name in e.attrs)
    titles = {_text_of(_children(a, "title")[0]) for a in elements if a.name == "a"}
    for text in HOSTILE[1:5]:
        assert f"{text}: Summary {text}" in titles
    assert "\x00" not in svg and "\x1b" not in svg  # control characters are dropped
    hrefs = {a.attrs["xlink:href"] for a in elements if a.name == "a"}
    assert '../h1/" onmouseover="alert(3)' in hrefs
    assert _text_of(_children(root, "title")[0]) == f"Concept map of {HOSTILE[0]}"


# -- layout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rect:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: _Rect) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def inside(self, other: _Rect, slack: float = 0.2) -> bool:
        return (
            self.left >= other.left - slack
            and self.right <= other.right + slack
            and self.top >= other.top - slack
            and self.bottom <= other.bottom + slack
        )


def _label_box(text: Any) -> _Rect:
    """Where a <text> draws, from the layout's own width estimate: each line's width
    about its anchor, from an ascent of 0.8 em above the baseline to 0.25 em below."""
    bold = text.attrs.get("font-weight") == "bold"
    middle = text.attrs.get("text-anchor") == "middle"
    size = maplayout.FONT_SIZE
    boxes = []
    for span in _children(text, "tspan"):
        x, y = float(span.attrs["x"]), float(span.attrs["y"])
        width = maplayout.text_width(_text_of(span), bold=bold)
        left = x - width / 2 if middle else x
        boxes.append(_Rect(left, y - 0.8 * size, left + width, y + 0.25 * size))
    return _Rect(
        min(b.left for b in boxes),
        min(b.top for b in boxes),
        max(b.right for b in boxes),
        max(b.bottom for b in boxes),
    )


def _layout_of(svg: str) -> tuple[_Rect, list[_Rect], list[_Rect], list[_Rect]]:
    """The viewBox, the node boxes, their labels, and the legend's texts."""
    root = _parse(svg)
    _, _, width, height = map(float, root.attrs["viewBox"].split())
    nodes = [e for e in _elements(root) if "ck-map-node" in e.attrs.get("class", "").split()]
    rects, labels = [], []
    for node in nodes:
        [rect] = _children(node, "rect")
        x, y = float(rect.attrs["x"]), float(rect.attrs["y"])
        rects.append(_Rect(x, y, x + float(rect.attrs["width"]), y + float(rect.attrs["height"])))
        labels.append(_label_box(_children(node, "text")[0]))
    notes = [_label_box(t) for t in _elements(_group(root, "ck-map-legend")) if t.name == "text"]
    return _Rect(0, 0, width, height), rects, labels, notes


@pytest.mark.parametrize(("depth", "limit"), [(1, 31), (2, 48), (2, 61)])
def test_labels_never_overlap_with_thirty_neighbours(depth: int, limit: int) -> None:
    index = ConceptIndex(_hub(30))
    graph = neighbourhood(index, "hub", depth=depth, limit=limit)
    assert len(graph.nodes) == limit
    view, rects, labels, notes = _layout_of(_render(index, graph))
    assert len(rects) == len(labels) == limit
    for label, rect in zip(labels, rects, strict=True):
        assert label.inside(rect), (label, rect)
    for a, b in itertools.combinations(rects + notes, 2):
        assert not a.overlaps(b), (a, b)
    for a, b in itertools.combinations(labels + notes, 2):
        assert not a.overlaps(b), (a, b)
    for box in rects + notes:
        assert box.inside(view, slack=0.0), (box, view)


def _enters(x1: float, y1: float, x2: float, y2: float, box: _Rect) -> bool:
    """Whether the segment enters the box (Liang-Barsky clipping)."""
    low, high = 0.0, 1.0
    for start, delta, lower, upper in (
        (x1, x2 - x1, box.left, box.right),
        (y1, y2 - y1, box.top, box.bottom),
    ):
        if delta == 0:
            if not lower < start < upper:
                return False
            continue
        t1, t2 = sorted(((lower - start) / delta, (upper - start) / delta))
        low, high = max(low, t1), min(high, t2)
        if low >= high:
            return False
    return True


@pytest.mark.parametrize(("concepts", "limit"), [(_small(), 24), (_hub(30), 48), (_hub(30), 61)])
def test_no_line_runs_under_a_box_it_does_not_join(concepts: list[Concept], limit: int) -> None:
    index = ConceptIndex(concepts)
    graph = neighbourhood(index, concepts[0].id, limit=limit)
    root = _parse(_render(index, graph))
    _, rects, _, _ = _layout_of(_render(index, graph))
    edges = _group(root, "ck-map-edges")
    lines = [
        [float(line.attrs[k]) for k in ("x1", "y1", "x2", "y2")]
        for line in _children(edges, "line")
    ]
    assert len(lines) == len(graph.edges)
    for x1, y1, x2, y2 in lines:
        ends = [r for r in rects if r.left <= x1 <= r.right and r.top <= y1 <= r.bottom]
        ends += [r for r in rects if r.left <= x2 <= r.right and r.top <= y2 <= r.bottom]
        assert len(ends) == 2  # each line joins the centres of two boxes
        for rect in rects:
            shrunk = _Rect(rect.left + 0.5, rect.top + 0.5, rect.right - 0.5, rect.bottom - 0.5)
            assert rect in ends or not _enters(x1, y1, x2, y2, shrunk), (x1, y1, x2, y2, rect)


def test_broader_above_narrower_below_related_at_the_sides() -> None:
    index = ConceptIndex(_small())
    root = _parse(_render(index, neighbourhood(index, "centre", depth=1)))
    centre: dict[str, tuple[float, float]] = {}
    for node in _elements(root):
        if "ck-map-node" in node.attrs.get("class", "").split():
            [rect] = _children(node, "rect")
            x = float(rect.attrs["x"]) + float(rect.attrs["width"]) / 2
            y = float(rect.attrs["y"]) + float(rect.attrs["height"]) / 2
            title = _text_of(_children(node, "title")[0]).split(":")[0].split(" (")[0]
            centre[title] = (x, y)
    (cx, cy), (ax, ay), (dx, dy) = centre["Centre"], centre["A"], centre["D"]
    assert ay < cy and abs(ax - cx) < 1
    assert centre["B"][1] > cy and centre["C"][1] > cy
    assert abs(dx - cx) > abs(dy - cy)


def test_long_titles_wrap_then_end_with_an_ellipsis() -> None:
    long = "Reinforcement learning from human feedback with a learned reward model and PPO"
    lines = maplayout.wrap(long)
    assert len(lines) == maplayout.LABEL_LINES and lines[-1].endswith("\u2026")
    assert all(maplayout.text_width(line) <= maplayout.LABEL_WIDTH for line in lines)
    word = "x" * 5000
    assert all(maplayout.text_width(line) <= maplayout.LABEL_WIDTH for line in maplayout.wrap(word))
    assert maplayout.wrap("QLoRA") == ["QLoRA"]
    wide = maplayout.text_width("\u5927\u578b\u8bed\u8a00\u6a21\u578b")  # CJK: 1 em each
    assert wide == 6 * maplayout.FONT_SIZE


# -- colours ----------------------------------------------------------------------------


def _material_css() -> tuple[str, str] | None:
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        return None
    sheets = Path(next(iter(spec.submodule_search_locations))) / "templates/assets/stylesheets"
    main = next(sheets.glob("main.*.min.css"), None)
    palette = next(sheets.glob("palette.*.min.css"), None)
    if main is None or palette is None:
        return None
    return main.read_text(encoding="utf-8"), palette.read_text(encoding="utf-8")


def _declarations(css: str, selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\{([^}]*)\}", css)
    assert block is not None, selector
    return {
        name.strip(): value.strip()
        for name, _, value in (d.partition(":") for d in block.group(1).split(";"))
        if value
    }


def _rgba(value: str, variables: dict[str, str]) -> tuple[float, float, float, float]:
    while "var(" in value:
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], value)
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        return (channels[0], channels[1], channels[2], channels[3] if len(channels) == 4 else 1.0)
    match = re.fullmatch(r"hsla\(([\d.]+)deg,\s*([\d.]+)%,\s*([\d.]+)%,\s*([\d.]+)\)", value)
    assert match is not None, value
    hue, saturation, lightness, alpha = map(float, match.groups())
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness / 100, saturation / 100)
    return r, g, b, alpha


def _contrast(fore: tuple[float, ...], back: tuple[float, ...]) -> float:
    blended = [fore[3] * f + (1 - fore[3]) * b for f, b in zip(fore[:3], back[:3], strict=True)]

    def luminance(rgb: list[float] | tuple[float, ...]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(blended), luminance(back[:3])), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ours(selector: str, prop: str) -> str:
    plain = CSS.read_text(encoding="utf-8").split("@media")[0]  # not the forced colours
    for rule in re.finditer(r"([^{}]+)\{([^}]*)\}", plain):
        selectors = [s.strip() for s in rule.group(1).split(",")]
        found = re.search(rf"(?:^|;)\s*{prop}:\s*([^;]+)", rule.group(2))
        if selector in selectors and found:
            return found.group(1).strip()
    raise AssertionError(f"no {prop} for {selector} in {CSS.name}")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_text_and_lines_contrast_in_both_schemes(scheme: str) -> None:
    sheets = _material_css()
    if sheets is None:
        pytest.skip("Material for MkDocs is not installed")
    main, palette = sheets
    variables = _declarations(main, ":root,[data-md-color-scheme=default]")
    if scheme == "slate":
        variables.update(_declarations(palette, "[data-md-color-scheme=slate]"))
    box = _rgba(_ours(".ck-map-box", "fill"), variables)
    page = _rgba("var(--md-default-bg-color)", variables)
    assert box[3] == page[3] == 1.0
    for selector in (".ck-map-label", ".ck-map-key", ".ck-map-note"):
        text = _rgba(_ours(selector, "fill"), variables)
        assert _contrast(text, box) >= 4.5 and _contrast(text, page) >= 4.5, selector
    for selector, prop in ((".ck-map-edge", "stroke"), (".ck-map-box", "stroke")):
        line = _rgba(_ours(selector, prop), variables)
        assert _contrast(line, page) >= 3.0, selector  # non-text contrast (WCAG 1.4.11)
