"""A Python-Markdown extension that stops an engine which skipped the conceptkb plugin.

Zensical reads ``mkdocs.yml`` and runs the Python-Markdown extensions listed there, but
silently drops every MkDocs plugin it does not know: built that way, a site loses its
concept pages, and its wikilinks stay raw text. Listed in ``markdown_extensions``,
this extension lets no such build through. When the ``conceptkb`` plugin is active it
has registered the wikilink processor on the same Markdown instance, and this
extension does nothing; when it is not, the first page rendered stops the build with
one line that says what happened and what to do.

The plugin is only visible once every extension is registered, so the check runs as
a preprocessor, at conversion time.
"""

from __future__ import annotations

import os
import sys

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

WIKILINK_PROCESSOR = "conceptkb-wikilink"
MESSAGE = (
    "conceptkb: this engine does not run the conceptkb plugin, so the site would be"
    " built without its concept pages and with raw [[wikilinks]]: build it with MkDocs"
    " or ProperDocs (see docs/engines.md)"
)


class PluginCheck(Preprocessor):
    """Stops the process when no conceptkb plugin is rendering this page."""

    def run(self, lines: list[str]) -> list[str]:
        if WIKILINK_PROCESSOR not in self.md.inlinePatterns:
            # One line, not a traceback: the engine would print the exception's stack.
            sys.stderr.write(MESSAGE + "\n")
            sys.stderr.flush()
            os._exit(1)
        return lines


class GuardExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Priority above every built-in preprocessor: nothing renders before the check.
        md.preprocessors.register(PluginCheck(md), "conceptkb-guard", 100)


def makeExtension(**kwargs: object) -> GuardExtension:
    return GuardExtension(**kwargs)
