"""Benchmarks of conceptkb: site build, rebuild and lint against their baselines.

For each size N it measures, in one run:

- ``mkdocs build`` with conceptkb against the baseline: the same site as plain
  Markdown, every section a concept page shows (body with links resolved, names,
  category and tags, the concept map pasted in as inline SVG, relation lists,
  references, citation), built by plain MkDocs + Material + search; its ratio is the
  build target. Also against the text sections alone (no map, names line or citation)
  and, for scale, bare pages (title, summary and body only);
- the rebuild after editing one concept (what ``mkdocs serve`` does), both sites;
- the search index size per concept, both sites;
- ``conceptkb lint`` in-process against its floor (read every file and parse its
  front matter with libyaml), and the CLI.

Every time is CPU time (user + system) and wall time; ratios and targets use CPU time,
which waiting for a core on a busy machine does not inflate.  It prints one table and
the targets, writes the table into docs/benchmarks.md between marker comments and the
plot into docs/assets/benchmarks.svg.  ``--profile`` profiles a build (N = 1,000) and a
lint (N = 5,000) instead.

    .venv/bin/python benchmarks/run.py            # N = 100, 1,000, 5,000
    .venv/bin/python benchmarks/run.py --large    # and N = 10,000
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime
import gc
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from docpage import write_section

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "benchmarks.md"
GENERATOR = Path(__file__).with_name("generate.py")
SVG = ROOT / "docs" / "assets" / "benchmarks.svg"
START, END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"
SIZES = (100, 1_000, 1_500, 5_000)
LARGE = 10_000
LINT_REPEATS = 5
"""Lint, warm lint and floor runs at each size, interleaved; the medians are reported
(the ratio to the floor moves by about a tenth between single runs)."""
SEED = 1

BUILD_RATIO_MAX = 1.0
MEMORY_RATIO_MAX = 1.5
LINT_FLOOR_MAX = 2.0
LINEAR_5K_MAX = 5.5
LINEAR_10K_MAX = 12.0


# -- measuring -----------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds of wall-clock time and of CPU time (user + system).

    The machine is shared: wall time includes waiting for a core, CPU time does not,
    so ratios are computed on CPU time and wall time is shown beside it.
    """

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.cpu:.2f} / {self.wall:.2f}"


@dataclass(frozen=True)
class Run:
    """Timing and peak resident memory (MiB) of one child process."""

    timing: Timing
    rss_mib: float


