"""Which tools a chat offers, their declarations, and running one call of the model's.

A chat's choice (:class:`ToolChoice`) is saved with it: the built-in tools switched on and the
user's own declarations. :func:`run_call` takes one entry of the model's ``tool_calls``, untrusted
in every part (the call's shape, the tool's name, its arguments), and always returns a
:class:`~lib.tools.steps.Step`: a value, or a sentence saying why there is none, which is also what
the model is told. It never raises, and no built-in tool can be made to run long (each bounds its
own input). A call of the user's own tool returns a step that waits for them to type the result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lib.i18n import t_plain
from lib.tools import calculator, clock, custom, lookup, units
from lib.tools.choice import BUILT_IN, ToolChoice
from lib.tools.lookup import Library
from lib.tools.refusal import Refusal, Refused
from lib.tools.steps import MAX_STEPS, Step, object_arguments, sent_values

logger = logging.getLogger(__name__)

DECLARATIONS: dict[str, dict[str, Any]] = {
    calculator.NAME: calculator.DECLARATION,
    clock.NAME: clock.DECLARATION,
    units.NAME: units.DECLARATION,
    lookup.NAME: lookup.DECLARATION,
}
ICONS = {
    calculator.NAME: ":material/calculate:",
    clock.NAME: ":material/schedule:",
    units.NAME: ":material/straighten:",
    lookup.NAME: ":material/find_in_page:",
}
CUSTOM_ICON = ":material/edit_note:"
REFUSED_ICON = ":material/error:"
WAITING_ICON = ":material/keyboard:"
MAX_CALLS = 20  # run per round; more are refused with a sentence


@dataclass(frozen=True)
class Context:
    """What running a call may use: the chat's documents (None: none attached), and the clock."""

    library: Library | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def offered(choice: ToolChoice, *, documents: bool) -> list[dict[str, Any]]:
    """The ``tools`` of a request: the built-in tools switched on (the lookup only for a chat with
    documents), then the user's own."""
    names = [name for name in choice.enabled if name != lookup.NAME or documents]
    return [DECLARATIONS[name] for name in names] + list(choice.custom)


def offered_names(choice: ToolChoice, *, documents: bool) -> list[str]:
    return [custom.name_of(declaration) for declaration in offered(choice, documents=documents)]


def say(refusal: Refusal) -> str:
    """A refusal as plain text in the session's language: what the step shows and the model is told."""
    return t_plain(refusal.key, **refusal.values)


def run_call(call: Any, choice: ToolChoice, context: Context) -> Step:
    """One entry of the model's ``tool_calls`` run: a step with its value or the sentence that says why none."""
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict):
        return _refused("?", None, Refusal("tools.bad_call"))
    raw_name = function.get("name")
    arguments = function.get("arguments")
    if not isinstance(raw_name, str) or not raw_name.strip():
        return _refused("?", arguments, Refusal("tools.bad_call"))
    name = raw_name[:200]
    available = offered_names(choice, documents=context.library is not None)
    if name not in available:
        known = ", ".join(available)
        return _refused(name, arguments, Refusal("tools.unknown_tool", {"name": name[:60], "known": known}))
    values = object_arguments(arguments if arguments is not None else {})
    if values is None:
        return _refused(name, arguments, Refusal("tools.arguments_not_object"))
    if name not in BUILT_IN:
        return Step(name, arguments, custom=True)
    try:
        return Step(name, arguments, result=_run(name, values, context))
    except Refused as refused:
        return _refused(name, arguments, refused.refusal)
    except Exception:  # a tool's bug must be a sentence in the step, never a broken answer
        logger.exception("Tool %s failed", name)
        return _refused(name, arguments, Refusal("tools.failed", {"name": name}))


def too_many(calls: Sequence[Any]) -> list[Step]:
    """The calls past :data:`MAX_CALLS` in one round, not run, each with the sentence that says so; a round
    keeps at most :data:`MAX_STEPS` steps (what a saved answer can hold), so calls past those are not shown."""
    return [
        _refused(_name_of(call), _arguments_of(call), Refusal("tools.too_many_calls", {"limit": MAX_CALLS}))
        for call in calls[MAX_CALLS:MAX_STEPS]
    ]


def _name_of(call: Any) -> str:
    function = call.get("function") if isinstance(call, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name[:200] if isinstance(name, str) and name.strip() else "?"


def _arguments_of(call: Any) -> Any:
    function = call.get("function") if isinstance(call, dict) else None
    return function.get("arguments") if isinstance(function, dict) else None


def not_run(calls: Sequence[Any]) -> list[Step]:
    """Calls shown but never run (after the last round allowed); at most :data:`MAX_STEPS` of them are kept."""
    return [Step(_name_of(call), _arguments_of(call)) for call in calls[:MAX_STEPS]]


def _run(name: str, arguments: Mapping[str, Any], context: Context) -> str:
    if name == calculator.NAME:
        return calculator.run(arguments)
    if name == clock.NAME:
        return clock.run(arguments, context.now)
    if name == units.NAME:
        return units.run(arguments)
    return lookup.run(arguments, context.library)


def _refused(name: str, arguments: Any, refusal: Refusal) -> Step:
    plain = Refusal(refusal.key, sent_values(refusal.values))
    return Step(name, arguments, result=say(plain), refusal=plain)


def icon(step: Step) -> str:
    """The step's icon: the tool's own, a keyboard while it waits for the user, an error sign when refused."""
    if step.refusal is not None:
        return REFUSED_ICON
    if step.waiting:
        return WAITING_ICON
    return ICONS.get(step.name, CUSTOM_ICON)
