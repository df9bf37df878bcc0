"""The light install: `pip install conceptkb` lints without MkDocs.

A fresh virtual environment gets the package from this checkout with its declared
dependencies only (no extras); it must not contain MkDocs or Material, and its
`conceptkb lint` must agree with the full install on this repository.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_light_install_lints_this_repository(tmp_path: Path) -> None:
    python = sys.executable
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
