"""The ``conceptkb`` command line: exit codes, paths, config, rules, schema, new."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conceptkb.rules import RULES

from .conftest import REVIEWED, Project, run


def test_clean_knowledge_base_exits_zero(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert out == "0 errors, 0 warnings in 4 concepts\n"


def test_errors_exit_one_and_warnings_do_not(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert "concepts/lonely.md:1:1: CK301" in out
    kb.concept("broken", "Broken", related=["qlroa", "lora"])
    code, out, _ = run(["lint"], capsys)
    assert code == 1
    assert "concepts/broken.md:6:3: CK104 unknown concept id 'qlroa' in related" in out
    assert out.rstrip().endswith("1 error, 2 warnings in 6 concepts")


def test_paths_limit_the_report_but_not_the_cross_checks(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", related=["lora"])
    kb.concept("other", "Other", related=["nowhere"])
    code, out, _ = run(["lint", "concepts/lonely.md"], capsys)
    assert code == 0  # 'other' has an error, but it is not reported here
    assert "other.md" not in out
    assert out.endswith("0 errors, 1 warning in 1 concept\n")  # CK304: no references


def test_a_file_outside_the_concepts_folder_sees_the_whole_base(
    kb: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "drafts" / "new-idea.md"
    draft.parent.mkdir()
    draft.write_text(
        "---\ntitle: New idea\nsummary: A new idea that links to an existing concept.\n"
        "category: concept\nrelated: [lora]\n---\nSee [[Low-Rank Adaptation]].\n"
    )
    code, out, _ = run(["lint", str(draft)], capsys)
    assert code == 0, out
    assert "CK304" in out and "CK201" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lint", "--format", "xml"], "invalid choice: 'xml'"),
        (["lint", "missing.md"], "missing.md: no such file or folder"),
        (["lint", "--config", "nope.yml"], "nope.yml: no such configuration file"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_two(
    kb: Project, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        ({"severity": {"CK104": "warning"}}, "CK104 (unknown-concept) guards"),
        ({"severity": {"CK9": "error"}}, "'CK9' selects no rule"),
        ({"severity": {"CK301": "loud"}}, "must be one of error, warning, info, off"),
        ({"categories": []}, "categories: must be a non-empty list"),
        ({"max_file_size": -1}, "max_file_size: must be a positive whole number"),
    ],
)
def test_bad_configuration_exits_two(
    kb: Project, capsys: pytest.CaptureFixture[str], plugin: dict[str, object], message: str
) -> None:
    kb.config(plugin=plugin)
    code, _, err = run(["lint"], capsys)
    assert code == 2
    assert message in err


def test_severity_overrides_apply(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    kb.config(plugin={"severity": {"orphan": "error"}})
    assert run(["lint"], capsys)[0] == 1
    kb.config(plugin={"severity": {"CK3": "off"}})
    code, out, _ = run(["lint"], capsys)
    assert code == 0 and "CK301" not in out


def test_an_info_finding_is_shown_and_fails_nothing(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.concept("lonely", "Lonely", references=[{"title": "T", "url": "https://e.org"}])
    kb.config(plugin={"severity": {"orphan": "info"}})
    code, out, _ = run(["lint"], capsys)
    assert code == 0
    assert "concepts/lonely.md:1:1: CK301 no other concept links to this one" in out
    assert out.endswith("0 errors, 0 warnings, 1 note in 5 concepts\n")
    code, out, _ = run(["lint", "--format", "github"], capsys)
    assert "::notice file=concepts/lonely.md,line=1,col=1,title=CK301::" in out


def test_mkdocs_yml_with_python_tags_is_readable(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    config = kb.root / "mkdocs.yml"
    config.write_text(
        config.read_text() + "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n  key: !ENV [HOME, x]\n"
    )
    assert run(["lint"], capsys)[0] == 0


def test_custom_concepts_dir_and_categories(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(
        "glossary/pod.md",
        "---\ntitle: Pod\nsummary: A Pod is a set of running containers.\ncategory: core-object\n"
        "references: [{title: Pods, url: 'https://kubernetes.io/docs/concepts/workloads/pods/'}]\n---\n",
    )
    project.config(plugin={"concepts_dir": "glossary", "categories": ["core-object"]})
    monkeypatch.chdir(project.root)
    code, out, _ = run(["lint"], capsys)
    assert code == 0, out


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    for rule in RULES:
        assert rule.code in out and rule.name in out


def test_schema_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_new_writes_a_template_that_lints_except_for_placeholders(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["new", "Direct Preference Optimization"], capsys)
    assert code == 0
    path = kb.concepts / "direct-preference-optimization.md"
    assert path.is_file()
    assert "fill in the placeholders marked FIXME" in out
    for what in (
        "summary",
        "aliases",
        "references.title",
        "references.url",
        "section 'How it works'",
    ):
        assert f": {what}\n" in out
    assert f"\nreviewed: {REVIEWED}  #" in path.read_text()  # the knowledge base's date
    code, out, _ = run(["lint", str(path)], capsys)
    codes = {line.split()[1] for line in out.splitlines()[:-1]}
    assert codes == {"CK110", "CK301"}, out  # only placeholders, and nothing links to it yet
    code, _, err = run(["new", "Direct Preference Optimization"], capsys)
    assert code == 2 and "already" in err


def test_new_refuses_a_title_without_an_id(kb: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["new", "???"], capsys)
    assert code == 2 and "--id" in err
    code, _, _ = run(["new", "Über-Konzept", "--id", "ueber-konzept"], capsys)
    assert code == 0


def test_console_script_and_module_entry(kb: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conceptkb", "lint", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=kb.root,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
