"""CPU seconds of `conceptkb lint --changed` beside a full lint, at N = 5,000, with
nothing kept (``--no-cache``, as on a fresh machine) and with a warm cache.

A generated knowledge base (benchmarks/generate.py) is committed to a scratch git
repository; one concept is edited and another deleted, as a pull request would. The
warm cache is what a lint of the knowledge base before the change kept (a contributor
who linted, then edited). Each command runs in a child process (CPU time from
``os.wait4``), three times, alternating, each warm run from a copy of that cache; the
medians are printed, and written into docs/benchmarks.md with --docs.

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
        lint = [str(BIN / "conceptkb"), "lint"]
        if child_cpu(lint, repo, env)[1] != 0:
            raise SystemExit("the generated knowledge base does not lint")
        concepts = sorted((repo / "concepts").glob("*.md"))
        with concepts[10].open("a", encoding="utf-8") as handle:
            handle.write("\nOne more sentence.\n")
        git(repo, "rm", "-q", str(concepts[20].relative_to(repo)))
        commands = {
            "full": [*lint, "--no-cache"],
            "changed": [*lint, "--no-cache", "--changed", "HEAD"],
            "full, warm": lint,
            "changed, warm": [*lint, "--changed", "HEAD"],
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                warm = Path(tmp) / "cache"
                shutil.rmtree(warm, ignore_errors=True)
                shutil.copytree(before, warm)
                env = {**os.environ, "CONCEPTKB_CACHE_DIR": str(warm)}
                seconds[name].append(child_cpu(command, repo, env)[0])
    median = {name: statistics.median(values) for name, values in seconds.items()}
    table = "\n".join(
        [
            "| N | cache | full lint CPU s | lint --changed CPU s | ratio |",
            "| ---: | --- | ---: | ---: | ---: |",
            *(
                f"| {args.n:,} | {cache} | {median[full]:.2f} | {median[changed]:.2f}"
                f" | {median[changed] / median[full]:.2f} |"
                for cache, full, changed in (
                    ("none", "full", "changed"),
                    ("warm", "full, warm", "changed, warm"),
                )
            ),
            "",
            f"With a warm cache, `lint --changed` takes {median['changed, warm']:.2f} s"
            f" against {median['full']:.2f} s for a full lint with none"
            f" ({median['changed, warm'] / median['full']:.2f}).",
        ]
    )
    print(table)
    if args.docs:
        write_section("changed", table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
