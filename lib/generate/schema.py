"""JSON output formats: read a schema typed by the user, and check a model's answer against it.

Ollama's ``format`` takes ``"json"`` or a JSON Schema object. Its own documentation builds that
object with Pydantic's ``model_json_schema()`` or Zod, which produce ``$defs``/``$ref``,
``anyOf`` for optional fields, ``$schema`` and bounds such as ``minimum``, not only ``type``,
``properties``, ``required``, ``items``, ``enum`` and ``additionalProperties``. The ``jsonschema``
package validates all of that (and the schema itself, against its draft's meta-schema), so it
is used here instead of a hand-written subset. This module only adds what Ollama needs on
top: the schema must be an object, ``$ref`` must point inside the schema (the server fetches
nothing), and every message is a sentence with the place it applies to, in the session's language;
for the rarer errors, ``jsonschema``'s own English words are quoted as the detail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing.exceptions import Unresolvable

from lib.i18n import t

SIMPLE_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
MAX_PROBLEMS = 10
# jsonschema's wording of the errors this module words itself
_REQUIRED = re.compile(r"^(.+) is a required property$", re.DOTALL)
_UNEXPECTED = re.compile(r"\((.+)\)$", re.DOTALL)
_WRONG_TYPE = re.compile(r"^(.+) is not of type (.+)$", re.DOTALL)


class InvalidSchema(ValueError):
    """The text cannot be sent as a schema; ``str()`` says why and where."""


@dataclass(frozen=True)
class OutputCheck:
    """What a JSON answer turned out to be.

    ``value`` is the parsed answer (``None`` when it is not JSON), ``pretty`` its indented form,
    ``problems`` sentences saying where it breaks the schema (empty when it conforms).
    """

    is_json: bool
    value: Any = None
    pretty: str = ""
    problems: list[str] = field(default_factory=list)


def parse_schema(text: str) -> dict[str, Any]:
    """The schema in ``text``, checked; raises :class:`InvalidSchema` with a readable reason."""
    if not text.strip():
        raise InvalidSchema(t("generate.schema_empty"))
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidSchema(t("generate.schema_not_json", **_where(error))) from None
    if not isinstance(schema, dict):
        raise InvalidSchema(t("generate.schema_not_object", kind=_kind(schema)))
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    problem = best_match(validator_class(validator_class.META_SCHEMA).iter_errors(schema))
    if problem is not None:
        raise InvalidSchema(_schema_error_text(problem))
    for where, ref in _refs(schema, "$"):
        if not ref.startswith("#"):
            raise InvalidSchema(t("generate.schema_ref_outside", place=where, ref=ref))
        if ref.startswith("#/") or ref == "#":
            try:
                _resolve_pointer(schema, ref[1:])
            except LookupError:
                raise InvalidSchema(t("generate.schema_ref_nothing", place=where, ref=ref)) from None
    return schema


def check_output(text: str, schema: dict[str, Any] | None = None) -> OutputCheck:
    """Parse a JSON answer and, when ``schema`` is given, list where the answer breaks it."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return OutputCheck(is_json=False, problems=[t("generate.answer_not_json", **_where(error))])
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    if schema is None:
        return OutputCheck(is_json=True, value=value, pretty=pretty)
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    try:
        errors = sorted(validator_class(schema).iter_errors(value), key=lambda e: (e.json_path, e.message))
    except Unresolvable as error:
        problem = t("generate.schema_not_applied", detail=error)
        return OutputCheck(is_json=True, value=value, pretty=pretty, problems=[problem])
    problems = list(dict.fromkeys(_output_error_text(error) for error in errors))
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], t("generate.schema_more", n=len(problems) - MAX_PROBLEMS)]
    return OutputCheck(is_json=True, value=value, pretty=pretty, problems=problems)


def _where(error: json.JSONDecodeError) -> dict[str, Any]:
    """The parser's own words (English, shown as a detail) and the line and column they apply to."""
    return {"detail": error.msg, "line": error.lineno, "column": error.colno}


def _place(error: ValidationError) -> str:
    """``$`` for the top, ``$.address.city``, ``$.tags[2]``: the JSONPath users see in tutorials."""
    return error.json_path


def _schema_error_text(error: ValidationError) -> str:
    if error.absolute_path and error.absolute_path[-1] == "type":
        return t(
            "generate.schema_bad_type",
            place=_place(error),
            value=json.dumps(error.instance),
            types=", ".join(SIMPLE_TYPES),
        )
    return t("generate.schema_invalid", place=_place(error), detail=_sentence(error.message))


def _output_error_text(error: ValidationError) -> str:
    """Where the answer breaks the schema; the common cases in our words, others with ``jsonschema``'s."""
    place = _place(error)
    if error.validator == "required" and (missing := _REQUIRED.match(error.message)):
        return t("generate.answer_missing", place=place, name=missing.group(1))
    if (
        error.validator == "additionalProperties"
        and error.validator_value is False
        and (extra := _UNEXPECTED.search(error.message))
    ):
        return t("generate.answer_extra", place=place, detail=extra.group(1))
    if error.validator == "type" and (wrong := _WRONG_TYPE.match(error.message)):
        return t("generate.answer_wrong_type", place=place, value=wrong.group(1), type=wrong.group(2))
    return t("generate.answer_invalid", place=place, detail=_sentence(error.message))


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return t("generate.kind_boolean")
    if isinstance(value, list):
        return t("generate.kind_list")
    if isinstance(value, str):
        return t("generate.kind_string")
    if value is None:
        return "null"
    return t("generate.kind_number")


def _refs(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in the schema, with the place it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, f"{where}[{index}]")


def _resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/$defs/Address`` inside ``document``; raises ``LookupError`` when it leads nowhere."""
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node[token]
        elif isinstance(node, list) and token.isdigit():
            node = node[int(token)]
        else:
            raise LookupError(token)
    return node
