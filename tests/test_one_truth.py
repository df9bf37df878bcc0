"""The linter and the build tell the same truth, once: one configuration, read the way
MkDocs reads it; one severity policy; every finding on every file involved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import Project, run

# -- one configuration -------------------------------------------------------------------


def test_options_inherited_from_a_parent_file_apply_to_lint_and_build(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write(
        "base.yml",
        yaml.safe_dump(
            {
                "site_name": "Base",
                "theme": {"name": "material", "features": ["content.tooltips"]},
                "plugins": ["search", {"conceptkb": {"categories": ["technique"]}}],
            }
        ),
    )
    kb.write("mkdocs.yml", "INHERIT: base.yml\nsite_name: Child\n")
    code, out, _ = run(["lint"], capsys)
    assert code == 1
    assert "CK103 category 'practice' is not one of: technique" in out
    built = kb.build(strict=False)
    assert not built.ok
    assert "CK103 category 'practice' is not one of: technique" in built.log


def test_env_tag_sets_the_concepts_folder(
    kb: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (kb.root / "concepts").rename(kb.root / "terms")
    kb.write(
        "mkdocs.yml",
        "site_name: Env\ntheme: {name: material}\nplugins:\n  - search\n"
        "  - conceptkb:\n      concepts_dir: !ENV [KB_CONCEPTS, concepts]\n",
    )
    monkeypatch.setenv("KB_CONCEPTS", "terms")
    code, out, err = run(["lint"], capsys)
    assert (code, err) == (0, "")
    assert out == "0 errors, 0 warnings in 4 concepts\n"
    assert kb.build().ok


def test_severity_off_silences_the_build_too(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("docs/index.md", "# Home\n\nSee [[gamma]].\n")
    kb.concept(
        "lonely",
        "Lonely",
        related=["lora"],
        body="## Idea\n\nSee [[gamma]].\n",
        references=[{"title": "T", "url": "https://e.org"}],
    )
    kb.config(plugin={"severity": {"CK201": "off"}})
    code, out, _ = run(["lint"], capsys)
    assert code == 0 and "CK201" not in out
    built = kb.build(strict=True)
    assert built.ok, built.log
    assert "CK201" not in built.log


def test_severity_info_shows_in_the_build_and_passes_strict(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    kb.config(plugin={"severity": {"CK301": "info"}})
    assert run(["lint"], capsys)[0] == 0
    built = kb.build(strict=True)
    assert built.ok, built.log
    assert "INFO: conceptkb: concepts/lonely.md:1:1: CK301" in built.log
    kb.config(plugin={"severity": {"CK301": "warning"}})
    built = kb.build(strict=True)
    assert not built.ok
    assert "WARNING: conceptkb: concepts/lonely.md:1:1: CK301" in built.log


def test_unquoted_off_works(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    kb.write(
        "mkdocs.yml",
        "site_name: T\ntheme: {name: material}\nplugins:\n  - search\n"
        "  - conceptkb:\n      severity: {CK301: off}\n",
    )
    code, out, err = run(["lint"], capsys)
    assert (code, err) == (0, "")
    assert "CK301" not in out
    assert kb.build().ok


def test_a_severity_that_is_not_text_says_to_quote_it(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.config(plugin={"severity": {"CK301": True}})
    code, _, err = run(["lint"], capsys)
    assert code == 2
    assert 'quote it: CK301: "off"' in err
    built = kb.build(strict=False)
    assert not built.ok and 'quote it: CK301: "off"' in built.log + built.error


def test_lint_and_build_count_the_same_concepts(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.write("concepts/broken.md", "---\ntitle: Broken\ncategory: concept\n---\nText.\n")
    _, out, _ = run(["lint"], capsys)
    built = kb.build(strict=False)
    summary = out.strip().splitlines()[-1]
    assert summary.endswith("in 5 concepts")
    assert f"conceptkb: {summary}: the site was not built" in built.log + built.error


# -- one schema -----------------------------------------------------------------------------


def test_the_published_schema_is_the_enforced_one(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    categories = ["technique", "method-family", "practice", "term"]
    kb.config(plugin={"categories": categories}, site_url="https://kb.example/docs/")
    code, out, _ = run(["schema"], capsys)
    schema = json.loads(out)
    assert code == 0
    assert schema["properties"]["category"]["enum"] == categories
    assert schema["$id"] == "https://kb.example/docs/schema/concept.schema.json"
    built = kb.build()
    assert built.ok, built.log
    served = json.loads((built.site_dir / "schema" / "concept.schema.json").read_text())
    assert served == schema


# -- every finding, on every file involved ---------------------------------------------


def test_a_subset_lint_reports_what_involves_its_files(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept(
        "fresh",
        "Fresh",
        aliases=["Low-Rank Adaptation"],
        related=["lora"],
        references=[{"title": "T", "url": "https://e.org"}],
    )
    code, out, _ = run(["lint", "concepts/fresh.md"], capsys)
    assert code == 1
    assert "concepts/fresh.md:" in out and "CK109" in out
    assert "concepts/lora.md" in out.split("CK109", 1)[1]  # names the other side
    code, out, _ = run(["lint", "concepts/lora.md"], capsys)
    assert code == 1 and "concepts/fresh.md" in out.split("CK109", 1)[1]


def test_a_cycle_is_reported_on_each_concept_in_it(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("one", "One", broader=["two"], references=[{"title": "T", "url": "https://e.org"}])
    kb.concept("two", "Two", broader=["one"], references=[{"title": "T", "url": "https://e.org"}])
    for name in ("one", "two"):
        _, out, _ = run(["lint", f"concepts/{name}.md"], capsys)
        assert f"concepts/{name}.md:" in out and "CK106" in out


# -- conceptkb new ----------------------------------------------------------------------------


def test_new_proposes_the_acronym_and_folds_accents(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["new", "Group Relative Policy Optimization (GRPO)"], capsys)
    assert code == 0 and out.startswith("wrote concepts/grpo.md")
    code, out, _ = run(["new", "Crème fraîche"], capsys)
    assert code == 0 and out.startswith("wrote concepts/creme-fraiche.md")
    code, out, _ = run(["new", "Anything", "--id", "chosen-id"], capsys)
    assert code == 0 and out.startswith("wrote concepts/chosen-id.md")


def test_new_refuses_a_name_that_is_taken(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["new", "Low-Rank Adaptation"], capsys)
    assert code == 2
    assert "already a name of concepts/lora.md" in err
    assert not Path("concepts/low-rank-adaptation.md").exists()
