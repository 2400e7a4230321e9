"""A JSON value conforming to a JSON Schema, as structured outputs (`format: {...}`) would give.

Covers what clients send in practice, including pydantic's model_json_schema():
type (or a list of types), properties/required, enum, const, items with
minItems/maxItems, anyOf/oneOf/allOf, $ref into $defs/definitions, numeric and
string length bounds.
"""

from __future__ import annotations

import random
from typing import Any

_WORDS = ["amber", "river", "cobalt", "meadow", "lantern", "harbor", "quartz", "willow", "summit", "ember"]


def instance(schema: dict[str, Any], rng: random.Random) -> Any:
    return _value(schema, rng, schema, depth=0)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **target}
    return schema


def _value(schema: Any, rng: random.Random, root: dict[str, Any], depth: int) -> Any:
    if not isinstance(schema, dict):
        return None
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    for combinator in ("anyOf", "oneOf"):
        options = [option for option in schema.get(combinator, []) if _resolve(option, root).get("type") != "null"]
        if options:
            return _value(options[0], rng, root, depth)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            for key, value in _resolve(part, root).items():
                merged[key] = {**merged[key], **value} if isinstance(value, dict) and key in merged else value
        return _value(merged, rng, root, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    return _BUILDERS.get(kind, _null)(schema, rng, root, depth)


def _object(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", properties))
    return {
        name: _value(sub, rng, root, depth + 1) for name, sub in properties.items() if name in required or depth < 3
    }


def _array(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> list[Any]:
    low = schema.get("minItems", 1 if depth < 3 else 0)
    high = max(schema.get("maxItems", low + 2), low)
    items = schema.get("items", {"type": "string"})
    return [_value(items, rng, root, depth + 1) for _ in range(rng.randint(low, min(high, low + 3)))]


def _string(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> str:
    formats = {
        "date": "2024-05-17",
        "date-time": "2024-05-17T09:30:00Z",
        "email": "ada@example.com",
        "uri": "https://example.com/",
        "uuid": "123e4567-e89b-42d3-a456-426614174000",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    text = text.ljust(low, "x")
    return text[:high] if high is not None else text


def _number(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum", schema.get("exclusiveMaximum", low + 100))
    return round(rng.uniform(low, high), 2) if high > low else low


def _integer(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> int:
    low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1))
    high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
    return rng.randint(low, max(high, low))


def _boolean(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> bool:
    return rng.random() < 0.5


def _null(schema: dict[str, Any], rng: random.Random, root: dict[str, Any], depth: int) -> None:
    return None


_BUILDERS = {
    "object": _object,
    "array": _array,
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "null": _null,
}
