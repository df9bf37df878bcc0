"""Math in bodies: what counts as a formula, its MathML, the allowlist, CK208, a build."""

from __future__ import annotations

import time
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from justhtml import JustHTML

from conceptkb import htmlpolicy, limits, mathtex
from conceptkb.bodyscan import mask_code
from conceptkb.checker import lint
from conceptkb.math import ERROR_CLASS
from conceptkb.rules import MATH_NOT_RENDERED
from conceptkb.settings import Settings

from .conftest import Project, concept_text

# -- what counts as a formula ----------------------------------------------------------


def _found(text: str) -> list[tuple[str, bool]]:
    return [(f.tex, f.display) for f in mathtex.find_math(text)]


@pytest.mark.parametrize(
    ("text", "formulas"),
    [
        ("LoRA adds $BA$ to $W_0$.", [("BA", False), ("W_0", False)]),
        ("It costs $2 per hour and $3 per day.", []),
        ("From $5 to $10, or $20,000 and $30,000.", []),
        ("between $5 and $10$", [("10", False)]),  # the first closing $ is preceded by a space
        ("$x$1 is not math", []),  # a closing $ followed by a digit
        ("$ x$ and $x $", []),  # space after the opening or before the closing $
        (r"A literal \$5, and \$x\$.", []),
        (r"\\$x$", [("x", False)]),  # an escaped backslash, then math
        (r"$\$5$", [(r"\$5", False)]),  # an escaped dollar inside math
        ("`$x$` and ``$y$`` but $z$", [("z", False)]),
        ("$a `b` c$", []),  # a code span inside is code, not math
        ("$a\nb$", [("a\nb", False)]),  # one line break: the same paragraph
        ("$a\n\nb$", []),  # a blank line ends the paragraph
        ("$$\n\\sum_i x_i\n=\ny\n$$", [("\n\\sum_i x_i\n=\ny\n", True)]),
        ("$$ a $ b $$", [(" a $ b ", True)]),
        ("$$ $$", []),  # empty display math is text
        ("$$$$", []),
        ("$$x\n\ny$$", []),
        ("$a$$b$", [("a", False), ("b", False)]),
        ("a\x02wzxhzdk:0\x03 $x\x02y$", []),  # Python-Markdown's stash markers stop it
    ],
)
def test_what_counts_as_math(text: str, formulas: list[tuple[str, bool]]) -> None:
    assert _found(text) == formulas


def test_code_blocks_are_not_math() -> None:
    body = (
        "Text $a$.\n\n```python\ncost = '$x$'\n```\n\n~~~\n$$\n~~~\n\n"
        "    indented $code$\n\nAfter $b$."
    )
    assert _found(body) == [("a", False), ("b", False)]


def test_offsets_are_offsets_in_the_text() -> None:
    body = "One `$no$` line.\nThen $$\n\\frac{a}{b}\n$$ and $c$."
    for formula in mathtex.find_math(body):
        assert body[formula.start : formula.end] == formula.source
    masked = mathtex.mask_math(mask_code(body), mathtex.find_math(body))
    assert len(masked) == len(body) and "$" not in masked and masked.count("\n") == 3


@pytest.mark.parametrize(
    "shape",
    [
        "$$" + "a $ " * 100_000,  # display math that never closes, many single $
        "$x\n" * 100_000,  # inline math that never closes
        "$a" * 100_000,
        "\\$" * 100_000,
        "`$x` " * 50_000,
    ],
)
def test_the_scan_is_linear(shape: str) -> None:
    started = time.process_time()
    mathtex.find_math(shape)
    # A scan that reread the rest of the text from each $ would take minutes here.
    assert time.process_time() - started < 10


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="$\\`a1 \n_*{}", max_size=80))
def test_formulas_are_well_formed(text: str) -> None:
    masked = mask_code(text)
    end = 0
    for formula in mathtex.find_math(text):
        assert formula.start >= end
        end = formula.end
        assert text[formula.start : formula.end] == formula.source
        assert masked[formula.start : formula.end] == formula.source  # no code inside
        assert formula.tex.strip()
        assert "\n\n" not in formula.tex.replace(" ", "")


# -- the converter on real formulas ----------------------------------------------------

