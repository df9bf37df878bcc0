"""CPU seconds of `conceptkb lint --changed` beside a full lint, at N = 5,000, with
nothing kept (``--no-cache``, as on a fresh machine) and with a warm cache.

A generated knowledge base (benchmarks/generate.py) is committed to a scratch git
repository, then changed as a pull request would change it, twice: one concept's body
edited (the common case: no name changes), then that edit with another concept
deleted (every concept's names change, so every body is searched for mentions again).
The warm cache is what a lint of the knowledge base before the change kept (a
contributor who linted, then edited). Each command runs in a child process (CPU time
from ``os.wait4``), three times, alternating, each warm run from a copy of that cache;
the medians are printed, and written into docs/benchmarks.md with --docs.

    .venv/bin/python benchmarks/changed.py [--n 5000] [--docs]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def timed(repo: Path, before: Path, repeats: int) -> dict[str, float]:
    """Median CPU seconds of a full lint and of ``lint --changed``, with no cache and
    with a copy of ``before``, on the working tree of ``repo`` as it is."""
    lint = [str(BIN / "conceptkb"), "lint"]
    commands = {
        "full": [*lint, "--no-cache"],
        "changed": [*lint, "--no-cache", "--changed", "HEAD"],
        "full, warm": lint,
        "changed, warm": [*lint, "--changed", "HEAD"],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            warm = before.parent / "cache"
            shutil.rmtree(warm, ignore_errors=True)
            shutil.copytree(before, warm)
            env = {**os.environ, "CONCEPTKB_CACHE_DIR": str(warm)}
            seconds[name].append(child_cpu(command, repo, env)[0])
    return {name: statistics.median(values) for name, values in seconds.items()}


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
        before = Path(tmp) / "cache-before"
        env = {**os.environ, "CONCEPTKB_CACHE_DIR": str(before)}
        if child_cpu([str(BIN / "conceptkb"), "lint"], repo, env)[1] != 0:
            raise SystemExit("the generated knowledge base does not lint")
        concepts = sorted((repo / "concepts").glob("*.md"))
        with concepts[10].open("a", encoding="utf-8") as handle:
            handle.write("\nOne more sentence.\n")
        edited = timed(repo, before, args.repeats)
        git(repo, "rm", "-q", str(concepts[20].relative_to(repo)))
        deleted = timed(repo, before, args.repeats)
    rows = [
        f"| {args.n:,} | {change} | {cache} | {median[full]:.2f} | {median[changed]:.2f}"
        f" | {median[changed] / median[full]:.2f} |"
        for change, median in (("one edited", edited), ("one edited, one deleted", deleted))
        for cache, full, changed in (
            ("none", "full", "changed"),
            ("warm", "full, warm", "changed, warm"),
        )
    ]
    warm, cold, after = edited["changed, warm"], edited["full"], deleted["changed, warm"]
    table = "\n".join(
        [
            "| N | change | cache | full lint CPU s | lint --changed CPU s | ratio |",
            "| ---: | --- | --- | ---: | ---: | ---: |",
            *rows,
            "",
            f"With one concept edited and a warm cache, `lint --changed` takes {warm:.2f} s"
            f" against {cold:.2f} s for a full lint with none ({warm / cold:.2f});"
            f" {after:.2f} s ({after / deleted['full']:.2f}) when another concept is also"
            " deleted.",
        ]
    )
    print(table)
    if args.docs:
        write_section("changed", table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
