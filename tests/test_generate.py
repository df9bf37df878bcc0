"""`conceptkb generate`: the staging tree that engines without MkDocs plugins build.

The tree is checked as the engine reads it: its Markdown is rendered with
Python-Markdown and the extensions the generated configuration lists (what Zensical
runs), and compared with what the MkDocs plugin puts on the same page. Real Zensical
builds are in test_engines.py.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup

from conceptkb import generate, guard, manifest

from .conftest import Project, concept_text, run

GENERATED = "mkdocs.generated.yml"
TREE = Path("build/conceptkb")


def tree_files(root: Path) -> dict[str, bytes]:
    docs = root / TREE / "docs"
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}


def render(root: Path, src_uri: str) -> BeautifulSoup:
    """A page of the tree rendered as the engine renders it: Python-Markdown with the
    extensions of the generated configuration."""
    config = yaml.safe_load((root / GENERATED).read_text(encoding="utf-8"))
    names, options = [], {}
    for item in config["markdown_extensions"]:
        name = item if isinstance(item, str) else next(iter(item))
        names.append(name)
        if isinstance(item, dict):
            options[name] = item[name] or {}
    text = (root / TREE / "docs" / src_uri).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return BeautifulSoup(
        markdown.markdown(body, extensions=names, extension_configs=options), "html.parser"
    )


def test_generate_writes_every_page_and_the_engine_configuration(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    files = tree_files(kb.root)
    for concept_id in ("fine-tuning", "peft", "lora", "prompting"):
        assert f"concepts/{concept_id}.md" in files
    for path in ("concepts/index.md", "concepts/tags/index.md", "concepts.json", "llms.txt"):
        assert path in files, path
    assert "concepts/low-rank-adapters/index.html" in files  # the former id's redirect
    assert "assets/conceptkb/conceptkb.css" in files
    config = yaml.safe_load((kb.root / GENERATED).read_text(encoding="utf-8"))
    assert config["docs_dir"] == "build/conceptkb/docs"
    assert "conceptkb" not in json.dumps(config["plugins"])
    guard_options = config["markdown_extensions"][0]["conceptkb.guard"]
    assert Path(guard_options["manifest"]) == kb.root / TREE / "manifest.json"
    assert guard_options["tooltips"] is True
    assert "assets/conceptkb/conceptkb.css" in config["extra_css"]


def test_wikilinks_become_markdown_links_outside_code_only(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("docs/index.md", "# Home\n\nSee [[lora]].\n\n```\n[[lora]] stays\n```\n\n`[[peft]]`\n")
    assert run(["generate"], capsys)[0] == 0
    home = render(kb.root, "index.md")
    link = home.select_one("a.ck-link")
    assert link is not None and link.get_text() == "LoRA"
    assert link["href"] == "concepts/lora.md"  # the engine turns it into the page's URL
    code = " ".join(c.get_text() for c in home.select("code"))
    assert "[[lora]] stays" in code and "[[peft]]" in code
    fine_tuning = render(kb.root, "concepts/fine-tuning.md")
    assert "[[not-a-link]]" in fine_tuning.select_one("code").get_text()


HOSTILE_SUMMARY = 'Q&A <b>x</b> "quoted" (a) [b] `c` *d* _e_ $f$ \\g :smile: x < y'


def test_labels_and_titles_show_exactly_as_written(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Markdown, HTML and extensions never read a label or a summary as syntax; with
    tooltips on, the title is escaped for innerHTML as the plugin escapes it."""
    kb.concept(
        "odd",
        "Odd",
        summary="Odd is a concept whose summary holds characters that look like syntax.",
        body="A [[lora|*not* <i>em</i> & `x` (y) \\z]] link.\n",
    )
    kb.concept(
        "lora",
        "LoRA",
        summary=HOSTILE_SUMMARY.replace("<b>x</b>", "b x"),
        body="Part of [[odd]].\n",
        category="technique",
        aliases=["Low-Rank Adaptation"],
    )
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    link = render(kb.root, "concepts/odd.md").select_one(".ck-body a.ck-link")
    assert link.get_text() == "*not* <i>em</i> & `x` (y) \\z"
    summary = HOSTILE_SUMMARY.replace("<b>x</b>", "b x")
    # Decoded once by the browser, once more by the tooltip's innerHTML: the summary.
    title = link.span["title"]
    assert BeautifulSoup(title, "html.parser").get_text() == summary
    assert "<" not in title.replace("&lt;", "")
    # summaries.js shows data-ck-summary as text: decoded once, the summary.
    assert link["data-ck-summary"] == summary
    assert "title" not in link.attrs


