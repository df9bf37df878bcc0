"""Scan a Markdown body outside code: wikilinks and unsafe HTML or URLs.

The body is first *masked*: fenced code blocks, indented code blocks and code spans
are replaced by spaces (line breaks kept), so offsets in the masked text are offsets
in the body and nothing inside code is ever taken for a link or for HTML.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.extensions.toc import slugify as toc_slugify

from conceptkb import htmlpolicy
from conceptkb.rules import RESERVED_HTML_ID, UNSAFE_HTML, UNSAFE_URL

WIKILINK = re.compile(r"\[\[([^\[\]\n|]++)(?:\|([^\[\]\n]*+))?\]\]")
"""``[[target]]`` or ``[[target|label]]``; the Markdown extension uses the same pattern.
Neither part can hold the character that ends it, so each is read whole (possessive):
no shorter reading is tried when the link does not close."""

_FENCE_OPEN = re.compile(r"( {0,3}|[ \t]*)(`{3,}|~{3,})(.*)")
_MAY_START_CODE_OR_LIST = frozenset(" \t`~-*+>0123456789")
_LIST_ITEM = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_HEADING = re.compile(r"[ ]{0,3}(#{1,6})[ \t]+([^\n]*)")
_CK_HEADING = re.compile(r"\n[ ]{0,3}#{1,6}[ \t]++[^\w\n]*+(?i:_|ck)")
"""A heading whose words start with "_" or "ck", found from the newline before it: a
slug starts with "_" or "ck-" only if the words do, so the slugifier (costly, per
heading) runs only for these."""
_INLINE_URL = re.compile(r"\]\(\s*<?([^)\n>]*)")
_DEFINITION_URL = re.compile(r"\n[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S+)")
"""Where Markdown syntax holds a URL: inline links and images, and reference definitions
(found from the newline before them). Each pattern is linear: no part of it can match
the same text two ways. A line's start is found as a newline, which the regex engine
looks for quickly; ``^`` in MULTILINE mode is tried at every character."""
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\s]*|[^<>\s@!]+@[^<>\s@]+)>")
"""``<https://...>`` and ``<name@host>``: Markdown autolinks, not HTML elements."""
ATTR_LIST = re.compile(r"\{:?[ ]*([#.][^{}\n]*|[\w\-:]+=[^{}\n]*)\}")
"""``{: #id .class key=value }``: attribute lists, which set attributes on elements
(they start with an id, a class or ``key=``, which JSON or set notation does not)."""


