"""A field-by-field reference of the concept schema, for documentation pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from conceptkb.schema import load_schema


@dataclass(frozen=True)
class FieldDoc:
    """One row of the reference: a front matter field."""

    name: str
    required: bool
    type: str
    rules: str
    description: str


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = schema["$defs"][ref.rsplit("/", 1)[1]]
        return resolved
    return node


def _type(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    kind = node.get("type", "any")
    if kind == "array":
        item = _resolve(schema, node.get("items", {}))
        if item.get("type") == "object":
            keys = ", ".join(
                f"{k}{'' if k in item.get('required', []) else '?'}" for k in item["properties"]
            )
            return f"list of mappings with {keys}"
        return f"list of {_type(schema, item)}s"
    return str(kind)


def _rules(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    parts = []
    if "enum" in node:
        parts.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    if "default" in node:
        parts.append(f"default `{node['default']}`")
    if node.get("format") == "date":
        parts.append("a calendar date, `YYYY-MM-DD`")
    if str(node.get("pattern", "")).startswith("^[a-z0-9]"):
        parts.append("lowercase kebab-case")
    if "minLength" in node or "maxLength" in node:
        parts.append(f"{node.get('minLength', 0)}-{node.get('maxLength', '')} characters")
    if node.get("uniqueItems"):
        parts.append("no repeats")
    items = node.get("items")
    if isinstance(items, dict):
        item = _resolve(schema, items)
        if "pattern" in item and item["pattern"].startswith("^[a-z0-9]"):
            parts.append("lowercase kebab-case")
        if item.get("type") == "object":
            url = item["properties"].get("url", {})
            if "pattern" in url:
                parts.append("`url` is http(s)")
    return "; ".join(parts)


def field_docs(categories: Sequence[str] | None = None) -> list[FieldDoc]:
    """Every top-level field of the schema, in schema order."""
    schema = load_schema(categories)
    required = set(schema.get("required", []))
    return [
        FieldDoc(
            name=name,
            required=name in required,
            type=_type(schema, node),
            rules=_rules(schema, node),
            description=str(node.get("description", "")),
        )
        for name, node in schema["properties"].items()
    ]
