"""The schema checks themselves, without Streamlit; run as a script, the worker that does them.

A schema and an answer come from visitors and models, so checking one must neither reach the
network nor take unbounded time. Three guards, each closing a way it did:

- **No network.** ``jsonschema``'s default registry fetches any ``http(s)`` reference it cannot
  resolve itself with ``urllib``, without a timeout, and quotes the document it got in its message.
  Every lookup here goes through :data:`NO_NETWORK`, whose ``retrieve`` refuses every address, and
  a schema whose ``$ref``, ``$dynamicRef`` or ``$recursiveRef`` does not resolve inside itself is
  refused when it is typed (:func:`schema_problem`).
- **Linear-time patterns.** Python's ``re`` backtracks: ``^(a+)+$`` against thirty ``a`` and a
  ``!`` runs for most of a minute, in C, holding the interpreter. ``pattern`` and
  ``patternProperties`` are matched with RE2 instead (``google-re2``: linear in the text, and it
  refuses what it cannot match that way, such as look-arounds and back-references, which a
  schema is then told about).
- **Bounded time, apart.** Linear patterns are not enough: ``anyOf`` of two ``$ref`` to the next
  level, thirty levels down, makes validation take 2³⁰ steps, and no size limit tells such a
  schema from an ordinary one; RE2's compiler, for its part, holds the interpreter (a pattern of
  990 characters took 12 s). So a typed schema (:func:`schema_problem_in_worker`) and an answer
  (:func:`validate_in_worker`) are checked in a process of their own, ``python -I`` on this file,
  killed at a deadline: the app's interpreter is never held, and at most :data:`WORKERS` run at once.

Depth and size limits keep ``json`` and ``jsonschema``'s recursion (and pretty-printing) far from
Python's recursion limit. Every outcome is data, a :class:`Problem`: a catalog key of
``lib/locales/generate.toml`` and its values, worded by :mod:`lib.generate.schema`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import re2  # type: ignore[import-untyped]
import referencing
import referencing.jsonschema
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing.exceptions import NoSuchResource, PointerToNowhere, Unresolvable

SIMPLE_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
MAX_SCHEMA_CHARS = 100_000
MAX_SCHEMA_DEPTH = 64  # JSON levels: a schema of 30 nested objects, far more than models are asked for
MAX_ANSWER_DEPTH = 100
MAX_PROBLEMS = 10  # shown, the rest counted
MAX_ERRORS = 1000  # collected from jsonschema before it is told to stop
CHECK_SECONDS = 5.0  # a worker's deadline (about 0.1 s of it is starting Python)
WORKERS = 2  # workers at once, for every visitor together
MAX_WORKER_MEMORY = 1 << 30
MAX_DETAIL = 300  # characters of a quoted value or message

REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords whose values are data, not schemas: a "pattern" or "$ref" inside them is not one.
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
# Keywords whose values map names (of properties, definitions) to schemas.
NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"})
# jsonschema's wording of the errors worded here
_REQUIRED = re.compile(r"^(.+) is a required property$", re.DOTALL)
_UNEXPECTED = re.compile(r"\((.+)\)$", re.DOTALL)
_WRONG_TYPE = re.compile(r"^(.+) is not of type (.+)$", re.DOTALL)
# ECMA-262's \uXXXX (JSON Schema patterns are ECMA-262 regular expressions), which RE2 writes \x{XXXX}
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})")


@dataclass(frozen=True)
class Problem:
    """A sentence as data: a catalog key and its values (a value may itself be a :class:`Problem`)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        values = {name: {"problem": v.as_json()} if isinstance(v, Problem) else v for name, v in self.values.items()}
        return {"key": self.key, "values": values}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        values = {
            name: cls.from_json(value["problem"]) if isinstance(value, dict) and set(value) == {"problem"} else value
            for name, value in (data.get("values") or {}).items()
        }
        return cls(str(data["key"]), values)