ATTENTION = r"\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
LORA = r"h = W_0 x + BAx"
KL = r"D_{\mathrm{KL}}(P \parallel Q) = \sum_{x} P(x) \log \frac{P(x)}{Q(x)}"
DPO = (
    r"\mathcal{L}_{\mathrm{DPO}}(\pi_\theta; \pi_{\mathrm{ref}}) = "
    r"-\mathbb{E}_{(x, y_w, y_l) \sim \mathcal{D}}\left[\log \sigma\left("
    r"\beta \log \frac{\pi_\theta(y_w \mid x)}{\pi_{\mathrm{ref}}(y_w \mid x)}"
    r" - \beta \log \frac{\pi_\theta(y_l \mid x)}{\pi_{\mathrm{ref}}(y_l \mid x)}\right)\right]"
)


def _elements(html: str) -> list[tuple[str, str, dict[str, str | None]]]:
    """(namespace, name, attributes) of every element, parsed as a browser parses it."""
    found = []
    stack = [JustHTML(html, fragment=True, sanitize=False).root]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", "")
        if name and not name.startswith("#"):
            found.append((node.namespace, name, dict(node.attrs or {})))
        stack.extend(getattr(node, "children", None) or [])
    return found


def _text(html: str, element: str) -> list[str]:
    document = JustHTML(html, fragment=True, sanitize=False)
    return [node.to_text() for node in document.query(element)]


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (ATTENTION, {"mfrac", "msqrt", "msup", "msub", "mo"}),
        (LORA, {"msub", "mn", "mi", "mo"}),
        (KL, {"msub", "mfrac", "mo"}),
        (DPO, {"msub", "mfrac", "mo", "mi"}),
    ],
)
def test_real_formulas_convert_to_mathml(tex: str, expected: set[str]) -> None:
    html = mathtex.to_mathml(tex, display=True)
    elements = _elements(html)
    assert elements[0][:2] == ("math", "math") and elements[0][2]["display"] == "block"
    names = {name for namespace, name, _ in elements if namespace == "math"}
    assert expected | {"semantics", "annotation"} <= names
    assert all(namespace == "math" for namespace, _, _ in elements)
    assert _text(html, "annotation") == [tex]
    assert htmlpolicy.check_html(html) == []


def test_the_dpo_loss_keeps_its_symbols() -> None:
    html = mathtex.to_mathml(DPO)
    identifiers = _text(html, "mi")
    symbols = {
        r"\pi": "\N{GREEK SMALL LETTER PI}",
        r"\theta": "\N{GREEK SMALL LETTER THETA}",
        r"\beta": "\N{GREEK SMALL LETTER BETA}",
        r"\sigma": "\N{GREEK SMALL LETTER SIGMA}",
        r"\mathbb{E}": "\N{MATHEMATICAL DOUBLE-STRUCK CAPITAL E}",
        r"\mathcal{L}": "\N{SCRIPT CAPITAL L}",
        r"\mathcal{D}": "\N{MATHEMATICAL SCRIPT CAPITAL D}",
    }
    for tex, symbol in symbols.items():
        assert symbol in identifiers, tex
    assert "log" in identifiers
    assert 'display="inline"' in html


# -- the allowlist ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "tex",
    [
        r"\href{javascript:alert(1)}{x}",
        r"\href{https://example.org/}{x}",
        r"\style{background:url(javascript:alert(1))}{x}",
        r"\fcolorbox{red}{blue}{x}",
        r"\text{<img src=x onerror=alert(1)>}",
        r"\text{</math><script>alert(1)</script>}",
        r"\text{&lt;script&gt;alert(1)&lt;/script&gt;}",
        r"\mbox{<a href=javascript:alert(1)>x</a>}",
        r"\unicode{x3C}script\unicode{x3E}alert(1)",
        r'\color{red" onmouseover="alert(1)}{x}',
        r'\class{x" onclick="alert(1)}{x}',
        r"\class{md-header}{x}",
        r"\verb|<svg onload=alert(1)>|",
        r"\operatorname{<img src=x>}",
        r"\def\a{\a\a}\a",
        r"\newcommand{\a}{xx}\newcommand{\b}{\a\a}\newcommand{\c}{\b\b}\c",
        "x^{" * 400 + "y" + "}" * 400,
        "x" * (mathtex.MAX_FORMULA + 1),
    ],
)
def test_hostile_tex_is_refused_or_stays_inside_the_allowlist(tex: str) -> None:
    try:
        html = mathtex.to_mathml(tex)
    except mathtex.MathError:
        return
    assert htmlpolicy.check_html(html) == []
    for namespace, name, attrs in _elements(html):
        assert namespace == "math" and name in htmlpolicy.MATHML_ELEMENTS
        allowed = (
            htmlpolicy.GLOBAL_ATTRIBUTES
            | htmlpolicy.MATHML_GLOBAL_ATTRIBUTES
            | htmlpolicy.MATHML_ATTRIBUTES.get(name, frozenset())
        )
        assert set(attrs) <= allowed, (name, attrs)
        assert not any(a.startswith("on") or a in ("href", "style") for a in attrs)


