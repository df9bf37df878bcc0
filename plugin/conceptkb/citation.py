"""How to cite a concept page: one line of plain text and one BibTeX entry.

Both name the concept's title, the site, the day the entry was last reviewed and the
page's URL, and leave the access date to the reader (:data:`ACCESSED`, to replace).
The site model computes them once; the concept page template shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

ACCESSED = "YYYY-MM-DD"
"""Where the reader writes the day they read the page."""

_LATEX = {
    "\\": r"\textbackslash{}",
    # Not \{ and \}: BibTeX counts braces without reading backslashes, so an escaped
    # brace would end (or never end) the field. These commands keep braces balanced.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"
"""What a URL keeps as it is in a BibTeX ``url`` field (read verbatim by biblatex and
``\\url``): its reserved characters and existing escapes. Braces, backslashes, spaces
and quotes are percent-encoded."""


@dataclass(frozen=True, slots=True)
class Citation:
    text: str
    """One line of plain text."""
    bibtex: str
    """A ``@misc`` entry whose key is the concept id."""
    url: str
    absolute: bool
    """False when the site has no ``site_url``: ``url`` is then relative to the site's
    root, and the page says so."""
    accessed: str = ACCESSED


def one_line(text: str) -> str:
    return " ".join(text.split())


def bibtex_escape(text: str) -> str:
    """Text as the value of a BibTeX field that LaTeX typesets: each special
    character ``\\ { } & % $ # _ ~ ^`` becomes the command that prints it."""
    return "".join(_LATEX.get(char, char) for char in one_line(text))


def _protected(text: str) -> str:
    """A title in braces, so that styles keep its capitals ("LoRA" stays "LoRA").
    A brace group that starts with a backslash is a "special character" to BibTeX,
    whose letters styles still change: an empty group first keeps it an ordinary one."""
    escaped = bibtex_escape(text)
    return "{" + ("{}" if escaped.startswith("\\") else "") + escaped + "}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def cite(
    concept_id: str,
    title: str,
    *,
    site_name: str,
    reviewed: str | None,
    url: str,
    absolute: bool,
) -> Citation:
    """The citation of a concept page. ``reviewed`` is ``YYYY-MM-DD`` or None (never
    reviewed: no date); ``url`` the page's absolute URL, or its URL relative to the
    site's root when ``absolute`` is False."""
    title, site_name = one_line(title), one_line(site_name)
    where = f"In {site_name}" if site_name else ""
    if reviewed:
        where = f"{where}, last reviewed {reviewed}" if where else f"Last reviewed {reviewed}"
    parts = [_sentence(title), _sentence(where) if where else "", f"{url} (accessed {ACCESSED})."]
    text = " ".join(part for part in parts if part)
    fields = [("title", _protected(title))]
    if site_name:
        fields.append(("howpublished", bibtex_escape(site_name)))
    if reviewed:
        fields += [("year", reviewed[:4]), ("note", f"Last reviewed {reviewed}")]
    fields += [("url", quote(url, safe=_URL_SAFE)), ("urldate", ACCESSED)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return Citation(text, f"@misc{{{concept_id},\n{body}\n}}", url, absolute)
