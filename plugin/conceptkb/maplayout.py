"""Where the concept map's labels go: text measured from its characters, and the two
rings of :mod:`conceptkb.conceptmap` laid out exactly, with no overlaps.

Deterministic (the same boxes give the same positions) and bounded: every step is at
most quadratic in the number of boxes, and the number of tries is fixed.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise

FONT_SIZE = 14
"""Label font size, in the drawing's units (pixels when shown at its natural size)."""
LINE_HEIGHT = 17
LABEL_WIDTH = 130.0
"""The widest line of a label; longer titles wrap, then end with an ellipsis."""
LABEL_LINES = 2
BOLD = 1.1
"""How much wider bold text (the concept in the middle) is than regular text."""
PAD_X, PAD_Y = 8.0, 5.0
"""Space between a label and its box."""

_GAP = 10.0
"""Least space between two boxes."""
_EDGE_GAP = 28.0
"""Least space between two joined boxes, so the line between them shows."""
_ASPECT = 0.5
"""The first ring is an ellipse this much flatter than wide, since labels are wide."""
_OUTER = 1.2
"""The outer ring starts this much further out than the first."""
_OUTER_ASPECTS = (0.5, 0.75, 1.0)
_OUTER_FILLS = (1.0, 0.75, 0.5)
"""The shapes and densities tried for the outer ring: a fill of 0.5 leaves half of the
ring free, so that each concept can stay beside the one it was reached through."""
_TAU = 2 * math.pi

_NARROW = frozenset("fijlrtI.,:;'!|()[]{}/ ")
_WIDE = frozenset("mwMW@%&")
_WIDEST = frozenset("\u2026\u2014")  # ellipsis, em dash


# -- measuring text --------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _em(char: str) -> float:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F") or char in _WIDEST:
        return 1.0
    if char in _NARROW:
        return 0.32
    if char in _WIDE:
        return 0.92
    if char.isupper() or char.isdigit():
        return 0.68
    return 0.56


def text_width(text: str, *, bold: bool = False) -> float:
    """An upper estimate of the width of ``text`` at :data:`FONT_SIZE`, from its
    characters: narrow, average, capital, wide, and full width for East Asian text."""
    return sum(map(_em, text)) * FONT_SIZE * (BOLD if bold else 1.0)


def wrap(
    text: str, *, width: float = LABEL_WIDTH, bold: bool = False, most: int | None = LABEL_LINES
) -> list[str]:
    """``text`` in lines no wider than ``width``, at most ``most`` of them (None: as many
    as it takes). Words too long for a line are broken; text that does not fit in
    ``most`` lines ends with an ellipsis."""
    if most is None:
        return list(_lines(text, width, bold))
    lines = list(islice(_lines(text, width, bold), most + 1))
    if len(lines) <= most:
        return lines or [""]
    last = lines[most - 1]
    while last and text_width(last + "\u2026", bold=bold) > width:
        last = last[:-1]
    return [*lines[: most - 1], last.rstrip() + "\u2026"]


def _lines(text: str, width: float, bold: bool) -> Iterator[str]:
    limit = width / (FONT_SIZE * (BOLD if bold else 1.0))  # in ems
    space = _em(" ")
    line, used = "", 0.0
    for word in text.split():
        size = sum(map(_em, word))
        if line and used + space + size <= limit:
            line, used = f"{line} {word}", used + space + size
            continue
        if line:
            yield line
        while size > limit:  # a word longer than a line: break it
            cut = _fitting(word, limit)
            yield word[:cut]
            word = word[cut:]
            size = sum(map(_em, word))
        line, used = word, size
    if line:
        yield line


def _fitting(word: str, limit: float) -> int:
    """How many leading characters of ``word`` fit in ``limit`` ems (at least one)."""
    total = 0.0
    for i, char in enumerate(word):
        total += _em(char)
        if total > limit:
            return max(i, 1)
    return len(word)


