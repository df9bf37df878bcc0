"""A last check on rendered HTML: nothing that can run script may reach a page.

The linter refuses unsafe bodies (CK203, CK204) by reading Markdown; this reads the
HTML that Markdown produced, so anything the text scan could not foresee is still
caught before a page is written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conceptkb.bodyscan import is_unsafe_url

SCRIPT_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "meta",
        "link",
        "style",
        "svg",
        "math",
        "template",
        "portal",
        # raw-text elements that browsers parse unlike html.parser (mutation XSS)
        "noscript",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
    }
)
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "srcset",
        "cite",
        "longdesc",
        "usemap",
        "dynsrc",
        "lowsrc",
        "content",
        "srcdoc",
    }
)


_STYLE_SCRIPT = re.compile(r"(?:javascript|vbscript):|expression\(|behavior:", re.IGNORECASE)
_IGNORED = re.compile(r"[\x00-\x20\x7f\\]+")
"""Whitespace, controls and CSS escapes' backslashes, which browsers skip in schemes."""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SCRIPT_TAGS:
            self.problems.append(("CK203", f"<{tag}> element"))
        for name, value in attrs:
            if name.startswith("on") and value is not None:
                self.problems.append(("CK203", f"event handler attribute {name}= on <{tag}>"))
            elif name == "srcdoc" or (name in URL_ATTRIBUTES and value and is_unsafe_url(value)):
                self.problems.append(("CK204", f"unsafe URL in {name}= on <{tag}>"))
            elif name == "style" and value and _STYLE_SCRIPT.search(_IGNORED.sub("", value)):
                self.problems.append(("CK204", f"script URL or expression in style= on <{tag}>"))

    handle_startendtag = handle_starttag


def _spaced(word: str) -> str:
    """A pattern for ``word`` with anything a browser skips between its letters."""
    return r"[\x00-\x20\x7f\\]*".join(re.escape(char) for char in word)


_SUSPECT = re.compile(
    "|".join(
        [
            r"<(?:" + "|".join(sorted(SCRIPT_TAGS)) + r")[\s/>\x00]",
            r"srcdoc",
            r"[\s\"'/]on[^\s/=>]*\s*=",
            _spaced("script:"),
            _spaced("data:"),
            _spaced("expression("),
            _spaced("behavior:"),
            r"&(?:amp;)*(?:#|colon|lpar|bsol|tab|newline)",
        ]
    ),
    re.IGNORECASE,
)
"""Everything :class:`_Scanner` can flag needs one of these in the raw HTML (entities
that could spell a scheme included); pages without any skip the HTML parser, which
would otherwise cost about 4% of a build."""


def scan(html: str) -> list[tuple[str, str]]:
    """Parse ``html`` and list what could run script; see :func:`unsafe_html`."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def unsafe_html(html: str) -> list[tuple[str, str]]:
    """(rule code, description) for every element or attribute that could run script."""
    if _SUSPECT.search(html) is None:
        return []
    return scan(html)
