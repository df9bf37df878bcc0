"""The one diagnostic record that checking code produces and reporters print."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How much a finding matters.

    Errors fail the lint and the build; warnings fail a strict build
    (``mkdocs build --strict``); info findings (notes) are shown and fail nothing.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True, slots=True)
class Finding:
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def location(self) -> str:
        """``path:line:col``, the prefix every text diagnostic starts with."""
        return f"{self.path}:{self.line}:{self.column}"
