"""CPU seconds of `conceptkb lint --changed` beside a full lint, at N = 5,000.

A generated knowledge base (benchmarks/generate.py) is committed to a scratch git
repository; one concept is edited and another deleted, as a pull request would. Each
command runs in a child process (CPU time from ``os.wait4``), three times, alternating;
the medians are printed, and written into docs/benchmarks.md with --docs.

    .venv/bin/python benchmarks/changed.py [--n 5000] [--docs]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # the benchmark's own generator, beside this file
from docpage import child_cpu, write_section

BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=b@example.org", "-c", "user.name=bench", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--docs", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "kb"
        generate.write_plugin_site(generate.generate(args.n, 1), repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "knowledge base")
        concepts = sorted((repo / "concepts").glob("*.md"))
        with concepts[10].open("a", encoding="utf-8") as handle:
            handle.write("\nOne more sentence.\n")
        git(repo, "rm", "-q", str(concepts[20].relative_to(repo)))
        full, changed = [], []
        for _ in range(args.repeats):
            full.append(child_cpu([str(BIN / "conceptkb"), "lint"], repo)[0])
            changed.append(
                child_cpu([str(BIN / "conceptkb"), "lint", "--changed", "HEAD"], repo)[0]
            )
    table = "\n".join(
        [
            "| N | full lint CPU s | lint --changed CPU s | ratio |",
            "| ---: | ---: | ---: | ---: |",
            f"| {args.n:,} | {statistics.median(full):.2f} | {statistics.median(changed):.2f}"
            f" | {statistics.median(changed) / statistics.median(full):.2f} |",
        ]
    )
    print(table)
    if args.docs:
        write_section("changed", table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
