"""Tools the user declares: JSON typed in an editor, checked here before any is sent.

An advanced user tests their own tool schemas: they declare a tool as Ollama takes it
(``{"type": "function", "function": {"name", "description", "parameters"}}``, one object or a list
of them; the inner ``function`` object alone is taken too), and when the model calls it the chat
waits for them to type its result. The ``parameters`` schema is checked as Generate checks a
format's schema (:mod:`lib.generate.schema`: its draft's meta-schema, in a worker process with a
deadline). Every problem is an :class:`Invalid` naming the tool and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from lib.generate.schema import InvalidSchema, parse_schema

MAX_CHARS = 50_000
MAX_TOOLS = 10
MAX_DESCRIPTION = 2_000
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")

EXAMPLE = """{
  "type": "function",
  "function": {
    "name": "get_weather",
    "description": "The weather now in a city.",
    "parameters": {
      "type": "object",
      "properties": {
        "city": {"type": "string", "description": "The city, e.g. Paris"}
      },
      "required": ["city"]
    }
  }
}"""


class Invalid(ValueError):
    """What is wrong and where: ``tool`` is the declaration's position from 1 (0: the text as a whole),
    ``key`` a catalog key of ``tools.toml`` and ``values`` its placeholders (a schema problem is one too)."""

    def __init__(self, tool: int, key: str, values: Mapping[str, Any] | None = None) -> None:
        super().__init__(key)
        self.tool = tool
        self.key = key
        self.values: Mapping[str, Any] = values or {}


def parse(text: str, taken: Collection[str] = ()) -> tuple[dict[str, Any], ...]:
    """The declarations in ``text`` (empty text: none), each as Ollama takes it; :class:`Invalid` at the first problem.

    ``taken``: names already used (the built-in tools), which a declaration may not reuse.
    """
    if not text.strip():
        return ()
    if len(text) > MAX_CHARS:
        raise Invalid(0, "tools.custom_too_long", {"limit": MAX_CHARS})
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid(0, "tools.custom_not_json", {"line": error.lineno, "column": error.colno}) from None
    except (ValueError, RecursionError):
        raise Invalid(0, "tools.custom_not_json", {"line": 1, "column": 1}) from None
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_TOOLS:
        raise Invalid(0, "tools.custom_too_many", {"limit": MAX_TOOLS})
    declarations: list[dict[str, Any]] = []
    names: set[str] = set(taken)
    for number, item in enumerate(items, start=1):
        declaration = checked(item, number, names)
        names.add(declaration["function"]["name"])
        declarations.append(declaration)
    return tuple(declarations)


def checked(item: Any, number: int, taken: Collection[str] = (), *, check_schema: bool = True) -> dict[str, Any]:
    """One declaration, in Ollama's shape; :class:`Invalid` says what is wrong with it.

    ``check_schema=False`` skips the check of ``parameters`` against its meta-schema (done in a worker
    process): for declarations read back from a saved chat, checked when they were typed, so that a
    busy moment never makes a saved tool look damaged.
    """
    if not isinstance(item, dict):
        raise Invalid(number, "tools.custom_not_object")
    function = item.get("function") if "function" in item else item
    if "function" in item and item.get("type", "function") != "function":
        raise Invalid(number, "tools.custom_bad_type")
    if not isinstance(function, dict):
        raise Invalid(number, "tools.custom_not_object")
    name = function.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise Invalid(number, "tools.custom_bad_name")
    if name in taken:
        raise Invalid(number, "tools.custom_name_taken", {"name": name})
    description = function.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise Invalid(number, "tools.custom_bad_description", {"limit": MAX_DESCRIPTION})
    parameters = function.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(parameters, dict) or parameters.get("type") != "object":
        raise Invalid(number, "tools.custom_parameters_object")
    try:
        if check_schema:
            parse_schema(json.dumps(parameters))
    except InvalidSchema as error:
        raise Invalid(number, "tools.custom_bad_parameters", {"problem": error.problem}) from None
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


def name_of(declaration: Mapping[str, Any]) -> str:
    function = declaration.get("function")
    return str(function.get("name", "")) if isinstance(function, dict) else ""


def text_of(declarations: tuple[dict[str, Any], ...]) -> str:
    """The declarations as the editor shows them again (a saved chat reopened)."""
    if not declarations:
        return ""
    return json.dumps(declarations[0] if len(declarations) == 1 else list(declarations), indent=2, ensure_ascii=False)
