"""A concept's neighbourhood, drawn at build time as an accessible inline SVG.

:func:`neighbourhood` picks the concepts around one concept: its broader, narrower and
related concepts, then theirs, up to a limit, always in the same order.
:func:`render_svg` lays them out (the concept in the middle, broader concepts above,
narrower below, related at the sides, concepts two steps away on an outer ring beside
the concept they were reached through) and writes SVG that the HTML allowlist
(:mod:`conceptkb.htmlpolicy`) accepts. Everything is computed here with no randomness
and no system dependency: the same index gives byte-identical SVG.

Geometry that the layout measured with (positions, font size and weight, text anchor)
is written as attributes; colours come from the ``ck-map-*`` classes of
``assets/conceptkb.css``, which use Material's palette variables, so the light and dark
schemes both work.
"""

from __future__ import annotations

import html
import unicodedata
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from conceptkb.index import ConceptIndex
from conceptkb.maplayout import FONT_SIZE, LINE_HEIGHT, PAD_Y, Box, place, text_width, wrap

Relation = Literal["broader", "narrower", "related"]
RELATIONS: tuple[Relation, ...] = ("broader", "narrower", "related")

IDS = frozenset({"ck-map-title", "ck-map-desc"})
"""The ids the map gives its title and description (one map per page). They are in
conceptkb's reserved ``ck-`` space, so no heading or body element can take them:
check the map with ``htmlpolicy.check_html(svg, own_ids=IDS)``."""

_MARGIN = 8.0
_LEGEND_GAP = 20.0
_SAMPLE = 24.0
"""The length of a line in the legend."""


@dataclass(frozen=True, slots=True)
class Node:
    """A concept in the map."""

    id: str
    step: int
    """0 for the concept itself, 1 for its neighbours, 2 for theirs."""
    via: str | None = None
    """The concept it was reached through (None for the concept itself)."""
    relation: Relation | None = None
    """What it is to :attr:`via`: broader, narrower or related."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A line of the map: ``target`` is the ``relation`` concept of ``source``."""

    source: str
    target: str
    relation: Relation


@dataclass(frozen=True, slots=True)
class Graph:
    """The concepts around one concept, in drawing order, each reached once."""

    centre: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    depth: int = 2
    """How many steps :func:`neighbourhood` was asked to go."""
    left_out: int = 0
    """Concepts one step away that the limit left out (the concept page lists them)."""
    more: bool = False
    """Whether the limit left out concepts two steps away."""


# -- choosing the concepts -------------------------------------------------------------


def neighbourhood(
    index: ConceptIndex,
    concept_id: str,
    *,
    depth: int = 2,
    limit: int = 24,
    hidden: Collection[str] = frozenset(),
) -> Graph:
    """The concept, its neighbours (broader as written, then narrower and related in id
    order) and, at ``depth`` 2, their neighbours, at most ``limit`` concepts in all.

    When one step gives more than the limit, each relation gets its turn in order
    (broader, narrower, related) until the limit is reached. Concepts two steps away are
    taken in turns too, one per neighbour per round, so one busy neighbour cannot crowd
    out the others. The cost is bounded by the limit, not by the size of the index.
    Concepts in ``hidden`` (drafts, unless the site shows them) are never drawn.
    """
    if depth not in (0, 1, 2):
        raise ValueError(f"depth must be 0, 1 or 2, not {depth}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    concept = index.get(concept_id)
    if concept is None:
        raise KeyError(concept_id)
    centre = concept.id
    nodes = [Node(centre, 0)]
    taken = {centre}
    first = list(_neighbours(index, centre, hidden)) if depth else []
    for other, relation in _in_turns(first, limit - 1):
        nodes.append(Node(other, 1, centre, relation))
        taken.add(other)
    left_out = len(first) - (len(nodes) - 1)
    more = False
    if depth == 2:
        pending = deque((node.id, _neighbours(index, node.id, hidden)) for node in nodes[1:])
        while pending and len(nodes) < limit:
            via, candidates = pending.popleft()
            found = _next_new(candidates, taken)
            if found is not None:
                nodes.append(Node(found[0], 2, via, found[1]))
                taken.add(found[0])
                pending.append((via, candidates))
        more = any(_next_new(candidates, taken) is not None for _, candidates in pending)
    edges = tuple(Edge(n.via, n.id, n.relation) for n in nodes if n.via and n.relation)
    return Graph(centre, tuple(nodes), edges, depth, left_out, more)


def has_neighbours(
    index: ConceptIndex, concept_id: str, *, hidden: Collection[str] = frozenset()
) -> bool:
    """Whether :func:`neighbourhood` (depth 1 or 2, limit 2 or more) draws more than the
    concept itself, without choosing the concepts it draws."""
    return next(_neighbours(index, concept_id, hidden), None) is not None


def _neighbours(
    index: ConceptIndex, concept_id: str, hidden: Collection[str] = frozenset()
) -> Iterator[tuple[str, Relation]]:
    """Each other concept one step away, once, under its first relation."""
    concept = index.concepts[concept_id]
    groups: tuple[tuple[Iterable[str], Relation], ...] = (
        (concept.broader, "broader"),
        (index.narrower.get(concept_id, ()), "narrower"),
        (index.related.get(concept_id, ()), "related"),
    )
    seen = {concept_id}
    for ids, relation in groups:
        for other in ids:
            if other in index.concepts and other not in seen and other not in hidden:
                seen.add(other)
                yield other, relation


def _in_turns(candidates: list[tuple[str, Relation]], room: int) -> list[tuple[str, Relation]]:
    if len(candidates) <= room:
        return candidates
    queues = {r: [c for c, relation in candidates if relation == r] for r in RELATIONS}
    chosen: set[str] = set()
    turn = 0
    while len(chosen) < room:
        for relation in RELATIONS:
            if turn < len(queues[relation]) and len(chosen) < room:
                chosen.add(queues[relation][turn])
        turn += 1
    return [(c, relation) for c, relation in candidates if c in chosen]


def _next_new(
    candidates: Iterator[tuple[str, Relation]], taken: set[str]
) -> tuple[str, Relation] | None:
    return next((c for c in candidates if c[0] not in taken), None)


# -- SVG ---------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """``text`` on one line, without control characters."""
    joined = " ".join(text.split())
    if joined.isprintable():
        return joined
    return "".join(c for c in joined if unicodedata.category(c) != "Cc")


def _n(value: float) -> str:
    text = f"{round(value, 1) + 0.0:.1f}"
    return text.removesuffix(".0")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _text(x: float, top: float, lines: Sequence[str], attrs: str) -> str:
    """A <text> of ``lines`` whose first line box starts at ``top``."""
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(top + i * LINE_HEIGHT + _BASELINE)}">{_esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f"<text {attrs}>{spans}</text>"


