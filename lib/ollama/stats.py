"""Speed and size figures for one generate or chat answer, from the final chunk's nanosecond durations.

Ollama's last object (``done: true``) of ``/api/generate`` and ``/api/chat`` carries
``total_duration``, ``load_duration``, ``prompt_eval_count``, ``prompt_eval_duration``,
``eval_count`` and ``eval_duration``, all durations in nanoseconds. Fields can be missing
(a prompt served entirely from the cache has no ``prompt_eval_count``) or zero, so every
figure is ``None`` when it cannot be computed rather than a division by zero.

Time to first token is not in the server's figures. A streaming caller measures it on its
own clock and passes it in; otherwise it is estimated as load time plus prompt evaluation,
which is when the server can produce its first token.

:class:`RunStats` is the one statistics type of every answer (Chat, Generate, both compare
modes); saved chats keep it with :meth:`RunStats.to_dict` and read it back, older field names
included, with :meth:`RunStats.from_dict`. The screen words the figures (:mod:`lib.ui.stats`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

NANOSECONDS = 1_000_000_000

# Figure names: stable identifiers (exports use them as keys).
TIME_TO_FIRST_TOKEN = "time_to_first_token"
OUTPUT_TOKENS = "output_tokens"
TOKENS_PER_SECOND = "tokens_per_second"
PROMPT_TOKENS = "prompt_tokens"
PROMPT_RATE = "prompt_tokens_per_second"
LOAD_TIME = "load_time"
TOTAL_TIME = "total_time"

# Saved chats from before the one statistics type used these names.
_OLD_NAMES = {
    "first_token": "time_to_first_token",
    "tokens": "output_tokens",
    "tokens_per_second": "output_tokens_per_second",
    "load": "load_time",
    "total": "total_time",
}


@dataclass(frozen=True)
class RunStats:
    time_to_first_token: float | None = None  # seconds
    first_token_measured: bool = False  # False: estimated from the server's load and prompt times
    prompt_tokens: int | None = None
    prompt_tokens_per_second: float | None = None
    output_tokens: int | None = None
    output_tokens_per_second: float | None = None
    load_time: float | None = None  # seconds
    total_time: float | None = None  # seconds

    def to_dict(self) -> dict[str, Any]:
        """The figures that are known, for saving."""
        return {name: value for name, value in asdict(self).items() if value is not None and value is not False}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RunStats:
        """Saved figures back, whether saved under today's names or the older ones; unknown keys are ignored."""
        known = {field.name for field in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in (data or {}).items():
            name = key if key in known else _OLD_NAMES.get(key)
            if name is not None and value is not None:
                values[name] = value
        if "first_token" in (data or {}) and "first_token_measured" not in values:
            values["first_token_measured"] = True  # older chats saved only times measured while streaming
        return cls(**values)


STAT_NAMES = frozenset({field.name for field in fields(RunStats)} | set(_OLD_NAMES))
"""Every name a saved figure may have, today's and the older ones."""


def run_stats(final: dict[str, Any] | None, time_to_first_token: float | None = None) -> RunStats:
    """Figures for an answer from its ``done`` object; ``time_to_first_token``: seconds the caller measured."""
    final = final or {}
    load = _seconds(final.get("load_duration"))
    prompt_eval = _seconds(final.get("prompt_eval_duration"))
    prompt_tokens = _count(final.get("prompt_eval_count"))
    output_tokens = _count(final.get("eval_count"))
    measured = time_to_first_token is not None
    if not measured and (load or 0.0) + (prompt_eval or 0.0) > 0:  # zeros say nothing: not measured
        time_to_first_token = (load or 0.0) + (prompt_eval or 0.0)
    return RunStats(
        time_to_first_token=time_to_first_token,
        first_token_measured=measured,
        prompt_tokens=prompt_tokens,
        prompt_tokens_per_second=_rate(prompt_tokens, final.get("prompt_eval_duration")),
        output_tokens=output_tokens,
        output_tokens_per_second=_rate(output_tokens, final.get("eval_duration")),
        load_time=load,
        total_time=_seconds(final.get("total_duration")),
    )


def _seconds(nanoseconds: Any) -> float | None:
    if not isinstance(nanoseconds, (int, float)) or isinstance(nanoseconds, bool) or nanoseconds < 0:
        return None
    return nanoseconds / NANOSECONDS


def _count(value: Any) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    return value


def _rate(tokens: int | None, nanoseconds: Any) -> float | None:
    seconds = _seconds(nanoseconds)
    if tokens is None or not seconds:
        return None
    return tokens / seconds