@dataclass(frozen=True)
class Verdict:
    """Where an answer breaks a schema, or why it could not be checked.

    ``problems`` are the first :data:`MAX_PROBLEMS`, ``total`` how many distinct ones were found
    (``capped`` when jsonschema was stopped after :data:`MAX_ERRORS` errors, so there are more).
    """

    problems: tuple[Problem, ...] = ()
    total: int = 0
    capped: bool = False
    not_checked: Problem | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "problems": [problem.as_json() for problem in self.problems],
            "total": self.total,
            "capped": self.capped,
            "not_checked": self.not_checked.as_json() if self.not_checked else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verdict:
        not_checked = data.get("not_checked")
        return cls(
            problems=tuple(Problem.from_json(problem) for problem in data["problems"]),
            total=int(data["total"]),
            capped=bool(data["capped"]),
            not_checked=Problem.from_json(not_checked) if not_checked else None,
        )


class PatternUnsupported(ValueError):
    """RE2 cannot match this pattern (a look-around, a back-reference, a repetition too large)."""

    def __init__(self, pattern: str, detail: str) -> None:
        super().__init__(pattern, detail)
        self.pattern = pattern
        self.detail = detail


def _refuse_to_retrieve(uri: str) -> referencing.Resource[Any]:
    raise NoSuchResource(uri)


NO_NETWORK: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse_to_retrieve)  # type: ignore[call-arg]
"""Every validator's registry: a reference that is not inside the schema is never fetched."""

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is said on screen, not logged to stderr


