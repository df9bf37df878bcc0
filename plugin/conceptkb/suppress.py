"""Gradual adoption: findings silenced in a file's front matter, or accepted in a baseline.

A knowledge base that adopts conceptkb (or a release that adds rules) need not fix
everything at once. A file may silence a configurable rule for itself, with a reason
(``ignore: {CK301: linked from the guide only}``); a baseline file lists the findings
accepted when it was written (``conceptkb lint --write-baseline``), and later runs report
only findings that are not in it. Rules that guard integrity (``fixed``) are never
silenced. Both the linter and the build apply the same suppressions, and the summary
says how many findings each one hid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from conceptkb.diagnostics import Finding, Severity
from conceptkb.rules import RULES, RULES_BY_CODE

BASELINE_VERSION = 1
_BY_NAME = {rule.name: rule.code for rule in RULES}


class BaselineError(ValueError):
    """The baseline file cannot be used."""


def rule_code(key: str) -> str | None:
    """The code a rule key (code or name) selects, or None."""
    if key in RULES_BY_CODE:
        return key
    return _BY_NAME.get(key)


def silenceable(code: str) -> bool:
    return not RULES_BY_CODE[code].fixed


@dataclass(frozen=True)
class Counts:
    """How many findings were hidden, and by what."""

    front_matter: int = 0
    baseline: int = 0

    def describe(self) -> str:
        parts = []
        if self.front_matter:
            parts.append(f"{self.front_matter} silenced in front matter")
        if self.baseline:
            parts.append(f"{self.baseline} in the baseline")
        return f" ({', '.join(parts)})" if parts else ""


def _key(finding: Finding, config_dir: Path, base_dir: Path) -> tuple[str, str, str]:
    path = (base_dir / finding.path).resolve()
    try:
        shown = path.relative_to(config_dir.resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return (shown, finding.code, finding.message)


def read_baseline(path: Path) -> set[tuple[str, str, str]]:
    """The accepted findings in a baseline file, as (path, code, message)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(e["path"], e["code"], e["message"]) for e in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"{path}: not a conceptkb baseline ({error})") from error


def write_baseline(
    path: Path, findings: Iterable[Finding], config_dir: Path, base_dir: Path
) -> int:
    """Write every silenceable finding to ``path``; returns how many.

    Info findings are left out: they fail nothing, so there is nothing to accept, and a
    note such as "never reviewed" should stay in sight until the entry is dealt with."""
    keys = sorted(
        {
            _key(f, config_dir, base_dir)
            for f in findings
            if silenceable(f.code) and f.severity is not Severity.INFO
        }
    )
    data = {
        "version": BASELINE_VERSION,
        "findings": [{"path": p, "code": c, "message": m} for p, c, m in keys],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(keys)


@dataclass(frozen=True)
class Suppressor:
    """The front-matter silences (path -> {code: reason}) and the baseline of one run;
    the linter and the build's own checks ask it the same question."""

    ignored: Mapping[str, Mapping[str, str]]
    baseline: frozenset[tuple[str, str, str]]
    config_dir: Path
    base_dir: Path

    def why(self, finding: Finding) -> str | None:
        """'front matter' or 'baseline' when the finding is hidden, else None."""
        if not silenceable(finding.code):
            return None
        if finding.code in self.ignored.get(finding.path, {}):
            return "front matter"
        if self.baseline and _key(finding, self.config_dir, self.base_dir) in self.baseline:
            return "baseline"
        return None

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], Counts]:
        """The findings left, and how many each kind of suppression removed."""
        kept: list[Finding] = []
        inline = accepted = 0
        for finding in findings:
            why = self.why(finding)
            if why is None:
                kept.append(finding)
            elif why == "front matter":
                inline += 1
            else:
                accepted += 1
        return kept, Counts(inline, accepted)
