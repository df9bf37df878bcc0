"""`conceptkb lint --changed` and the pre-commit hook, on scratch git repositories.

An edit, a deletion, a rename and a configuration change each report on the files
they touch or break, computed on the whole knowledge base; the hook catches the
same through the real `pre-commit` tool, whatever the concepts folder is called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SOURCE = ROOT / "tests" / "fixtures" / "lint" / "ok-plain-summaries" / "concepts"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=kb@example.org", "-c", "user.name=kb", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def make_repo(root: Path, folder: str = "concepts") -> Path:
    root.mkdir()
    shutil.copytree(SOURCE, root / folder)
    config = {
        "site_name": "Scratch",
        "plugins": ["search", {"conceptkb": {"concepts_dir": folder}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "knowledge base")
    git(root, "checkout", "-qb", "change")
    return root


def lint_changed(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "conceptkb"), "lint", "--changed", *extra],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_edit_reports_on_the_edited_file_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    gamma = repo / "concepts" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("[[beta]]", "[[betta]]"), encoding="utf-8")
    (repo / "concepts" / "new.md").write_text("---\ntitle: New\n---\nText.\n", encoding="utf-8")
    result = lint_changed(repo)  # default base: the merge base with main
    assert result.returncode == 1
    assert "concepts/gamma.md:12:5: CK201" in result.stdout
    assert "concepts/new.md:1:1: CK101" in result.stdout  # untracked files count
    assert "alpha.md" not in result.stdout
    assert result.stdout.strip().endswith("in 2 concepts")


def test_a_deletion_reports_on_the_concepts_that_refer_to_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    git(repo, "rm", "-q", "concepts/delta.md")
    git(repo, "commit", "-qm", "delete delta")
    result = lint_changed(repo, "main")
    assert result.returncode == 1
    assert "concepts/gamma.md:12:18: CK201 wikilink [[delta]]" in result.stdout
    assert result.stdout.strip().endswith("in 1 concept")


def test_a_rename_reports_on_links_to_the_old_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    git(repo, "mv", "concepts/beta.md", "concepts/second.md")
    result = lint_changed(repo, "HEAD")
    assert result.returncode == 1
    assert "concepts/alpha.md:5:11: CK104 unknown concept id 'beta'" in result.stdout


def test_a_configuration_change_reports_on_everything(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    config["plugins"][1]["conceptkb"]["categories"] = ["technique"]
    (repo / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = lint_changed(repo)
    assert result.returncode == 1
    assert result.stdout.count("CK103") == 4


def test_a_shallow_clone_says_so_in_one_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    git(repo, "checkout", "-q", "main")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    git(clone, "checkout", "-qb", "change")
    git(clone, "update-ref", "-d", "refs/remotes/origin/HEAD")
    git(clone, "branch", "-q", "-D", "main")
    git(clone, "update-ref", "-d", "refs/remotes/origin/main")
    result = lint_changed(clone)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "fetch-depth: 0" in result.stderr


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_the_hook_catches_deletions_renames_and_configuration(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    repo = make_repo(tmp_path / "kb", folder="glossary")  # not named concepts/
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(ROOT), "conceptkb-lint"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    started = time.perf_counter()
    clean = hook()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    first = time.perf_counter() - started

    git(repo, "rm", "-q", "glossary/delta.md")
    deleted = hook()
    assert deleted.returncode == 1, deleted.stdout
    assert "glossary/gamma.md:12:18: CK201" in deleted.stdout
    git(repo, "reset", "-q", "--hard")

    git(repo, "mv", "glossary/beta.md", "glossary/second.md")
    renamed = hook()
    assert renamed.returncode == 1 and "CK104 unknown concept id 'beta'" in renamed.stdout
    git(repo, "reset", "-q", "--hard")

    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    config["plugins"][1]["conceptkb"]["categories"] = ["technique"]
    (repo / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", "mkdocs.yml")
    edited = hook()
    assert edited.returncode == 1 and edited.stdout.count("CK103") == 4

    started = time.perf_counter()
    git(repo, "reset", "-q", "--hard")
    assert hook().returncode == 0
    print(
        f"hook: first run {first:.1f} s (installs its environment), then "
        f"{time.perf_counter() - started:.1f} s"
    )