def median_timing(timings: Sequence[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def ratio(top: Timing, bottom: Timing) -> Timing:
    return Timing(top.wall / bottom.wall, top.cpu / bottom.cpu)


def run_child(command: Sequence[str], cwd: Path) -> Run:
    """Run a command; its times and peak RSS, read from the child's own rusage."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(
                f"{' '.join(command)} exited {child.returncode} in {cwd}:\n{message}"
            )
    cpu = usage.ru_utime + usage.ru_stime
    return Run(Timing(seconds, cpu), usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def median_run(runs: Sequence[Run]) -> Run:
    return Run(median_timing([r.timing for r in runs]), statistics.median(r.rss_mib for r in runs))


def timed(function: Callable[[], object]) -> Timing:
    """Wall and CPU time of a call in this process."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


# -- the knowledge bases -------------------------------------------------------------


def _fingerprint() -> str:
    """Changes whenever the generator does, so cached sites are rebuilt."""
    source = GENERATOR.read_bytes()
    return hashlib.sha256(source).hexdigest()[:10]


def prepare(n: int, seed: int) -> Path:
    """The cached folder holding ``plugin/`` and ``baseline/`` for N concepts."""
    folder = OUT / f"kb-{n}-seed{seed}-{_fingerprint()}"
    if folder.is_dir():
        return folder
    say(f"N={n:,}: generating the knowledge base into {folder.relative_to(ROOT)}")
    for stale in OUT.glob(f"kb-{n}-seed{seed}-*"):
        shutil.rmtree(stale)
    OUT.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f"kb-{n}-", dir=OUT))
    # In a child, as the lint runs are (lint_in_child): this process stays small, and a
    # child's peak memory (ru_maxrss) counts what this process held when it started it.
    command = [sys.executable, str(GENERATOR), str(n), str(partial), "--seed", str(seed)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    partial.rename(folder)
    return folder


def first_concept(site: Path) -> Path:
    """The concept file edited for the rebuild: in concepts/ or, for the baseline, docs/."""
    folder = site / "concepts" if (site / "concepts").is_dir() else site / "docs" / "concepts"
    return min(folder.glob("*-*.md"))


# -- builds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    run: Run
    index_bytes: int


def build_once(site: Path) -> Build:
    """``mkdocs build`` in a child process, into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as out:
        run = run_child([str(BIN / "mkdocs"), "build", "-q", "-d", out], cwd=site)
        index = Path(out, "search", "search_index.json").stat().st_size
    return Build(run, index)


def build_sites(folder: Path, sites: Sequence[str], repeats: int) -> dict[str, Build]:
    """Median builds of each site, interleaved so that drift in machine load hits all."""
    builds: dict[str, list[Build]] = {site: [] for site in sites}
    for _ in range(repeats):
        for site in sites:
            builds[site].append(build_once(folder / site))
    return {
        site: Build(median_run([b.run for b in runs]), runs[0].index_bytes)
        for site, runs in builds.items()
    }


def rebuild(site: Path) -> Run:
    """Seconds of a second in-process build after editing one concept (``mkdocs serve``)."""
    result = worker(site, "--rebuild-worker", str(site))
    return Run(Timing(result["wall"], result["cpu"]), result["rss_mib"])


def worker(site: Path, *arguments: str) -> dict[str, Any]:
    """What this script run as a worker in ``site`` (``arguments``) printed last, as JSON."""
    command = [sys.executable, __file__, *arguments]
    with tempfile.TemporaryFile() as output:
        subprocess.run(command, cwd=site, stdout=output, check=True)
        output.seek(0)
        result: dict[str, Any] = json.loads(output.read().decode().splitlines()[-1])
    return result


def rebuild_worker(site: Path) -> None:
    """Build once, edit one concept, build again as ``mkdocs serve`` does; print JSON."""
    import resource

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_file = str(site / "mkdocs.yml")
    edited = first_concept(site)
    original = edited.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as out:
        build(load_config(config_file, site_dir=out))
        edited.write_text(original + "\nEdited for the rebuild benchmark.\n", encoding="utf-8")
        try:
            timing = timed(lambda: build(load_config(config_file, site_dir=out)))
        finally:
            edited.write_text(original, encoding="utf-8")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": timing.wall, "cpu": timing.cpu, "rss_mib": rss}))


# -- lint ----------------------------------------------------------------------------


def lint_once(site: Path, cache: Path | None = None) -> Timing:
    """Seconds of ``conceptkb.checker.lint`` in this process; the KB must lint with no
    errors or warnings (notes, such as unlinked mentions in the generated prose, fail
    nothing and are part of the work measured). With ``cache``, the run keeps its
    readings in that folder and uses what an earlier run kept there, as the command
    does (:mod:`conceptkb.lintcache`)."""
    from conceptkb.checker import lint
    from conceptkb.lintcache import LintCache
    from conceptkb.settings import Settings

    settings = Settings(concepts_dir=site / "concepts", base_dir=site)
    found: list[int] = []

    def run() -> None:
        kept = None if cache is None else LintCache.open(settings, cache)
        result = lint(settings, kept=kept)
        found.append(len(result.errors) + len(result.warnings))

    timing = timed(run)
    if found[0]:
        raise RuntimeError(
            f"{site}: the generated knowledge base has {found[0]} errors or warnings"
        )
    return timing


def parse_all(concepts: Path) -> int:
    """The floor: read every file and parse its front matter with libyaml."""
    count = 0
    for path in sorted(concepts.iterdir()):
        text = path.read_text(encoding="utf-8")
        end = text.index("\n---\n", 3)
        if yaml.load(text[4:end], Loader=yaml.CSafeLoader):
            count += 1
    return count


@dataclass(frozen=True)
class LintTimes:
    """Median times of lint (nothing kept), of lint with a warm cache, and of the floor."""

    lint: Timing
    kept: Timing
    floor: Timing

    @property
    def ratio(self) -> Timing:
        return ratio(self.lint, self.floor)

    @property
    def kept_ratio(self) -> Timing:
        return ratio(self.kept, self.floor)


def lint_pair(site: Path, repeats: int) -> LintTimes:
    """Median times of lint, of lint with a warm cache and of the floor, interleaved
    (the cache is filled by one run first, and holds what the last run read)."""
    lints: list[Timing] = []
    kept: list[Timing] = []
    floors: list[Timing] = []
    with tempfile.TemporaryDirectory() as folder:
        lint_once(site, Path(folder))
        for _ in range(repeats):
            lints.append(lint_once(site))
            kept.append(lint_once(site, Path(folder)))
            floors.append(timed(lambda: parse_all(site / "concepts")))
    return LintTimes(median_timing(lints), median_timing(kept), median_timing(floors))


def lint_in_child(site: Path, repeats: int) -> LintTimes:
    """:func:`lint_pair` in a child process, so that what the lint loads never counts
    in the peak memory of the builds started after it."""
    result = worker(site, "--lint-worker", str(site), "--repeats", str(repeats))
    return LintTimes(*(Timing(**result[name]) for name in ("lint", "kept", "floor")))


def lint_worker(site: Path, repeats: int) -> None:
    """Print :func:`lint_pair`'s medians as JSON."""
    print(json.dumps(dataclasses.asdict(lint_pair(site, repeats))))


def lint_cli(site: Path) -> Run:
    """``conceptkb lint --no-cache --config mkdocs.yml`` in a child process (exit 0
    required): everything read, as on a fresh machine."""
    return run_child(
        [str(BIN / "conceptkb"), "lint", "--no-cache", "--config", "mkdocs.yml"], cwd=site
    )


# -- one row -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    n: int
    repeats: int
    plugin: Build
    baseline: Build
    rebuild_plugin: Run
    rebuild_baseline: Run
    lint: LintTimes
    cli: Run
    text: Build | None = None
    """The same pages' text sections as plain Markdown (no map, names line or citation)."""
    every: Build | None = None
    """The same site as plain Markdown, every section (the baseline of the build target)."""

    @property
    def build_ratio(self) -> Timing:
        return ratio(self.plugin.run.timing, self.baseline.run.timing)

    @property
    def text_ratio(self) -> Timing | None:
        return None if self.text is None else ratio(self.plugin.run.timing, self.text.run.timing)

    @property
    def every_ratio(self) -> Timing | None:
        if self.every is None:
            return None
        return ratio(self.plugin.run.timing, self.every.run.timing)


def measure(n: int, seed: int, same_site: bool) -> Row:
    folder = prepare(n, seed)
    repeats = 3 if n <= 1_000 else 1
    say(f"N={n:,}: builds ({repeats} each)")
    sites = ["plugin", "baseline", *(["baseline-text", "baseline-every"] if same_site else [])]
    builds = build_sites(folder, sites, repeats)
    say(f"N={n:,}: rebuilds")
    rebuild_plugin = rebuild(folder / "plugin")
    rebuild_baseline = rebuild(folder / "baseline")
    say(f"N={n:,}: lint")
    cli = lint_cli(folder / "plugin")
    lint = lint_in_child(folder / "plugin", LINT_REPEATS)
    return Row(
        n,
        repeats,
        builds["plugin"],
        builds["baseline"],
        rebuild_plugin,
        rebuild_baseline,
        lint,
        cli,
        builds.get("baseline-text"),
        builds.get("baseline-every"),
    )


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- reporting -----------------------------------------------------------------------

COLUMNS = (
    "N",
    "build, conceptkb (s)",
    "build, bare pages (s)",
    "ratio to bare pages",
    "rebuild, conceptkb (s)",
    "rebuild, bare pages (s)",
    "peak RSS, conceptkb / baseline (MiB)",
    "search index per concept, conceptkb / baseline (bytes)",
    "lint in-process (s)",
    "floor (s)",
    "lint / floor",
    "lint, warm cache (s)",
    "warm lint / floor",
    "lint CLI (s)",
)
LEGEND = (
    "Times are CPU / wall seconds; ratios are computed on CPU time, with the wall-time"
    " ratio in brackets."
)


def _ratio(value: Timing) -> str:
    return f"{value.cpu:.2f} ({value.wall:.2f})"


SAME_SITE_COLUMNS = (
    "build, text sections in plain Markdown (s)",
    "ratio to text sections",
    "build, every section in plain Markdown (s)",
    "build ratio (the target)",
)


def _row_line(row: Row, same_site: bool) -> str:
    n = max(row.n, 1)
    cells = [
        f"{row.n:,}",
        str(row.plugin.run.timing),
        str(row.baseline.run.timing),
        _ratio(row.build_ratio),
        str(row.rebuild_plugin.timing),
        str(row.rebuild_baseline.timing),
        f"{row.plugin.run.rss_mib:.0f} / {row.baseline.run.rss_mib:.0f}",
        f"{row.plugin.index_bytes / n:,.0f} / {row.baseline.index_bytes / n:,.0f}",
        f"{row.lint.lint.cpu:.3f} / {row.lint.lint.wall:.3f}",
        f"{row.lint.floor.cpu:.3f} / {row.lint.floor.wall:.3f}",
        _ratio(row.lint.ratio),
        f"{row.lint.kept.cpu:.3f} / {row.lint.kept.wall:.3f}",
        _ratio(row.lint.kept_ratio),
        str(row.cli.timing),
    ]
    if same_site:
        for build, value in ((row.text, row.text_ratio), (row.every, row.every_ratio)):
            cells += (
                [str(build.run.timing), _ratio(value)]
                if build is not None and value is not None
                else ["", ""]
            )
    return "| " + " | ".join(cells) + " |"


def table(rows: Sequence[Row]) -> str:
    same_site = any(row.every is not None for row in rows)
    columns = COLUMNS + (SAME_SITE_COLUMNS if same_site else ())
    header = "| " + " | ".join(columns) + " |"
    separator = "|" + "|".join("---:" for _ in columns) + "|"
    return "\n".join([header, separator, *(_row_line(row, same_site) for row in rows)])


@dataclass(frozen=True)
class Target:
    name: str
    value: Timing | None
    limit: float

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        return "pass" if self.value.cpu <= self.limit else "FAIL"

    def line(self) -> str:
        shown = "not measured" if self.value is None else _ratio(self.value)
        return f"- **{self.verdict}**: {self.name} = {shown} (target <= {self.limit:g})"


def targets(rows: Sequence[Row], large_lint: LintTimes | None = None) -> list[Target]:
    by_n = {row.n: row for row in rows}

    def get(n: int, value: Callable[[Row], Timing | None]) -> Timing | None:
        return value(by_n[n]) if n in by_n else None

    def growth(n: int, base: int, value: Callable[[Row], Timing]) -> Timing | None:
        top, bottom = get(n, value), get(base, value)
        return None if top is None or bottom is None else ratio(top, bottom)

    def build(row: Row) -> Timing:
        return row.plugin.run.timing

    def lint(row: Row) -> Timing:
        return row.lint.lint

    def large(value: Callable[[LintTimes], Timing]) -> Timing | None:
        if LARGE in by_n:
            return value(by_n[LARGE].lint)
        return None if large_lint is None else value(large_lint)

    def memory(row: Row) -> Timing:
        value = row.plugin.run.rss_mib / row.baseline.run.rss_mib
        return Timing(value, value)

    found = [
        *(
            Target(
                f"build ratio to the same site in plain Markdown, every section, at N={n:,}",
                get(n, lambda r: r.every_ratio),
                BUILD_RATIO_MAX,
            )
            for n in (1_500, 5_000)
        ),
        Target("peak RSS, conceptkb / bare pages at N=5,000", get(5_000, memory), MEMORY_RATIO_MAX),
        Target("lint / floor at N=5,000", get(5_000, lambda r: r.lint.ratio), LINT_FLOOR_MAX),
        Target(f"lint / floor at N={LARGE:,}", large(lambda t: t.ratio), LINT_FLOOR_MAX),
        Target(
            "lint with a warm cache / floor at N=5,000",
            get(5_000, lambda r: r.lint.kept_ratio),
            LINT_FLOOR_MAX,
        ),
        Target(
            f"lint with a warm cache / floor at N={LARGE:,}",
            large(lambda t: t.kept_ratio),
            LINT_FLOOR_MAX,
        ),
        Target("build time(5,000) / time(1,000)", growth(5_000, 1_000, build), LINEAR_5K_MAX),
        Target("lint time(5,000) / time(1,000)", growth(5_000, 1_000, lint), LINEAR_5K_MAX),
    ]
    if LARGE in by_n:
        found.append(
            Target("lint time(10,000) / time(1,000)", growth(LARGE, 1_000, lint), LINEAR_10K_MAX)
        )
    return found


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("mkdocs", "mkdocs-material", "markdown")
    )
    return (
        f"{datetime.date.today().isoformat()} on {os.cpu_count()} cores"
        f" ({platform.machine()}, {platform.system()}), Python {platform.python_version()},"
        f" {versions}"
    )


