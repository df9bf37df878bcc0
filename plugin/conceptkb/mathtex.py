"""Math in a Markdown body: find ``$...$`` and ``$$...$$`` outside code, convert to MathML.

What counts as math follows Pandoc's ``tex_math_dollars`` (and pymdownx.arithmatex):

- ``$...$`` is inline math when the opening ``$`` is not followed by whitespace and the
  closing ``$`` (the next unescaped one) is neither preceded by whitespace nor followed
  by a digit, so "$2 per hour and $3" is text. ``$$...$$`` is display math.
- A backslash escapes the character after it: ``\\$`` is a literal dollar sign, outside
  math and inside it (where TeX reads ``\\$`` as a dollar sign too).
- A formula never crosses a blank line and never holds code: the body is masked with
  :func:`conceptkb.bodyscan.mask_code` (offsets in the masked text are offsets in the
  body), and a stretch where the two differ, or that holds one of Python-Markdown's
  stash markers (a fenced block already set aside), is not a formula.

The scan is one pass over the text: each attempt from an opening ``$`` stops at the
first unescaped ``$`` (``$$`` for display math), so no stretch is read more than twice.
The linter (:mod:`conceptkb.checker`) and the Markdown extension (:mod:`conceptkb.math`)
call the same :func:`find_math` on the same text and the same :func:`to_mathml` on each
formula, so a formula the linter accepts is the formula the page shows.

TeX is converted by latex2mathml, whose tree this module serialises itself: every text
is escaped and every element and attribute is held against the allowlist of
:mod:`conceptkb.htmlpolicy` (latex2mathml's own string output puts the text of
``\\text{...}`` into the markup unescaped). The TeX source is kept as an
``<annotation encoding="application/x-tex">`` inside ``<semantics>``.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from conceptkb import htmlpolicy
from conceptkb.bodyscan import mask_code
from conceptkb.bounded import RenderTimeout

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_FORMULA = 2_000
"""Characters of TeX in one formula; the converter's time grows with its length (a
formula of 2,000 characters takes up to about 0.1 s)."""

TEX_ENCODING = "application/x-tex"

_STASH_MARKERS = "\x02\x03"
"""Python-Markdown's placeholder delimiters (fenced code, raw HTML): a formula stops there."""
_STOP = re.compile(r"[\\$\n\x02\x03]")
_NEXT = re.compile(r"[\\$]")
_BLANK_REST = re.compile(r"[ \t\r]*(?:\n|$)")
_CONTROL_WORD = re.compile(r"\\(?:[a-zA-Z]+|[\s\S])")
"""A TeX control sequence: a backslash and a run of letters, or any one character."""

MACRO_DEFINITIONS = frozenset(
    {r"\def", r"\newcommand", r"\newenvironment", r"\DeclareMathOperator"}
)
"""Refused: a few definitions that expand into one another grow exponentially."""

_SHALLOW = 200
"""Formulas with fewer group and command tokens (``\\ { ^ _``) than this are converted
in the calling thread: latex2mathml recurses at most about two frames per token (the
worst shapes of 199 tokens, ``\\sqrt\\sqrt...`` or ``\\displaystyle`` repeated, need
about 400 frames, and a build calls from less than 20 deep), so they cannot reach the
recursion limit of 1,000. Others are converted in a thread of their own, whose stack
starts empty, so whether a formula nests too deeply never depends on who calls."""

_LIBRARY_ERRORS = {
    "DenominatorNotFoundError": "a fraction has no denominator",
    "DoubleSubscriptsError": "double subscript: group it, as in x_{a_b}",
    "DoubleSuperscriptsError": "double superscript: group it, as in x^{a^b}",
    "ExtraLeftOrMissingRightError": r"a \left has no matching \right",
    "InvalidAlignmentError": "an environment has an invalid column alignment",
    "InvalidStyleForGenfracError": r"\genfrac has an invalid style",
    "InvalidWidthError": "a width is not a number",
    "LimitsMustFollowMathOperatorError": r"\limits must follow an operator such as \sum",
    "MissingEndError": r"a \begin{...} has no matching \end{...}",
    "MissingSuperScriptOrSubscriptError": "^ or _ has nothing to raise or lower",
    "NoAvailableTokensError": "a command is missing its argument",
    "NumeratorNotFoundError": "a fraction has no numerator",
}
"""latex2mathml's exceptions, by name, as a reader of the finding needs them."""


