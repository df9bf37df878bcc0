"""Hostile concept files: every one gives its finding, in bounded time and memory.

Each folder under ``tests/fixtures/hostile/`` is one case: a small ``concepts/``
folder, an ``expected.json`` (``findings`` as path, line, code and optional column,
the CLI ``exit`` code, optional plugin ``options``) and, when the input is too big
for git or cannot be stored in it (symlinks, FIFOs, a directory named ``x.md``), a
``make.py`` whose ``make(folder)`` builds it at test time.

Every case runs in a child process with an address-space limit and a timeout. The
child lints the folder with the CLI (``conceptkb lint --format json``) and builds a
site with the plugin; the test then checks that both found exactly the expected
findings, with their lines, and that no traceback appeared anywhere.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir() if (p / "expected.json").is_file())
TIMEOUT = 20.0
"""CPU seconds a case may take, CLI and site build together (a hard limit on the child)."""
WALL_TIMEOUT = 60.0
"""Wall seconds before a case counts as hung: on a shared machine the wall clock runs
well ahead of the CPU time a case gets, so the CPU limit is the cost bound."""
MEMORY_LIMIT = 1536 * 1024 * 1024
"""Address space of the child process (RLIMIT_AS)."""
RULE_CODES = (
    [f"CK{n:03d}" for n in range(1, 13)]
    + [f"CK{n}" for n in range(101, 115)]
    + [f"CK{n}" for n in range(201, 207)]
    + [f"CK{n}" for n in range(301, 305)]
)


def expected_of(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HOSTILE / case / "expected.json").read_text("utf-8"))
    return data


def prepare(case: str, target: Path) -> Path:
    """Copy a case into ``target`` (symlinks as links), run its make.py, add mkdocs.yml.

    The cases are judged on what their files break: review dates (CK305 notes for
    entries never reviewed) are left out, as tests/test_freshness.py covers them."""
    options = {"review_period_months": 0, **expected_of(case).get("options", {})}
    shutil.copytree(HOSTILE / case, target, symlinks=True)
    (target / "concepts").mkdir(exist_ok=True)
    maker = target / "make.py"
    if maker.is_file():
        spec = importlib.util.spec_from_file_location(f"hostile_make_{case}", maker)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.make(target)
        maker.unlink()
    (target / "expected.json").unlink()
    (target / "docs").mkdir()
    (target / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = {
        "site_name": "Hostile input",
        "theme": {"name": "material", "font": False, "features": ["content.tooltips"]},
        "plugins": ["search", {"conceptkb": options}],
        **expected_of(case).get("config", {}),
    }
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return target


# -- the child process -------------------------------------------------------------


def _limit_resources() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    cpu = int(TIMEOUT) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _worker(folder: Path) -> dict[str, Any]:
    """Lint with the CLI, then build the site; report both without raising."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from conceptkb.cli import main
    from tests.conftest import Project

    result: dict[str, Any] = {}
    os.chdir(folder)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result["exit"] = main(["lint", "--format", "json"])
    except BaseException:  # a traceback is exactly what this test looks for
        result["exit"] = None
        result["cli_traceback"] = traceback.format_exc()
    result["cli_seconds"] = time.perf_counter() - started
    result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()

    concepts = folder / "concepts"
    result["concept_ids"] = sorted(p.stem for p in concepts.glob("*.md") if p.is_file())
    project = Project(folder)
    started = time.perf_counter()
    try:
        built = project.build(strict=False)
        result["build_ok"], result["log"], result["error"] = built.ok, built.log, built.error
        result["site"] = sorted(
            p.relative_to(built.site_dir).as_posix()
            for p in built.site_dir.rglob("index.html")
            if p.parent.parent.name == "concepts"
        )
    except BaseException:
        result["build_ok"] = None
        result["build_traceback"] = traceback.format_exc()
    result["build_seconds"] = time.perf_counter() - started
    return result