def report(rows: Sequence[Row], seed: int, large_lint: LintTimes | None = None) -> str:
    lines = [
        f"Measured {machine()}; seed {seed}. Builds: median of 3 runs for N <= 1,000,"
        f" one run above; lint: median of {LINT_REPEATS} runs."
        " All figures come from the same run.",
        "",
        LEGEND,
        "",
        table(rows),
        "",
        *(
            [
                f"Lint alone at N={LARGE:,} (no builds; median of {LINT_REPEATS}): lint in-process"
                f" {large_lint.lint}, with a warm cache {large_lint.kept}, floor"
                f" {large_lint.floor} (CPU / wall s).",
                "",
            ]
            if large_lint is not None
            else []
        ),
        "Targets (pass or fail on CPU time):",
        "",
        *(t.line() for t in targets(rows, large_lint)),
        *text_sections(rows),
    ]
    return "\n".join(lines)


def text_sections(rows: Sequence[Row]) -> list[str]:
    """The build against the text sections alone: the baseline of the build target
    before the pages had a map and a citation, reported for comparison."""
    shown = [
        f"N={row.n:,}: {_ratio(value)}"
        for row in rows
        if row.n in (1_500, 5_000) and (value := row.text_ratio) is not None
    ]
    if not shown:
        return []
    return [
        "",
        "Reported, no target: the build against the same pages' text sections alone in"
        " plain Markdown (no map, names line or citation), " + ", ".join(shown) + ".",
    ]


