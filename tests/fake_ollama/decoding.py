"""Request bodies decoded the way gin + encoding/json decode them into Ollama's Go structs.

That means Go's own error texts for broken JSON or wrong field types, field
names matched case-insensitively, unknown fields ignored, trailing data after
the first JSON value ignored, and custom decoders for keep_alive, think and
base64 images. ``think: "max"`` is taken only by a server of 0.21.3 or newer
(:func:`for_version`), whose messages then list it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import gowire
from .apierror import ApiError


@dataclass(frozen=True)
class Field:
    go_type: str
    accepts: Callable[[Any], bool]
    elements: Field | None = None
    custom: Callable[[Any], str | None] | None = None  # returns Go's error text, or None


def _number_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    return "array" if isinstance(value, list) else "object"


STRING = Field("string", lambda v: isinstance(v, str))
BOOL = Field("bool", lambda v: isinstance(v, bool))
INT = Field("int", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer())
OBJECT = Field("map[string]interface {}", lambda v: isinstance(v, dict))
STRING_MAP = Field("map[string]string", lambda v: isinstance(v, dict), elements=STRING)
ANY = Field("interface {}", lambda v: True)


def list_of(go_type: str, elements: Field) -> Field:
    return Field(go_type, lambda v: isinstance(v, list), elements=elements)


def _keep_alive_error(value: Any) -> str | None:
    try:
        gowire.keep_alive_ns(value)
    except gowire.GoError as error:
        return str(error)
    return None


def _think_check(levels: tuple[str, ...]) -> Callable[[Any], str | None]:
    """api.ThinkValue's UnmarshalJSON on a server that takes ``levels``, with its error texts."""
    listed = ", ".join(f'"{level}"' for level in levels)

    def error(value: Any) -> str | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, str):
            if value in levels:
                return None
            return f"invalid think value: {gowire.quote(value)} (must be {listed}, true, or false)"
        return f"think must be a boolean or string ({listed}, true, or false)"

    return error


def _image_error(value: Any) -> str | None:
    return gowire.base64_error(value) if isinstance(value, str) else None


KEEP_ALIVE = Field("api.Duration", lambda v: True, custom=_keep_alive_error)
THINK = Field("api.ThinkValue", lambda v: True, custom=_think_check(("high", "medium", "low")))
THINK_WITH_MAX = Field("api.ThinkValue", lambda v: True, custom=_think_check(("high", "medium", "low", "max")))
MAX_SINCE = (0, 21, 3)  # ollama c2ebb4d57 "api: accept "max" as a think value", first in v0.21.3-rc0
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
IMAGES = list_of("[]api.ImageData", Field("api.ImageData", lambda v: isinstance(v, str), custom=_image_error))

MESSAGE_FIELDS: dict[str, Field] = {
    "role": STRING,
    "content": STRING,
    "thinking": STRING,
    "images": IMAGES,
    "tool_calls": list_of("[]api.ToolCall", OBJECT),
    "tool_name": STRING,
    "tool_call_id": STRING,
}
MESSAGES = list_of("[]api.Message", Field("api.Message", lambda v: isinstance(v, dict)))
LICENSE = Field("interface {}", lambda v: isinstance(v, (str, list)))

GENERATE = {
    "model": STRING,
    "prompt": STRING,
    "suffix": STRING,
    "system": STRING,
    "template": STRING,
    "context": list_of("[]int", INT),
    "stream": BOOL,
    "raw": BOOL,
    "format": ANY,
    "keep_alive": KEEP_ALIVE,
    "images": IMAGES,
    "options": OBJECT,
    "think": THINK,
    "truncate": BOOL,
    "shift": BOOL,
    "logprobs": BOOL,
    "top_logprobs": INT,
}
CHAT = {
    "model": STRING,
    "messages": MESSAGES,
    "stream": BOOL,
    "format": ANY,
    "keep_alive": KEEP_ALIVE,
    "tools": list_of("api.Tools", OBJECT),
    "options": OBJECT,
    "think": THINK,
    "truncate": BOOL,
    "shift": BOOL,
    "logprobs": BOOL,
    "top_logprobs": INT,
}
EMBED = {
    "model": STRING,
    "input": ANY,
    "keep_alive": KEEP_ALIVE,
    "truncate": BOOL,
    "dimensions": INT,
    "options": OBJECT,
}
EMBEDDINGS = {"model": STRING, "prompt": STRING, "keep_alive": KEEP_ALIVE, "options": OBJECT}
TRANSFER = {"model": STRING, "name": STRING, "insecure": BOOL, "stream": BOOL, "username": STRING, "password": STRING}
CREATE = {
    "model": STRING,
    "name": STRING,
    "from": STRING,
    "files": STRING_MAP,
    "adapters": STRING_MAP,
    "template": STRING,
    "license": LICENSE,
    "system": STRING,
    "parameters": OBJECT,
    "messages": MESSAGES,
    "stream": BOOL,
    "quantize": STRING,
    "quantization": STRING,
    "modelfile": STRING,
    "path": STRING,
}
COPY = {"source": STRING, "destination": STRING}
DELETE = {"model": STRING, "name": STRING}
SHOW = {"model": STRING, "name": STRING, "system": STRING, "template": STRING, "verbose": BOOL, "options": OBJECT}


