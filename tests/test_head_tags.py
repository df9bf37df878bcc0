"""Head tags for search engines and link previews: canonical link, description,
OpenGraph and Twitter card, on concept pages and the index.

Each is read as a browser reads it (an HTML5 parser) and must appear once, with the
exact text of the concept: the theme writes some (description, canonical link), the
core the rest. On Zensical they reach ``<head>`` through the theme override that
``conceptkb generate`` writes; real Zensical builds are in test_engines.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from justhtml import JustHTML

from conceptkb import generate, headtags

from .conftest import Project, run

SITE_URL = "https://example.org/docs/kb/"
KEYS = (
    "canonical",
    "description",
    "og:type",
    "og:title",
    "og:description",
    "og:url",
    "og:site_name",
    "twitter:card",
    "twitter:title",
    "twitter:description",
)
HOSTILE_TITLE = "Tom & Jerry's \"cut\" < 'paste' > x"
HOSTILE_SUMMARY = "Summaries may hold & < > \" ' and a line\n  break: all of it is text."


def head(html: str) -> list[tuple[str, str]]:
    """(key, value) of every canonical link and named ``<meta>`` in ``<head>``."""
    document = JustHTML(html, sanitize=False)
    found = []
    for element in document.query("head meta, head link[rel=canonical]"):
        attrs = element.attrs
        if element.name == "link":
            found.append(("canonical", str(attrs["href"])))
        elif attrs.get("property") or attrs.get("name"):
            key = str(attrs.get("property") or attrs.get("name"))
            found.append((key, str(attrs.get("content"))))
    return found


def tags_of(html: str) -> dict[str, str]:
    """The page's head tags by key; each must appear once."""
    found = [(key, value) for key, value in head(html) if key in KEYS]
    keys = [key for key, _ in found]
    assert sorted(keys) == sorted(set(keys)), f"a tag appears twice: {keys}"
    return dict(found)


def read(site_dir: Path, path: str) -> str:
    return (site_dir / path).read_text(encoding="utf-8")


@pytest.mark.parametrize("directory_urls", [True, False], ids=["directory-urls", "no-directory"])
def test_concept_and_index_pages_carry_each_tag_once(
    small_kb: Project, directory_urls: bool
) -> None:
    small_kb.config(site_url=SITE_URL, use_directory_urls=directory_urls)
    built = small_kb.build()
    assert built.ok, built.error
    lora = "concepts/lora/" if directory_urls else "concepts/lora.html"
    summary = "LoRA adds trainable low-rank matrices to frozen weight matrices."
    page = "concepts/lora/index.html" if directory_urls else "concepts/lora.html"
    assert tags_of(read(built.site_dir, page)) == {
        "canonical": SITE_URL + lora,
        "description": summary,
        "og:type": "article",
        "og:title": "LoRA",
        "og:description": summary,
        "og:url": SITE_URL + lora,
        "og:site_name": "Test glossary",
        "twitter:card": "summary",
        "twitter:title": "LoRA",
        "twitter:description": summary,
    }
    tags = tags_of(read(built.site_dir, "concepts/index.html"))
    index_url = SITE_URL + ("concepts/" if directory_urls else "concepts/index.html")
    assert (tags["og:type"], tags["og:title"]) == ("website", "Concepts")
    assert tags["canonical"] == tags["og:url"] == index_url
    description = "An A-Z index of the 4 concepts of Test glossary, each with its summary."
    assert tags["description"] == tags["og:description"] == description


def test_without_site_url_no_tag_names_a_relative_url(small_kb: Project) -> None:
    built = small_kb.build()
    assert built.ok, built.error
    tags = tags_of(read(built.site_dir, "concepts/lora/index.html"))
    assert "canonical" not in tags and "og:url" not in tags
    assert tags["og:title"] == tags["twitter:title"] == "LoRA"
    # Other pages of the site get nothing from conceptkb.
    home = dict(head(read(built.site_dir, "index.html")))
    assert "og:title" not in home