def write_doc(text: str) -> None:
    """Replace what is between the table's marker comments of docs/benchmarks.md."""
    write_section("table", text)


def plot(rows: Sequence[Row], path: Path) -> None:
    """CPU time against N: builds (conceptkb, baseline) and lint (in-process, floor, CLI)."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    plt.rcParams["svg.hashsalt"] = "conceptkb-bench"
    sizes = [row.n for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    series: tuple[tuple[Axes, str, str, Callable[[Row], Timing]], ...] = (
        (left, "o-", "mkdocs build + conceptkb", lambda r: r.plugin.run.timing),
        (left, "s-", "bare pages, plain Markdown", lambda r: r.baseline.run.timing),
        (left, "o--", "rebuild + conceptkb", lambda r: r.rebuild_plugin.timing),
        (left, "s--", "rebuild, bare pages", lambda r: r.rebuild_baseline.timing),
        (right, "o-", "conceptkb lint (in-process)", lambda r: r.lint.lint),
        (right, "o--", "same, warm cache", lambda r: r.lint.kept),
        (right, "s-", "floor: read + parse YAML", lambda r: r.lint.floor),
        (right, "^:", "conceptkb lint CLI", lambda r: r.cli.timing),
    )
    for axes, style, label, value in series:
        axes.plot(sizes, [value(row).cpu for row in rows], style, label=label)
    baselines: tuple[tuple[str, str, Callable[[Row], Build | None]], ...] = (
        ("d:", "text sections, plain Markdown", lambda r: r.text),
        ("D-", "every section, plain Markdown", lambda r: r.every),
    )
    for style, label, baseline in baselines:
        measured = [(row.n, build.run.timing.cpu) for row in rows if (build := baseline(row))]
        if measured:
            left.plot([n for n, _ in measured], [cpu for _, cpu in measured], style, label=label)
    left.set_title("Site build")
    right.set_title("Lint")
    for axes in (left, right):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("concepts (N)")
        axes.set_ylabel("CPU seconds")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


# -- profiling -----------------------------------------------------------------------

GROUPS = (
    ("material", "/material/"),
    ("mkdocs", "/mkdocs/"),
    ("markdown", "/markdown/"),
    ("pymdownx", "/pymdownx/"),
    ("jinja2", "/jinja2/"),
    ("jinja2", "/markupsafe/"),
    ("yaml", "/yaml/"),
    ("generated code (dataclass methods)", "<string>"),
    ("html.parser (stdlib)", "/html/parser.py"),
)
STDLIB = sysconfig.get_paths()["stdlib"].replace(os.sep, "/")
Func = tuple[str, int, str]
StatsTable = dict[Func, tuple[int, int, float, float, dict[Func, tuple[int, int, float, float]]]]


def group_of(func: Func, modules: bool = False) -> str:
    """The package a profiled function belongs to; conceptkb by module with ``modules``."""
    filename = func[0].replace(os.sep, "/")
    if filename == "~":
        return "builtins"
    if "/conceptkb/" in filename:
        return "conceptkb/" + filename.split("/conceptkb/", 1)[1] if modules else "conceptkb"
    for name, marker in GROUPS:
        if marker in filename:
            return name
    if filename.startswith((STDLIB, "<frozen")):
        return "stdlib (other)"
    return "other"


def _label(func: Func) -> str:
    filename, line, name = func
    parts = Path(filename).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else filename
    return f"{short}:{line}({name})"


def self_times(entries: StatsTable, modules: bool) -> dict[str, float]:
    """Self time by package; built-ins (str.join, re, ...) are charged to their callers."""
    totals: dict[str, float] = {}
    for func, (_, _, tt, _, callers) in entries.items():
        group = group_of(func, modules)
        if group == "builtins" and callers:
            for caller, (_, _, caller_tt, _) in callers.items():
                owner = group_of(caller, modules)
                totals[owner] = totals.get(owner, 0.0) + caller_tt
            tt -= sum(v[2] for v in callers.values())
        totals[group] = totals.get(group, 0.0) + tt
    return totals


def entry_points(entries: StatsTable) -> dict[Func, float]:
    """conceptkb functions called from outside conceptkb, with the time spent under them."""
    found: dict[Func, float] = {}
    for func, (_, _, _, _, callers) in entries.items():
        if group_of(func) != "conceptkb":
            continue
        outside = sum(
            v[3] for c, v in callers.items() if group_of(c) not in ("conceptkb", "builtins")
        )
        if outside:
            found[func] = outside
    return found


def profile_summary(profile: cProfile.Profile, *, modules: bool, top: int = 15) -> str:
    """Self time by package; conceptkb entry points (inclusive time); top functions."""
    entries: StatsTable = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in entries.values())
    lines = [f"total {total:.2f} s (profiled)", "", "self time by package:"]
    for name, seconds in sorted(self_times(entries, modules).items(), key=lambda kv: -kv[1]):
        if seconds >= 0.0005 * total:
            lines.append(f"  {name:<34} {seconds:7.2f} s {seconds / total:6.1%}")
    if not modules:
        inclusive = entry_points(entries)
        own = sum(inclusive.values())
        lines += ["", f"conceptkb with what it calls: {own:.2f} s {own / total:.1%}; entry points:"]
        for func, seconds in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"  {seconds:7.2f} s {seconds / total:6.1%}  {_label(func)}")
    lines += ["", "top functions by cumulative time:"]
    ranked = sorted(entries.items(), key=lambda kv: -kv[1][3])
    for func, (_, calls, tt, ct, _) in ranked[:top]:
        lines.append(
            f"  {ct:7.2f} s {ct / total:6.1%}  self {tt:6.2f} s  {calls:>9,} calls  {_label(func)}"
        )
    return "\n".join(lines)


@contextmanager
def profiling() -> Iterator[cProfile.Profile]:
    profile = cProfile.Profile()
    gc.collect()
    profile.enable()
    try:
        yield profile
    finally:
        profile.disable()


def profile_build(site: Path) -> str:
    """Profile one in-process build (after a warm-up build) of a site."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_file = str(site / "mkdocs.yml")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as out:
        build(load_config(config_file, site_dir=out))
        with profiling() as profile:
            build(load_config(config_file, site_dir=out))
    return profile_summary(profile, modules=False)