# -- layout ------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Box:
    """A concept's label, in a box whose centre :func:`place` sets."""

    id: str
    step: int
    """0 for the concept in the middle, 1 for the first ring, 2 for the outer ring."""
    via: str | None
    """The box it is joined to by a line (None in the middle)."""
    relation: str | None
    """``broader``, ``narrower`` or ``related``: where on the first ring it wants to be."""
    lines: list[str]
    bold: bool
    w: float
    h: float
    x: float = 0.0
    y: float = 0.0

    @classmethod
    def label(cls, id: str, step: int, via: str | None, relation: str | None, title: str) -> Box:
        """The box of a concept titled ``title``, wrapped to fit; bold in the middle."""
        bold = step == 0
        lines = wrap(title, bold=bold)
        width = max(text_width(line, bold=bold) for line in lines)
        height = len(lines) * LINE_HEIGHT + 2 * PAD_Y
        return cls(id, step, via, relation, lines, bold, width + 2 * PAD_X, height)

    def joined(self, other: Box) -> bool:
        return self.via == other.id or other.via == self.id


def _arc(a: Box, b: Box, angle: float, aspect: float) -> float:
    """The arc (in units of the ring's scale) that neighbours ``a`` and ``b`` need between
    them on a ring ``aspect`` times flatter than wide, where it runs at ``angle``: enough
    to clear each other across or down."""
    across = ((a.w + b.w) / 2 + _GAP) / max(abs(math.sin(angle)), 1e-3)
    down = ((a.h + b.h) / 2 + _GAP) / max(aspect * abs(math.cos(angle)), 1e-3)
    return min(across, down)


def _spread(
    boxes: Sequence[Box],
    wanted: Sequence[tuple[float, float]],
    least: float,
    fill: float,
    aspect: float = _ASPECT,
) -> list[float]:
    """Angles for ``boxes`` on a ring of scale ``least`` or more, as close as possible to
    the ``wanted`` ones (angle, tie-break) and far enough apart for each pair of neighbours
    (least squares under those gaps, by pooling adjacent violators)."""
    n = len(wanted)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: (wanted[i][0] % _TAU, wanted[i][1]))
    angles = [wanted[i][0] % _TAU for i in order]
    # Cut the circle at the widest gap between wanted angles, so the sequence does not wrap.
    gaps = [b - a for a, b in pairwise([*angles, angles[0] + _TAU])]
    start = (gaps.index(max(gaps)) + 1) % n
    order = order[start:] + order[:start]
    unrolled = angles[start:] + [a + _TAU for a in angles[:start]]
    placed = unrolled
    for _ in range(2):  # the gaps depend on where the boxes are: once more from there
        ends = [*placed[1:], placed[0] + _TAU]
        arcs = [
            _arc(boxes[order[i]], boxes[order[(i + 1) % n]], (placed[i] + ends[i]) / 2, aspect)
            for i in range(n)
        ]
        scale = max(least, sum(arcs) / (fill * _TAU), 1e-9)
        offsets = [0.0]
        for arc in arcs[:-1]:
            offsets.append(offsets[-1] + arc / scale)
        placed = _pooled(unrolled, offsets)
        if placed[-1] - placed[0] > _TAU - arcs[-1] / scale + 1e-9:
            mean = sum(u - o for u, o in zip(unrolled, offsets, strict=True)) / n
            placed = [mean + o for o in offsets]  # the ends would meet: keep the gaps
    result = [0.0] * n
    for i, angle in zip(order, placed, strict=True):
        result[i] = angle
    return result


def _pooled(wanted: Sequence[float], offsets: Sequence[float]) -> list[float]:
    """The sequence x closest to ``wanted`` (least squares) in which x[i] - offsets[i]
    never decreases."""
    pools: list[list[float]] = []  # [sum, count] of neighbours that move together
    for value, offset in zip(wanted, offsets, strict=True):
        pools.append([value - offset, 1.0])
        while len(pools) > 1 and pools[-2][0] * pools[-1][1] > pools[-1][0] * pools[-2][1]:
            total, count = pools.pop()
            pools[-1][0] += total
            pools[-1][1] += count
    fitted = [total / count for total, count in pools for _ in range(int(count))]
    return [f + o for f, o in zip(fitted, offsets, strict=True)]