_BASELINE = LINE_HEIGHT / 2 + 0.35 * FONT_SIZE
"""From the top of a line box to the baseline of its text."""

_PHRASES: dict[Relation, str] = {
    "broader": "Broader than",
    "narrower": "Narrower than",
    "related": "Related to",
}


def render_svg(
    graph: Graph,
    url_for: Callable[[str], str],
    *,
    title_of: Callable[[str], str],
    summary_of: Callable[[str], str],
) -> str:
    """The map of ``graph`` as an inline ``<svg>`` element.

    ``url_for`` gives the URL of a concept's page relative to the page that shows the
    map; ``title_of`` and ``summary_of`` give a concept's title and summary. Every
    concept but the map's own is a link whose ``<title>`` holds its title and summary;
    the map's ``<title>`` and ``<desc>`` say in words what its lines show.
    """
    titles = {node.id: _plain(title_of(node.id)) or node.id for node in graph.nodes}
    boxes = [Box.label(n.id, n.step, n.via, n.relation, titles[n.id]) for n in graph.nodes]
    place(boxes)
    by_id = {box.id: box for box in boxes}

    left = min(b.x - b.w / 2 for b in boxes)
    right = max(b.x + b.w / 2 for b in boxes)
    top = min(b.y - b.h / 2 for b in boxes)
    bottom = max(b.y + b.h / 2 for b in boxes)
    drawing = right - left
    legend = _Legend.of(graph, max(drawing, 320.0))
    width = max(drawing, legend.width) + 2 * _MARGIN
    dx = _MARGIN - left + (width - 2 * _MARGIN - drawing) / 2
    dy = _MARGIN - top
    for box in boxes:
        box.x += dx
        box.y += dy
    legend_top = bottom + dy + _LEGEND_GAP
    height = legend_top + legend.height + _MARGIN

    name = titles[graph.centre]
    out = [
        f'<svg class="ck-map" viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}"'
        f' height="{_n(height)}" font-size="{FONT_SIZE}"'
        ' aria-labelledby="ck-map-title" aria-describedby="ck-map-desc">',
        f'<title id="ck-map-title">{_esc(f"Concept map of {name}")}</title>',
        f'<desc id="ck-map-desc">{_esc(_describe(graph, titles))}</desc>',
        '<g class="ck-map-edges" aria-hidden="true">',
    ]
    for edge in graph.edges:
        a, b = by_id[edge.source], by_id[edge.target]
        out.append(
            f'<line class="ck-map-edge ck-map-edge-{edge.relation}" x1="{_n(a.x)}"'
            f' y1="{_n(a.y)}" x2="{_n(b.x)}" y2="{_n(b.y)}"/>'
        )
    out.append("</g>")
    out.extend(_node(box, titles[box.id], summary_of, url_for) for box in boxes)
    out.append('<g class="ck-map-legend">')
    out.extend(legend.svg(_MARGIN, legend_top))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _node(
    box: Box, title: str, summary_of: Callable[[str], str], url_for: Callable[[str], str]
) -> str:
    summary = _plain(summary_of(box.id))
    top = box.y - box.h / 2
    rect = (
        f'<rect class="ck-map-box" x="{_n(box.x - box.w / 2)}" y="{_n(top)}"'
        f' width="{_n(box.w)}" height="{_n(box.h)}" rx="4"/>'
    )
    weight = ' font-weight="bold"' if box.bold else ""
    label = _text(
        box.x, top + PAD_Y, box.lines, f'class="ck-map-label" text-anchor="middle"{weight}'
    )
    if box.step == 0:
        tooltip = f"{title} (this page)" + (f": {summary}" if summary else "")
        return (
            f'<g class="ck-map-node ck-map-current"><title>{_esc(tooltip)}</title>{rect}{label}</g>'
        )
    tooltip = title + (f": {summary}" if summary else "")
    # xlink:href, not href: Material's instant navigation self-assigns the href property
    # of every [href] element, which throws on SVG links (a read-only SVGAnimatedString)
    # and stops its navigation; a namespaced attribute does not match [href].
    return (
        f'<a class="ck-map-node ck-map-node-{box.relation}"'
        f' xlink:href="{_esc(url_for(box.id))}"><title>{_esc(tooltip)}</title>'
        f"{rect}{label}</a>"
    )


