"""The ``conceptkb.math`` Python-Markdown extension: ``$...$`` and ``$$...$$`` to MathML.

Each formula is converted at build time (:func:`conceptkb.mathtex.to_mathml`) and put
in the HTML stash, so Markdown never reads the ``_`` and ``*`` inside it; the page
needs no script. ``\\$`` is a literal dollar sign.

It is a preprocessor, not an inline pattern, and that is deliberate: display math
spans lines, and the block parser would cut it apart first (a line ``=`` under a
line of TeX makes a heading, a line starting with ``<div`` a raw HTML block). Run
after fenced code is stashed and before raw HTML blocks are, it finds formulas with
:func:`conceptkb.mathtex.find_math`, which masks code spans and indented code with
the same function the linter uses on the same text: the linter and the page agree
on every formula. A formula that does not convert is shown as written, in a
``<span class="ck-math-error">``; the linter reports it (CK208).

Listed in ``mkdocs.yml`` as ``conceptkb.math``; the conceptkb MkDocs plugin adds it
to every build itself.
"""

from __future__ import annotations

import html

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from conceptkb.mathtex import MathError, find_math, to_mathml

PRIORITY = 22
"""After fenced code (25), whose blocks become stash placeholders that stop a formula;
before raw HTML blocks (20), which would take a line of TeX that starts with a tag."""

ERROR_CLASS = "ck-math-error"


class MathPreprocessor(Preprocessor):
    """Replaces each formula with a placeholder for its MathML in the HTML stash."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        formulas = find_math(text)
        if not formulas:
            return lines
        pieces: list[str] = []
        position = 0
        for formula in formulas:
            pieces.append(text[position : formula.start])
            try:
                rendered = to_mathml(formula.tex, display=formula.display)
            except MathError:
                rendered = (
                    f'<span class="{ERROR_CLASS}">{html.escape(formula.source, quote=False)}</span>'
                )
            pieces.append(self.md.htmlStash.store(rendered))
            position = formula.end
        pieces.append(text[position:])
        return "".join(pieces).split("\n")


class MathExtension(Extension):
    """Registers the math preprocessor and makes ``\\$`` an escape."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(MathPreprocessor(md), "conceptkb-math", PRIORITY)
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")


def makeExtension(**kwargs: object) -> MathExtension:
    return MathExtension(**kwargs)
