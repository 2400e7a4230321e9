"""The steps of an answer that called tools, as data: saved with the answer, shown in its bubble, sent again.

An answer that calls tools takes rounds: the model answers with ``tool_calls`` (and maybe some text
or thinking), each call is run (a :class:`Step`), and the results go back as ``tool`` messages
before the model is asked again. The rounds are kept with the answer (:class:`Round`), so a reload
shows them, exports carry them, and the next question's ``messages`` replay them
(:func:`replayed`) as Ollama's own history would hold them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.tools.refusal import Refusal

MAX_ROUNDS = 5  # rounds of calls run for one answer; a model that calls again after them is stopped
MAX_ROUNDS_SAVED = 50
MAX_STEPS = 50  # per round
MAX_TEXT = 1_000_000
MAX_NAME = 200
MAX_ARGUMENTS_CHARS = 100_000  # of the arguments as JSON


@dataclass
class Step:
    """One tool call: its name and arguments as the model sent them (anything), and what came of it.

    ``result`` is the text that went back to the model (a value, or the sentence of ``refusal``);
    ``None`` while a tool of the user's own waits for them to type its result.
    """

    name: str
    arguments: Any = None
    result: str | None = None
    refusal: Refusal | None = None
    custom: bool = False

    def __post_init__(self) -> None:
        self.arguments = kept_arguments(self.arguments)

    @property
    def waiting(self) -> bool:
        return self.result is None and self.refusal is None


@dataclass
class Round:
    """What the model said with its calls (often nothing), and the calls. ``not_run``: the calls of a model
    that kept calling after the last round allowed, shown but never run."""

    content: str = ""
    thinking: str = ""
    steps: list[Step] = field(default_factory=list)
    not_run: bool = False


def kept_arguments(arguments: Any) -> Any:
    """The arguments as a step keeps them: as the model sent them when they can be saved and read back
    (:func:`from_data`), else as text, shortened. The tool has already been run on the originals."""
    try:
        size = len(json.dumps(arguments, allow_nan=False))
    except (ValueError, TypeError, RecursionError):
        try:
            text = str(arguments)
        except (RecursionError, ValueError):
            text = "?"
        return _shortened(text)
    return arguments if size <= MAX_ARGUMENTS_CHARS else _shortened(json.dumps(arguments, ensure_ascii=False))


def _shortened(text: str) -> str:
    """At most what fits :data:`MAX_ARGUMENTS_CHARS` once written as JSON (a character takes up to 12)."""
    limit = MAX_ARGUMENTS_CHARS // 12
    return text if len(text) <= limit else text[:limit] + "…"


def waiting(rounds: Sequence[Round]) -> list[Step]:
    """The calls still waiting for a result typed by the user."""
    return [step for r in rounds if not r.not_run for step in r.steps if step.waiting]


def object_arguments(arguments: Any) -> dict[str, Any] | None:
    """The arguments as an object, as a tool reads them; a JSON text holding an object counts (some models
    send one); None for anything else."""
    if isinstance(arguments, str) and len(arguments) <= MAX_ARGUMENTS_CHARS:
        try:
            arguments = json.loads(arguments)
        except (ValueError, RecursionError):
            return None
    return arguments if isinstance(arguments, dict) else None


def replayed(rounds: Sequence[Round], *, thinking: bool = False) -> list[dict[str, Any]]:
    """The rounds as ``messages``: per round, the assistant's ``tool_calls`` and one ``tool`` message per result.

    Calls that were never run, or still wait for a typed result, are left out: the model is told only
    of calls that have a result. Arguments that are not an object go as ``{}`` (Ollama takes objects
    only); the result the model got says what was wrong with them. ``thinking``: each round's thinking
    goes with its calls, for the answer being produced (a thinking model goes on from its reasoning);
    earlier turns' thinking is left out, as for any earlier answer.
    """
    messages: list[dict[str, Any]] = []
    for each in rounds:
        done = [step for step in each.steps if not each.not_run and step.result is not None]
        if not done:
            continue
        calls = [
            {"function": {"index": index, "name": step.name, "arguments": object_arguments(step.arguments) or {}}}
            for index, step in enumerate(done)
        ]
        message: dict[str, Any] = {"role": "assistant", "content": each.content, "tool_calls": calls}
        if thinking and each.thinking:
            message["thinking"] = each.thinking
        messages.append(message)
        messages += [{"role": "tool", "content": step.result, "tool_name": step.name} for step in done]
    return messages


# Saved as JSON (the messages table's ``tools`` column, and exports)


def to_data(rounds: Sequence[Round]) -> list[dict[str, Any]]:
    return [
        {
            "content": each.content,
            "thinking": each.thinking,
            "not_run": each.not_run,
            "steps": [_step_data(step) for step in each.steps],
        }
        for each in rounds
    ]


def _step_data(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"name": step.name, "arguments": step.arguments, "result": step.result}
    if step.refusal is not None:
        data["refusal"] = {"key": step.refusal.key, "values": dict(step.refusal.values)}
    if step.custom:
        data["custom"] = True
    return data


def to_json(rounds: Sequence[Round]) -> str:
    return json.dumps(to_data(rounds), ensure_ascii=False, default=str)


class Unreadable(ValueError):
    """Saved or imported rounds that are not in this shape; ``where`` is the path to the first wrong value."""

    def __init__(self, where: tuple[str | int, ...], key: str, **values: Any) -> None:
        super().__init__(key)
        self.where = where
        self.key = key
        self.values = values


def from_data(value: Any) -> list[Round]:
    """Rounds from :func:`to_data`'s shape, checked strictly; :class:`Unreadable` names the first problem."""
    if not isinstance(value, list):
        raise Unreadable((), "chat_import.must_be_list")
    if len(value) > MAX_ROUNDS_SAVED:
        raise Unreadable((), "chat_import.too_many", limit=MAX_ROUNDS_SAVED)
    return [_round(item, (index,)) for index, item in enumerate(value)]


