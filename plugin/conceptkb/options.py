"""The one declaration of conceptkb's options: names, defaults, meaning and checks.

The CLI (reading ``mkdocs.yml`` itself), the generator and the MkDocs plugin (whose
config class is made from this table) all validate options here, so a value means
the same everywhere and an error reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conceptkb.rules import RuleConfigError, resolve_severities

DEFAULT_CATEGORIES = ("technique", "method-family", "concept", "risk", "model", "practice")
DEFAULT_MAX_FILE_SIZE = 1024 * 1024


class OptionError(ValueError):
    """An option's value cannot be used; the message says which option and why."""


@dataclass(frozen=True)
class Option:
    """One option: its default, what it means, and how its value is checked."""

    name: str
    default: Any
    help: str
    check: Callable[[Any], Any]
    """Returns the value to use, or raises :class:`OptionError` (without the name)."""


def _path(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OptionError("must be a path")
    return value


def _site_path(value: Any) -> str:
    text = value.strip("/") if isinstance(value, str) else None
    segments = text.split("/") if text else []
    if not segments or not all(
        s and all(ch.islower() or ch.isdigit() or ch == "-" for ch in s) for s in segments
    ):
        raise OptionError(f"{value!r} is not a site path of lowercase segments such as 'concepts'")
    return "/".join(segments)


def _categories(value: Any) -> tuple[str, ...]:
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(c, str) and c.strip() for c in value)
    ):
        raise OptionError("must be a non-empty list of names")
    if len(set(value)) != len(value):
        raise OptionError("lists a name twice")
    return tuple(value)


def _severity(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise OptionError("must be a mapping of rule code to error, warning, info or off")
    overrides: dict[str, str] = {}
    for key, level in value.items():
        if level is False:
            # YAML 1.1 reads an unquoted `off` (and `no`, `false`) as false.
            level = "off"
        if not isinstance(level, str):
            raise OptionError(
                f'{key}: {level!r} is not error, warning, info or off (quote it: {key}: "off")'
            )
        overrides[str(key)] = level
    try:
        resolve_severities(overrides)
    except RuleConfigError as error:
        raise OptionError(str(error)) from error
    return overrides


def _positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise OptionError("must be a positive whole number")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise OptionError("must be a whole number, 0 or more")
    return value


MAX_REVIEW_PERIOD = 1200
"""A hundred years: a longer period is a typo."""


def _months(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_REVIEW_PERIOD:
        raise OptionError(f"must be a whole number of months from 0 (off) to {MAX_REVIEW_PERIOD}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise OptionError("must be true or false")
    return value


def _number(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise OptionError("must be a positive number")
    return float(value)


OPTIONS: tuple[Option, ...] = (
    Option("concepts_dir", "concepts", "Folder of concept files, relative to mkdocs.yml.", _path),
    Option(
        "url_prefix",
        "concepts",
        "Site path of concept pages, the index, tag and category pages.",
        _site_path,
    ),
    Option(
        "categories",
        list(DEFAULT_CATEGORIES),
        "The category vocabulary: every concept's `category` must be one of these.",
        _categories,
    ),
    Option(
        "severity",
        {},
        "Rule severity overrides by code, prefix or name: `{CK301: error}`.",
        _severity,
    ),
    Option(
        "max_file_size",
        DEFAULT_MAX_FILE_SIZE,
        "Concept files larger than this many bytes are refused (CK003).",
        _positive_int,
    ),
    Option(
        "nav_threshold",
        100,
        "List every concept in the navigation only when there are at most this many.",
        _count,
    ),
    Option(
        "baseline",
        "conceptkb-baseline.json",
        "File of accepted findings (conceptkb lint --write-baseline), relative to mkdocs.yml;"
        " used when it exists.",
        _path,
    ),
    Option(
        "review_period_months",
        12,
        "An entry whose `reviewed` date is more than this many months before the knowledge"
        " base's date, or that was never reviewed, is reported (CK305, info); 0 turns that off.",
        _months,
    ),
    Option(
        "show_drafts",
        False,
        "List concepts with `status: draft` in the index, search and map, as stable ones are.",
        _flag,
    ),
    Option(
        "search_boost",
        2.0,
        "Search boost of concept pages, so they rank above pages that mention a term.",
        _number,
    ),
    Option(
        "serve_polling",
        False,
        "Under `serve`, poll the concepts folder twice a second, as MkDocs polls docs/,"
        " instead of using the system's file notifications: for a folder whose changes"
        " send none (some network, virtual machine and container mounts).",
        _flag,
    ),
)
OPTIONS_BY_NAME = {option.name: option for option in OPTIONS}


def check_options(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every option's value (defaults filled in), checked; unknown names are errors."""
    unknown = sorted(set(raw) - set(OPTIONS_BY_NAME))
    if unknown:
        raise OptionError(
            f"unknown option {unknown[0]!r}: the options are {', '.join(OPTIONS_BY_NAME)}"
        )
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = raw.get(option.name, option.default)
        try:
            values[option.name] = option.check(value)
        except OptionError as error:
            raise OptionError(f"{option.name}: {error}") from None
    return values
