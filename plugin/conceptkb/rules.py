"""The lint rules: stable codes, names, default severities and descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conceptkb.diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING

# Rule codes, named: code refers to rules by these, never by string literals.
NOT_UTF8_TEXT = "CK001"
EMPTY_FILE = "CK002"
FILE_TOO_LARGE = "CK003"
FRONT_MATTER_MISSING = "CK004"
FRONT_MATTER_UNTERMINATED = "CK005"
YAML_SYNTAX = "CK006"
FRONT_MATTER_NOT_MAPPING = "CK007"
DUPLICATE_KEY = "CK008"
YAML_TAG_OR_ANCHOR = "CK009"
UNREADABLE_FILE = "CK010"
YAML_TOO_DEEP = "CK011"
BODY_LIMITS = "CK012"
MISSING_FIELD = "CK101"
UNKNOWN_FIELD = "CK102"
INVALID_VALUE = "CK103"
UNKNOWN_CONCEPT = "CK104"
SELF_REFERENCE = "CK105"
BROADER_CYCLE = "CK106"
INVALID_ID = "CK107"
DUPLICATE_ID = "CK108"
NAME_COLLISION = "CK109"
URL_COLLISION = "CK111"
INVISIBLE_CHARACTER = "CK112"
CONFUSABLE_NAMES = "CK113"
URL_TOO_LONG = "CK114"
PLACEHOLDER = "CK110"
SUCCESSOR_MISMATCH = "CK115"
UNKNOWN_WIKILINK = "CK201"
AMBIGUOUS_WIKILINK = "CK202"
UNSAFE_HTML = "CK203"
UNSAFE_URL = "CK204"
MARKUP_IN_TEXT = "CK205"
RESERVED_HTML_ID = "CK206"
RENDER_FAILED = "CK207"
MATH_NOT_RENDERED = "CK208"
ORPHAN = "CK301"
SUMMARY_NOT_PLAIN = "CK302"
SUMMARY_NO_FULL_STOP = "CK303"
NO_REFERENCES = "CK304"
STALE_ENTRY = "CK305"
REVIEWED_AFTER_KB_DATE = "CK306"
UNLINKED_MENTION = "CK307"


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
    Rule(
        NOT_UTF8_TEXT,
        "not-utf8-text",
        E,
        "The file is not UTF-8 text (bad bytes, NUL bytes, UTF-16).",
    ),
    Rule(EMPTY_FILE, "empty-file", E, "The file is empty."),
    Rule(FILE_TOO_LARGE, "file-too-large", E, "The file is larger than the configured limit."),
    Rule(
        FRONT_MATTER_MISSING,
        "front-matter-missing",
        E,
        "The file does not start with a '---' line.",
    ),
    Rule(
        FRONT_MATTER_UNTERMINATED,
        "front-matter-unterminated",
        E,
        "The front matter has no closing '---' line.",
    ),
    Rule(YAML_SYNTAX, "yaml-syntax", E, "The front matter is not valid YAML."),
    Rule(
        FRONT_MATTER_NOT_MAPPING,
        "front-matter-not-mapping",
        E,
        "The front matter is not a mapping of fields.",
    ),
    Rule(DUPLICATE_KEY, "duplicate-key", E, "A key appears twice in one YAML mapping."),
    Rule(
        YAML_TAG_OR_ANCHOR, "yaml-tag-or-anchor", E, "YAML tags, anchors and aliases are refused."
    ),
    Rule(
        UNREADABLE_FILE,
        "unreadable-file",
        E,
        "The path is not a regular file inside the knowledge base.",
    ),
    Rule(YAML_TOO_DEEP, "yaml-too-deep", E, "The front matter nests deeper than any field allows."),
    Rule(
        BODY_LIMITS,
        "body-limits",
        E,
        "The body exceeds a limit that keeps rendering bounded (line length, '[' per"
        " paragraph, nesting depth, amount of math).",
    ),
    Rule(MISSING_FIELD, "missing-field", E, "A required field is missing."),
    Rule(UNKNOWN_FIELD, "unknown-field", E, "A field is not part of the concept format."),
    Rule(INVALID_VALUE, "invalid-value", E, "A field has a value of the wrong type or form."),
    Rule(
        UNKNOWN_CONCEPT,
        "unknown-concept",
        E,
        "'broader', 'related' or 'superseded_by' names an unknown concept id.",
    ),
    Rule(
        SELF_REFERENCE,
        "self-reference",
        E,
        "'broader', 'related' or 'superseded_by' names the concept itself.",
    ),
    Rule(BROADER_CYCLE, "broader-cycle", E, "'broader' links form a cycle."),
    Rule(INVALID_ID, "invalid-id", E, "The file name is not a valid concept id."),
    Rule(DUPLICATE_ID, "duplicate-id", E, "Two concepts share an id (former ids included)."),
    Rule(NAME_COLLISION, "name-collision", E, "A title or alias collides with another name."),
    Rule(
        URL_COLLISION, "url-collision", E, "Two generated pages or redirects would share one URL."
    ),
    Rule(
        INVISIBLE_CHARACTER,
        "invisible-character",
        E,
        "A title or alias holds an invisible or bidirectional control character.",
    ),
    Rule(
        CONFUSABLE_NAMES,
        "confusable-names",
        E,
        "Two names look the same (equal Unicode TR39 confusable skeletons).",
    ),
    Rule(
        URL_TOO_LONG,
        "url-too-long",
        E,
        "A URL path segment made from a name is longer than the byte limit.",
    ),
    Rule(
        PLACEHOLDER,
        "placeholder",
        E,
        "Template placeholder text (FIXME) is still there.",
        fixed=False,
    ),
    Rule(
        SUCCESSOR_MISMATCH,
        "successor-mismatch",
        W,
        "A deprecated concept names no successor in 'superseded_by', or a concept that is not"
        " deprecated names one.",
        fixed=False,
    ),
    Rule(
        UNKNOWN_WIKILINK, "unknown-wikilink", E, "A wikilink names no known concept.", fixed=False
    ),
    Rule(
        AMBIGUOUS_WIKILINK,
        "ambiguous-wikilink",
        E,
        "A wikilink names several concepts.",
        fixed=False,
    ),
    Rule(
        UNSAFE_HTML,
        "unsafe-html",
        E,
        "The body holds an HTML element or attribute outside the allowlist.",
    ),
    Rule(UNSAFE_URL, "unsafe-url", E, "A URL whose scheme is not http, https or mailto."),
    Rule(
        MARKUP_IN_TEXT,
        "markup-in-text",
        E,
        "A title, summary, alias or reference field holds HTML markup or character references.",
    ),
    Rule(
        RESERVED_HTML_ID,
        "reserved-html-id",
        E,
        "An element id in the body would shadow the theme's own (__config, __md_*, ck-*).",
    ),
    Rule(
        RENDER_FAILED,
        "render-failed",
        E,
        "The body could not be rendered (too deep, too slow, or the file system refused).",
    ),
    Rule(
        MATH_NOT_RENDERED,
        "math-not-rendered",
        E,
        "A $...$ or $$...$$ formula does not convert to MathML (a TeX error, an unknown"
        " command, or output outside the allowlist): the page would show its TeX.",
        fixed=False,
    ),
    Rule(ORPHAN, "orphan", W, "No other concept links to this one.", fixed=False),
    Rule(
        SUMMARY_NOT_PLAIN,
        "summary-not-plain",
        W,
        "The summary holds Markdown or HTML.",
        fixed=False,
    ),
    Rule(
        SUMMARY_NO_FULL_STOP,
        "summary-no-full-stop",
        W,
        "The summary does not end with a full stop.",
        fixed=False,
    ),
    Rule(NO_REFERENCES, "no-references", W, "The concept cites no references.", fixed=False),
    Rule(
        STALE_ENTRY,
        "stale-entry",
        Severity.INFO,
        "A stable concept was never reviewed, or its 'reviewed' date is more than"
        " review_period_months before the knowledge base's date.",
        fixed=False,
    ),
    Rule(
        REVIEWED_AFTER_KB_DATE,
        "reviewed-after-kb-date",
        W,
        "The 'reviewed' date is after the knowledge base's date (a typo?).",
        fixed=False,
    ),
    Rule(
        UNLINKED_MENTION,
        "unlinked-mention",
        Severity.INFO,
        "The body names another concept (its title or an alias) without linking it: the"
        " first such mention of each concept, with the wikilink to write"
        " ('conceptkb lint --fix-mentions' writes it).",
        fixed=False,
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

OFF = "off"
SEVERITY_CHOICES = ("error", "warning", "info", OFF)


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