@pytest.mark.parametrize(
    ("tex", "reason"),
    [
        (r"\href{javascript:alert(1)}{x}", "attribute href= on <mrow> is not allowed"),
        (r"\style{color:red}{x}", "attribute style= on <mrow> is not allowed"),
        (r"\fcolorbox{red}{blue}{x}", "attribute border-color= on <mpadded>"),
        (r"\left( x", r"a \left has no matching \right"),
        (r"\arg\min_\theta L", r"\arg is not a command the converter knows"),
        (r"\begin{aligned} a &= b \end{aligned}", "'&' outside an environment with columns"),
        (r"\newcommand{\R}{\mathbb{R}} \R", r"\newcommand defines a macro"),
        ("x^{" * 400 + "y" + "}" * 400, "it nests too deeply"),
        ("x" * 2001, "2,001 characters; the limit is 2,000"),
    ],
)
def test_why_a_formula_is_refused(tex: str, reason: str) -> None:
    with pytest.raises(mathtex.MathError) as raised:
        mathtex.to_mathml(tex)
    assert reason in str(raised.value)


def test_text_in_a_formula_stays_text() -> None:
    html = mathtex.to_mathml(r"\text{<b>x</b> & y}")
    assert _text(html, "mtext") == ["<b>x</b>\xa0&\xa0y"]  # spaces in \text are kept
    assert [name for _, name, _ in _elements(html)].count("b") == 0


def test_mathml_written_by_hand_is_judged_by_the_same_list() -> None:
    assert htmlpolicy.check_html('<math display="block"><mi>x</mi></math>') == []
    refused = {
        '<math><mi href="javascript:alert(1)">x</mi></math>': "href",
        '<math><mi onclick="alert(1)">x</mi></math>': "onclick",
        "<math><maction actiontype='toggle'><mi>x</mi></maction></math>": "maction",
        "<math><annotation-xml encoding='text/html'><img src=x></annotation-xml></math>": (
            "annotation-xml"
        ),
        '<math><mglyph src="https://example.org/x.png"></mglyph></math>': "mglyph",
        '<mi style="color:red">x</mi>': "mi",  # MathML elements belong under <math>
    }
    for html, needle in refused.items():
        messages = [v.message for v in htmlpolicy.check_html(html)]
        assert any(needle in m for m in messages), (html, messages)


# -- the Markdown extension ---------------------------------------------------------------


def _render(text: str) -> str:
    return markdown.Markdown(
        extensions=["conceptkb.math", "pymdownx.superfences", "tables", "attr_list"]
    ).convert(text)


def test_the_extension_renders_each_formula_it_finds() -> None:
    body = (
        "Train $a_1 * b_2 * c_3$ but *this* is emphasis; it costs \\$5.\n\n"
        "$$\nh = W_0 x + BAx\n$$\n\n"
        "| a | b |\n|---|---|\n| $x|y$ | `$z$` |\n\n"
        "```text\n$not math$\n```\n"
    )
    html = _render(body)
    maths = _text(html, "math")
    assert len(maths) == len(mathtex.find_math(body)) == 3
    elements = _elements(html)
    displays = [attrs["display"] for _, name, attrs in elements if name == "math"]
    assert displays == ["inline", "block", "inline"]
    assert [name for _, name, _ in elements].count("em") == 1  # only the one outside math
    assert _text(html, "annotation")[0] == "a_1 * b_2 * c_3"
    assert _text(html, "annotation")[2] == "x|y"  # the | did not split the table cell
    assert "it costs $5." in JustHTML(html, fragment=True, sanitize=False).to_text()
    assert _text(html, "code") == ["$z$", "$not math$"]
    assert htmlpolicy.check_html(html) == []


def test_a_formula_that_does_not_convert_is_shown_as_written() -> None:
    html = _render(r"Bad: $\left( x_1$ here.")
    [shown] = JustHTML(html, fragment=True, sanitize=False).query(f"span.{ERROR_CLASS}")
    assert shown.to_text() == r"$\left( x_1$"
    assert "<math" not in html and "<sub>" not in html


