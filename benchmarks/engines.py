"""CPU seconds of building the same knowledge base on each engine, at N = 1,000.

One generated knowledge base (benchmarks/generate.py, the plugin site) is built by
MkDocs 1.6 and ProperDocs with the plugin, and by Zensical from the tree
``conceptkb generate`` writes (the generator and the engine measured apart, and
together). Each command runs in a child process (CPU time from ``os.wait4``: user +
system, children included), ``--repeats`` times, engines alternating so that drift in
machine load hits all; medians are printed, and written into docs/benchmarks.md with
--docs. The engines come from their pinned environments (``make engines``).

    .venv/bin/python benchmarks/engines.py [--n 1000] [--repeats 3] [--docs]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # the benchmark's own generator, beside this file
from docpage import child_cpu, write_section

ROOT = Path(__file__).resolve().parent.parent


def tool(venv: str, name: str) -> str:
    path = ROOT / venv / "bin" / name
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `make engines`")
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", action="store_true")
    args = parser.parse_args(argv)
    commands = {
        "MkDocs 1.6.1": [tool(".venv", "mkdocs"), "build", "-q", "-d", "out"],
        "ProperDocs 1.6.7": [tool(".venv-properdocs", "properdocs"), "build", "-q", "-d", "out"],
        "conceptkb generate": [tool(".venv-zensical", "conceptkb"), "generate"],
        "Zensical 0.0.73": [
            tool(".venv-zensical", "zensical"),
            "build",
            "-f",
            "mkdocs.generated.yml",
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as scratch:
        site = Path(scratch) / "kb"
        generate.write_plugin_site(generate.generate(args.n, args.seed), site)
        for _ in range(args.repeats):
            for name, command in commands.items():
                if name == "conceptkb generate":
                    shutil.rmtree(site / "build", ignore_errors=True)
                for built in ("out", "site"):
                    shutil.rmtree(site / built, ignore_errors=True)
                seconds, code = child_cpu(command, site)
                if code != 0:
                    raise SystemExit(f"{name} failed (exit {code}) in {site}")
                times[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    median["Zensical 0.0.73 with generate"] = (
        median["conceptkb generate"] + median["Zensical 0.0.73"]
    )
    base = median["MkDocs 1.6.1"]
    lines = [
        f"Build of the same generated knowledge base, N = {args.n:,} concepts: CPU seconds"
        f" (user + system), median of {args.repeats} runs, engines alternating, one run of"
        " this script (`benchmarks/engines.py`).",
        "",
        "| engine | CPU s | vs MkDocs |",
        "| --- | ---: | ---: |",
    ]
    for name, value in median.items():
        lines.append(f"| {name} | {value:.2f} | {value / base:.2f} |")
    text = "\n".join(lines)
    print(text)
    if args.docs:
        write_section("engines", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