def profile_lint(site: Path) -> str:
    from conceptkb.checker import lint
    from conceptkb.settings import Settings

    settings = Settings(concepts_dir=site / "concepts", base_dir=site)
    lint(settings)
    with profiling() as profile:
        lint(settings)
    return profile_summary(profile, modules=True, top=25)


def run_profiles(seed: int) -> None:
    build_site = prepare(1_000, seed) / "plugin"
    lint_site = prepare(5_000, seed) / "plugin"
    print(f"## mkdocs build with conceptkb, N=1,000\n\n{profile_build(build_site)}\n")
    print(f"## conceptkb lint, N=5,000\n\n{profile_lint(lint_site)}")


# -- main ----------------------------------------------------------------------------


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help=f"also measure N={LARGE:,}")
    parser.add_argument(
        "--sizes", type=int, nargs="+", metavar="N", help="measure these sizes instead"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed (default: 1)")
    parser.add_argument("--no-docs", action="store_true", help="print only: leave docs/ untouched")
    parser.add_argument("--profile", action="store_true", help="profile a build and a lint instead")
    parser.add_argument("--rebuild-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lint-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=LINT_REPEATS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    if args.rebuild_worker is not None:
        rebuild_worker(args.rebuild_worker)
        return
    if args.lint_worker is not None:
        lint_worker(args.lint_worker, args.repeats)
        return
    if args.profile:
        run_profiles(args.seed)
        return
    sizes = args.sizes or [*SIZES, *([LARGE] if args.large else [])]
    started = time.perf_counter()
    rows = [measure(n, args.seed, True) for n in sorted(sizes)]
    large_lint = None
    if LARGE not in sizes and not args.sizes:
        say(f"N={LARGE:,}: lint alone")
        large_lint = lint_in_child(prepare(LARGE, args.seed) / "plugin", LINT_REPEATS)
    text = report(rows, args.seed, large_lint)
    print(text)
    if not args.no_docs:
        write_doc(text)
        plot(rows, SVG)
        say(f"wrote {DOC.relative_to(ROOT)} and {SVG.relative_to(ROOT)}")
    say(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
