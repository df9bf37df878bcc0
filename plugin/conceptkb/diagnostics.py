"""The one diagnostic record that checking code produces and reporters print."""

from __future__ import annotations

import enum
from typing import NamedTuple


class Severity(str, enum.Enum):
    """How much a finding matters.

    Errors fail the lint and the build; warnings fail a strict build
    (``mkdocs build --strict``); info findings (notes) are shown and fail nothing.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Finding(NamedTuple):
    """One problem in one file, at a 1-based line and column.

    A named tuple: a lint at N = 10,000 makes, hashes and sorts 20,000 of them, and a
    tuple does each in C (a frozen dataclass did each in Python)."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def location(self) -> str:
        """``path:line:col``, the prefix every text diagnostic starts with."""
        return f"{self.path}:{self.line}:{self.column}"