def test_titles_are_escaped_once_without_the_theme_tooltips(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without content.tooltips the browser's own tooltip shows the title as text."""
    kb.config(theme={"name": "material", "font": False})
    summary = HOSTILE_SUMMARY.replace("<b>x</b>", "b x")
    kb.concept("odd", "Odd", summary=summary, body="Part of [[lora]].\n")
    kb.write("docs/index.md", "# Home\n\nSee [[odd]].\n")
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    # A wikilink in a page of the site, and a relation on a generated page.
    for src_uri in ("index.md", "concepts/lora.md"):
        links = [a for a in render(kb.root, src_uri).select("a.ck-link") if "odd" in a["href"]]
        assert links, src_uri
        for link in links:
            assert link.span["title"] == summary, src_uri
            assert link["data-ck-summary"] == summary, src_uri


def test_reference_tables_are_the_plugins_plain_tables(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """The schema and rule tables of a docs page: the same plain tables (no class, so
    the theme styles them) from the tree as from the plugin, configured categories too."""
    kb.config({"categories": ["concept", "method-family", "technique", "practice", "oddity"]})
    kb.write("docs/format.md", "# Format\n\n::: conceptkb.schema\n\n::: conceptkb.rules\n")
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    built = kb.build()
    assert built.ok, built.error

    def tables(page: BeautifulSoup) -> list[str]:
        return [str(table) for table in page.select("table")]

    from_tree, from_plugin = tables(render(kb.root, "format.md")), tables(built.html("format/"))
    assert len(from_tree) == 2 and from_tree == from_plugin
    schema, rules = render(kb.root, "format.md").select("table")
    assert (schema["data-ck-table"], rules["data-ck-table"]) == ("schema", "rules")
    assert schema.get("class") is None and rules.get("class") is None
    assert "oddity" in schema.get_text()


def test_running_twice_changes_nothing(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate"], capsys)[0] == 0
    before = {
        p: (p.stat().st_mtime_ns, p.read_bytes())
        for p in kb.root.rglob("build/**/*")
        if p.is_file()
    }
    config_time = (kb.root / GENERATED).stat().st_mtime_ns
    code, out, _ = run(["generate"], capsys)
    assert code == 0
    assert "0 written, 0 removed" in out
    after = {
        p: (p.stat().st_mtime_ns, p.read_bytes())
        for p in kb.root.rglob("build/**/*")
        if p.is_file()
    }
    assert after == before
    assert (kb.root / GENERATED).stat().st_mtime_ns == config_time


def test_a_deleted_concept_leaves_no_stale_page(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("extra", "Extra", body="Alone.\n", aliases=["Spare"], tags=["lonely"])
    assert run(["generate"], capsys)[0] == 0
    assert "concepts/extra.md" in tree_files(kb.root)
    assert "concepts/tags/lonely.md" in tree_files(kb.root)
    (kb.concepts / "extra.md").unlink()
    code, _, _ = run(["generate"], capsys)
    assert code == 0
    files = tree_files(kb.root)
    assert "concepts/extra.md" not in files
    assert "concepts/tags/lonely.md" not in files
    assert "concepts/spare/index.html" not in files
    assert not (kb.root / TREE / "docs" / "concepts" / "tags" / "lonely.md").exists()


def test_errors_write_nothing_and_report_what_lint_reports(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("concepts/lora.md", concept_text("LoRA", body="See [[nowhere]].\n"))
    lint_code, lint_out, _ = run(["lint"], capsys)
    code, out, _ = run(["generate"], capsys)
    assert (code, lint_code) == (1, 1)
    assert out.startswith(lint_out)
    assert "nothing written" in out
    assert not (kb.root / TREE).exists()
    assert not (kb.root / GENERATED).exists()


def test_preview_writes_pages_that_show_their_findings(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("concepts/lora.md", concept_text("LoRA", body="See [[nowhere]].\n"))
    kb.write("concepts/broken.md", "---\ntitle: [unclosed\n---\n")
    code, _, _ = run(["generate", "--preview"], capsys)
    assert code == 0
    lora = render(kb.root, "concepts/lora.md")
    assert "[[nowhere]]" not in lora.select_one(".ck-body").get_text()
    assert lora.select_one(".ck-findings") is not None
    assert lora.select_one(".ck-missing").get_text() == "nowhere"
    broken = render(kb.root, "concepts/broken.md")
    assert broken.select_one(".ck-broken .ck-findings") is not None


def test_out_must_be_inside_the_project(
    kb: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["generate", "--out", str(tmp_path / "elsewhere")], capsys)
    assert code == 2
    assert "must be inside" in err and "Traceback" not in err


def test_the_manifest_hash_follows_content_not_line_endings_or_times(kb: Project) -> None:
    sources = ["mkdocs.yml", "docs", "concepts"]
    kb.write("docs/index.md", "# Home\n")
    first = manifest.digest(kb.root, sources)
    lora = kb.concepts / "lora.md"
    text = lora.read_text(encoding="utf-8")
    lora.write_bytes(text.replace("\n", "\r\n").encode())
    assert manifest.digest(kb.root, sources) == first
    time.sleep(0.01)
    lora.touch()
    assert manifest.digest(kb.root, sources) == first
    lora.write_text(text + "More.\n", encoding="utf-8")
    assert manifest.digest(kb.root, sources) != first


def test_the_guard_accepts_a_fresh_tree_and_refuses_a_stale_one(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["generate"], capsys)[0] == 0
    path = str(kb.root / TREE / "manifest.json")
    assert guard.stale(path) is None
    with (kb.concepts / "lora.md").open("a", encoding="utf-8") as handle:
        handle.write("\nEdited.\n")
    assert manifest.stale(Path(path)) == "the sources changed since it was generated"
    assert run(["generate"], capsys)[0] == 0
    assert guard.stale(path) is None


def test_watch_writes_what_an_edit_changes(kb: Project) -> None:
    kb.write("docs/guide.md", "# Guide\n\nNo links here.\n")
    generator = generate.Generator(kb.root / "mkdocs.yml")
    generator.run()
    outcomes: list[generate.Outcome] = []

    def edit() -> None:
        time.sleep(0.3)
        kb.concept("prompting", "Prompting", summary="Prompting, edited while watched.")

    thread = threading.Thread(target=edit)
    thread.start()
    for outcome in generate.watch(generator, preview=False, interval=0.05):
        outcomes.append(outcome)
        break
    thread.join()
    written = outcomes[0].written
    assert "concepts/prompting.md" in written
    assert "concepts/lora.md" in written  # its link to prompting has the summary as title
    assert "assets/conceptkb/conceptkb.css" not in written
    assert "guide.md" not in written  # a page of the site's own docs that does not change
    assert outcomes[0].unchanged > 0
    page = (kb.root / TREE / "docs" / "concepts" / "prompting.md").read_text(encoding="utf-8")
    assert "edited while watched" in page


def test_math_renders_in_bodies_and_never_in_summaries(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = "LoRA adds the product $BA$ of two small matrices to a frozen weight."
    kb.concept(
        "lora",
        "LoRA",
        summary=summary,
        body="The update is $W_0 + BA$, and it costs \\$2.\n",
        category="technique",
        aliases=["Low-Rank Adaptation"],
    )
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    page = render(kb.root, "concepts/lora.md")
    assert page.select_one(".ck-body math") is not None
    assert "$2" in page.select_one(".ck-body").get_text()
    assert page.select_one(".ck-summary").get_text() == summary
    assert page.select_one(".ck-summary math") is None


def test_a_watch_session_writes_what_a_fresh_run_writes(kb: Project) -> None:
    """The watcher reuses pages whose digest did not change: after each edit its tree
    equals the tree a fresh run writes."""
    session = generate.Generator(kb.root / "mkdocs.yml")
    session.run()
    edits = [
        lambda: kb.concept("prompting", "Prompting", summary="Prompting, edited once."),
        lambda: kb.concept(
            "extra", "Extra", body="See [[lora]].\n", related=["peft"], tags=["efficiency"]
        ),
        lambda: (kb.concepts / "extra.md").unlink(),
        lambda: kb.write("docs/index.md", "# Home\n\nSee [[peft]].\n"),
    ]
    for edit in edits:
        edit()
        session.run()
        fresh = generate.Generator(kb.root / "mkdocs.yml", kb.root / "build" / "fresh")
        fresh.run()
        docs = kb.root / "build" / "fresh" / "docs"
        expected = {
            p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()
        }
        assert tree_files(kb.root) == expected
