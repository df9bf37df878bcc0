"""The parts the benchmark scripts share: CPU time of a child, and docs/benchmarks.md."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def child_cpu(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """CPU seconds (user + system, from ``os.wait4``) of a child process, and its exit code."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def write_section(name: str, text: str) -> None:
    """Replace what is between ``<!-- bench:NAME:start -->`` and ``...:end -->``."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    page = DOC.read_text(encoding="utf-8")
    first, last = page.find(start), page.find(end)
    if first == -1 or last < first:
        raise SystemExit(f"{DOC}: the markers {start} and {end} are missing")
    DOC.write_text(page[: first + len(start)] + "\n" + text + "\n" + page[last:], encoding="utf-8")
