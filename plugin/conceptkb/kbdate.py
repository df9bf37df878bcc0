"""The knowledge base's own date: what the age of a review is measured against.

The wall clock is never read, so the same commit always lints and builds the same
way. The date is the first of:

1. ``SOURCE_DATE_EPOCH``, when set (the reproducible-builds convention): its UTC date;
2. the committer date of the last commit of the git repository that holds the
   concepts folder (``git log -1 --format=%cI``), as the committer's calendar date;
3. the newest ``reviewed`` date in the knowledge base, when git is missing, the
   folder is not in a repository, or the repository has no commit yet.

There is none when the knowledge base has no ``reviewed`` date either.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENT = "SOURCE_DATE_EPOCH"
GIT_TIMEOUT = 10.0
"""Seconds git may take to name the last commit's date before it is given up on."""

FROM_ENVIRONMENT = "SOURCE_DATE_EPOCH"
FROM_GIT = "the last commit"
FROM_REVIEWS = "the newest reviewed date"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class KbDateError(ValueError):
    """``SOURCE_DATE_EPOCH`` is set to something that is not a date."""


@dataclass(frozen=True)
class KbDate:
    """The knowledge base's date and where it comes from."""

    date: datetime.date
    source: str
    """``FROM_ENVIRONMENT``, ``FROM_GIT`` or ``FROM_REVIEWS``."""

    def isoformat(self) -> str:
        """``2026-12-02``."""
        return self.date.isoformat()

    def __str__(self) -> str:
        """``2026-12-02 (the last commit)``."""
        return f"{self.isoformat()} ({self.source})"


def parse_date(text: object) -> datetime.date | None:
    """A ``YYYY-MM-DD`` calendar date, or None for anything else (``2024-02-30`` too)."""
    if not isinstance(text, str) or _DATE.fullmatch(text) is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def from_environment(environ: Mapping[str, str]) -> datetime.date | None:
    """The UTC date of ``SOURCE_DATE_EPOCH``; None when it is unset or empty."""
    value = environ.get(ENVIRONMENT, "").strip()
    if not value:
        return None
    try:
        seconds = int(value)
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise KbDateError(
            f"{ENVIRONMENT}={value!r} is not a date: it must be a whole number of seconds"
            " since 1970-01-01 UTC (as `git log -1 --format=%ct` prints), or unset"
        ) from None


def from_git(folder: Path, *, timeout: float = GIT_TIMEOUT) -> datetime.date | None:
    """The committer date of the last commit of the repository holding ``folder``;
    None without git, outside a repository, before the first commit, or on a timeout."""
    try:
        done = subprocess.run(
            # A configured log.showSignature would print signature checks first.
            ["git", "-c", "log.showSignature=false", "log", "-1", "--format=%cI"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        # The committer's own calendar day: what they would write as `reviewed`.
        return datetime.datetime.fromisoformat(done.stdout.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def knowledge_base_date(
    folder: Path,
    reviewed: Iterable[datetime.date],
    environ: Mapping[str, str] | None = None,
) -> KbDate | None:
    """The knowledge base's date (see the module's docstring for the order)."""
    found = from_environment(os.environ if environ is None else environ)
    if found is not None:
        return KbDate(found, FROM_ENVIRONMENT)
    found = from_git(folder)
    if found is not None:
        return KbDate(found, FROM_GIT)
    newest = max(reviewed, default=None)
    return None if newest is None else KbDate(newest, FROM_REVIEWS)


def months_before(date: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day when that
    month is shorter: 2026-03-31 minus one month is 2026-02-28)."""
    index = date.year * 12 + date.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(date.day, last_day))
