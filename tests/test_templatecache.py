"""Compiled templates kept for a serve session: reused, never stale, never shared across
environments that compile differently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from conceptkb.templatecache import SessionBytecodeCache


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from source."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: Any = None, *args: Any) -> Any:
        if name is not None:
            names.append(name)
        return original(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def environment(folder: Path, cache: SessionBytecodeCache, **options: Any) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache, **options
    )


def test_a_new_environment_loads_what_an_earlier_one_compiled(
    tmp_path: Path, compiles: list[str]
) -> None:
    (tmp_path / "page.html").write_text("<p>{{ title }}</p>", encoding="utf-8")
    cache = SessionBytecodeCache()
    for _ in range(3):  # three rebuilds, each with its own environment
        page = environment(tmp_path, cache).get_template("page.html")
        assert page.render(title="LoRA") == "<p>LoRA</p>"
    assert compiles == ["page.html"]
    assert len(cache) == 1


def test_an_edited_template_is_compiled_again(tmp_path: Path, compiles: list[str]) -> None:
    template = tmp_path / "page.html"
    template.write_text("<p>{{ title }}</p>", encoding="utf-8")
    cache = SessionBytecodeCache()
    assert environment(tmp_path, cache).get_template("page.html").render(title="A") == "<p>A</p>"
    template.write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    edited = environment(tmp_path, cache).get_template("page.html")
    assert edited.render(title="A") == "<h1>A</h1>"
    assert compiles == ["page.html", "page.html"]


@pytest.mark.parametrize(
    "options",
    [
        {"finalize": lambda value: "[" + str(value) + "]"},
        {"autoescape": True},
        {"variable_start_string": "[[", "variable_end_string": "]]"},
        {"extensions": ["jinja2.ext.loopcontrols"]},
        {"trim_blocks": True},
    ],
)
def test_an_environment_that_compiles_differently_gets_its_own_code(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    (tmp_path / "page.html").write_text(
        "{% if true %}\n{{ title }} [[ title ]]{% endif %}", encoding="utf-8"
    )
    cache = SessionBytecodeCache()
    plain = environment(tmp_path, cache).get_template("page.html").render(title="<b>")
    other = environment(tmp_path, cache, **options)
    fresh = environment(tmp_path, SessionBytecodeCache(), **options)
    expected = fresh.get_template("page.html").render(title="<b>")
    assert other.get_template("page.html").render(title="<b>") == expected
    assert len(cache) == 2  # an entry of its own
    # and the plain environment still gets its own code back
    assert environment(tmp_path, cache).get_template("page.html").render(title="<b>") == plain
