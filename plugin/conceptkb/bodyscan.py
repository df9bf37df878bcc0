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

WIKILINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]*?))?\]\]")
"""``[[target]]`` or ``[[target|label]]``; the Markdown extension uses the same pattern."""

_FENCE_OPEN = re.compile(r"( {0,3}|[ \t]*)(`{3,}|~{3,})(.*)")
_MAY_START_CODE_OR_LIST = frozenset(" \t`~-*+>0123456789")
_LIST_ITEM = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)((?:(?!\n[ \t]*\n)[\s\S])+?)(?<!`)\1(?!`)")

_UNSAFE_TAG = re.compile(
    r"<\s*(script|iframe|frame|frameset|object|embed|applet|base|meta|link|style|svg|math"
    r"|template|portal|noscript|noembed|noframes|xmp|plaintext)\b",
    re.IGNORECASE,
)
_EVENT_ATTR = re.compile(r"<[a-zA-Z][^<>]*?[\s/\"'`](on[a-zA-Z]+)\s*=", re.DOTALL | re.IGNORECASE)
_ATTR_LIST_EVENT = re.compile(r"\{:?[^{}\n]*?(?<![^\s{:])(on[a-zA-Z]+)\s*=", re.IGNORECASE)
"""An event handler set with attr_list syntax: ``[x](y){: onclick="..." }``."""
_URL_CONTEXTS = (
    re.compile(r"\]\(\s*<?([^)\s>]*)"),
    re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S+)", re.MULTILINE),
    re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s]*)>"),
    re.compile(
        r"\b(?:href|src|action|formaction|xlink:href|data|poster|background|srcset|cite"
        r"|longdesc|usemap|dynsrc|lowsrc|content)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*)",
        re.IGNORECASE,
    ),
)
_SCRIPT_SCHEME = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


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
        opening = _FENCE_OPEN.fullmatch(line)
        if opening and not (opening.group(2)[0] == "`" and "`" in opening.group(3)):
            fence = opening.group(2)
            out.append(" " * len(line))
            if not opening.group(1) and previous_blank:
                in_list = False  # a top-level fence ends a list, as a paragraph would
            previous_blank = False
            in_indented_code = False
            continue
        if not stripped:
            out.append(line)
            previous_blank = True
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
    if "`" in masked:
        masked = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), masked)
    return masked


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

    __slots__ = ("_text", "label", "offset", "target")

    def __init__(self, target: str, label: str | None, offset: int, text: str) -> None:
        self.target = target
        self.label = label
        self.offset = offset
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
    return [
        WikiLink(m.group(1).strip(), (m.group(2) or "").strip() or None, m.start(), masked)
        for m in WIKILINK.finditer(masked)
    ]


@dataclass(frozen=True)
class Unsafe:
    """Something in a body that could run script; code is CK203 (HTML) or CK204 (URL)."""

    code: str
    message: str
    line: int
    column: int


def is_unsafe_url(url: str) -> bool:
    """Whether a URL, as a browser reads it, uses a scheme that can run script or embed data."""
    cleaned = _IGNORED_IN_URL.sub("", html.unescape(url.strip("\"'"))).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


def unsafe_content(masked: str) -> Iterator[Unsafe]:
    """Tags that can run script, event handler attributes and unsafe URLs, outside code."""
    if "<" not in masked and ":" not in masked and "&" not in masked and "{" not in masked:
        return
    index: LineIndex | None = None

    def where(offset: int) -> tuple[int, int]:
        nonlocal index
        if index is None:
            index = LineIndex(masked)
        return index.locate(offset)

    if "<" in masked:
        for match in _UNSAFE_TAG.finditer(masked):
            yield Unsafe("CK203", f"raw <{match.group(1).lower()}> tag", *where(match.start()))
        for match in _EVENT_ATTR.finditer(masked):
            yield Unsafe(
                "CK203",
                f"event handler attribute {match.group(1).lower()}=",
                *where(match.start(1)),
            )
    if "{" in masked:
        for match in _ATTR_LIST_EVENT.finditer(masked):
            yield Unsafe(
                "CK203",
                f"event handler attribute {match.group(1).lower()}= in an attribute list",
                *where(match.start(1)),
            )
    reported: set[int] = set()
    for pattern in _URL_CONTEXTS:
        for match in pattern.finditer(masked):
            if is_unsafe_url(match.group(1)):
                reported.add(match.start(1))
                scheme = _IGNORED_IN_URL.sub("", html.unescape(match.group(1).strip("\"'")))
                yield Unsafe(
                    "CK204",
                    f"unsafe {scheme.split(':', 1)[0].lower()}: URL",
                    *where(match.start(1)),
                )
    whole = html.unescape(masked) if "&" in masked else masked
    if not reported and _SCRIPT_SCHEME.search(whole.replace("\t", "")) is not None:
        # Anywhere else (style=, attributes not listed above), line by line: decoding
        # entities changes offsets, so the line is found first, then the column.
        for number, line in enumerate(masked.split("\n"), start=1):
            decoded = html.unescape(line) if "&" in line else line
            found = _SCRIPT_SCHEME.search(decoded.replace("\t", ""))
            if found is not None:
                raw = _SCRIPT_SCHEME.search(line)
                column = raw.start() + 1 if raw is not None else 1
                yield Unsafe("CK204", f"{found.group(0).lower()} URL", number, column)
                break
