"""The light install: `pip install conceptkb` lints without MkDocs.

A fresh virtual environment gets the package from this checkout with its declared
dependencies only (no extras); it must not contain MkDocs or Material, and its
`conceptkb lint` must agree with the full install on this repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _runs(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0
    except OSError:
        return False


def _interpreters() -> list[str]:
    """This Python, and the oldest the package supports (3.10) when the machine has one
    that runs (a pyenv shim may exist for a version that is not selected)."""
    found = [sys.executable]
    oldest = shutil.which("python3.10")
    if oldest is not None and _runs(oldest):
        found.append(oldest)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("python", _interpreters())
def test_the_light_install_lints_this_repository(tmp_path: Path, python: str) -> None:
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", str(ROOT)], check=True, timeout=600)
    listed = subprocess.run([*pip, "list", "--format=freeze"], capture_output=True, text=True)
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert "mkdocs" not in names and "mkdocs-material" not in names, names
    result = subprocess.run(
        [str(venv / "bin" / "conceptkb"), "lint"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(
        f"in {len(list((ROOT / 'concepts').glob('*.md')))} concepts"
    )
