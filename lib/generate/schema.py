"""JSON output formats: read a schema typed by the user, and check a model's answer against it.

Ollama's ``format`` takes ``"json"`` or a JSON Schema object. Its own documentation builds that
object with Pydantic's ``model_json_schema()`` or Zod, which produce ``$defs``/``$ref``,
``anyOf`` for optional fields, ``$schema`` and bounds such as ``minimum``, not only ``type``,
``properties``, ``required``, ``items``, ``enum`` and ``additionalProperties``. The ``jsonschema``
package validates all of that (and the schema itself, against its draft's meta-schema), so it
is used instead of a hand-written subset. What Ollama and a shared server need on top is in
:mod:`lib.generate.schema_engine`: references only inside the schema (nothing is ever fetched),
patterns matched in linear time, depth and size limits, and both checks done in a worker process
with a deadline. This module gives the page its answers, worded in the session's language: every
problem is a sentence with the place it applies to; for the rarer errors, ``jsonschema``'s own
English words are quoted as the detail.

Both checks run on every rerun of the page, so their outcomes (data, not sentences, so any
language can word them) are kept for the last few schemas and answers; "every worker was busy"
is not kept, so the next rerun checks again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lib.formatting import whole_number
from lib.generate import schema_engine
from lib.generate.schema_engine import Problem, Verdict, WorkersBusy
from lib.i18n import t

MAX_PROBLEMS = schema_engine.MAX_PROBLEMS


class InvalidSchema(ValueError):
    """The text cannot be sent as a schema; ``problem`` says why and where (worded by :func:`say`)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


@dataclass(frozen=True)
class OutputCheck:
    """What a JSON answer turned out to be.

    ``value`` is the parsed answer (``None`` when it is not JSON), ``pretty`` its indented form,
    ``problems`` sentences saying where it breaks the schema (empty when it conforms), or, when
    the answer is not JSON, why. ``not_checked`` says why a JSON answer was not checked against
    the schema (then ``problems`` is empty and nothing is known about its shape).
    """

    is_json: bool
    value: Any = None
    pretty: str = ""
    problems: list[str] = field(default_factory=list)
    not_checked: str = ""


def say(problem: Problem) -> str:
    """``problem`` as a sentence in the session's language: a value that is a problem is worded too, numbers grouped."""
    return t(problem.key, **{name: _shown(value) for name, value in problem.values.items()})


def _shown(value: Any) -> Any:
    if isinstance(value, Problem):
        return say(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value)
    return value


def parse_schema(text: str) -> dict[str, Any]:
    """The schema in ``text``, checked; raises :class:`InvalidSchema` saying why it cannot be sent."""
    problem = _schema_problem(text)
    if problem is not None:
        raise InvalidSchema(problem)
    schema: dict[str, Any] = json.loads(text)
    return schema


def check_output(text: str, schema: dict[str, Any] | None = None) -> OutputCheck:
    """Parse a JSON answer and, when ``schema`` is given, list where the answer breaks it."""
    value, problem = schema_engine.read_answer(text)
    if problem is not None:
        return OutputCheck(is_json=False, problems=[say(problem)])
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    if schema is None:
        return OutputCheck(is_json=True, value=value, pretty=pretty)
    try:
        verdict = _verdict(json.dumps(schema), text)
    except WorkersBusy:  # not kept: the next rerun tries again
        verdict = Verdict(not_checked=Problem("generate.schema_check_busy"))
    if verdict.not_checked is not None:
        return OutputCheck(is_json=True, value=value, pretty=pretty, not_checked=say(verdict.not_checked))
    problems = [say(problem) for problem in verdict.problems]
    more = verdict.total - len(problems)
    if verdict.capped:
        problems.append(t("generate.schema_more_than", n=max(more, 1)))
    elif more > 0:
        problems.append(t("generate.schema_more", n=more))
    return OutputCheck(is_json=True, value=value, pretty=pretty, problems=problems)


def _schema_problem(text: str) -> Problem | None:
    try:
        return _checked_schema(text)
    except WorkersBusy:  # not kept: the next rerun tries again
        return Problem("generate.schema_typed_busy")


@lru_cache(maxsize=32)
def _checked_schema(text: str) -> Problem | None:
    return schema_engine.schema_problem_in_worker(text)


@lru_cache(maxsize=32)
def _verdict(schema_json: str, answer: str) -> Verdict:
    """The worker's verdict on ``answer`` (already read, so it is JSON within the depth limit)."""
    return schema_engine.validate_in_worker(json.loads(schema_json), json.loads(answer))
