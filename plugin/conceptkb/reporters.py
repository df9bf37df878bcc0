"""Reporters: the same findings as text, JSON or GitHub workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from conceptkb.diagnostics import Finding

Reporter = Callable[[Sequence[Finding], str], str]


def text(findings: Sequence[Finding], summary: str) -> str:
    """``path:line:col: CODE message`` per finding, then the summary line."""
    lines = [f"{f.location()}: {f.code} {f.message}" for f in findings]
    lines.append(summary)
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], summary: str) -> str:
    """A JSON list of ``{path, line, column, code, severity, message}``."""
    records = [
        {
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
        }
        for f in findings
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], summary: str) -> str:
    """GitHub Actions workflow commands, which annotate the pull request's diff."""
    lines = [
        f"::{f.severity.value} file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"title={f.code}::{_escape_data(f.message)}"
        for f in findings
    ]
    lines.append(summary)
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github}
