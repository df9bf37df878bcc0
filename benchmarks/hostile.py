"""CPU seconds of a lint and a build for the shapes that once hung them.

Each shape is one concept file in a minimal site. The lint (``conceptkb lint``) and
the build (``mkdocs build``) run in child processes; their CPU time (user + system,
from ``os.wait4``) is the figure, the median of three runs. Shapes that the body
limits refuse (CK012) fail fast; shapes that are allowed must still render quickly.
Before the limits and the linear code-span scan, 20 KB of growing backtick runs took
19 s to lint (45 KB: 80 s) and 20,000 ``[`` on one line took two minutes to build.

    .venv/bin/python benchmarks/hostile.py            # print the table
    .venv/bin/python benchmarks/hostile.py --docs     # and write it into docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from docpage import child_cpu, write_section

BIN = Path(sys.executable).parent
HEAD = (
    "---\ntitle: Alpha\nsummary: Alpha is a concept used by the hostile input benchmark.\n"
    "category: concept\nreferences:\n  - title: Alpha paper\n"
    "    url: https://arxiv.org/abs/2101.00001\n---\n## Idea\n\n"
)


def backticks(size: int) -> str:
    runs, total, n = [], 0, 1
    while total < size:
        runs.append("`" * n + " x")
        total += n + 2
        n = n % 300 + 1
    return "\n".join(" ".join(runs[i : i + 20]) for i in range(0, len(runs), 20)) + "\n"


SHAPES: dict[str, Callable[[], str]] = {
    "growing backtick runs, 45 KB": lambda: backticks(45_000),
    "20,000 '[' on one line (refused, CK012)": lambda: "[" * 20_000 + "\n",
    "list nested 250 levels (refused, CK012)": lambda: "".join(
        "    " * i + "- item\n" for i in range(250)
    ),
    "a line of 500 KB (refused, CK012)": lambda: "word " * 100_000 + "\n",
    "1 MB of prose, links and code (allowed)": lambda: (
        "Prose with *emphasis*, `code`, a [link](https://example.org/) and [[alpha]].\n\n" * 12_000
    ),
}


def site(folder: Path, body: str) -> Path:
    (folder / "concepts").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (folder / "concepts" / "alpha.md").write_text(HEAD + body, encoding="utf-8")
    (folder / "mkdocs.yml").write_text(
        "site_name: Hostile\ntheme: {name: material, features: [content.tooltips]}\n"
        "plugins: [search, conceptkb]\n",
        encoding="utf-8",
    )
    return folder


def measure(repeats: int) -> list[tuple[str, float, int, float, int]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, make) in enumerate(SHAPES.items()):
            folder = site(Path(tmp) / str(i), make())
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            lints = [
                child_cpu([str(BIN / "conceptkb"), "lint", "--no-cache"], folder)
                for _ in range(repeats)
            ]
            builds = [
                child_cpu([str(BIN / "mkdocs"), "build", "-q", "-d", "out"], folder, env)
                for _ in range(repeats)
            ]
            rows.append(
                (
                    name,
                    statistics.median(t for t, _ in lints),
                    lints[0][1],
                    statistics.median(t for t, _ in builds),
                    builds[0][1],
                )
            )
    return rows


def table(rows: list[tuple[str, float, int, float, int]]) -> str:
    lines = [
        "| shape | lint CPU s | lint exit | build CPU s | build exit |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, lint, lint_exit, build, build_exit in rows:
        lines.append(f"| {name} | {lint:.2f} | {lint_exit} | {build:.2f} | {build_exit} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--docs", action="store_true", help="write the table into the docs")
    args = parser.parse_args(argv)
    text = table(measure(args.repeats))
    print(text)
    if args.docs:
        write_section("hostile", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