@dataclass(frozen=True, slots=True)
class Formula:
    """One formula in a text: offsets of its delimiters and the TeX between them."""

    start: int
    """Offset of the opening ``$``."""
    end: int
    """Offset just after the closing ``$``."""
    tex: str
    display: bool
    """``$$...$$``: a block of its own."""

    @property
    def source(self) -> str:
        """The formula as written, delimiters included."""
        marks = "$$" if self.display else "$"
        return f"{marks}{self.tex}{marks}"


class MathError(ValueError):
    """A formula that does not convert to allowed MathML; the message says why."""


# -- finding math ---------------------------------------------------------------------


def find_math(text: str, masked: str | None = None) -> list[Formula]:
    """Every formula in ``text`` outside code, in order.

    ``masked`` is ``mask_code(text)`` when the caller has it already.
    """
    if "$" not in text:
        return []
    if masked is None:
        masked = mask_code(text)
    formulas: list[Formula] = []
    position = 0
    length = len(masked)
    while True:
        match = _NEXT.search(masked, position)
        if match is None:
            return formulas
        start = match.start()
        if masked[start] == "\\":
            position = start + 2
            continue
        display = start + 1 < length and masked[start + 1] == "$"
        marks = 2 if display else 1
        opened = start + marks
        close = _display_end(masked, opened) if display else _inline_end(masked, opened)
        # A formula holds no code: where code was blanked, text and masked text differ.
        if close is not None and text[start : close + marks] == masked[start : close + marks]:
            formulas.append(Formula(start, close + marks, text[opened:close], display))
            position = close + marks
        else:
            position = opened


def _inline_end(masked: str, position: int) -> int | None:
    """Offset of the ``$`` that closes inline math opened just before ``position``."""
    if position >= len(masked) or masked[position].isspace():
        return None
    while True:
        stop = _stop(masked, position)
        if stop is None:
            return None
        if masked[stop] == "$":
            after = masked[stop + 1 : stop + 2]
            if masked[stop - 1].isspace() or after.isdigit():
                return None
            return stop
        position = stop + 1


def _display_end(masked: str, position: int) -> int | None:
    """Offset of the ``$$`` that closes display math opened just before ``position``."""
    content = position
    while True:
        stop = _stop(masked, position)
        if stop is None:
            return None
        if masked.startswith("$$", stop):
            return stop if masked[content:stop].strip() else None
        position = stop + 1


def _stop(masked: str, position: int) -> int | None:
    """The next unescaped ``$`` from ``position`` in the same paragraph, or None if a
    blank line, a stash marker or the end comes first."""
    while True:
        match = _STOP.search(masked, position)
        if match is None:
            return None
        found = match.start()
        char = masked[found]
        if char == "\\":
            # An escaped line break still ends the line: the blank-line check sees it.
            escaped = masked[found + 1 : found + 2]
            position = found + (1 if escaped == "\n" else 2)
        elif char == "\n":
            if _BLANK_REST.match(masked, found + 1):
                return None
            position = found + 1
        elif char in _STASH_MARKERS:
            return None
        else:
            return found


def mask_math(masked: str, formulas: Iterable[Formula]) -> str:
    """``masked`` with every formula blanked (line breaks kept), for the checks that look
    for Markdown and HTML: what is inside a formula is TeX."""
    pieces: list[str] = []
    position = 0
    for formula in formulas:
        pieces.append(masked[position : formula.start])
        pieces.append(re.sub(r"[^\n]", " ", masked[formula.start : formula.end]))
        position = formula.end
    if not pieces:
        return masked
    pieces.append(masked[position:])
    return "".join(pieces)


# -- converting it --------------------------------------------------------------------


def to_mathml(tex: str, *, display: bool = False) -> str:
    """A ``<math>`` element for ``tex``, with the TeX kept as an annotation.

    Raises :class:`MathError` when the TeX is too long, defines macros, uses a command
    the converter does not know, fails to parse, or converts to MathML outside the
    allowlist: in each case the page would not show the formula as written.
    """
    mathml, error = _convert(tex, display)
    if error:
        raise MathError(error)
    return mathml


@dataclass(frozen=True)
class Problem:
    """A formula that does not render, and why."""

    formula: Formula
    message: str


def problems(formulas: Iterable[Formula]) -> Iterator[Problem]:
    """Every formula that :func:`to_mathml` refuses, with a message for a finding."""
    for formula in formulas:
        _, error = _convert(formula.tex, formula.display)
        if error:
            yield Problem(formula, f"formula {_excerpt(formula)} cannot be rendered: {error}")