def test_the_extension_loads_by_name_and_registers_once() -> None:
    md = markdown.Markdown(extensions=["conceptkb.math", "conceptkb.math"])
    assert "conceptkb-math" in md.preprocessors
    assert md.ESCAPED_CHARS.count("$") == 1


# -- CK208 --------------------------------------------------------------------------------


def test_the_linter_reports_a_formula_at_its_opening_dollar(tmp_path: Path) -> None:
    concepts = tmp_path / "concepts"
    concepts.mkdir()
    body = (
        "## About\n\n"
        "Fine: $h = W_0 x + BAx$ and `$\\left($` in code, for $2 or $3.\n"
        "Broken: $\\left( x$ here.\n\n"
        "$$\n\\arg\\min_\\theta L\n$$\n\n"
        "A set $\\{x: y=1\\}$ and $a<b$ and $[[nowhere]]$ are math, not HTML or links.\n"
    )
    text = concept_text("Alpha", body=body)
    (concepts / "alpha.md").write_text(text, encoding="utf-8")
    result = lint(Settings(concepts_dir=concepts, base_dir=tmp_path))
    found = [(f.line, f.column, f.code, f.message) for f in result.findings]
    math = [f for f in found if f[2] == MATH_NOT_RENDERED]
    lines = text.split("\n")
    broken, display = lines.index("Broken: $\\left( x$ here.") + 1, lines.index("$$") + 1
    assert [(line, column) for line, column, _, _ in math] == [(broken, 9), (display, 1)]
    assert math[0][3] == r"formula $\left( x$ cannot be rendered: a \left has no matching \right"
    assert r"$$\arg\min_\theta L$$" in math[1][3]
    assert {code for _, _, code, _ in found} <= {MATH_NOT_RENDERED, "CK304"}


def test_math_is_limited_per_body() -> None:
    body = "$x$ " * (limits.MAX_FORMULAS + 1)
    [excess] = limits.excesses(body, body, mathtex.find_math(body))
    assert (excess.line, excess.column) == (1, 4 * limits.MAX_FORMULAS + 1)
    long = "\n".join(f"$${'x' * 1_900}$$" for _ in range(11))
    [excess] = limits.excesses(long, long, mathtex.find_math(long))
    assert excess.line == 11 and "characters of math" in excess.message


# -- a real build -------------------------------------------------------------------------

REFERENCES = [{"title": "LoRA", "url": "https://arxiv.org/abs/2106.09685"}]


def test_a_build_renders_math_as_mathml(project: Project) -> None:
    project.concept(
        "lora",
        "LoRA",
        summary="LoRA adds $BA$ to a frozen weight matrix.",
        references=REFERENCES,
        body="## How it works\n\nLoRA computes $h = W_0 x + BAx$.\n\n"
        "$$\n\\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V\n$$\n\n"
        "It costs \\$5.\n",
    )
    built = project.build()
    assert built.ok, built.error + built.log
    page = JustHTML(
        (built.site_dir / "concepts/lora/index.html").read_text("utf-8"), sanitize=False
    )
    [body] = page.query(".ck-body")
    maths = body.query("math")
    assert [m.attrs["display"] for m in maths] == ["inline", "block"]
    assert all(m.namespace == "math" for m in maths)
    assert body.query("annotation")[0].to_text() == "h = W_0 x + BAx"
    assert all(body.query(name) for name in ("msub", "mfrac", "msqrt"))
    # No $ is left but the escaped one: the annotations hold the TeX without delimiters.
    assert "It costs $5." in body.to_text() and body.to_text().count("$") == 1
    # The summary is plain text: shown as written.
    assert page.query(".ck-summary")[0].to_text() == "LoRA adds $BA$ to a frozen weight matrix."


def test_a_docs_page_formula_that_does_not_render_is_reported(project: Project) -> None:
    project.concept("lora", "LoRA", references=REFERENCES, body="## How\n\nText.\n")
    project.write("docs/index.md", "# Home\n\nSee $x$.\n")
    project.write("docs/guide.md", "---\ntitle: Guide\n---\n# Guide\n\nBad $\\arg x$.\n")
    built = project.build()
    assert not built.ok
    assert "guide.md:6:5: CK208 formula $\\arg x$ cannot be rendered" in built.log