def _indent_width(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def mask_code(body: str) -> str:
    """The body with every character inside code replaced by a space."""
    if (
        "`" not in body
        and "~~~" not in body
        and "\n    " not in body
        and "\t" not in body
        and not body.startswith("    ")
    ):
        return body
    lines = body.split("\n")
    out: list[str] = []
    fence: str | None = None
    previous_blank = True
    in_indented_code = False
    in_list = False
    for line in lines:
        if fence is None and line and line[0] not in _MAY_START_CODE_OR_LIST:
            # The common case, prose, headings, tables: not code, a list item or a fence.
            if previous_blank:
                in_list = False
            in_indented_code = previous_blank = False
            out.append(line)
            continue
        stripped = line.strip()
        if fence is not None:
            out.append(" " * len(line))
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if not stripped:
            out.append(line)
            previous_blank = True
            continue
        opening = _FENCE_OPEN.fullmatch(line) if "``" in line or "~~" in line else None
        if opening and not (opening.group(2)[0] == "`" and "`" in opening.group(3)):
            fence = opening.group(2)
            out.append(" " * len(line))
            if not opening.group(1) and previous_blank:
                in_list = False  # a top-level fence ends a list, as a paragraph would
            previous_blank = False
            in_indented_code = False
            continue
        indent = _indent_width(line)
        if indent >= 4 and (in_indented_code or (previous_blank and not in_list)):
            in_indented_code = True
            out.append(" " * len(line))
            previous_blank = False
            continue
        in_indented_code = False
        if indent < 4:
            if _LIST_ITEM.match(line):
                in_list = True
            elif previous_blank and indent == 0:
                in_list = False
        out.append(line)
        previous_blank = False
    masked = "\n".join(out)
    return _mask_code_spans(masked) if "`" in masked else masked


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _mask_code_spans(text: str) -> str:
    """Blank every code span: a run of backticks up to the next run of the same length
    in the same paragraph. One pass over the runs, so the time is linear in the text
    (a regular expression for this backtracks on growing runs of backticks)."""
    chars = list(text)
    for start, end in _paragraphs(text):
        runs: list[tuple[int, int]] = []
        position = text.find("`", start, end)
        while position != -1:
            stop = position
            while stop < end and text[stop] == "`":
                stop += 1
            if position > 0 and text[position - 1] == "\\":
                position += 1  # an escaped backtick is a literal one
            if stop > position:
                runs.append((position, stop - position))
            position = text.find("`", stop, end)
        waiting: dict[int, list[int]] = {}
        for i in range(len(runs) - 1, -1, -1):
            waiting.setdefault(runs[i][1], []).append(i)
        i = 0
        while i < len(runs):
            run_start, length = runs[i]
            same = waiting[length]
            while same and same[-1] <= i:
                same.pop()
            if not same:
                i += 1
                continue
            closing = same.pop()
            _blank(chars, run_start, runs[closing][0] + length)
            i = closing + 1
    return "".join(chars)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the runs of lines between blank lines."""
    start = 0
    for match in re.finditer(r"\n[ \t]*(?=\n)", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


class LineIndex:
    """Turns offsets in a text into 1-based (line, column) pairs."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        position = text.find("\n")
        while position != -1:
            self._starts.append(position + 1)
            position = text.find("\n", position + 1)

    def locate(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


class WikiLink:
    """A ``[[target|label]]`` in a body; line and column (within the body) are worked
    out only when asked for, since only links with a finding ever need them."""

    __slots__ = ("_text", "end", "label", "offset", "target")

    def __init__(self, target: str, label: str | None, offset: int, end: int, text: str) -> None:
        self.target = target
        self.label = label
        self.offset = offset
        self.end = end  # just after the closing "]]"
        self._text = text

    @property
    def line(self) -> int:
        return self._text.count("\n", 0, self.offset) + 1

    @property
    def column(self) -> int:
        return self.offset - (self._text.rfind("\n", 0, self.offset) + 1) + 1


def wikilinks(masked: str) -> list[WikiLink]:
    """Every wikilink outside code, in order."""
    if "[[" not in masked:
        return []
    links = []
    for match in WIKILINK.finditer(masked):
        target, label = match.groups()
        start, end = match.span()
        links.append(
            WikiLink(target.strip(), (label and label.strip()) or None, start, end, masked)
        )
    return links


@dataclass(frozen=True, slots=True)
class Unsafe:
    """Something in a body outside the HTML allowlist (see :mod:`conceptkb.htmlpolicy`)."""

    code: str
    message: str
    line: int
    column: int


def unsafe_content(masked: str) -> Iterator[Unsafe]:
    """Raw HTML, attribute lists, Markdown URLs and heading ids outside the allowlist.

    Raw HTML is parsed as a browser parses it, with autolinks (``<https://...>``)
    blanked first, since Markdown turns those into links, not elements.
    """
    index: LineIndex | None = None

    def where(offset: int) -> tuple[int, int]:
        nonlocal index
        if index is None:
            index = LineIndex(masked)
        return index.locate(offset)

    if "<" in masked:
        html_text = AUTOLINK.sub(lambda m: " " * len(m.group(0)), masked)
        for link in AUTOLINK.finditer(masked):
            if "@" not in link.group(1) and not htmlpolicy.url_allowed(link.group(1)):
                yield _bad_url(link.group(1), "autolink", *where(link.start(1)))
        lines = html_text.split("\n")
        for violation in htmlpolicy.check_html(html_text):
            # Point at the attribute itself when it is on the element's line.
            text = lines[violation.line - 1] if violation.line <= len(lines) else ""
            found = text.lower().find(violation.needle.lower(), violation.column - 1)
            column = found + 1 if found != -1 else violation.column
            yield Unsafe(violation.code, violation.message, violation.line, column)
    # Each line of "\n" + masked starts after a newline: offsets there are one more.
    for pattern, text, shift in ((_INLINE_URL, masked, 0), (_DEFINITION_URL, "\n" + masked, 1)):
        for match in pattern.finditer(text):
            # Markdown passes character references through to the href, where the
            # browser decodes them: judge the URL decoded.
            url = html.unescape(match.group(1)) if "&" in match.group(1) else match.group(1)
            if not htmlpolicy.url_allowed(url):
                yield _bad_url(url, "link", *where(match.start(1) - shift))
    if "{" in masked:
        for match in ATTR_LIST.finditer(masked):
            yield from _attr_list_problems(match.group(1), *where(match.start(1)))
    if "#" in masked:
        yield from _heading_id_problems(masked)


def _bad_url(url: str, what: str, line: int, column: int) -> Unsafe:
    return Unsafe(
        UNSAFE_URL,
        f"{htmlpolicy.url_scheme(url)}: URL in a {what}: links may use"
        f" {', '.join(sorted(htmlpolicy.SCHEMES))} or a relative URL",
        line,
        column,
    )


def _attr_list_problems(text: str, line: int, column: int) -> Iterator[Unsafe]:
    attrs, _ = get_attrs_and_remainder(text)
    for name, value in attrs:
        if name == "id" and value and htmlpolicy.reserved_id(value):
            yield Unsafe(
                RESERVED_HTML_ID,
                f"id {value!r} would shadow the theme's own elements: ids may not start"
                f" with {' or '.join(map(repr, htmlpolicy.RESERVED_ID_PREFIXES))}",
                line,
                column,
            )
        elif name not in htmlpolicy.GLOBAL_ATTRIBUTES and name != ".":
            yield Unsafe(
                UNSAFE_HTML,
                f"attribute {name}= in an attribute list is not allowed",
                line,
                column,
            )


def _heading_id_problems(masked: str) -> Iterator[Unsafe]:
    for candidate in _CK_HEADING.finditer("\n" + masked):
        start = candidate.start()  # the line's start in masked
        end = masked.find("\n", start)
        line = masked[start : None if end == -1 else end]
        number = masked.count("\n", 0, start) + 1
        match = _HEADING.fullmatch(line.rstrip())
        if match is None:
            continue
        slug = toc_slugify(match.group(2).strip().rstrip("#").strip(), "-")
        if htmlpolicy.reserved_id(slug):
            yield Unsafe(
                RESERVED_HTML_ID,
                f"heading gets the id {slug!r}, which would shadow the theme's own elements:"
                " reword it, or give it another id with {#my-id}",
                number,
                match.start(2) + 1,
            )