def linear_pattern(pattern: str) -> Any:
    """``pattern`` compiled by RE2; raises :class:`PatternUnsupported` with RE2's reason.

    Not kept here: a compiled pattern can take megabytes, and the app's process lives long. The
    worker keeps the ones it uses (:class:`_LinearSearch`) for its short life.
    """
    try:
        return re2.compile(_UNICODE_ESCAPE.sub(r"\1\\x{\2}", pattern), _RE2_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        detail = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternUnsupported(pattern, detail) from None


# -- the schema, as it is typed ------------------------------------------------------------------


def schema_problem(text: str) -> Problem | None:
    """Why ``text`` cannot be sent as a schema, or None when it can: the worker's first task."""
    if not text.strip():
        return Problem("generate.schema_empty")
    if len(text) > MAX_SCHEMA_CHARS:
        return Problem("generate.schema_too_long", {"size": len(text), "limit": MAX_SCHEMA_CHARS})
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        return Problem("generate.schema_not_json", _where(error))
    except RecursionError:
        return Problem("generate.schema_too_deep", {"limit": MAX_SCHEMA_DEPTH})
    except ValueError:  # the one other error of json.loads: a number of more than 4,300 digits
        return Problem("generate.schema_number_too_long", {"limit": sys.get_int_max_str_digits()})
    if not isinstance(schema, dict):
        return Problem("generate.schema_not_object", {"kind": _kind(schema)})
    if deeper_than(schema, MAX_SCHEMA_DEPTH):
        return Problem("generate.schema_too_deep", {"limit": MAX_SCHEMA_DEPTH})
    if "$schema" in schema and not isinstance(schema["$schema"], str):
        return Problem("generate.schema_dialect")
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    try:
        problem = best_match(validator_class(validator_class.META_SCHEMA).iter_errors(schema))
    except RecursionError:
        return Problem("generate.schema_too_deep", {"limit": MAX_SCHEMA_DEPTH})
    if problem is not None:
        return _schema_error(problem)
    specification = _specification(validator_class)
    return _reference_problem(schema, specification) or _pattern_problem(schema, specification)


def deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels (without recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                level.append((child, depth + 1))
    return False


def _reference_problem(schema: dict[str, Any], specification: Any) -> Problem | None:
    """The first reference that points outside the schema or at nothing in it, resolved as jsonschema will."""
    for node, where, resolver in _schemas(schema, specification):
        for keyword in REF_KEYWORDS:
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            values = {"keyword": keyword, "place": where, "ref": _shorten(ref)}
            if not ref.startswith("#"):
                return Problem("generate.schema_ref_outside", values)
            try:
                resolver.lookup(ref)
            except Unresolvable:
                return Problem("generate.schema_ref_nothing", values)
    return None


def _pattern_problem(schema: dict[str, Any], specification: Any) -> Problem | None:
    """The first ``pattern`` or ``patternProperties`` name that RE2 cannot match."""
    for node, where, _ in _schemas(schema, specification):
        names = node.get("patternProperties")
        patterns = [("pattern", node.get("pattern")), *(("patternProperties", name) for name in names or ())]
        for keyword, pattern in patterns:
            if not isinstance(pattern, str):
                continue
            try:
                linear_pattern(pattern)
            except PatternUnsupported as error:
                values = {"place": f"{where}.{keyword}", "pattern": _shorten(pattern), "detail": _shorten(error.detail)}
                return Problem("generate.schema_pattern_unsupported", values)
    return None


def _schemas(schema: dict[str, Any], specification: Any) -> Iterator[tuple[dict[str, Any], str, Any]]:
    """Every object jsonschema may read as a schema, in document order: its place and its resolver.

    That is every object but those inside values (``enum``, ``const``, ``default``, ``examples``), a
    property named like a keyword being a schema all the same. The resolver follows ``$id``.
    """
    root = specification.create_resource(schema)
    resolver = _registry_of(root).resolver(base_uri=root.id() or "")
    pending: list[tuple[Any, str, Any]] = [(schema, "$", resolver)]
    while pending:
        node, where, resolver = pending.pop()
        children: list[tuple[Any, str, Any]] = []
        if isinstance(node, list):
            children = [(item, f"{where}[{index}]", resolver) for index, item in enumerate(node)]
        elif isinstance(node, dict):
            if node is not schema and specification.id_of(node) is not None:
                resolver = resolver.in_subresource(specification.create_resource(node))
            yield node, where, resolver
            for key, value in node.items():
                if key in NAME_MAPS and isinstance(value, dict):
                    children.extend((child, f"{where}.{key}.{name}", resolver) for name, child in value.items())
                elif key not in DATA_KEYWORDS:
                    children.append((value, f"{where}.{key}", resolver))
        pending.extend(reversed(children))


def _specification(validator_class: Any) -> Any:
    """The referencing rules (where ``$id`` and anchors are) of a jsonschema draft."""
    return referencing.jsonschema.specification_with(
        validator_class.META_SCHEMA.get("$id") or validator_class.META_SCHEMA.get("id", ""),
        default=referencing.jsonschema.DRAFT202012,
    )


def _registry_of(root: referencing.Resource[Any]) -> referencing.Registry[Any]:
    """:data:`NO_NETWORK` holding ``root``, crawled once for its ``$id`` and anchors.

    Uncrawled, every lookup of an anchor (``#name``) crawls the whole schema again: four thousand
    of them in a 100 kB schema took half a minute.
    """
    return NO_NETWORK.with_resource(root.id() or "", root).crawl()


def _schema_error(error: ValidationError) -> Problem:
    if error.absolute_path and error.absolute_path[-1] == "type":
        values = {
            "place": error.json_path,
            "value": _shorten(json.dumps(error.instance)),
            "types": ", ".join(SIMPLE_TYPES),
        }
        return Problem("generate.schema_bad_type", values)
    return Problem("generate.schema_invalid", {"place": error.json_path, "detail": _sentence(error.message)})


# -- the answer ----------------------------------------------------------------------------------


def read_answer(text: str) -> tuple[Any, Problem | None]:
    """The answer's JSON value, or why it cannot be read (or is nested too deeply to show and check)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return None, Problem("generate.answer_not_json", _where(error))
    except RecursionError:
        return None, Problem("generate.answer_too_deep", {"limit": MAX_ANSWER_DEPTH})
    except ValueError:  # the one other error of json.loads: a number of more than 4,300 digits
        return None, Problem("generate.answer_number_too_long", {"limit": sys.get_int_max_str_digits()})
    if deeper_than(value, MAX_ANSWER_DEPTH):
        return None, Problem("generate.answer_too_deep", {"limit": MAX_ANSWER_DEPTH})
    return value, None


def check(schema: dict[str, Any], value: Any) -> Verdict:
    """Where ``value`` breaks ``schema``, in this process: the worker's work (:func:`validate_in_worker`)."""
    validator_class = validators.validator_for(schema, default=Draft202012Validator)
    errors: list[ValidationError] = []
    try:
        registry = _registry_of(_specification(validator_class).create_resource(schema))
        for error in validator_class(schema, registry=registry).iter_errors(value):
            errors.append(error)
            if len(errors) >= MAX_ERRORS:
                break
    except Unresolvable as error:
        return Verdict(not_checked=Problem("generate.schema_unresolvable", {"ref": _shorten(_ref_of(error))}))
    except PatternUnsupported as error:
        values = {"pattern": _shorten(error.pattern), "detail": _shorten(error.detail)}
        return Verdict(not_checked=Problem("generate.schema_pattern_refused", values))
    except RecursionError:
        return Verdict(not_checked=Problem("generate.schema_endless"))
    errors.sort(key=lambda error: (error.json_path, error.message))
    distinct: dict[str, Problem] = {}
    for problem in map(_answer_error, errors):
        distinct.setdefault(json.dumps(problem.as_json(), sort_keys=True), problem)
    problems = list(distinct.values())
    return Verdict(tuple(problems[:MAX_PROBLEMS]), len(problems), capped=len(errors) >= MAX_ERRORS)


def _answer_error(error: ValidationError) -> Problem:
    """Where the answer breaks the schema; the common cases in our words, others with ``jsonschema``'s."""
    place = error.json_path
    if error.validator == "required" and (missing := _REQUIRED.match(error.message)):
        return Problem("generate.answer_missing", {"place": place, "name": _shorten(missing.group(1))})
    if (
        error.validator == "additionalProperties"
        and error.validator_value is False
        and (extra := _UNEXPECTED.search(error.message))
    ):
        return Problem("generate.answer_extra", {"place": place, "detail": _shorten(extra.group(1))})
    if error.validator == "type" and (wrong := _WRONG_TYPE.match(error.message)):
        return Problem(
            "generate.answer_wrong_type", {"place": place, "value": _shorten(wrong.group(1)), "type": wrong.group(2)}
        )
    return Problem("generate.answer_invalid", {"place": place, "detail": _sentence(_shorten(error.message))})


# -- the worker ----------------------------------------------------------------------------------

_running = threading.BoundedSemaphore(WORKERS)
# What a worker that was stopped, or that failed, means: for a schema being typed, for an answer.
_STOPPED = {
    "schema": ("generate.schema_typed_timeout", "generate.schema_typed_failed"),
    "answer": ("generate.schema_check_timeout", "generate.schema_check_failed"),
}


def schema_problem_in_worker(text: str, seconds: float | None = None) -> Problem | None:
    """:func:`schema_problem` in a worker (see :func:`validate_in_worker`); an empty or over-long text needs none.

    Compiling a pattern holds the interpreter (RE2's compiler does not let go of it), and a
    990-character one took 12 s: a schema is therefore checked apart too.
    """
    if not text.strip() or len(text) > MAX_SCHEMA_CHARS:
        return schema_problem(text)
    outcome = _in_worker("schema", {"text": text}, seconds)
    if isinstance(outcome, Problem):
        return outcome
    return Problem.from_json(outcome["problem"]) if outcome["problem"] else None


def validate_in_worker(schema: dict[str, Any], value: Any, seconds: float | None = None) -> Verdict:
    """:func:`check` in a new process, killed after ``seconds`` (default :data:`CHECK_SECONDS`).

    It waits at most as long for a free slot, and raises :class:`WorkersBusy` when :data:`WORKERS`
    others were running all that time (an outcome that says nothing about the answer, so callers
    do not keep it).
    """
    outcome = _in_worker("answer", {"schema": schema, "answer": value}, seconds)
    return Verdict(not_checked=outcome) if isinstance(outcome, Problem) else Verdict.from_json(outcome)


def _in_worker(task: str, request: dict[str, Any], seconds: float | None) -> dict[str, Any] | Problem:
    """The worker's answer to ``request``, or why there is none."""
    seconds = seconds or CHECK_SECONDS
    stopped, failed = _STOPPED[task]
    if not _running.acquire(timeout=seconds):
        raise WorkersBusy
    try:
        finished = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).resolve())],
            input=json.dumps({"task": task, **request}).encode(),
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        return Problem(stopped, {"seconds": f"{seconds:g}"})
    finally:
        _running.release()
    try:
        outcome = json.loads(finished.stdout)
    except ValueError:
        return Problem(failed, {"reason": f"exit status {finished.returncode}"})
    return Problem(failed, {"reason": outcome["failed"]}) if "failed" in outcome else outcome


