"""Screenshots for people to look at: the concept map, math and a concept page, on a
desktop and a phone, in the light and the dark scheme (tests/artifacts/screenshots/).

Each screenshot is taken only once what it shows is there: the map in view, the
formulas rendered as MathML, the scheme applied, and no page scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conceptkb import mkdocsyml
from tests.browser.conftest import DEVICES, SCHEMES, SCREENSHOTS, Tab, TabFactory, serve, use_scheme
from tests.conftest import ROOT, Project

pytestmark = pytest.mark.browser

INLINE = "h = W_0 x + BAx"
DISPLAY = r"h = W_0 x + \Delta W x = W_0 x + BAx"
MATH_BODY = f"""\
## How it works

LoRA computes ${INLINE}$, where only $B$ and $A$ are trained:

$$
{DISPLAY}
$$

The rank $r$ is small: $r \\ll \\min(d, k)$.
"""


@pytest.fixture(scope="module")
def math_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small knowledge base whose one concept holds inline and display math, built
    with the repository's theme settings (its palette: light and dark) and served."""
    project = Project(tmp_path_factory.mktemp("math") / "kb")
    theme = mkdocsyml.load(ROOT / "mkdocs.yml")["theme"]
    project.config(theme=theme)
    project.concept(
        "lora",
        "Low-rank adaptation",
        summary="Low-rank adaptation trains two small matrices beside a frozen weight.",
        body=MATH_BODY,
        category="concept",
        references=[
            {
                "title": "LoRA: Low-Rank Adaptation of Large Language Models",
                "url": "https://arxiv.org/abs/2106.09685",
                "year": 2021,
            }
        ],
    )
    built = project.build()
    assert built.ok, f"the math site did not build: {built.error}\n{built.log}"
    with serve(built.site_dir) as base_url:
        yield base_url


def shoot(page: Page, name: str, *, full_page: bool) -> Path:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=target, full_page=full_page)
    assert target.stat().st_size > 10_000
    return target


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_screenshot_the_concept_map(
    open_tab: TabFactory, site_url: str, device: str, scheme: str
) -> None:
    tab: Tab = open_tab(site_url, **DEVICES[device])
    page = tab.open("concepts/lora/", quiet=True)
    use_scheme(page, scheme)
    chart = page.locator("svg.ck-map")
    chart.evaluate("chart => chart.scrollIntoView({block: 'center'})")
    expect(chart).to_be_in_viewport()
    expect(chart.locator(".ck-map-current")).to_be_visible()
    shoot(page, f"map-{device}-{scheme}", full_page=False)
    tab.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_screenshot_a_page_with_math(
    open_tab: TabFactory, math_site: str, device: str, scheme: str
) -> None:
    tab: Tab = open_tab(math_site, **DEVICES[device])
    page = tab.open("concepts/lora/", quiet=True)
    use_scheme(page, scheme)
    body = page.locator(".ck-body")
    expect(body.locator("math")).to_have_count(6)
    expect(body.locator("math[display=block]")).to_have_count(1)
    tex = [
        t.strip()
        for t in body.locator("annotation[encoding='application/x-tex']").all_text_contents()
    ]
    assert INLINE in tex and DISPLAY in tex
    assert "$" not in body.inner_text(), "a formula shows as TeX"
    # MathML laid out by the browser: the display formula has a box of its own.
    block = body.locator("math[display=block]").bounding_box()
    assert block is not None and block["height"] > 10 and block["width"] > 100
    shoot(page, f"math-{device}-{scheme}", full_page=True)
    tab.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_screenshot_a_concept_page(
    open_tab: TabFactory, site_url: str, device: str, scheme: str
) -> None:
    tab: Tab = open_tab(site_url, **DEVICES[device])
    page = tab.open("concepts/dpo/", quiet=True)
    use_scheme(page, scheme)
    expect(page.locator(".ck-summary")).to_be_visible()
    shoot(page, f"concept-dpo-{device}-{scheme}", full_page=True)
    tab.assert_clean()
