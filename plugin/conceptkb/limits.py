"""Hard limits on the shape of a body, checked before anything renders it.

Python-Markdown's inline patterns take quadratic time on some shapes (20,000 ``[``
in one paragraph take minutes) and its block parser recurses once per level of
nesting. These limits sit far above anything prose needs and well below where
rendering gets slow (``make bench`` measures the worst shapes); a body over one is
refused with rule CK012 at the line where it happens, so every build and every
``serve`` rebuild stays bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from conceptkb.bodyscan import LineIndex
from conceptkb.mathtex import Formula

MAX_LINE_LENGTH = 10_000
"""Characters in one line of a body."""
MAX_BRACKETS = 500
"""``[`` in one paragraph (outside code): link parsing is quadratic in their number."""
MAX_NESTING = 32
"""Levels of block quotes and list items that one line opens."""
MAX_FORMULAS = 500
"""``$...$`` and ``$$...$$`` formulas in one body: each costs a conversion."""
MAX_MATH = 20_000
"""Characters of TeX in all the formulas of one body (about 1 s of conversion at worst;
one formula may have 2,000, see :data:`conceptkb.mathtex.MAX_FORMULA`)."""

_LIST_MARKERS = frozenset("-*+")
_DEEP = re.compile(rf"\n[ \t>*+\-]{{{MAX_NESTING + 1}}}")
"""A line that may open more than MAX_NESTING levels: each level takes at least one
of these characters at the start of the line (a fixed count: no backtracking). The
line's newline is a literal, which the regex engine looks for quickly; ``^`` in
MULTILINE mode is tried at every character (5,000 bodies: 0.037 -> 0.008 s)."""


@dataclass(frozen=True, slots=True)
class Excess:
    """A limit exceeded at a 1-based line and column of the body."""

    message: str
    line: int
    column: int


def excesses(body: str, masked: str, formulas: Sequence[Formula] = ()) -> Iterator[Excess]:
    """Every limit that ``body`` exceeds; ``masked`` is the body with code blanked, and
    ``formulas`` the math in it."""
    yield from _math_excesses(body, formulas)
    lines = body.split("\n") if len(body) > MAX_LINE_LENGTH else []
    if lines and max(map(len, lines)) <= MAX_LINE_LENGTH:
        lines = []  # no line to report
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_LENGTH:
            yield Excess(
                f"line of {len(line):,} characters; the limit is {MAX_LINE_LENGTH:,}:"
                " break it into several lines",
                number,
                MAX_LINE_LENGTH + 1,
            )
    if masked.count("[") <= MAX_BRACKETS and not _may_nest_deep(masked):
        return  # too few brackets in all, and no line starts deep enough
    brackets = 0
    paragraph_line = 1
    reported = nested = False
    for number, line in enumerate(masked.split("\n"), start=1):
        if not line.strip():
            brackets, paragraph_line, reported = 0, number + 1, False
            continue
        brackets += line.count("[")
        if brackets > MAX_BRACKETS and not reported:
            reported = True
            yield Excess(
                f"more than {MAX_BRACKETS} '[' in the paragraph that starts on line"
                f" {paragraph_line}: split it, or put the brackets in a code span",
                number,
                1,
            )
        depth = _nesting(line)
        if depth > MAX_NESTING and not nested:
            nested = True  # once per body: the lines after it are nested as deep
            yield Excess(
                f"{depth} levels of nested lists or quotes; the limit is {MAX_NESTING}",
                number,
                1,
            )


def _may_nest_deep(masked: str) -> bool:
    """Whether a line that is not blank starts deep enough to open more than
    MAX_NESTING levels. Blank lines end paragraphs and open nothing: code blanked in
    ``masked`` makes many of them."""
    text = "\n" + masked  # the first line too starts after a newline
    for match in _DEEP.finditer(text):
        end = text.find("\n", match.end())
        if text[match.start() : None if end == -1 else end].strip():
            return True
    return False


def _nesting(line: str) -> int:
    """Block quotes and list items opened by the start of ``line``, plus indentation."""
    depth = 0
    indent = 0
    i = 0
    length = len(line)
    while i < length:
        char = line[i]
        if char == " ":
            indent += 1
        elif char == "\t":
            indent += 4
        elif char == ">" or (char in _LIST_MARKERS and (i + 1 == length or line[i + 1] in " \t")):
            depth += 1
        else:
            break
        i += 1
    return depth + indent // 4


def _math_excesses(body: str, formulas: Sequence[Formula]) -> Iterator[Excess]:
    """At the formula that goes over a limit on the math of one body, if one does."""
    if len(formulas) <= MAX_FORMULAS and sum(len(f.tex) for f in formulas) <= MAX_MATH:
        return
    total = 0
    for number, formula in enumerate(formulas, start=1):
        total += len(formula.tex)
        if number > MAX_FORMULAS:
            message = f"more than {MAX_FORMULAS} formulas in the body: split the page"
        elif total > MAX_MATH:
            message = (
                f"more than {MAX_MATH:,} characters of math in the body: split the page,"
                " or write a long derivation in fewer steps"
            )
        else:
            continue
        yield Excess(message, *LineIndex(body).locate(formula.start))
        return
