"""Edit to reload: seconds from saving a concept file to the served page showing it.

A generated knowledge base (benchmarks/generate.py) is served the way `make serve`
serves it: ``mkdocs serve --dirty``; with ``--engine properdocs``, ``properdocs serve
--dirty``; with ``--engine zensical``, ``conceptkb generate --watch`` beside ``zensical
serve``. Once the first build is served, one concept's summary is edited ``--edits``
times, each time with a new marker; the time until the concept's page and a page that
shows the concept (the A-Z index) both hold the marker is one sample (wall seconds:
this is a latency, so run it on a quiet machine). Medians are printed, and written into
docs/benchmarks.md with --docs.

    .venv/bin/python benchmarks/reload.py [--n 30 1500 5000] [--engine mkdocs ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # the benchmark's own generator, beside this file
from docpage import write_section

ROOT = Path(__file__).resolve().parent.parent
FIRST_BUILD = 600.0
"""Seconds the first build may take before the server is given up on."""
EDIT = 120.0
"""Seconds an edit may take to show: beyond it, the cell says so and the engine's
remaining edits at that size are not tried."""


class NoReload(Exception):
    """The page did not show the change in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(urls: list[str], marker: str, since: float, limit: float = EDIT) -> float:
    """Seconds from ``since`` until every URL serves a page holding ``marker``.

    One URL at a time, in order, every 20 ms: the first is the edited concept's page
    (tens of kilobytes); the A-Z index after it is megabytes at N = 5,000, and fetching
    it 50 times a second would keep the server (whose build shares one interpreter with
    it) busy serving it, which a reader's browser, reloaded once, does not."""
    for url in urls:
        while marker not in fetch(url):
            if time.monotonic() - since > limit:
                raise NoReload(f"not within {limit:.0f} s")
            time.sleep(0.02)
    return time.monotonic() - since


def server(engine: str, site: Path, port: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    address = f"127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if engine in ("mkdocs", "properdocs"):
        # ProperDocs runs the same plugin, from its own environment (`make engines`).
        venv = ".venv" if engine == "mkdocs" else ".venv-properdocs"
        command = [str(ROOT / venv / "bin" / engine), "serve", "--dirty", "--dev-addr", address]
        return [subprocess.Popen(command, cwd=site, env=env, start_new_session=True, **quiet)]
    bin_dir = ROOT / ".venv-zensical" / "bin"
    subprocess.run([str(bin_dir / "conceptkb"), "generate"], cwd=site, check=True, **quiet)
    watcher = [str(bin_dir / "conceptkb"), "generate", "--watch"]
    zensical = [str(bin_dir / "zensical"), "serve", "-f", "mkdocs.generated.yml", "-a", address]
    return [
        subprocess.Popen(watcher, cwd=site, env=env, start_new_session=True, **quiet),
        subprocess.Popen(zensical, cwd=site, env=env, start_new_session=True, **quiet),
    ]


def measure(engine: str, n: int, edits: int, seed: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as scratch:
        site = Path(scratch) / "kb"
        generate.write_plugin_site(generate.generate(n, seed), site)
        concept = min((site / "concepts").glob("*-*.md"))
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        urls = [f"{base}concepts/{concept.stem}/", f"{base}concepts/"]
        original = concept.read_text(encoding="utf-8")
        processes = server(engine, site, port)
        samples = []
        try:
            wait_for(urls, "</html>", time.monotonic(), FIRST_BUILD)
            for number in range(edits):
                marker = f"Reloadmarker{number}x{os.getpid()}"
                text = original.replace("\nsummary: ", f"\nsummary: {marker} ", 1)
                time.sleep(1.0)  # let the watcher settle after the last build
                start = time.monotonic()
                concept.write_text(text, encoding="utf-8")
                samples.append(wait_for(urls, marker, start))
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            shutil.rmtree(site / "site", ignore_errors=True)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[30, 1500, 5000])
    parser.add_argument("--engine", nargs="+", default=["mkdocs", "properdocs", "zensical"])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", action="store_true")
    args = parser.parse_args(argv)
    rows = [
        "Edit to reload, wall seconds (median of"
        f" {args.edits} edits; min-max), `benchmarks/reload.py`, one run.",
        "",
        "| N | " + " | ".join(args.engine) + " |",
        "| ---: |" + " ---: |" * len(args.engine),
    ]
    for n in args.n:
        cells = []
        for engine in args.engine:
            try:
                samples = measure(engine, n, args.edits, args.seed)
            except NoReload as error:
                cells.append(f"no reload: {error}")
                print(f"N={n} {engine}: no reload, {error}", flush=True)
                continue
            cells.append(
                f"{statistics.median(samples):.2f} ({min(samples):.2f}-{max(samples):.2f})"
            )
            print(f"N={n} {engine}: {[round(s, 2) for s in samples]}", flush=True)
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    text = "\n".join(rows)
    print(text)
    if args.docs:
        write_section("reload", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