def _round(item: Any, where: tuple[str | int, ...]) -> Round:
    if not isinstance(item, dict):
        raise Unreadable(where, "chat_import.must_be_object")
    unknown = set(item) - {"content", "thinking", "not_run", "steps"}
    if unknown:
        raise Unreadable((*where, sorted(unknown)[0]), "chat_import.unknown_field")
    steps = item.get("steps", [])
    if not isinstance(steps, list):
        raise Unreadable((*where, "steps"), "chat_import.must_be_list")
    if len(steps) > MAX_STEPS:
        raise Unreadable((*where, "steps"), "chat_import.too_many", limit=MAX_STEPS)
    not_run = item.get("not_run", False)
    if not isinstance(not_run, bool):
        raise Unreadable((*where, "not_run"), "chat_import.must_be_boolean")
    return Round(
        content=_text(item.get("content"), (*where, "content"), MAX_TEXT),
        thinking=_text(item.get("thinking"), (*where, "thinking"), MAX_TEXT),
        steps=[_step(step, (*where, "steps", index)) for index, step in enumerate(steps)],
        not_run=not_run,
    )


def _step(item: Any, where: tuple[str | int, ...]) -> Step:
    if not isinstance(item, dict):
        raise Unreadable(where, "chat_import.must_be_object")
    unknown = set(item) - {"name", "arguments", "result", "refusal", "custom"}
    if unknown:
        raise Unreadable((*where, sorted(unknown)[0]), "chat_import.unknown_field")
    arguments = item.get("arguments")
    try:
        size = len(json.dumps(arguments, allow_nan=False))
    except (ValueError, TypeError, RecursionError):
        raise Unreadable((*where, "arguments"), "chat_import.not_finite") from None
    if size > MAX_ARGUMENTS_CHARS:
        raise Unreadable((*where, "arguments"), "chat_import.too_long", limit=MAX_ARGUMENTS_CHARS)
    result = item.get("result")
    custom = item.get("custom", False)
    if not isinstance(custom, bool):
        raise Unreadable((*where, "custom"), "chat_import.must_be_boolean")
    return Step(
        name=_text(item.get("name"), (*where, "name"), MAX_NAME),
        arguments=arguments,
        result=None if result is None else _text(result, (*where, "result"), MAX_TEXT),
        refusal=_refusal(item.get("refusal"), (*where, "refusal")),
        custom=custom,
    )


def _refusal(item: Any, where: tuple[str | int, ...]) -> Refusal | None:
    if item is None:
        return None
    if not isinstance(item, dict) or not isinstance(item.get("key"), str) or set(item) - {"key", "values"}:
        raise Unreadable(where, "chat_import.must_be_object")
    values = item.get("values") or {}
    if not isinstance(values, dict) or not all(_plain(value) for value in values.values()):
        raise Unreadable((*where, "values"), "chat_import.must_be_object")
    return Refusal(item["key"][:MAX_NAME], values)


_MAX_VALUE = 10_000  # characters of a refusal's value


def _plain(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or (
        isinstance(value, (str, int, bool)) and (not isinstance(value, str) or len(value) <= _MAX_VALUE)
    )


def _text(value: Any, where: tuple[str | int, ...], limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Unreadable(where, "chat_import.must_be_text")
    if len(value) > limit:
        raise Unreadable(where, "chat_import.too_long", limit=limit)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Unreadable(where, "chat_import.not_unicode") from None
    return value


def from_json(text: str | None) -> list[Round]:
    """Saved rounds; :class:`Unreadable` when the column holds something else."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable((), "chat_import.stored_not_json") from None
    return from_data(value)


def sent_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A refusal's values as they can be saved and read back: anything that is not plain data becomes its
    text, and a long text is shortened (a server's message can be any length)."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if not _plain(value):
            value = str(value)
            value = value if len(value) <= _MAX_VALUE else value[: _MAX_VALUE - 1] + "…"
        kept[name] = value
    return kept