def _notes(graph: Graph) -> list[str]:
    notes = []
    count = graph.left_out
    if count:
        what = "concept one step away is" if count == 1 else "concepts one step away are"
        notes.append(f"{count} more {what} listed on this page, not drawn.")
    if graph.more:
        notes.append("More concepts two steps away are not drawn.")
    return notes


def _describe(graph: Graph, titles: dict[str, str]) -> str:
    """The map in words: every line of the drawing is a sentence here."""
    name = titles[graph.centre]
    sentences = [f"{name} (this page) and the concepts around it."]
    groups: dict[tuple[str, Relation], list[str]] = {}
    for edge in graph.edges:
        groups.setdefault((edge.source, edge.relation), []).append(titles[edge.target])
    for (source, relation), names in groups.items():
        sentences.append(f"{_PHRASES[relation]} {titles[source]}: {', '.join(names)}.")
    if graph.depth and len(graph.nodes) == 1 and not graph.left_out:
        sentences.append("It has no broader, narrower or related concepts.")
    return " ".join([*sentences, *_notes(graph)])


@dataclass
class _Legend:
    keys: list[tuple[Relation, str]]
    notes: list[str]
    width: float
    height: float

    @classmethod
    def of(cls, graph: Graph, wrap_at: float) -> _Legend:
        relations = {edge.relation for edge in graph.edges}
        keys: list[tuple[Relation, str]] = []
        if relations & {"broader", "narrower"}:
            keys.append(("broader", "broader or narrower"))
        if "related" in relations:
            keys.append(("related", "related"))
        sentences = []
        if any(node.step == 1 for node in graph.nodes):
            sentences.append("Broader concepts are above, narrower below, related at the sides.")
        if any(node.step == 2 for node in graph.nodes):
            sentences.append("The outer ring is two steps away.")
        notes = wrap(" ".join([*sentences, *_notes(graph)]), width=wrap_at, most=None)
        widths = [text_width(line) for line in notes]
        if keys:
            widths.append(sum(_SAMPLE + 6 + text_width(label) + 18 for _, label in keys) - 18)
        rows = len(notes) + (1 if keys else 0)
        return cls(keys, notes, max(widths, default=0.0), rows * LINE_HEIGHT)

    def svg(self, left: float, top: float) -> list[str]:
        out = []
        if self.keys:
            x, middle = left, top + LINE_HEIGHT / 2
            for relation, label in self.keys:
                out.append(
                    f'<line class="ck-map-edge ck-map-edge-{relation}" x1="{_n(x)}"'
                    f' y1="{_n(middle)}" x2="{_n(x + _SAMPLE)}" y2="{_n(middle)}"/>'
                )
                out.append(_text(x + _SAMPLE + 6, top, [label], 'class="ck-map-key"'))
                x += _SAMPLE + 6 + text_width(label) + 18
            top += LINE_HEIGHT
        if self.notes:
            out.append(_text(left, top, self.notes, 'class="ck-map-note"'))
        return out
