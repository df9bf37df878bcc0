"""A Python-Markdown extension that stops an engine from building a site that lost pages.

Zensical reads ``mkdocs.yml`` and runs the Python-Markdown extensions listed there, but
silently drops every MkDocs plugin it does not know: built that way, a site loses its
concept pages, and its wikilinks stay raw text. Listed in ``markdown_extensions``,
this extension lets no such build through:

- under MkDocs or ProperDocs, the ``conceptkb`` plugin has registered its wikilink
  processor on the same Markdown instance, and this extension does nothing;
- in the configuration ``conceptkb generate`` writes, it is given the tree's manifest
  (``manifest``): it stops the build if the sources changed since the tree was
  generated, escapes every ``title`` for the theme's tooltips (``tooltips``) and
  writes the schema and rule reference tables (``categories``) as the plugin does;
- otherwise (the original ``mkdocs.yml`` built by an engine without plugins), the first
  page rendered stops the build with one line that says what to do.

The plugin is only visible once every extension is registered, so the checks run as a
preprocessor, at conversion time; a failed check ends the process with one line,
since an engine would print an exception with its whole stack.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from conceptkb import manifest
from conceptkb.markdown_ext import ReferenceTableProcessor, TooltipTitles

WIKILINK_PROCESSOR = "conceptkb-wikilink"
MESSAGE = (
    "conceptkb: this engine does not run the conceptkb plugin, so the site would be"
    " built without its concept pages and with raw [[wikilinks]]: run `conceptkb generate`"
    " and build the configuration it writes (see docs/engines.md)"
)

_checked: dict[tuple[str, int, int], str | None] = {}
"""Manifest (path, modification time, size) -> why its tree is stale, or None. The
sources are hashed once per manifest and engine process, not once per page."""


def _stop(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    os._exit(1)


def stale(path: str) -> str | None:
    """Why the generated tree of the manifest at ``path`` must not be built, or None."""
    try:
        status = Path(path).stat()
    except OSError:
        return f"{path}: no manifest"
    key = (path, status.st_mtime_ns, status.st_size)
    if key not in _checked:
        _checked[key] = manifest.stale(Path(path))
    return _checked[key]


class PluginCheck(Preprocessor):
    """Stops the process when this page would be built without conceptkb."""

    def __init__(self, md: Markdown, manifest_path: str) -> None:
        super().__init__(md)
        self.manifest_path = manifest_path

    def run(self, lines: list[str]) -> list[str]:
        if self.manifest_path:
            problem = stale(self.manifest_path)
            if problem is not None:
                _stop(
                    f"conceptkb: the generated site is out of date ({problem}): run"
                    " `conceptkb generate` again, or keep `conceptkb generate --watch` running"
                )
        elif WIKILINK_PROCESSOR not in self.md.inlinePatterns:
            _stop(MESSAGE)
        return lines


class GuardExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "manifest": ["", "The manifest of a tree written by `conceptkb generate`."],
            "tooltips": [False, "Escape every title for the theme's tooltips."],
            "categories": [[], "The site's categories, for the schema reference table."],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # Priority above every built-in preprocessor: nothing renders before the check.
        check = PluginCheck(md, str(self.getConfig("manifest") or ""))
        md.preprocessors.register(check, "conceptkb-guard", 100)
        if not check.manifest_path:
            return
        # The plugin registers these for MkDocs (markdown_ext.WikilinkExtension).
        categories = list(self.getConfig("categories")) or None
        md.parser.blockprocessors.register(
            ReferenceTableProcessor(md.parser, categories),
            "conceptkb-tables",
            ReferenceTableProcessor.PRIORITY,
        )
        if self.getConfig("tooltips"):
            md.treeprocessors.register(
                TooltipTitles(md), "conceptkb-tooltip-titles", TooltipTitles.PRIORITY
            )


def makeExtension(**kwargs: Any) -> GuardExtension:
    return GuardExtension(**kwargs)
