"""Which messages of a chat the model sees: Ollama's chatPrompt (server/prompt.go) drops old ones to fit.

Ollama renders the conversation from the newest message backwards and keeps the longest tail that
fits the context window (``num_ctx``: the request's option, else the model's parameter, else 4096,
capped by the model's context length), always with every system message that came before it and
always with the last message; older messages are dropped, without a word to the client, and
``prompt_eval_count`` counts only what was kept. With ``truncate: false`` nothing is dropped. When even
the last message does not fit, the runner has no room left: an empty answer, ``done_reason`` "length"
(``completion.fit``).

The fake records what the model saw in ``RecordedRequest.prompt_messages`` so tests can check which
messages a long chat lost.
"""

from __future__ import annotations

import json
from typing import Any

from . import text

MESSAGE_OVERHEAD = 5
"""Tokens the template adds around each message (role header, end of turn)."""

Message = dict[str, Any]


def cost(message: Message) -> int:
    """A message's tokens in the prompt: its text, its earlier tool calls, and the template around it."""
    tokens = text.count_tokens(str(message.get("content", ""))) + MESSAGE_OVERHEAD
    if message.get("tool_calls"):
        tokens += text.count_tokens(json.dumps(message["tool_calls"]))
    return tokens


def kept(messages: list[Message], fixed: int, context: int, *, truncate: bool = True) -> list[Message]:
    """The messages that fit in ``context`` tokens besides ``fixed`` ones (model system prompt, tools).

    Like chatPrompt: for each start i from the newest back, the prompt is the system messages before i
    plus messages[i:]; the earliest start that fits (at most ``context`` tokens) wins.
    """
    if not messages:
        return []
    costs = [cost(message) for message in messages]
    systems_before = [0]
    for message, tokens in zip(messages, costs, strict=True):
        systems_before.append(systems_before[-1] + (tokens if _is_system(message) else 0))
    start = len(messages) - 1
    tail = costs[start]
    for index in range(start - 1, -1, -1):
        tail += costs[index]
        if truncate and fixed + systems_before[index] + tail > context:
            break
        start = index
    return [message for message in messages[:start] if _is_system(message)] + messages[start:]


def tokens(messages: list[Message], fixed: int) -> int:
    return fixed + sum(cost(message) for message in messages)


def _is_system(message: Message) -> bool:
    return message.get("role") == "system"