_Moving = tuple[Box, float, float, float, float]
"""A box to place at (x, y) + k * (dx, dy), for a scale k to find."""


def _scale(moving: Sequence[_Moving], fixed: Sequence[Box], least: float) -> float:
    """The smallest scale k >= ``least`` at which the ``moving`` boxes overlap neither
    each other nor the ``fixed`` ones. Exact: each pair overlaps on an interval of k (its
    offset is linear in k), and the answer is the first k outside them all.

    The innermost loop of a map's layout: written out, without a call per pair."""
    overlaps: list[tuple[float, float]] = []
    inf = math.inf
    for i, (box, x, y, ux, uy) in enumerate(moving):
        others = [(o, ox, oy, ux - vx, uy - vy) for o, ox, oy, vx, vy in moving[:i]]
        others.extend((o, o.x, o.y, ux, uy) for o in fixed)
        half_w, half_h, own, via = box.w / 2, box.h / 2, box.id, box.via
        for other, ox, oy, vx, vy in others:
            gap = _EDGE_GAP if via == other.id or other.via == own else _GAP
            offset, reach = x - ox, half_w + other.w / 2 + gap
            if vx == 0:
                if abs(offset) >= reach:
                    continue
                low, high = -inf, inf
            else:
                low, high = (-reach - offset) / vx, (reach - offset) / vx
                if high < low:
                    low, high = high, low
                elif not low < high:
                    continue  # |offset + k * vx| < reach holds for no k
                if high <= least:
                    continue
            offset, reach = y - oy, half_h + other.h / 2 + gap
            if vy == 0:
                if abs(offset) >= reach:
                    continue
            else:
                a, b = (-reach - offset) / vy, (reach - offset) / vy
                if b < a:
                    a, b = b, a
                if a > low:
                    low = a
                if b < high:
                    high = b
            if low < high and high > least:
                overlaps.append((low, high))
    k = least
    for low, high in sorted(overlaps):
        if low >= k:
            break
        k = max(k, high)
    return k


def _settle(moving: Sequence[_Moving], fixed: Sequence[Box], least: float) -> None:
    k = _scale(moving, fixed, least)
    for box, x, y, dx, dy in moving:
        box.x, box.y = x + k * dx, y + k * dy


def place(boxes: Sequence[Box]) -> None:
    """The concept at the origin; its neighbours on a ring around it (broader above,
    narrower below, related at the sides); theirs on an outer ring, each beside the
    neighbour it was reached through. Rings are ellipses, flatter than wide for wide
    labels, scaled until no two boxes overlap. ``boxes[0]`` is the one in the middle."""
    centre = boxes[0]
    first = [b for b in boxes if b.step == 1]
    related = [b for b in first if b.relation == "related"]
    right = len(related) - len(related) // 2
    wanted: list[tuple[float, float]] = []
    counts = {"broader": 0, "narrower": 0}
    for box in first:
        if box.relation == "related":
            i = related.index(box)
            # Reading order: top to bottom on both sides, left to right above and below.
            wanted.append((0.0, -i) if i < right else (math.pi, i))
        else:
            relation = "broader" if box.relation == "broader" else "narrower"
            i = counts[relation]
            counts[relation] += 1
            wanted.append((math.pi / 2, -i) if relation == "broader" else (3 * math.pi / 2, i))
    clear = max(
        (_clearance(centre, b, a) for b, (a, _) in zip(first, wanted, strict=True)), default=0.0
    )
    angles = _spread(first, wanted, clear, 1.0)
    ring = [(b, 0.0, 0.0, *_on_ring(a)) for b, a in zip(first, angles, strict=True)]
    _settle(ring, [centre], 0.0)
    second = [b for b in boxes if b.step == 2]
    if not second:
        return
    # The outer ring: a few shapes (flat to round) at falling densities, each laid out
    # exactly. The smallest drawing in which no line runs under a box it does not join
    # wins; failing that, the one with the fewest such lines. At most nine layouts of at
    # most ``limit`` boxes, each O(n^2 log n).
    angle_of = {box.id: a for box, a in zip(first, angles, strict=True)}
    wanted = [(angle_of[b.via or ""], i) for i, b in enumerate(second)]
    fixed = [centre, *first]
    best: tuple[tuple[int, float], list[tuple[float, float]]] | None = None
    for fill in _OUTER_FILLS:
        for aspect in _OUTER_ASPECTS:
            least = _OUTER * max(math.hypot(b.x, b.y / aspect) for b in first)
            outer = _spread(second, wanted, least, fill, aspect)
            ring = [(b, 0.0, 0.0, *_on_ring(a, aspect)) for b, a in zip(second, outer, strict=True)]
            _settle(ring, fixed, least)
            limit = best[0][0] + 1 if best else len(boxes) ** 2
            score = (_crossings(boxes, limit), _extent(boxes))
            if best is None or score < best[0]:
                best = (score, [(b.x, b.y) for b in second])
        if best is not None and best[0][0] == 0:
            break
    assert best is not None
    for box, (x, y) in zip(second, best[1], strict=True):
        box.x, box.y = x, y