def _excerpt(formula: Formula, limit: int = 40) -> str:
    marks = "$$" if formula.display else "$"
    tex = " ".join(formula.tex.split())
    if len(tex) > limit:
        tex = tex[: limit - 3] + "..."
    return f"{marks}{tex}{marks}"


@functools.lru_cache(maxsize=1024)
def _convert(tex: str, display: bool) -> tuple[str, str]:
    """(MathML, "") or ("", why not). Cached: a build converts again every formula its own
    lint run has just converted, and for a knowledge base with up to about a thousand
    formulas the second conversion comes from here."""
    if len(tex) > MAX_FORMULA:
        return "", f"{len(tex):,} characters; the limit is {MAX_FORMULA:,}: split the formula"
    for match in _CONTROL_WORD.finditer(tex):
        if match.group(0) in MACRO_DEFINITIONS:
            return "", f"{match.group(0)} defines a macro, which is not supported: write it out"
    tokens = tex.count("\\") + tex.count("{") + tex.count("^") + tex.count("_")
    try:
        if tokens < _SHALLOW:
            tree = _latex2mathml(tex, display)
        else:
            tree = _on_fresh_stack(_latex2mathml, tex, display)
    except RenderTimeout:
        raise
    except RecursionError:
        return "", "it nests too deeply"
    except Exception as error:  # the converter fails in many ways on malformed TeX
        name = type(error).__name__
        return "", _LIBRARY_ERRORS.get(name, f"the converter failed ({name}: {error})")
    try:
        return _serialize(tree, tex), ""
    except MathError as error:
        return "", str(error)


def _latex2mathml(tex: str, display: bool) -> Element:
    # Imported here: it takes 35 ms, and most bodies hold no math.
    from latex2mathml.converter import convert_to_element

    return convert_to_element(tex, display="block" if display else "inline")


_T = TypeVar("_T")


def _on_fresh_stack(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)`` in a new thread, whose stack starts empty."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(function(*args))
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name="conceptkb-math", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


_UNKNOWN_COMMAND = re.compile(r"\\[a-zA-Z]+")


def _serialize(math: Element, tex: str) -> str:
    """The HTML of latex2mathml's ``<math>`` tree, with the TeX as an annotation.

    latex2mathml writes characters as references (``&#x003B8;``) into element texts; they
    are decoded here and everything is escaped again, so no text becomes markup.
    """
    math.attrib.pop("xmlns", None)  # the HTML parser puts <math> in MathML's namespace
    children = list(math)
    pieces = [_start_tag(math, "math")]
    pieces.append("<semantics>")
    if len(children) == 1:
        _write(children[0], pieces)
    else:  # semantics takes one presentation element
        pieces.append("<mrow>")
        for child in children:
            _write(child, pieces)
        pieces.append("</mrow>")
    pieces.append(f'<annotation encoding="{TEX_ENCODING}">{html.escape(tex, quote=False)}')
    pieces.append("</annotation></semantics></math>")
    return "".join(pieces)


def _write(element: Element, pieces: list[str]) -> None:
    stack: list[Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        tag = str(item.tag)
        pieces.append(_start_tag(item, tag))
        text = item.text or ""
        unknown = _UNKNOWN_COMMAND.match(text)
        if unknown is not None:
            # latex2mathml writes a command it does not know as its name: the page
            # would show "\foo" where the author meant a symbol.
            raise MathError(f"{unknown.group(0)} is not a command the converter knows")
        if text == "&":
            raise MathError(
                "'&' outside an environment with columns (matrix, cases, array, align*)"
            )
        pieces.append(_text(text))
        stack.append(f"</{tag}>{_text(item.tail or '')}" if item is not element else f"</{tag}>")
        stack.extend(reversed(list(item)))


def _start_tag(element: Element, tag: str) -> str:
    attrs: dict[str, str | None] = {str(k): str(v) for k, v in element.attrib.items()}
    violations = htmlpolicy.element_violations(tag, attrs, namespace="math")
    if violations:
        raise MathError(f"it converts to MathML outside the allowlist ({violations[0].message})")
    rendered = "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs.items())
    return f"<{tag}{rendered}>"


def _text(text: str) -> str:
    return html.escape(html.unescape(text), quote=False) if text else ""
