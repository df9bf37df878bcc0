"""The search index file: reaching Material's entries before it writes them, and
writing an index a few hundred entries at a time, or from texts of its entries made
before (a ``serve`` rebuild keeps each page's).

Material's search plugin writes its index as one ``json.dumps`` string and then that
string's bytes: at N = 5,000, 24 MB each beside the entries, the build's largest need
of memory (+74 MiB over what the build holds then). Written here in its place, the
bytes are the same and the text is never whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

CHUNK = 500
"""Search entries encoded at once: one call of the C encoder for each, and a text of
a few hundred kilobytes at most."""

_MATERIAL = "material.plugins.search.plugin"


def fragment(entries: list[Any]) -> str:
    """Search entries as they stand in the index's list: its JSON without the brackets
    (empty for none). The fragments of consecutive entries, joined with commas, are
    the JSON of them all."""
    return _dumps(entries)[1:-1]


def write(path: Path, data: dict[str, Any], *, docs: Iterable[str] | None = None) -> None:
    """``json.dumps(data)`` as Material writes it (compact, ASCII) a few hundred entries
    at a time: the whole text of the index is never held beside its entries.

    With ``docs``, the entries are given as :func:`fragment` texts, in order, in place
    of ``data["docs"]``: a rebuild writes again the text it made for the pages it did
    not render."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("{")
        for number, (key, value) in enumerate(data.items()):
            out.write(("," if number else "") + _dumps(key) + ":")
            if key == "docs" and (docs is not None or isinstance(value, list)):
                parts = docs if docs is not None else _chunks(value)
                out.write("[")
                for index, part in enumerate(filter(None, parts)):  # none for no entries
                    out.write("," + part if index else part)
                out.write("]")
            else:
                out.write(_dumps(value))
        out.write("}")


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _chunks(entries: list[Any]) -> Iterator[str]:
    for start in range(0, len(entries), CHUNK):
        yield fragment(entries[start : start + CHUNK])


def material_plugin(config: MkDocsConfig) -> Any | None:
    """Material's search plugin, when the build has it (enabled or not)."""
    for plugin in config.plugins.values():
        if type(plugin).__module__ == _MATERIAL:
            return plugin
    return None


class MaterialSearch:
    """Material's search plugin in this build, enabled. Its ``search_index.entries``
    and ``generate_search_index`` are not a published API, but Material is in
    maintenance (no new features until 2027-05-05) and pinned, and the tests build with
    it: they check that it is reached and that the index written in its place is the
    one it writes itself, byte for byte."""

    def __init__(self, plugin: Any, entries: list[dict[str, Any]]) -> None:
        self._plugin = plugin
        self.entries = entries
        """The entries Material is about to write (a name entry added here reaches it)."""
        self._held = False

    @classmethod
    def find(cls, config: MkDocsConfig) -> MaterialSearch | None:
        plugin = material_plugin(config)
        entries = getattr(getattr(plugin, "search_index", None), "entries", None)
        enabled = getattr(getattr(plugin, "config", None), "enabled", False)
        if isinstance(entries, list) and enabled:
            return cls(plugin, entries)
        return None

    def write_in_its_place(self, site_dir: str) -> bool:
        """Write the index Material would write, a few entries at a time, and keep
        Material from writing it again in this build (its ``on_post_build`` does
        nothing while its configuration says it is disabled) until :meth:`release`.

        Not under ``serve --dirty``: there Material merges the entries with the last
        build's, which it keeps. False when the index was left to Material."""
        plugin = self._plugin
        if getattr(plugin, "is_dirty", True):
            return False
        index = plugin.search_index
        # Material's own head of the index (its language, separator, pipeline and
        # fields), made without the entries.
        index.entries = []
        try:
            data = json.loads(index.generate_search_index(None))
        finally:
            index.entries = self.entries
        if not isinstance(data, dict) or data.get("docs") != []:
            return False
        data["docs"] = self.entries
        write(Path(site_dir, "search", "search_index.json"), data)
        plugin.config.enabled = False
        self._held = True
        return True

    def release(self) -> None:
        """Give Material back its configuration, once its ``on_post_build`` has run."""
        if self._held:
            self._held = False
            self._plugin.config.enabled = True