def _extent(boxes: Sequence[Box]) -> float:
    """The longer side of the drawing."""
    width = max(b.x + b.w / 2 for b in boxes) - min(b.x - b.w / 2 for b in boxes)
    height = max(b.y + b.h / 2 for b in boxes) - min(b.y - b.h / 2 for b in boxes)
    return max(width, height)


def _on_ring(angle: float, aspect: float = _ASPECT) -> tuple[float, float]:
    """The point of the unit ring at ``angle`` (SVG's y axis points down: pi/2 is up)."""
    return math.cos(angle), -aspect * math.sin(angle)


def _crossings(boxes: Sequence[Box], limit: int) -> int:
    """How many times a line runs under a box it does not join (counting up to
    ``limit``). Only the outer ring moves, so only lines to it or boxes on it count."""
    by_id = {b.id: b for b in boxes}
    edges = [(b, b.x - b.w / 2, b.x + b.w / 2, b.y - b.h / 2, b.y + b.h / 2) for b in boxes]
    outer = [e for e in edges if e[0].step == 2]
    count = 0
    for child in boxes:
        parent = by_id.get(child.via or "")
        if parent is None:
            continue
        left, right = sorted((parent.x, child.x))
        top, bottom = sorted((parent.y, child.y))
        for box, box_left, box_right, box_top, box_bottom in edges if child.step == 2 else outer:
            if (
                box is child
                or box is parent
                or box_right <= left
                or box_left >= right
                or box_bottom <= top
                or box_top >= bottom
            ):
                continue
            if _cuts(parent, child, box):
                count += 1
                if count >= limit:
                    return count
    return count


def _cuts(a: Box, b: Box, box: Box) -> bool:
    """Whether the segment between the centres of ``a`` and ``b`` enters ``box``."""
    low, high = 0.0, 1.0
    for start, delta, centre, half in (
        (a.x, b.x - a.x, box.x, box.w / 2),
        (a.y, b.y - a.y, box.y, box.h / 2),
    ):
        if delta == 0:
            if abs(start - centre) >= half:
                return False
            continue
        t1, t2 = (centre - half - start) / delta, (centre + half - start) / delta
        low, high = max(low, min(t1, t2)), min(high, max(t1, t2))
        if low >= high:
            return False
    return True


def _clearance(centre: Box, box: Box, angle: float) -> float:
    """The scale at which ``box``, at ``angle`` on the first ring, clears the centre."""
    across = ((centre.w + box.w) / 2 + _EDGE_GAP) / max(abs(math.cos(angle)), 1e-3)
    down = ((centre.h + box.h) / 2 + _EDGE_GAP) / max(_ASPECT * abs(math.sin(angle)), 1e-3)
    return min(across, down)
