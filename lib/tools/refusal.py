"""Why a tool call gave no value, as data: a catalog key and its values, worded when shown.

A model's arguments are untrusted input; every way they can be wrong (missing, of the wrong type, a
hostile expression, an unknown unit) ends in a :class:`Refused` carrying one of these, never in
another exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Refusal:
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


class Refused(Exception):
    """A tool cannot give a value for these arguments; ``refusal`` says why."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.refusal = Refusal(key, values)


def text_argument(arguments: Mapping[str, Any], name: str, limit: int, *, required: bool = True) -> str | None:
    """The argument ``name`` as text of at most ``limit`` characters; :class:`Refused` when missing or not text."""
    value = arguments.get(name)
    if value is None:
        if required:
            raise Refused("tools.missing_argument", name=name)
        return None
    if not isinstance(value, str):
        raise Refused("tools.must_be_text", name=name)
    if len(value) > limit:
        raise Refused("tools.too_long", name=name, limit=limit)
    return value
