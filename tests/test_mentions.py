"""CK307 unlinked-mention: what counts as a mention, and ``conceptkb lint --fix-mentions``."""

from __future__ import annotations

import codecs
import re
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conceptkb import bodyscan, fixes
from conceptkb import mentions as mentions_module
from conceptkb.checker import LintResult, lint
from conceptkb.frontmatter import decode, split
from conceptkb.index import ConceptIndex
from conceptkb.memo import SessionMemo
from conceptkb.mentions import is_acronym, title_parts, unlinkable_line
from conceptkb.readcache import ReadCache
from conceptkb.rules import UNLINKED_MENTION
from conceptkb.settings import Settings
from tests.conftest import Project, concept_text, run

REFERENCE = [{"title": "A primary source", "url": "https://arxiv.org/abs/2106.09685"}]
CONCEPTS: dict[str, dict[str, Any]] = {
    "lora": {"title": "LoRA", "aliases": ["Low-Rank Adaptation"], "former_ids": ["low-rank"]},
    "qlora": {"title": "QLoRA"},
    "dpo": {"title": "DPO (Direct Preference Optimization)"},
    "po": {"title": "Preference optimization"},
    "peft": {"title": "PEFT (parameter-efficient fine-tuning)"},
    "adapters": {"title": "Adapters"},
    "reward-model": {"title": "Reward model"},
    "model-merging": {"title": "Model merging"},
}
"""The knowledge base around the page under test (``notes``)."""


def write_kb(root: Path, body: str, **changes: dict[str, Any]) -> None:
    """CONCEPTS (with ``changes`` per id, ``None`` values removing a field) and a
    concept ``notes`` holding ``body``."""
    for concept_id, spec in {**CONCEPTS, **changes}.items():
        spec = {**CONCEPTS.get(concept_id, {}), **spec}
        spec = {k: v for k, v in spec.items() if v is not None}
        text = concept_text(spec.pop("title"), references=REFERENCE, **spec)
        (root / "concepts").mkdir(parents=True, exist_ok=True)
        (root / "concepts" / f"{concept_id}.md").write_text(text, encoding="utf-8")
    notes = concept_text("Notes", references=REFERENCE) + body
    (root / "concepts" / "notes.md").write_text(notes, encoding="utf-8")


def lint_kb(root: Path, **options: Any) -> LintResult:
    return lint(Settings(concepts_dir=root / "concepts", base_dir=root, **options))


