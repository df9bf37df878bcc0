"""The search index: the concepts' name entries reach it, and the index written in
Material's place, a few entries at a time, is the one Material writes."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from conceptkb.mkdocs_plugin import searchindex
from conceptkb.mkdocs_plugin.searchindex import MaterialSearch

from .conftest import Project

_INDEX = Path("search", "search_index.json")


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_name_entries_reach_either_search_plugins_index(
    small_kb: Project, theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material's index gets them before it is written (the pinned Material is reached
    that way); MkDocs' own search plugin's index is read back and written again."""
    reached: list[MaterialSearch | None] = []
    find = MaterialSearch.find

    def spy(config: Any) -> MaterialSearch | None:
        reached.append(find(config))
        return reached[-1]

    monkeypatch.setattr(MaterialSearch, "find", spy)
    small_kb.config(theme={"name": theme})
    built = small_kb.build()
    assert built.ok, built.error
    assert len(reached) == 1
    if theme == "material":
        assert reached[0] is not None and isinstance(reached[0].entries, list)
    else:
        assert reached[0] is None
    index = json.loads((built.site_dir / _INDEX).read_text())
    names = [d for d in index["docs"] if d["location"].startswith("concepts/lora/#ck-name-")]
    assert [d["aliases"] for d in names] == ["LoRA", "Low-Rank Adaptation"]


_PEEK = """
import json, os
from mkdocs.plugins import event_priority

@event_priority({priority})
def on_post_build(config):
    path = os.path.join(config.site_dir, "search", "search_index.json")
    with open(path, encoding="utf-8") as index:
        docs = json.load(index)["docs"]
    with open(os.path.join(config.site_dir, "..", "peek.txt"), "a") as out:
        out.write(f"{{len(docs)}}\\n")
    {then}
"""


def test_the_index_written_in_materials_place_is_materials_own(
    small_kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte the index Material writes itself; a plugin that reads it after
    Material has written it (a hook at priority 0, run after Material) reads it whole;
    Material's configuration is its own again after the build."""
    small_kb.write("peek.py", _PEEK.format(priority=0, then="pass"))
    small_kb.config(hooks=["peek.py"])
    ours = small_kb.build(site_dir=small_kb.root / "ours")
    assert ours.ok, ours.error
    written: list[bool] = []
    in_its_place = MaterialSearch.write_in_its_place

    def left_to_material(self: MaterialSearch, site_dir: str) -> bool:
        written.append(in_its_place(self, site_dir))
        self.release()  # Material writes it again, over the one written here
        return False

    monkeypatch.setattr(MaterialSearch, "write_in_its_place", left_to_material)
    material = small_kb.build(site_dir=small_kb.root / "material")
    assert material.ok, material.error
    assert written == [True]
    assert (ours.site_dir / _INDEX).read_bytes() == (material.site_dir / _INDEX).read_bytes()
    docs = len(json.loads((ours.site_dir / _INDEX).read_text())["docs"])
    assert docs > 10
    assert (small_kb.root / "peek.txt").read_text().split() == [str(docs)] * 2


def test_material_is_given_its_configuration_back_when_the_build_fails(
    small_kb: Project,
) -> None:
    small_kb.write("peek.py", _PEEK.format(priority=-10, then="raise ValueError('late')"))
    small_kb.config(hooks=["peek.py"])
    small_kb.docs.mkdir(exist_ok=True)
    small_kb.write("docs/index.md", "# Home\n")
    config = load_config(str(small_kb.root / "mkdocs.yml"), site_dir=str(small_kb.root / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        with pytest.raises((Abort, PluginError, ValueError)):
            build(config)
    finally:
        config.plugins.on_shutdown()
    assert (small_kb.root / "peek.txt").read_text().split()[0] != "0"
    assert config.plugins["material/search"].config.enabled is True


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    config=st.dictionaries(st.text(), _JSON, max_size=3),
    docs=st.lists(st.dictionaries(st.text(), _JSON, max_size=4), max_size=5),
)
def test_the_search_index_is_written_as_json_dumps_writes_it(
    tmp_path_factory: pytest.TempPathFactory, config: dict[str, Any], docs: list[Any]
) -> None:
    """Written a few entries at a time, byte for byte the compact json.dumps of the whole
    as Material writes it (with chunks of one and two entries, so that every boundary is
    crossed)."""
    path = tmp_path_factory.mktemp("index") / "search" / "search_index.json"
    chunk = searchindex.CHUNK
    try:
        for searchindex.CHUNK in (1, 2, chunk):
            for data in ({"config": config, "docs": docs}, {"docs": docs, "config": config}, {}):
                searchindex.write(path, data)
                expected = json.dumps(data, separators=(",", ":"), default=str)
                assert path.read_text(encoding="utf-8") == expected
    finally:
        searchindex.CHUNK = chunk


@given(
    config=st.dictionaries(st.text(), _JSON, max_size=3),
    docs=st.lists(st.dictionaries(st.text(), _JSON, max_size=4), max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=6), max_size=5),
)
def test_an_index_written_from_fragments_is_the_json_of_its_entries(
    tmp_path_factory: pytest.TempPathFactory,
    config: dict[str, Any],
    docs: list[Any],
    cuts: list[int],
) -> None:
    """A rebuild writes the index from each page's entries as text (``fragment``), some
    pages with none: byte for byte the json.dumps of the index holding them all."""
    path = tmp_path_factory.mktemp("index") / "search" / "search_index.json"
    bounds = [0, *sorted(min(cut, len(docs)) for cut in cuts), len(docs)]
    parts = [searchindex.fragment(docs[a:b]) for a, b in pairwise(bounds)]
    data = {"config": config, "docs": ["not read"]}
    searchindex.write(path, data, docs=parts)
    expected = json.dumps({"config": config, "docs": docs}, separators=(",", ":"), default=str)
    assert path.read_text(encoding="utf-8") == expected
