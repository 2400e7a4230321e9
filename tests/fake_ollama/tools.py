"""Tool calling on /api/chat, as a model with the ``tools`` capability does it through Ollama.

Ollama parses the model's tool-call syntax and sends the calls in ``message.tool_calls``: streamed,
any thinking first, then ONE chunk ``{"message": {"role": "assistant", "content": "", "tool_calls":
[{"id": "call_…", "function": {"index": i, "name": n, "arguments": {…}}}]}, "done": false}`` and the
usual final chunk; not streamed, the one object's message holds them. The client runs the tools and
sends each result back as a ``{"role": "tool", "content": …, "tool_name": …}`` message.

The fake decides what to call in this order:

1. a round queued by ``FakeOllama.script_tool_calls`` (any arguments, even ones that are not an
   object, for tests of hostile input), for the next request that declares tools;
2. when the last message is the user's, a declared tool that clearly fits the question: an
   arithmetic expression for a calculator, the time or date (in a named city) for a clock, "convert
   5 miles to km" for a converter, a question for a search or document lookup;
3. otherwise no call: a normal answer, which after ``tool`` messages repeats their results.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_EXPRESSION = re.compile(r"[-(]*\d[\d.]*(?:\s*(?:\*\*|[-+*/%^×÷])\s*[-(]*\d[\d.]*\)*)+\)*")
_TIME_WORDS = re.compile(r"\b(time|date|today|clock)\b|时间|几点|日期|今天", re.IGNORECASE)
_CONVERSION = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*([°A-Za-z][\w/°^]*(?:\s+[A-Za-z]+)??)\s+(?:to|into|in)\s+([°A-Za-z][\w/°^]*)",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[?？]\s*$|^\s*(what|who|where|when|why|how|which|does|do|is|are|can|find|look up|search)\b"
    r"|什么|哪|怎么|如何|多少|吗",
    re.IGNORECASE,
)
_ZONE_NAME = re.compile(r"\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Pacific)/[A-Za-z_]+\b|\bUTC\b")
_CITIES = {
    "tokyo": "Asia/Tokyo",
    "东京": "Asia/Tokyo",
    "london": "Europe/London",
    "伦敦": "Europe/London",
    "new york": "America/New_York",
    "纽约": "America/New_York",
    "paris": "Europe/Paris",
    "巴黎": "Europe/Paris",
    "beijing": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
}
_EXPRESSION_PARAMETER = re.compile(r"expr|^input$|^formula$", re.IGNORECASE)
_VALUE_PARAMETERS = ("value", "amount", "quantity")
_FROM_PARAMETERS = ("from_unit", "from")
_TO_PARAMETERS = ("to_unit", "to")


def call_id(seed: str) -> str:
    """Ollama gives every call an id, ``call_`` and 8 hex digits; here it is derived, so tests can expect it."""
    return "call_" + hashlib.sha256(seed.encode()).hexdigest()[:8]


def wire_calls(calls: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """``[{"name", "arguments"}]`` as ``message.tool_calls`` entries."""
    return [
        {
            "id": call_id(f"{seed}\x1f{index}\x1f{call['name']}"),
            "function": {"index": index, "name": call["name"], "arguments": call["arguments"]},
        }
        for index, call in enumerate(calls)
    ]


def _functions(tools: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Each declared function's name and its parameters' ``properties`` (empty when it declares none)."""
    found = []
    for tool in tools:
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            continue
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        found.append((function["name"], properties if isinstance(properties, dict) else {}))
    return found


def _named(properties: dict[str, Any], choices: tuple[str, ...]) -> str | None:
    return next((name for name in choices if name in properties), None)


def _is_string(schema: Any) -> bool:
    kind = schema.get("type", "string") if isinstance(schema, dict) else "string"
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def _expression(prompt: str) -> str | None:
    found = [match.group(0).strip() for match in _EXPRESSION.finditer(prompt)]
    return max(found, key=len) if found else None


def _zone(prompt: str) -> str | None:
    named = _ZONE_NAME.search(prompt)
    if named:
        return named.group(0)
    lowered = prompt.lower()
    return next((zone for city, zone in _CITIES.items() if city in lowered), None)


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _calculator(prompt: str, name: str, properties: dict[str, Any]) -> dict[str, Any] | None:
    expression = _expression(prompt)
    parameter = next(
        (key for key, schema in properties.items() if _EXPRESSION_PARAMETER.search(key) and _is_string(schema)),
        None,
    )
    if expression is None or parameter is None:
        return None
    return {"name": name, "arguments": {parameter: expression}}


def _clock(prompt: str, name: str, properties: dict[str, Any]) -> dict[str, Any] | None:
    if not re.search("time|date|clock", name, re.IGNORECASE) or not _TIME_WORDS.search(prompt):
        return None
    zone = _zone(prompt)
    parameter = next((key for key in properties if "zone" in key.lower() or key.lower() == "tz"), "timezone")
    return {"name": name, "arguments": {parameter: zone} if zone else {}}


def _converter(prompt: str, name: str, properties: dict[str, Any]) -> dict[str, Any] | None:
    if not re.search("convert|unit", name, re.IGNORECASE) or "convert" not in prompt.lower():
        return None
    match = _CONVERSION.search(prompt)
    if match is None:
        return None
    value, source, target = match.groups()
    return {
        "name": name,
        "arguments": {
            _named(properties, _VALUE_PARAMETERS) or "value": _number(value),
            _named(properties, _FROM_PARAMETERS) or "from_unit": source,
            _named(properties, _TO_PARAMETERS) or "to_unit": target,
        },
    }


def _search(prompt: str, name: str, properties: dict[str, Any]) -> dict[str, Any] | None:
    if not re.search("search|lookup|look_up|document|retrieve", name, re.IGNORECASE) or not _QUESTION.search(prompt):
        return None
    return {"name": name, "arguments": {"query": prompt.strip()}}


_MATCHERS = (_calculator, _clock, _converter, _search)


def choose(prompt: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The call a model would make for ``prompt`` with ``tools`` declared, or none."""
    functions = _functions(tools)
    for matcher in _MATCHERS:
        for name, properties in functions:
            call = matcher(prompt, name, properties)
            if call is not None:
                return [call]
    return []


def results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``tool`` messages at the end of the history: the results the model has not answered yet."""
    trailing = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        trailing.append(message)
    return trailing[::-1]


def answer(tool_messages: list[dict[str, Any]]) -> str:
    """A reply that uses every result, so a test can see each one reached the model."""
    if len(tool_messages) == 1:
        return f"The result is {_said(tool_messages[0])}."
    parts = [f"{message.get('tool_name') or 'a tool'} returned {_said(message)}" for message in tool_messages]
    return "Here is what I found: " + "; ".join(parts) + "."


def _said(message: dict[str, Any]) -> str:
    return str(message.get("content", "")).strip().rstrip(".")


def declared_text(tools: list[dict[str, Any]]) -> str:
    """The declared tools as the template renders them into the prompt (they take room in the context)."""
    return json.dumps(tools) if tools else ""