def mentions(project: Project, body: str, **changes: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(line in the body, column, message) of each CK307 note on ``notes``."""
    write_kb(project.root, body, **changes)
    result = lint_kb(project.root)
    first = result.index.concepts["notes"].body_line
    return [
        (f.line - first + 1, f.column, f.message)
        for f in result.findings
        if f.code == UNLINKED_MENTION and f.path.endswith("notes.md")
    ]


def note(text: str, concept_id: str, link: str) -> str:
    return f'"{text}" names {concept_id}: link it as {link}'


# -- what counts as a mention ---------------------------------------------------------


def test_a_mention_is_reported_with_the_link_that_replaces_it(project: Project) -> None:
    assert mentions(project, "We use LoRA here.\n") == [(1, 8, note("LoRA", "lora", "[[lora]]"))]


@pytest.mark.parametrize(
    "text",
    ["QLoRA", "LoRA-FA", "pre-LoRA", "xLoRA", "LoRA2", "LoRA_x", "éLoRA", "LoRAé", "LoRA.x"],
)
def test_only_whole_words_are_mentions(project: Project, text: str) -> None:
    # Letters, digits and "_" in any script, and a hyphen or dot joined to a word,
    # extend the word; the control on the next line shows the rule is looking.
    found = mentions(project, f"A {text} b.\nLoRA.\n")
    assert [(line, column) for line, column, m in found if " names lora:" in m] == [(2, 1)]


@pytest.mark.parametrize("text", ["LoRA's", "(LoRA)", "LoRA/QLoRA", '"LoRA"', "LoRA-", "LoRA."])
def test_punctuation_ends_a_word(project: Project, text: str) -> None:
    found = mentions(project, f"A {text} b.\n")
    assert [(line, m) for line, _, m in found][:1] == [(1, note("LoRA", "lora", "[[lora]]"))]


def test_short_acronyms_match_their_case_only(project: Project) -> None:
    found = mentions(project, "Dpo and dpo are words.\nDPO is the method.\n")
    assert found == [(2, 1, note("DPO", "dpo", "[[dpo|DPO]]"))]


def test_other_names_match_in_any_case(project: Project) -> None:
    found = mentions(project, "We compare lora with LOW-RANK ADAPTATION.\n")
    assert found == [(1, 12, note("lora", "lora", "[[lora|lora]]"))]


@pytest.mark.parametrize(
    ("name", "acronym"),
    [("DPO", True), ("PEFT", True), ("GPT-4", True), ("LoRA", False), ("RAFTING", False)],
)
def test_what_an_acronym_is(name: str, acronym: bool) -> None:
    assert is_acronym(name) is acronym


def test_the_parts_of_a_title_are_names(project: Project) -> None:
    assert title_parts("DPO (Direct Preference Optimization)") == [
        "DPO",
        "Direct Preference Optimization",
    ]
    assert title_parts("Chain (of (thought))") == []
    found = mentions(project, "It extends direct preference optimization.\n")
    assert found == [
        (
            1,
            12,
            note("direct preference optimization", "dpo", "[[dpo|direct preference optimization]]"),
        )
    ]


def test_the_longest_name_wins(project: Project) -> None:
    # "Preference optimization" is inside the name of DPO: it is no mention of po.
    found = mentions(project, "Direct Preference Optimization is new.\n")
    assert [m for _, _, m in found] == [
        note("Direct Preference Optimization", "dpo", "[[dpo|Direct Preference Optimization]]")
    ]
    found = mentions(
        project, "DPO and Direct Preference Optimization; then preference optimization.\n"
    )
    assert [(column, m.split(" names ")[1].split(":")[0]) for _, column, m in found] == [
        (1, "dpo"),
        (46, "po"),
    ]


def test_overlapping_names_the_longer_wins(project: Project) -> None:
    # "Reward model" and "Model merging" overlap on "model": the longer is the mention.
    found = mentions(project, "We saw reward model merging.\n")
    assert [m for _, _, m in found] == [
        note("model merging", "model-merging", "[[model-merging|model merging]]")
    ]


def test_only_the_first_mention_of_each_concept(project: Project) -> None:
    found = mentions(project, "LoRA one.\n\nLoRA two, QLoRA one, QLoRA two.\n")
    assert [(line, column) for line, column, _ in found] == [(1, 1), (3, 11)]


@pytest.mark.parametrize(
    "link",
    ["[[lora]]", "[[Low-Rank Adaptation]]", "[[low-rank]]", "[[lora|the method]]", "[[LoRA]]"],
)
def test_a_concept_linked_anywhere_is_not_reported(project: Project, link: str) -> None:
    assert mentions(project, f"LoRA first, the link after: {link}.\n") == []


def test_the_concept_itself_is_not_reported(project: Project) -> None:
    assert mentions(project, "Notes about notes.\n") == []
    found = mentions(project, "LoRA and LoRA.\n", lora={"body": "LoRA is this page.\n"})
    assert len(found) == 1


def test_a_deprecated_concept_is_not_reported_and_hides_shorter_names(project: Project) -> None:
    deprecated = {"status": "deprecated", "superseded_by": "lora", "title": "QLoRA adapters"}
    assert mentions(project, "We tried QLoRA adapters.\n", qlora=deprecated) == []


def test_a_name_two_concepts_share_is_not_reported(project: Project) -> None:
    shared = {"title": "Adapter", "aliases": ["LoRA"]}  # CK109 reports the clash itself
    assert mentions(project, "LoRA here.\n", other=shared) == []


EXCLUDED = [
    "`LoRA`",
    "```\nLoRA\n```",
    "    LoRA in indented code",
    "$\\mathrm{LoRA}$",
    "[[qlora|LoRA]]",
    "[LoRA](https://example.org)",
    "[a link](https://example.org/LoRA)",
    "![LoRA](diagram.png)",
    "[LoRA][ref]\n\n[ref]: https://example.org",
    '[ref]: https://example.org "LoRA"',
    "[LoRA]\n\n[lora]: https://example.org",
    "<https://example.org/LoRA>",
    "https://example.org/LoRA/",
    "www.example.org/LoRA",
    '<span title="LoRA">text</span>',
    '<a href="https://example.org">LoRA</a>',
    "<code>LoRA</code>",
    "<kbd>LoRA</kbd>",
    "<!-- LoRA -->",
    "<div>\nLoRA in a raw HTML block\n</div>",
    "## LoRA",
    "LoRA\n----",
    "LoRA\n====",
    '!!! note "LoRA"',
    "Text {: title=LoRA }",
    "A note[^LoRA].",
    "*[LoRA]: Low-Rank Adaptation",
]


@pytest.mark.parametrize("construct", EXCLUDED)
def test_no_mention_where_a_link_cannot_go(project: Project, construct: str) -> None:
    found = mentions(project, f"{construct}\n\nThen LoRA in prose.\n")
    assert [m for _, _, m in found] == [note("LoRA", "lora", "[[lora]]")]
    line, column, _ = found[0]
    body = (project.root / "concepts" / "notes.md").read_text(encoding="utf-8").split("---\n", 2)
    assert body[2].split("\n")[line - 1][column - 1 :].startswith("LoRA in prose")


def line_is_not_prose(masked: str, offset: int) -> bool:
    """:func:`unlinkable_line` as first written, copying the line: the reference the
    in-place reading is held to."""
    start = masked.rfind("\n", 0, offset) + 1
    end = masked.find("\n", offset)
    end = len(masked) if end == -1 else end
    line = masked[start:end]
    text = line.lstrip(" ")
    indent = len(line) - len(text)
    if indent <= 3 and text.startswith("#"):
        marks = len(text) - len(text.lstrip("#"))
        if marks <= 6 and (len(text) == marks or text[marks] in " \t"):
            return True
    if text.lstrip("\t").startswith(("!!!", "???")):
        return True
    if mentions_module._ABBREVIATION.match(line) or (
        indent <= 3 and mentions_module._DEFINITION_START.match(text)
    ):
        return True
    if not line.strip() or end == len(masked):
        return False
    underline_end = masked.find("\n", end + 1)
    underline = masked[end + 1 : len(masked) if underline_end == -1 else underline_end].rstrip(" ")
    return bool(underline) and underline[0] in "=-" and underline == underline[0] * len(underline)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", " ", "   ", "    ", "\t", " \t", "\u00a0"]),
            st.sampled_from(
                ["", "#", "###", "#######", "!!!", "??? ", "*[x]:", "[a]:", "[^a]:", "=", "==", "-"]
            ),
            st.text(alphabet=" \t#!?*[]:=-x", max_size=4),
        ).map("".join),
        min_size=1,
        max_size=4,
    ).map("\n".join),
    st.integers(0, 40),
)
@example("\t\n==", 0)  # a line of white space, which nothing underlines
@example("\u00a0\n--", 0)
@example(" x\n\t!!! a", 5)
def test_the_line_test_reads_in_place_as_a_copy_of_the_line_reads(masked: str, offset: int) -> None:
    offset = min(offset, len(masked))
    assert unlinkable_line(masked, offset) == line_is_not_prose(masked, offset)


def test_a_compound_head_or_a_proper_name_is_no_mention(project: Project) -> None:
    found = mentions(project, "We train LoRA adapters on the Hugging Face PEFT library.\n")
    assert [m.split(" names ")[1].split(":")[0] for _, _, m in found] == ["lora"]
    found = mentions(project, "Merging [[lora]] adapters. Adapters, and PEFT.\n")
    assert [m.split(" names ")[1].split(":")[0] for _, _, m in found] == ["adapters", "peft"]


@pytest.mark.parametrize(
    "body",
    [
        "LoRA Reward model merging.\n",  # "Reward" starts no sentence after a name...
        "[[lora]] Reward model merging.\n",  # ...nor after the link that replaces it
        "*LoRA* and DPO.\n",  # emphasis at the start of a line, not an abbreviation
        "[[qlora]](LoRA) and DPO.\n",  # a wikilink then parentheses: no Markdown link
    ],
)
def test_a_name_and_its_link_read_the_same_to_their_neighbours(project: Project, body: str) -> None:
    found = {m.split(" names ")[1].split(":")[0] for _, _, m in mentions(project, body)}
    assert "model-merging" not in found
    assert ("dpo" in found) == ("DPO" in body)
    assert ("lora" in found) == ("LoRA" in body)


def test_a_mention_in_a_table_row_gets_a_link_without_a_label(project: Project) -> None:
    table = "| method | note |\n| --- | --- |\n| Low-Rank Adaptation | small |\n"
    assert [m for _, _, m in mentions(project, table)] == [
        note("Low-Rank Adaptation", "lora", "[[Low-Rank Adaptation]]")
    ]
    # "lora" would show the title "LoRA" as [[lora]]: it cannot be linked in a cell as
    # written, so the first mention that can is reported.
    found = mentions(project, "| lora | x |\n| --- | --- |\n\nThen LoRA.\n")
    assert [(line, m) for line, _, m in found] == [(4, note("LoRA", "lora", "[[lora]]"))]


def test_the_rule_can_be_turned_off_or_silenced(project: Project) -> None:
    write_kb(project.root, "LoRA here.\n")
    assert any(f.code == UNLINKED_MENTION for f in lint_kb(project.root).findings)
    off = lint_kb(project.root, severity={"unlinked-mention": "off"})
    assert not any(f.code == UNLINKED_MENTION for f in off.findings)
    notes = project.root / "concepts" / "notes.md"
    notes.write_text(
        concept_text("Notes", references=REFERENCE, ignore={"CK307": "named, not linked"})
        + "LoRA here.\n",
        encoding="utf-8",
    )
    silenced = lint_kb(project.root)
    assert not any(f.code == UNLINKED_MENTION for f in silenced.findings)
    assert silenced.hidden.front_matter == 1


# -- conceptkb lint --fix-mentions ----------------------------------------------------


def fix(project: Project, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, err = run(["lint", "--fix-mentions", *args], capsys)
    assert not err
    return code, out


@pytest.fixture
def here(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    project.root.mkdir(parents=True)
    monkeypatch.chdir(project.root)
    return project


def test_fix_links_each_reported_mention_and_says_so(
    here: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    write_kb(here.root, "LoRA and Low-Rank Adaptation; DPO.\n")
    code, out = fix(here, capsys)
    lines = out.splitlines()
    first = lint_kb(here.root).index.concepts["notes"].body_line
    assert lines[:3] == [
        f'concepts/notes.md:{first}:1: linked "LoRA" -> [[lora]]',
        f'concepts/notes.md:{first}:31: linked "DPO" -> [[dpo|DPO]]',
        "linked 2 mentions in 1 file",
    ]
    assert code == 0
    body = (here.root / "concepts" / "notes.md").read_text(encoding="utf-8").split("---\n")[2]
    assert body == "[[lora]] and Low-Rank Adaptation; [[dpo|DPO]].\n"
    assert not any(f.code == UNLINKED_MENTION for f in lint_kb(here.root).findings)


def test_fix_is_idempotent(here: Project, capsys: pytest.CaptureFixture[str]) -> None:
    write_kb(here.root, "LoRA, QLoRA and PEFT.\n\n| a | Low-Rank Adaptation |\n|---|---|\n")
    fix(here, capsys)
    files = {p: p.read_bytes() for p in (here.root / "concepts").iterdir()}
    code, out = fix(here, capsys)
    assert out.splitlines()[0] == "linked 0 mentions in 0 files"
    assert code == 0
    assert {p: p.read_bytes() for p in (here.root / "concepts").iterdir()} == files


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("last", [True, False])
def test_fix_keeps_every_other_byte(
    here: Project, capsys: pytest.CaptureFixture[str], bom: bytes, end: bytes, last: bool
) -> None:
    write_kb(here.root, "")
    front = concept_text("Notes", references=REFERENCE).encode("utf-8")
    lines = [b"Tabs\tand  spaces  ", b"A `LoRA` span, then LoRA.  ", b"", b"QLoRA \xc3\xa9"]
    raw = bom + front.replace(b"\n", end) + end.join(lines) + (end if last else b"")
    path = here.root / "concepts" / "notes.md"
    path.write_bytes(raw)
    path.chmod(0o640)
    code, _ = fix(here, capsys)
    assert code == 0
    expected = raw.replace(b"then LoRA.", b"then [[lora]].").replace(
        b"QLoRA \xc3", b"[[qlora]] \xc3"
    )
    assert path.read_bytes() == expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_fix_never_touches_code(here: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code_block = "```python\nLoRA = 'LoRA'\n```\n\n    LoRA indented\n\n`LoRA` span"
    write_kb(here.root, f"{code_block}, and LoRA.\n")
    fix(here, capsys)
    body = (here.root / "concepts" / "notes.md").read_text(encoding="utf-8").split("---\n")[2]
    assert body == f"{code_block}, and [[lora]].\n"


def test_fix_follows_what_the_lint_reports(
    here: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    write_kb(here.root, "LoRA here.\n", qlora={"body": "LoRA there.\n"})
    first = lint_kb(here.root).index.concepts["qlora"].body_line
    code, out = fix(here, capsys, "concepts/qlora.md")
    assert code == 0
    assert out.splitlines()[0] == f'concepts/qlora.md:{first}:1: linked "LoRA" -> [[lora]]'
    assert "[[lora]]" not in (here.root / "concepts" / "notes.md").read_text(encoding="utf-8")
    here.write(
        "mkdocs.yml", "site_name: x\nplugins:\n  - conceptkb:\n      severity: {CK307: off}\n"
    )
    _, out = fix(here, capsys)
    assert out.splitlines()[0] == "linked 0 mentions in 0 files"
    assert "[[lora]]" not in (here.root / "concepts" / "notes.md").read_text(encoding="utf-8")


def test_fix_with_changed_links_in_the_changed_files_only(
    here: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    def git(*args: str) -> None:
        identity = ["-c", "user.email=kb@example.org", "-c", "user.name=kb"]
        subprocess.run(["git", *identity, *args], cwd=here.root, check=True, capture_output=True)

    write_kb(here.root, "Nothing yet.\n", qlora={"body": "LoRA there.\n"})
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "knowledge base")
    git("checkout", "-qb", "change")
    notes = here.root / "concepts" / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "LoRA here.\n", encoding="utf-8")
    qlora = (here.root / "concepts" / "qlora.md").read_bytes()
    code, out = fix(here, capsys, "--changed", "main")
    assert code == 0
    assert [line.split(": linked ")[0].split(":")[0] for line in out.splitlines()[:1]] == [
        "concepts/notes.md"
    ]
    assert out.splitlines()[1] == "linked 1 mention in 1 file"
    assert "[[lora]] here." in notes.read_text(encoding="utf-8")
    assert (here.root / "concepts" / "qlora.md").read_bytes() == qlora


def test_fix_writes_only_inside_the_concepts_folder(
    here: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    write_kb(here.root, "")
    outside = here.write("drafts/new.md", concept_text("New", references=REFERENCE) + "LoRA.\n")
    before = outside.read_bytes()
    code, out = fix(here, capsys, "drafts/new.md")
    assert "drafts/new.md: not changed: it is outside the concepts folder" in out.splitlines()
    assert code == 1
    assert outside.read_bytes() == before


@pytest.mark.parametrize(
    "other", [["--format", "json"], ["--format", "sarif"], ["--write-baseline"]]
)
def test_fix_refuses_other_outputs(
    here: Project, capsys: pytest.CaptureFixture[str], other: list[str]
) -> None:
    write_kb(here.root, "LoRA.\n")
    before = (here.root / "concepts" / "notes.md").read_bytes()
    code, _, err = run(["lint", "--fix-mentions", *other], capsys)
    assert code == 2
    assert err.startswith("conceptkb: --fix-mentions")
    assert (here.root / "concepts" / "notes.md").read_bytes() == before


def test_fix_leaves_a_file_that_changed_since_the_lint(project: Project) -> None:
    write_kb(project.root, "LoRA here.\n")
    result = lint_kb(project.root)
    path = project.root / "concepts" / "notes.md"
    path.write_text(path.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    before = path.read_bytes()
    linked, refused = fixes.link_mentions(result, project.root / "concepts")
    assert linked == []
    assert [r.describe() for r in refused] == [
        "concepts/notes.md: not changed: it changed since it was linted: lint it again"
    ]
    assert path.read_bytes() == before


# -- the property: a fixed body renders as before, and has nothing left to link --------

FRAGMENTS = [
    "LoRA", "Low-Rank Adaptation", "low-rank adaptation", "QLoRA", "DPO", "dpo", "PEFT",
    "Direct Preference Optimization", "preference optimization", "Reward model merging",
    "Hugging Face PEFT", "adapters", "Adapters", "model merging", "Notes", "the", "and",
    " ", " ", " ", ", ", ". ", "-", "'s", "é", "(", ")", "\n", "\n\n", "## ", "| ", " |",
    "`LoRA`", "`", "$x$", "[[lora]]", "[[qlora|the quantized one]]", "[[Low-Rank Adaptation]]",
    "[LoRA](https://example.org/LoRA)", "<b>DPO</b>", "<https://example.org/PEFT>", "*",
    "\n```\nLoRA\n```\n", "\n    LoRA code\n", "> ", "- ",
]  # fmt: skip


def rendered(body: str, index: ConceptIndex) -> str:
    """``body`` with each wikilink outside code replaced by the text the page shows."""
    masked = bodyscan.mask_code(body)
    pieces, done = [], 0
    for match in bodyscan.WIKILINK.finditer(masked):
        label = (match.group(2) or "").strip() or None
        pieces += [body[done : match.start()], index.link_text(match.group(1).strip(), label)]
        done = match.end()
    return "".join([*pieces, body[done:]])


def body_of(raw: bytes) -> str:
    text = decode(raw, "x.md")
    assert isinstance(text, str)
    parts = split(text, "x.md")
    assert isinstance(parts, tuple)
    return parts[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_fixing_keeps_the_text_and_leaves_nothing_to_link(body: str, end: str, bom: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_kb(root, body)
        path = root / "concepts" / "notes.md"
        raw = path.read_bytes().replace(b"\n", end.encode())
        path.write_bytes((codecs.BOM_UTF8 if bom else b"") + raw)
        before = {p: p.read_bytes() for p in (root / "concepts").iterdir()}
        result = lint_kb(root)
        linked, refused = fixes.link_mentions(result, root / "concepts")
        assert refused == []
        after = lint_kb(root)
        assert [f for f in after.findings if f.code == UNLINKED_MENTION] == []
        for p, old in before.items():
            new = p.read_bytes()
            assert rendered(body_of(new), result.index) == rendered(body_of(old), result.index)
            assert re.findall(rb"\r\n|\r|\n", new) == re.findall(rb"\r\n|\r|\n", old)
            assert new.startswith(codecs.BOM_UTF8) == old.startswith(codecs.BOM_UTF8)
        assert len(linked) == sum(f.code == UNLINKED_MENTION for f in result.findings)


# -- a serve session ------------------------------------------------------------------


def test_a_session_keeps_a_concepts_notes_only_while_the_names_stay(project: Project) -> None:
    """Under serve, an unchanged concept (the same object, from the read cache) keeps
    its notes until a name any concept could be mentioned by changes."""
    settings = Settings(concepts_dir=project.root / "concepts", base_dir=project.root)
    cache, memo = ReadCache(), SessionMemo()

    def served() -> list[str]:
        memo.next_build()
        result = lint(settings, cache=cache, memo=memo)
        fresh = lint(settings)
        assert result.findings == fresh.findings
        return [f.message for f in result.findings if f.code == UNLINKED_MENTION]

    write_kb(project.root, "We use LoRA and spectral tuning here.\n")
    assert served() == [note("LoRA", "lora", "[[lora]]")]
    assert served() == [note("LoRA", "lora", "[[lora]]")]
    (project.root / "concepts" / "spectral.md").write_text(
        concept_text("Spectral tuning", references=REFERENCE), encoding="utf-8"
    )
    assert served() == [
        note("LoRA", "lora", "[[lora]]"),
        note("spectral tuning", "spectral", "[[spectral|spectral tuning]]"),
    ]
    (project.root / "concepts" / "lora.md").unlink()
    assert served() == [note("spectral tuning", "spectral", "[[spectral|spectral tuning]]")]