def for_version(fields: dict[str, Field], version: str) -> dict[str, Field]:
    """``fields`` as a server reporting ``version`` decodes them: from 0.21.3 on (pre-releases too), think takes
    "max"; a version that does not read as x.y.z is taken for an older server."""
    found = _VERSION.match(version)
    if found is None or tuple(int(part) for part in found.groups()) < MAX_SINCE:
        return fields
    return {name: THINK_WITH_MAX if field is THINK else field for name, field in fields.items()}


def decode(raw: bytes, struct: str, fields: dict[str, Field]) -> dict[str, Any]:
    """Decode `raw` into the fields of Go struct `struct`; null and unknown fields are dropped."""
    text = raw.decode("utf-8", errors="replace")
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise ApiError(400, "missing request body")
    try:
        value, _ = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise ApiError(400, _syntax_error(text, error)) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, f"json: cannot unmarshal {_number_kind(value)} into Go value of type api.{struct}")
    decoded = _fields(value, struct, "", fields)
    if "messages" in decoded:
        decoded["messages"] = [
            _fields(message, struct, "messages.", MESSAGE_FIELDS)
            for message in decoded["messages"]
            if message is not None
        ]
    return decoded


def _fields(value: dict[str, Any], struct: str, prefix: str, fields: dict[str, Field]) -> dict[str, Any]:
    by_lower = {name.lower(): name for name in fields}
    decoded: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in fields else by_lower.get(key.lower())
        if name is None or item is None or (name != key and name in value):
            continue
        _check(item, fields[name], struct, prefix + name)
        decoded[name] = item
    return decoded


def _check(item: Any, field: Field, struct: str, path: str) -> None:
    if not field.accepts(item):
        kind = _number_kind(item)
        if field is INT and kind == "number":
            kind = f"number {item}"
        raise ApiError(
            400, f"json: cannot unmarshal {kind} into Go struct field {struct}.{path} of type {field.go_type}"
        )
    if field.custom is not None and (message := field.custom(item)) is not None:
        raise ApiError(400, message)
    if field.elements is not None:
        for element in item.values() if isinstance(item, dict) else item:
            if element is not None:
                _check(element, field.elements, struct, path)


def _reject_constant(name: str) -> None:
    raise json.JSONDecodeError("Expecting value", name, 0)


def _syntax_error(text: str, error: json.JSONDecodeError) -> str:
    """Translate Python's JSON error into encoding/json's wording."""
    if error.doc is not text:
        return f"invalid character '{error.doc[0]}' looking for beginning of value"
    if error.pos >= len(text.rstrip()):
        return "unexpected EOF"
    char = text[error.pos]
    shown = "'\\''" if char == "'" else "'" + json.dumps(char, ensure_ascii=False)[1:-1].replace('\\"', '"') + "'"
    message = error.msg
    if message.startswith("Expecting property name"):
        context = "looking for beginning of object key string"
    elif message.startswith("Expecting ':'"):
        context = "after object key"
    elif message.startswith("Expecting ','"):
        context = "after object key:value pair" if _innermost(text[: error.pos]) == "{" else "after array element"
    elif "control character" in message:
        context = "in string literal"
    else:
        context = "looking for beginning of value"
    return f"invalid character {shown} {context}"


def _innermost(prefix: str) -> str:
    """The innermost open bracket in a JSON prefix, skipping string contents."""
    stack: list[str] = []
    in_string = escaped = False
    for char in prefix:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


_INT_OPTIONS = frozenset(
    {
        "num_keep",
        "seed",
        "num_predict",
        "top_k",
        "repeat_last_n",
        "num_ctx",
        "num_batch",
        "num_gpu",
        "main_gpu",
        "num_thread",
    }
)
_FLOAT_OPTIONS = frozenset(
    {"top_p", "min_p", "typical_p", "temperature", "repeat_penalty", "presence_penalty", "frequency_penalty"}
)
_BOOL_OPTIONS = frozenset({"numa", "low_vram", "vocab_only", "use_mmap", "use_mlock"})


def option_error(options: dict[str, Any]) -> str | None:
    """What api.Options.FromMap says about badly typed options (unknown ones are ignored)."""
    for key, value in options.items():
        if value is None:
            continue
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key in _INT_OPTIONS and not number:
            return f"option {gowire.quote(key)} must be of type integer"
        if key in _FLOAT_OPTIONS and not number:
            return f"option {gowire.quote(key)} must be of type float32"
        if key in _BOOL_OPTIONS and not isinstance(value, bool):
            return f"option {gowire.quote(key)} must be of type boolean"
        if key == "stop":
            if not isinstance(value, list):
                return f"option {gowire.quote(key)} must be of type array"
            if not all(isinstance(item, str) for item in value):
                return f"option {gowire.quote(key)} must be of an array of strings"
    return None
