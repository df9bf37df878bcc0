"""YAML syntax errors in a contributor's words.

PyYAML says "found character that cannot start any token" for a tab and "did not
find expected key while parsing a block mapping" for a key indented one space too
far. This module looks at the front matter around the error and says what is wrong
in terms of what was written (a tab, an indentation that differs from its siblings,
a quote or bracket that is never closed, with the line where it opened), keeping the
parser's own words as a second sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_KEY = re.compile(r"( *)(?:- +)?([^\s:#'\"\[\]{},][^:#]*?)[ \t]*:(?:[ \t]|$)")


@dataclass(frozen=True)
class Explained:
    """A YAML error at a 0-based line and column of the front matter, in plain words."""

    line: int
    column: int
    message: str


def explain(yaml_text: str, error: yaml.MarkedYAMLError) -> Explained:
    """The error, said as a contributor would understand it."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = yaml_text.split("\n")
    problem = error.problem or "invalid YAML"
    context = error.context or ""
    parser_says = f"YAML says: {problem}{f' {context}' if context else ''}"

    tab = _tab_in_indentation(lines, line)
    if tab is not None:
        return Explained(
            tab,
            lines[tab].index("\t"),
            f"tab character in YAML indentation: use spaces. {parser_says}",
        )
    opened = error.context_mark
    if "quoted scalar" in context and opened is not None:
        return Explained(
            opened.line,
            opened.column,
            f"unclosed quote: the text that opens with {_char(lines, opened)} on line"
            f" {opened.line + 2} never ends. {parser_says}",
        )
    if ("flow sequence" in context or "flow mapping" in context) and opened is not None:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        return Explained(
            opened.line,
            opened.column,
            f"unclosed bracket: the '{bracket}' on line {opened.line + 2} has no matching"
            f" '{closing}' on its line or after it. {parser_says}",
        )
    indented = _indentation(lines, line)
    if indented is not None:
        key_line, key, own, siblings = indented
        return Explained(
            key_line,
            own,
            f"indentation: {key!r} is indented {own} space{'s' if own != 1 else ''}, its"
            f" siblings {siblings}. {parser_says}",
        )
    if "mapping values are not allowed" in problem:
        return Explained(
            line,
            column,
            f"a value holds ': ' (a colon and a space): put the value in quotes. {parser_says}",
        )
    return Explained(line, column, f"invalid YAML: {problem}{f' {context}' if context else ''}")


def _char(lines: list[str], mark: yaml.Mark) -> str:
    text = lines[mark.line] if mark.line < len(lines) else ""
    return repr(text[mark.column]) if mark.column < len(text) else "a quote"


def _tab_in_indentation(lines: list[str], near: int) -> int | None:
    """A line at or before ``near`` whose indentation holds a tab."""
    for number in range(min(near, len(lines) - 1), max(-1, near - 3), -1):
        text = lines[number]
        indentation = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indentation:
            return number
    return None


def _indentation(lines: list[str], near: int) -> tuple[int, str, int, int] | None:
    """(line, key, its indentation, its siblings' indentation) for a key whose
    indentation differs from the keys around it, looking at and just before ``near``."""
    for number in range(min(near, len(lines) - 1), max(-1, near - 3), -1):
        match = _KEY.match(lines[number])
        if match is None:
            continue
        own = len(lines[number]) - len(lines[number].lstrip(" -"))
        previous = [
            len(text) - len(text.lstrip(" -"))
            for text in lines[:number]
            if _KEY.match(text) is not None
        ]
        if not previous:
            return None
        siblings = min(previous, key=lambda indent: (abs(indent - own), -indent))
        if siblings != own:
            return number, match.group(2).strip(), own, siblings
    return None