def run_case(case: str, work: Path) -> dict[str, Any]:
    """Prepare a case in ``work`` and run it in a limited child process."""
    folder = prepare(case, work / case)
    report = work / f"{case}.json"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            [sys.executable, __file__, str(folder), str(report)],
            capture_output=True,
            text=True,
            timeout=WALL_TIMEOUT,
            env=env,
            preexec_fn=_limit_resources,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True, "seconds": time.perf_counter() - started}
    result: dict[str, Any] = (
        json.loads(report.read_text("utf-8")) if report.is_file() else {"no_report": True}
    )
    result["returncode"] = completed.returncode
    result["child_stderr"] = completed.stderr
    result["seconds"] = time.perf_counter() - started
    return result


# -- the tests ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Any]]]:
    """Every case, run two (or as many as there are cores) at a time."""
    work = tmp_path_factory.mktemp("hostile")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        # the slowest cases first, so the pool stays busy
        order = sorted(CASES, key=lambda c: not (HOSTILE / c / "make.py").exists())
        yield {case: pool.submit(run_case, case, work) for case in order}


def _location(finding: dict[str, Any], with_column: bool) -> tuple[Any, ...]:
    key = (finding["path"], finding["line"], finding["code"])
    return (*key, finding["column"]) if with_column else key


def _compare(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Same findings (path, line, code) as expected, and the same columns where given."""
    assert {_location(f, False) for f in found} == {_location(f, False) for f in expected}
    for wanted in expected:
        if "column" in wanted:
            assert _location(wanted, True) in {_location(f, True) for f in found}, wanted


def test_corpus_covers_every_rule_and_enough_cases() -> None:
    assert len(CASES) >= 40
    codes = {f["code"] for case in CASES for f in expected_of(case)["findings"]}
    assert set(RULE_CODES) <= codes, sorted(set(RULE_CODES) - codes)
    good = [case for case in CASES if expected_of(case)["exit"] == 0 and case.startswith("good")]
    assert len(good) >= 3


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: str, results: dict[str, Future[Any]]) -> None:
    expected = expected_of(case)
    result = results[case].result()
    assert not result.get("timeout"), f"{case}: no answer within {WALL_TIMEOUT} s"
    ceiling = expected.get("max_seconds")
    if ceiling is not None:  # a generous ceiling; make bench gives the exact figures
        assert result["cli_seconds"] < ceiling, f"lint took {result['cli_seconds']:.1f} s"
        assert result["build_seconds"] < ceiling, f"build took {result['build_seconds']:.1f} s"
    assert result["returncode"] == 0, f"{case}: child died:\n{result['child_stderr'][-3000:]}"
    assert "cli_traceback" not in result, result["cli_traceback"]
    assert "build_traceback" not in result, result["build_traceback"]

    # The CLI: exactly the expected findings, and its exit code.
    assert "Traceback" not in result["stderr"], result["stderr"]
    assert result["stderr"] == ""
    found = json.loads(result["stdout"])
    _compare(found, expected["findings"])
    assert result["exit"] == expected["exit"], found

    # The plugin: the build fails on errors, and logs each finding as path:line:col: CODE.
    log = f"{result['log']}\n{result['error']}"
    assert "Traceback" not in log and "Traceback" not in result["child_stderr"], log
    assert result["build_ok"] is (expected["exit"] == 0), log[-3000:]
    if "build_log" in expected:  # the build refuses the configuration before linting
        assert re.search(expected["build_log"], log), log[-3000:]
    for finding in [] if "build_log" in expected else expected["findings"]:
        column = str(finding["column"]) if "column" in finding else r"\d+"
        pattern = rf"{re.escape(finding['path'])}:{finding['line']}:{column}: {finding['code']}\b"
        assert re.search(pattern, log), f"{pattern} not in build log:\n{log[-3000:]}"
    assert not Path("/tmp/conceptkb-pwned").exists(), "a YAML tag ran a shell command"
    if expected["exit"] == 0:
        pages = {path.split("/")[1] for path in result["site"]}
        assert result["concept_ids"] and set(result["concept_ids"]) <= pages, result["site"]
    else:
        assert not result["site"], "a failed build left concept pages behind"


if __name__ == "__main__":  # the child process of run_case
    _report = Path(sys.argv[2])
    _report.write_text(json.dumps(_worker(Path(sys.argv[1]))), encoding="utf-8")