class WorkersBusy(Exception):
    """Every worker slot stayed taken for the whole deadline."""


def use_linear_patterns() -> None:
    """Make jsonschema match ``pattern`` and ``patternProperties`` with RE2; the worker's first step.

    jsonschema calls ``re.search`` from the modules holding ``pattern``, ``patternProperties``,
    ``additionalProperties`` and ``unevaluatedProperties``; those modules are given an ``re`` whose
    ``search`` is RE2's. Only the worker does this: it is a process of its own, so nothing else sees it.
    """
    from jsonschema import _keywords, _utils

    for module in (_keywords, _utils):
        if module.re is not re:
            raise RuntimeError(f"{module.__name__} no longer matches patterns with re.search")
        module.re = _LinearSearch


class _LinearSearch:
    """Stands in for the ``re`` module in jsonschema's keyword code."""

    @staticmethod
    @lru_cache(maxsize=256)
    def compiled(pattern: str) -> Any:
        return linear_pattern(pattern)

    @staticmethod
    def search(pattern: str, text: str) -> Any:
        return _LinearSearch.compiled(pattern).search(text)


def main() -> int:
    """Do the task read on stdin and write its outcome as JSON on stdout.

    ``{"task": "schema", "text": ...}`` gives ``{"problem": ...}``; ``{"task": "answer", "schema":
    ..., "answer": ...}`` a :class:`Verdict`; either may give ``{"failed": reason}``.
    """
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MAX_WORKER_MEMORY, MAX_WORKER_MEMORY))
    use_linear_patterns()
    request = json.load(sys.stdin)
    outcome: dict[str, Any]
    try:
        if request["task"] == "schema":
            problem = schema_problem(request["text"])
            outcome = {"problem": problem.as_json() if problem else None}
        else:
            outcome = check(request["schema"], request["answer"]).as_json()
    except Exception as error:  # anything else jsonschema may raise on a strange schema or answer
        outcome = {"failed": type(error).__name__}
    json.dump(outcome, sys.stdout)
    return 0


# -- helpers -------------------------------------------------------------------------------------


def _where(error: json.JSONDecodeError) -> dict[str, Any]:
    """The parser's own words (English, shown as a detail) and the line and column they apply to."""
    return {"detail": error.msg, "line": error.lineno, "column": error.colno}


def _ref_of(error: Unresolvable) -> str:
    """The reference jsonschema could not resolve, as written in a schema."""
    if isinstance(error.__cause__, Unresolvable):  # jsonschema wraps referencing's error
        error = error.__cause__
    if anchor := getattr(error, "anchor", None):
        return f"{error.ref}#{anchor}"
    if isinstance(error, PointerToNowhere):
        return f"#{error.ref}"
    return str(error.ref)


def _kind(value: Any) -> Problem | str:
    if isinstance(value, bool):
        return Problem("generate.kind_boolean")
    if isinstance(value, list):
        return Problem("generate.kind_list")
    if isinstance(value, str):
        return Problem("generate.kind_string")
    if value is None:
        return "null"
    return Problem("generate.kind_number")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
