"""The lint rules: stable codes, names, default severities and descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conceptkb.diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """A lint rule.

    ``fixed`` rules guard the integrity of the knowledge base (an entry that breaks
    them cannot be rendered, or would be unsafe to render): their severity cannot be
    relaxed in the configuration.
    """

    code: str
    name: str
    severity: Severity
    description: str
    fixed: bool = True


RULES: tuple[Rule, ...] = (
    Rule("CK001", "not-utf8-text", E, "The file is not UTF-8 text (bad bytes, NUL bytes, UTF-16)."),
    Rule("CK002", "empty-file", E, "The file is empty."),
    Rule("CK003", "file-too-large", E, "The file is larger than the configured limit."),
    Rule("CK004", "front-matter-missing", E, "The file does not start with a '---' line."),
    Rule("CK005", "front-matter-unterminated", E, "The front matter has no closing '---' line."),
    Rule("CK006", "yaml-syntax", E, "The front matter is not valid YAML."),
    Rule("CK007", "front-matter-not-mapping", E, "The front matter is not a mapping of fields."),
    Rule("CK008", "duplicate-key", E, "A key appears twice in one YAML mapping."),
    Rule("CK009", "yaml-tag-or-anchor", E, "YAML tags, anchors and aliases are refused."),
    Rule(
        "CK010", "unreadable-file", E, "The path is not a regular file inside the knowledge base."
    ),
    Rule("CK011", "yaml-too-deep", E, "The front matter nests deeper than any field allows."),
    Rule(
        "CK012",
        "body-limits",
        E,
        "The body exceeds a limit that keeps rendering bounded (line length, '[' per"
        " paragraph, nesting depth).",
    ),
    Rule("CK101", "missing-field", E, "A required field is missing."),
    Rule("CK102", "unknown-field", E, "A field is not part of the concept format."),
    Rule("CK103", "invalid-value", E, "A field has a value of the wrong type or form."),
    Rule("CK104", "unknown-concept", E, "'broader' or 'related' names an unknown concept id."),
    Rule("CK105", "self-reference", E, "'broader' or 'related' names the concept itself."),
    Rule("CK106", "broader-cycle", E, "'broader' links form a cycle."),
    Rule("CK107", "invalid-id", E, "The file name is not a valid concept id."),
    Rule("CK108", "duplicate-id", E, "Two concepts share an id (former ids included)."),
    Rule("CK109", "name-collision", E, "A title or alias collides with another name."),
    Rule("CK111", "url-collision", E, "Two generated pages or redirects would share one URL."),
    Rule(
        "CK112",
        "invisible-character",
        E,
        "A title or alias holds an invisible or bidirectional control character.",
    ),
    Rule(
        "CK113",
        "confusable-names",
        E,
        "Two names look the same (equal Unicode TR39 confusable skeletons).",
    ),
    Rule(
        "CK114",
        "url-too-long",
        E,
        "A URL path segment made from a name is longer than the byte limit.",
    ),
    Rule(
        "CK110", "placeholder", E, "Template placeholder text (FIXME) is still there.", fixed=False
    ),
    Rule("CK201", "unknown-wikilink", E, "A wikilink names no known concept.", fixed=False),
    Rule("CK202", "ambiguous-wikilink", E, "A wikilink names several concepts.", fixed=False),
    Rule(
        "CK203",
        "unsafe-html",
        E,
        "The body holds an HTML element or attribute outside the allowlist.",
    ),
    Rule("CK204", "unsafe-url", E, "A URL whose scheme is not http, https or mailto."),
    Rule(
        "CK205",
        "markup-in-text",
        E,
        "A title, summary, alias or reference field holds HTML markup or character references.",
    ),
    Rule(
        "CK206",
        "reserved-html-id",
        E,
        "An element id in the body would shadow the theme's own (__config, __md_*, ck-*).",
    ),
    Rule(
        "CK207",
        "render-failed",
        E,
        "The body could not be rendered (too deep, too slow, or the file system refused).",
    ),
    Rule("CK301", "orphan", W, "No other concept links to this one.", fixed=False),
    Rule("CK302", "summary-not-plain", W, "The summary holds Markdown or HTML.", fixed=False),
    Rule(
        "CK303",
        "summary-no-full-stop",
        W,
        "The summary does not end with a full stop.",
        fixed=False,
    ),
    Rule("CK304", "no-references", W, "The concept cites no references.", fixed=False),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

OFF = "off"
SEVERITY_CHOICES = ("error", "warning", OFF)


class RuleConfigError(ValueError):
    """A severity override that names no rule or relaxes a fixed rule."""


def resolve_severities(overrides: Mapping[str, str]) -> dict[str, Severity | None]:
    """Apply overrides to the default severities; ``None`` means the rule is off.

    A key names one rule by code or name, or selects by prefix every rule whose code
    starts with it (``CK3`` selects CK301-CK304); longer keys win over shorter ones.
    A prefix leaves fixed rules alone; naming a fixed rule to relax it is an error.
    """
    result: dict[str, Severity | None] = {rule.code: rule.severity for rule in RULES}
    by_name = {rule.name: rule.code for rule in RULES}
    for key in sorted(overrides, key=lambda k: (k in by_name, len(k))):
        value = overrides[key]
        if value not in SEVERITY_CHOICES:
            raise RuleConfigError(
                f"severity of {key!r} must be one of {', '.join(SEVERITY_CHOICES)}, not {value!r}"
            )
        exact = key in by_name or key in RULES_BY_CODE
        codes = [by_name.get(key, key)] if exact else [c for c in result if c.startswith(key)]
        if not codes:
            raise RuleConfigError(f"{key!r} selects no rule (see 'conceptkb rules')")
        for code in codes:
            rule = RULES_BY_CODE[code]
            if not rule.fixed or value == rule.severity.value:
                result[code] = None if value == OFF else Severity(value)
            elif exact:
                raise RuleConfigError(
                    f"{code} ({rule.name}) guards the knowledge base's integrity;"
                    " its severity cannot be changed"
                )
    return result
