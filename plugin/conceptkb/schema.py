"""The concept JSON Schema: loading it, and turning its errors into findings.

Validation has two paths: a compiled validator (jsonschema-rs, in Rust, with the
linear-time ``regex`` engine) answers "valid or not" for every file, and only files
that fail go through jsonschema's Draft 2020-12 validator, which explains each error
with its path. The two read the schema alike: its patterns spell out the whitespace
they mean, where ECMA-262, Python and Rust disagree on ``\\s`` (a property test holds
them to it).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from conceptkb.diagnostics import Finding, Severity
from conceptkb.frontmatter import Document
from conceptkb.htmlpolicy import url_scheme
from conceptkb.names import did_you_mean
from conceptkb.rules import INVALID_VALUE, MISSING_FIELD, UNKNOWN_FIELD, UNSAFE_URL

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "concept.schema.json"


@cache
def _packaged_schema() -> str:
    return resources.files("conceptkb").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def schema_text(categories: Sequence[str] | None = None, site_url: str = "") -> str:
    """The schema the knowledge base enforces: the packaged one with the configured
    category vocabulary, and an absolute ``$id`` when the site has a URL. Without
    arguments, exactly as it ships."""
    if categories is None and not site_url:
        return _packaged_schema()
    schema = load_schema(categories)
    if site_url:
        schema["$id"] = site_url.rstrip("/") + "/schema/concept.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def export_schema_text() -> str:
    """The JSON Schema of ``concepts.json``."""
    return resources.files("conceptkb").joinpath("export.schema.json").read_text(encoding="utf-8")


def load_schema(categories: Sequence[str] | None = None) -> dict[str, Any]:
    """The schema, with the category vocabulary replaced when one is given."""
    schema: dict[str, Any] = json.loads(_packaged_schema())
    if categories is not None:
        schema = copy.deepcopy(schema)
        schema["properties"]["category"]["enum"] = list(categories)
    return schema


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


_EXPECTED = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _field_name(path: Sequence[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "front matter"


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return did_you_mean(match[0] if match else None)


def _first_repeat(items: list[Any]) -> int:
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            return i
        seen.add(key)
    return 0


@cache
def _end_anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` with a final ``$`` read as ECMA-262 reads it: the end of the text.
    Python's ``$`` also matches before a final newline, which let ``"peft\\n"`` pass
    as kebab-case."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


@cache
def _detailed_class() -> Any:
    """Draft 2020-12, with ``pattern`` read as the fast path reads it. Imported here:
    jsonschema takes about 0.2 s to import, and only a file that fails the fast path
    needs it (a lint whose files are all valid or kept never does)."""
    import jsonschema

    def pattern(
        validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
    ) -> Iterator[jsonschema.ValidationError]:
        if validator.is_type(instance, "string") and not _end_anchored(pattern).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")

    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped in its stubs
        jsonschema.Draft202012Validator, validators={"pattern": pattern}
    )


class SchemaChecker:
    """Checks front matter against the schema for one category vocabulary."""

    def __init__(self, categories: Sequence[str] | None = None) -> None:
        self.schema = load_schema(categories)
        # Formats are asserted on both paths: reviewed is a calendar date.
        self._fast = jsonschema_rs.Draft202012Validator(
            self.schema,
            validate_formats=True,
            pattern_options=jsonschema_rs.RegexOptions(),
            offline=True,
        )

    @cached_property
    def _detailed(self) -> Any:
        """The validator that explains errors, made when a file first needs it."""
        detailed = _detailed_class()
        return detailed(self.schema, format_checker=detailed.FORMAT_CHECKER)

    def is_valid(self, data: Any) -> bool:
        """The fast path: valid or not, without explanations."""
        try:
            return self._fast.is_valid(data)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return False  # a value it cannot represent: the detailed path decides

    def check(self, document: Document) -> list[Finding]:
        """Every schema error in a document, each at the line of its key or value."""
        if self.is_valid(document.data):
            return []
        findings = []
        errors = sorted(
            self._detailed.iter_errors(document.data), key=lambda e: list(map(str, e.path))
        )
        explained: set[tuple[str, tuple[str | int, ...]]] = set()
        for error in errors:
            key = (str(error.validator), tuple(error.absolute_path))
            if error.validator in ("required", "additionalProperties"):
                if key in explained:
                    continue  # one error per missing key; _explain reports them all at once
                explained.add(key)
            findings.extend(self._explain(document, error))
        return findings

    def _explain(self, document: Document, error: jsonschema.ValidationError) -> list[Finding]:
        path: list[str | int] = list(error.absolute_path)
        name = _field_name(path)
        value: Any = error.instance
        kind: Any = error.validator
        expected: Any = error.validator_value
        subschema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}

        def at(
            code: str, message: str, where: Sequence[str | int] = path, key: bool = False
        ) -> Finding:
            line, col = document.position(where, key=key)
            return Finding(document.path, line, col, code, Severity.ERROR, message)

        if kind == "required":
            missing = [p for p in expected if p not in value]
            where = "" if not path else f" in {name}"
            return [at(MISSING_FIELD, f"missing required field {p!r}{where}") for p in missing]
        if kind == "additionalProperties":
            known = subschema.get("properties", {})
            return [
                at(
                    UNKNOWN_FIELD,
                    f"unknown field {extra!r}{' in ' + name if path else ''}"
                    f"{_suggest(extra, known)}",
                    [*path, extra],
                    key=True,
                )
                for extra in value
                if extra not in known
            ]
        if kind == "type":
            wanted = (
                " or ".join(_EXPECTED.get(str(t), str(t)) for t in expected)
                if isinstance(expected, list)
                else _EXPECTED.get(expected, expected)
            )
            return [at(INVALID_VALUE, f"{name} must be {wanted}, not {_json_type(value)}")]
        if kind == "enum":
            choices = [str(c) for c in expected]
            return [
                at(
                    INVALID_VALUE,
                    f"{name} {value!r} is not one of: {', '.join(choices)}"
                    f"{_suggest(str(value), choices)}",
                )
            ]
        if kind == "pattern":
            if path and path[-1] == "url" and isinstance(value, str):
                if url_scheme(value) in ("javascript", "vbscript", "data"):
                    return [at(UNSAFE_URL, f"{name} uses an unsafe URL scheme: {value[:40]!r}")]
                return [at(INVALID_VALUE, f"{name} {value!r} is not an http(s) URL")]
            if expected.startswith("^[a-z0-9]"):
                return [at(INVALID_VALUE, f"{name} {value!r} is not lowercase kebab-case")]
            return [at(INVALID_VALUE, f"{name} must not be blank")]
        if kind == "minLength" or kind == "maxLength":
            low = subschema.get("minLength", 0)
            high = subschema.get("maxLength")
            bound = f"{low}-{high}" if high is not None else f"at least {low}"
            return [
                at(INVALID_VALUE, f"{name} is {len(value)} characters long; it must be {bound}")
            ]
        if kind == "uniqueItems":
            repeated = _first_repeat(value)
            return [
                at(
                    INVALID_VALUE,
                    f"{name} lists {value[repeated]!r} twice",
                    [*path, repeated],
                )
            ]
        if kind == "format" and expected == "date":
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII):
                return [at(INVALID_VALUE, f"{name} {value!r} is not a day of the calendar")]
            return [at(INVALID_VALUE, f"{name} {value!r} is not a date: write YYYY-MM-DD")]
        if kind in ("minimum", "maximum"):
            return [at(INVALID_VALUE, f"{name} {value!r} is out of range")]
        return [at(INVALID_VALUE, f"{name}: {error.message}")]
