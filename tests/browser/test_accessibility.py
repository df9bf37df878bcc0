"""axe-core, run inside the repository's pages: light and dark, desktop and phone.

axe-core is pinned in tests/browser/package-lock.json and installed by ``make
browser-deps`` (``npm ci`` checks its integrity); it is never committed. Every
violation, the theme's included, is written to tests/artifacts/axe-report.json for
people to read. A test fails on a serious or critical violation in what conceptkb
produces: the page's content (the knowledge base's Markdown and the generated pages),
any element with a ``ck-`` class and the concept map. The theme's header, navigation,
search and footer are reported, not asserted: see the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import DEVICES, SCHEMES, Tab, TabFactory, use_scheme
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

AXE_PACKAGE = ROOT / "tests" / "browser"
AXE = AXE_PACKAGE / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "tests" / "artifacts" / "axe-report.json"
BLOCKING = ("serious", "critical")

PAGES = {
    "home": "",
    "index": "concepts/",
    "concept-map": "concepts/lora/",
    "tag": "concepts/tags/efficiency/",
    "guide": "guide/should-you-fine-tune/",
}

OURS = "article.md-content__inner, [class^='ck-'], [class*=' ck-'], svg.ck-map"
"""What conceptkb produces: the page's content (the Markdown of the knowledge base and
the pages its templates generate), anything carrying a ``ck-`` class, the concept map."""

# Each node of a result, with whether it lies in what conceptkb produces. axe names a
# node by a list of selectors (one per shadow root or frame); the pages have neither, and
# a node that cannot be found again counts as ours, so that nothing slips through.
_CLASSIFY = """([results, ours]) => {
  const mark = (node) => {
    const element = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
    return {...node, ours: element === null || element.closest(ours) !== null};
  };
  const each = (list) => list.map((rule) => ({...rule, nodes: rule.nodes.map(mark)}));
  return {violations: each(results.violations), incomplete: each(results.incomplete),
          ran: [...results.passes, ...results.violations, ...results.incomplete,
                ...results.inapplicable].map((rule) => rule.id)};
}"""

WATCHED = ("color-contrast", "link-in-text-block", "target-size")
"""Rules a reader's audit failed on: each must run on every page (none is switched off)."""


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The pinned axe-core; missing or another version is a failure that says what to do."""
    pinned = json.loads((AXE_PACKAGE / "package.json").read_text("utf-8"))
    version = pinned["devDependencies"]["axe-core"]
    if not AXE.is_file():
        pytest.fail(
            f"{AXE.relative_to(ROOT)} is missing: the accessibility tests need axe-core"
            f" {version}. Install it with `make browser-deps` (npm ci in tests/browser).",
            pytrace=False,
        )
    source = AXE.read_text("utf-8")
    if not source.startswith(f"/*! axe v{version}\n"):
        pytest.fail(
            f"{AXE.relative_to(ROOT)} is not axe-core {version}, the version"
            " tests/browser/package.json pins: run `make browser-deps` again.",
            pytrace=False,
        )
    return source


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    """Every result of the module, written to tests/artifacts/axe-report.json at its end."""
    collected: dict[str, Any] = {}
    yield collected
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary(collected), indent=1) + "\n", encoding="utf-8")


def summary(collected: dict[str, Any]) -> dict[str, Any]:
    """The report: counts by impact, ours and the theme's, then every run's findings."""
    counts: dict[str, dict[str, int]] = {"ours": {}, "theme": {}}
    for run in collected.values():
        for rule in run["violations"]:
            for node in rule["nodes"]:
                side = counts["ours" if node["ours"] else "theme"]
                side[rule["impact"]] = side.get(rule["impact"], 0) + 1
    versions = sorted({run["axe"] for run in collected.values()})
    return {"axe-core": versions, "violating nodes by impact": counts, "runs": collected}


def run_axe(page: Page, source: str) -> dict[str, Any]:
    """Inject axe-core into the page; run every rule it enables by default, and
    target-size (WCAG 2.2 AA: targets of at least 24 by 24 CSS pixels), which it does not."""
    page.add_script_tag(content=source)
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    results = page.evaluate("options => axe.run(document, options)", options)
    classified: dict[str, Any] = page.evaluate(_CLASSIFY, [results, OURS])
    classified["axe"] = results["testEngine"]["version"]
    return classified


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for rule in violations:
        targets = [" ".join(node["target"]) for node in rule["nodes"]]
        lines.append(
            f"{rule['id']} ({rule['impact']}, {len(targets)} nodes): {rule['help']}"
            f" e.g. {targets[:3]}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_violation_in_what_conceptkb_produces(
    axe_source: str,
    open_tab: TabFactory,
    site_url: str,
    report: dict[str, Any],
    name: str,
    device: str,
    scheme: str,
) -> None:
    tab: Tab = open_tab(site_url, **DEVICES[device])
    page = tab.open(PAGES[name], quiet=True)
    use_scheme(page, scheme)
    results = run_axe(page, axe_source)
    ran = results.pop("ran")
    report[f"{name} {device} {scheme}"] = {"path": PAGES[name], **results}
    missing = [rule for rule in WATCHED if rule not in ran]
    assert missing == [], f"axe did not run {missing}"
    ours = [
        {**rule, "nodes": [node for node in rule["nodes"] if node["ours"]]}
        for rule in results["violations"]
        if rule["impact"] in BLOCKING
    ]
    ours = [rule for rule in ours if rule["nodes"]]
    assert ours == [], describe(ours)
    tab.assert_clean()