def test_names_are_whole_attribute_values(project: Project) -> None:
    project.concept("odd", HOSTILE_TITLE, summary=HOSTILE_SUMMARY)
    project.config(site_url=SITE_URL, site_name='Q&A "site" <1>')
    built = project.build(strict=False)  # a lone concept: an orphan without references
    assert built.ok, built.error
    tags = tags_of(read(built.site_dir, "concepts/odd/index.html"))
    one_line = " ".join(HOSTILE_SUMMARY.split())
    assert tags["og:title"] == tags["twitter:title"] == HOSTILE_TITLE
    assert tags["og:description"] == tags["twitter:description"] == one_line
    assert tags["og:site_name"] == 'Q&A "site" <1>'
    index = tags_of(read(built.site_dir, "concepts/index.html"))
    expected = 'An A-Z index of the 1 concept of Q&A "site" <1>, each with its summary.'
    assert index["description"] == index["og:description"] == expected


def test_tags_a_page_already_declares_are_left_out() -> None:
    present = headtags.declared(
        '<head><META Property="og:title" content="x"><link rel="alternate canonical" href=y>'
    )
    assert present == {"og:title", "canonical"}
    tags = headtags.head_tags(
        title="T",
        description="",
        url="https://example.org/t/",
        kind="article",
        site_name="",
        present=present,
    )
    assert [tag.key for tag in tags] == ["og:type", "og:url", "twitter:card", "twitter:title"]


# -- conceptkb generate --------------------------------------------------------------


def front_matter(root: Path, src_uri: str) -> dict[str, object]:
    text = (root / "build/conceptkb/docs" / src_uri).read_text(encoding="utf-8")
    data: dict[str, object] = yaml.safe_load(text.split("---\n", 2)[1])
    return data


def test_generate_passes_the_tags_through_front_matter(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("odd", HOSTILE_TITLE, summary=HOSTILE_SUMMARY)
    kb.config(site_url=SITE_URL)
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    data = front_matter(kb.root, "concepts/odd.md")
    tags = tags_of(f"<head>{data[generate.HEAD_KEY]}</head>")
    # The theme writes the description (front matter) and the canonical link itself.
    assert "description" not in tags and "canonical" not in tags
    assert tags["og:title"] == HOSTILE_TITLE
    assert tags["og:description"] == " ".join(HOSTILE_SUMMARY.split())
    assert tags["og:url"] == SITE_URL + "concepts/odd/"
    assert generate.HEAD_KEY in front_matter(kb.root, "concepts/index.md")
    assert generate.HEAD_KEY not in front_matter(kb.root, "concepts/tags/index.md")
    config = yaml.safe_load((kb.root / "mkdocs.generated.yml").read_text(encoding="utf-8"))
    assert config["theme"]["name"] == "material"
    assert config["theme"]["custom_dir"] == "build/conceptkb/overrides"
    main = (kb.root / "build/conceptkb/overrides/main.html").read_text(encoding="utf-8")
    assert '{% extends "base.html" %}' in main
    assert f"page.meta.{generate.HEAD_KEY}" in main


def test_generate_keeps_the_sites_own_theme_overrides(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("theme/partials/copyright.html", "<p>Our copyright</p>\n")
    kb.config(theme={"name": "material", "custom_dir": "theme"})
    assert run(["generate"], capsys)[0] == 0
    overrides = kb.root / "build/conceptkb/overrides"
    assert (overrides / "partials/copyright.html").read_text() == "<p>Our copyright</p>\n"
    assert (overrides / "main.html").read_bytes() == generate._MAIN.read_bytes()
    config = yaml.safe_load((kb.root / "mkdocs.generated.yml").read_text(encoding="utf-8"))
    assert config["theme"]["custom_dir"] == "build/conceptkb/overrides"

    # A main.html of their own wins: the note says what the pages then lack.
    kb.write("theme/main.html", '{% extends "base.html" %}\n')
    code, out, _ = run(["generate"], capsys)
    assert code == 0
    assert (overrides / "main.html").read_text() == '{% extends "base.html" %}\n'
    note = next(line for line in out.splitlines() if "note:" in line)
    assert "main.html" in note and f"page.meta.{generate.HEAD_KEY}" in note

    # Gone again: ours comes back, and theirs is not left behind.
    (kb.root / "theme/main.html").unlink()
    (kb.root / "theme/partials/copyright.html").unlink()
    code, out, _ = run(["generate"], capsys)
    assert "note:" not in out
    assert (overrides / "main.html").read_bytes() == generate._MAIN.read_bytes()
    assert not (overrides / "partials").exists()


def test_generate_refuses_a_custom_dir_that_is_not_there(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.config(theme={"name": "material", "custom_dir": "missing"})
    code, _, err = run(["generate"], capsys)
    assert code == 2
    assert "custom_dir" in err and "missing" in err and "Traceback" not in err
