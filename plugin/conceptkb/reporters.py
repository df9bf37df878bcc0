"""Reporters: the same findings as text, JSON, SARIF 2.1.0 or GitHub workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from conceptkb import __version__
from conceptkb.diagnostics import Finding, Severity
from conceptkb.rules import RULES

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


GITHUB_SHOWN = 10
"""Annotations of each kind (errors, warnings, notices) GitHub shows for one step."""


def github(findings: Sequence[Finding], summary: str) -> str:
    """GitHub Actions workflow commands, which annotate the pull request's diff.

    Every finding is printed. GitHub shows only the first 10 errors, 10 warnings and
    10 notices of a step: when there are more, a line says how many were beyond that, and
    :func:`github_summary` gives the full list for the job summary."""
    lines = [
        f"::{_GITHUB_COMMAND[f.severity]} file={_escape_property(f.path)},line={f.line},"
        f"col={f.column},title={f.code}::{_escape_data(f.message)}"
        for f in findings
    ]
    beyond = _beyond_github_limit(findings)
    if beyond:
        lines.append(
            f"{beyond} finding{'s' if beyond != 1 else ''} beyond GitHub's limit of"
            f" {_GITHUB_LIMIT} per step are not shown as annotations: see the job summary"
            " for all of them"
        )
    lines.append(summary)
    return "\n".join(lines) + "\n"


_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
"""The workflow command of each severity: info findings are notices."""
_GITHUB_LIMIT = f"{GITHUB_SHOWN} errors, {GITHUB_SHOWN} warnings and {GITHUB_SHOWN} notices"


def _beyond_github_limit(findings: Sequence[Finding]) -> int:
    """Findings GitHub does not annotate: it shows the first 10 of each command."""
    return sum(
        max(0, sum(f.severity is severity for f in findings) - GITHUB_SHOWN)
        for severity in Severity
    )


def github_summary(findings: Sequence[Finding], summary: str) -> str | None:
    """Markdown for ``$GITHUB_STEP_SUMMARY`` when findings exceed what GitHub annotates."""
    if not _beyond_github_limit(findings):
        return None
    rows = [
        f"| `{f.location()}` | {f.code} | {f.severity.value} | {_cell(f.message)} |"
        for f in findings
    ]
    return "\n".join(
        [
            "## conceptkb lint",
            "",
            f"{summary}. GitHub annotates only the first {_GITHUB_LIMIT} of a step;"
            " every finding is listed here.",
            "",
            "| where | rule | severity | message |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif(findings: Sequence[Finding], summary: str) -> str:
    """A SARIF 2.1.0 log: one run, every rule with its metadata, one result per finding
    (read by GitHub code scanning and by editors' SARIF viewers)."""
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": rule.description},
            "help": {
                "text": f"{rule.description} See the rule table in docs/format.md.",
            },
            "defaultConfiguration": {"level": _level(rule.severity)},
            "properties": {"configurable": not rule.fixed},
        }
        for rule in RULES
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _level(f.severity),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "conceptkb",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _level(severity: Severity) -> str:
    """SARIF's ``level``: ``note`` for info findings."""
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[severity]


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}
