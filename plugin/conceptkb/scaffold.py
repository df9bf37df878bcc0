"""``conceptkb new``: a new concept file from the template, placeholders marked FIXME."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conceptkb.checker import PLACEHOLDER_TEXT

TEMPLATE = """\
---
title: {title}
summary: >-
  {fixme} One or two plain-text sentences saying what {title_text} is,
  ending with a full stop.
# aliases: other names readers may search for; delete the block if there are none.
aliases:
  - {fixme} another name
category: {category}  # one of: {categories}
tags: []
broader: []  # ids of concepts this one is a kind or part of, e.g. [peft]
related: []  # ids of related concepts
reviewed: {reviewed}  # the day the entry was last checked against its sources
references:
  - title: "{fixme} the title of the primary source"
    authors: ["{fixme} First Author", "Second Author"]
    year: {year}
    url: https://arxiv.org/abs/{fixme}
---
## How it works

{fixme} Explain the mechanism in plain, precise sentences. Link other concepts
with `[[id]]` or `[[id|label]]`.

## When to use it

{fixme} The situations where it is the right tool, and its costs.

## When not to use it

{fixme} The alternatives that are cheaper or safer, with links to them.
"""


_KEY = re.compile(r"^\s*(?:- )?([a-z_]+):")


@dataclass(frozen=True)
class Placeholder:
    line: int
    what: str


def render(
    title: str, category: str, categories: Sequence[str], year: int, reviewed: datetime.date
) -> str:
    """The template filled with a title and the review date (the knowledge base's date);
    every part left to write holds FIXME."""
    return TEMPLATE.format(
        title=json.dumps(title, ensure_ascii=False),
        title_text=title,
        category=category,
        categories=", ".join(categories),
        year=year,
        reviewed=reviewed.isoformat(),
        fixme=PLACEHOLDER_TEXT,
    )


def placeholders(text: str) -> list[Placeholder]:
    """Where the contributor has something to fill in, by line."""
    found = []
    section = "front matter"
    key = ""
    in_front_matter = False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip() == "---":
            in_front_matter = number == 1
            continue
        if in_front_matter:
            top = _KEY.match(line)
            if top and not line.startswith(" "):
                key = top.group(1)
            elif top:
                key = f"{key.split('.')[0]}.{top.group(1)}"
        elif line.startswith("## "):
            section = f"section '{line[3:]}'"
        if PLACEHOLDER_TEXT in line:
            found.append(Placeholder(number, key if in_front_matter else section))
    return found


def write(path: Path, content: str) -> None:
    """Write a new file; refuses to overwrite one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(content)
