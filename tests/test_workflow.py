"""The contributor workflow: README's two commands, make serve, the hooks and the CI workflow."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conceptkb import mkdocsyml

ROOT = Path(__file__).resolve().parent.parent


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-zA-Z][\w-]*):", text, re.M))


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make serve",
        "make test",
    ]
    assert {"serve", "test", "build"} <= make_targets()


def test_ci_runs_the_test_command_from_the_readme() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, re.M)


def test_workflow_commands_exist() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    targets = make_targets()
    runs = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]
    makes = [target for run in runs for target in re.findall(r"\bmake (\w[\w-]*)", run)]
    assert makes and set(makes) <= targets
    lint = [run for run in runs if "conceptkb lint" in run]
    assert lint and all("--format github" in run or "--format sarif" in run for run in lint)
    assert any("--changed" in run for run in lint)


def test_the_published_site_knows_its_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """site_url comes from SITE_URL, which the build job sets to the GitHub Pages URL
    before building; without it, the address `make serve` listens on."""
    monkeypatch.delenv("SITE_URL", raising=False)
    assert mkdocsyml.load(ROOT / "mkdocs.yml")["site_url"] == "http://127.0.0.1:8000/"
    monkeypatch.setenv("SITE_URL", "https://example.org/kb/")
    assert mkdocsyml.load(ROOT / "mkdocs.yml")["site_url"] == "https://example.org/kb/"
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    names = [step.get("uses", step.get("run", "")) for step in steps]
    pages = next(i for i, name in enumerate(names) if name.startswith("actions/configure-pages@"))
    export = next(i for i, name in enumerate(names) if "SITE_URL=" in name and "GITHUB_ENV" in name)
    build = names.index("make build")
    assert pages < export < build
    base_url = f"steps.{steps[pages]['id']}.outputs.base_url"
    assert steps[export]["env"]["BASE_URL"] == "${{ " + base_url + " }}"
    assert steps[pages]["if"] == steps[export]["if"]


def test_pre_commit_hook_entry_runs(tmp_path: Path) -> None:
    """The hook lints what a commit changes (tests/test_changed.py runs it through the
    real pre-commit tool); its entry works on this repository."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "conceptkb-lint")
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert "--changed" in hook["entry"]
    entry = hook["entry"].split()
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(entry, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("0 errors, 0 warnings in ")
    local = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    ids = {h["id"] for repo in local["repos"] for h in repo["hooks"]}
    assert {"ruff", "conceptkb-lint"} <= ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_make_serve_serves_the_site() -> None:
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"SERVE_ADDR=127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        home = fetch(f"http://127.0.0.1:{port}/", deadline)
        assert "<title>conceptkb</title>" in home
        page = fetch(f"http://127.0.0.1:{port}/concepts/lora/", deadline)
        assert 'class="ck-concept"' in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
