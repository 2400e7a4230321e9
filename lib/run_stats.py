"""Speed and size figures for one generate or chat run, from the final chunk's nanosecond durations.

Ollama's last object (``done: true``) of ``/api/generate`` and ``/api/chat`` carries
``total_duration``, ``load_duration``, ``prompt_eval_count``, ``prompt_eval_duration``,
``eval_count`` and ``eval_duration``, all durations in nanoseconds. Fields can be missing
(a prompt served entirely from the cache has no ``prompt_eval_count``) or zero, so every
figure is ``None`` when it cannot be computed rather than a division by zero.

Time to first token is not in the server's figures. A streaming caller measures it on its
own clock and passes it in; otherwise it is estimated as load time plus prompt evaluation,
which is when the server can produce its first token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.formatting import NANOSECONDS, human_seconds


@dataclass(frozen=True)
class RunStats:
    time_to_first_token: float | None  # seconds
    first_token_measured: bool  # False: estimated from the server's load and prompt times
    prompt_tokens: int | None
    prompt_tokens_per_second: float | None
    output_tokens: int | None
    output_tokens_per_second: float | None
    load_time: float | None  # seconds
    total_time: float | None  # seconds


def run_stats(final: dict[str, Any], time_to_first_token: float | None = None) -> RunStats:
    """Figures for a run; ``final`` is the ``done`` object, ``time_to_first_token`` seconds measured by the caller."""
    load = _seconds(final.get("load_duration"))
    prompt_eval = _seconds(final.get("prompt_eval_duration"))
    prompt_tokens = _count(final.get("prompt_eval_count"))
    output_tokens = _count(final.get("eval_count"))
    measured = time_to_first_token is not None
    if not measured and (load is not None or prompt_eval is not None):
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


def stat_rows(stats: RunStats) -> list[tuple[str, str, str]]:
    """``(label, value, help)`` for display, in the order people compare runs."""
    first_token_help = (
        "From sending the request to the first word arriving, measured by this app."
        if stats.first_token_measured
        else "Estimated as load time plus prompt reading time, as reported by the server."
    )
    return [
        ("Time to first token", human_seconds(stats.time_to_first_token), first_token_help),
        ("Output tokens", _number(stats.output_tokens),
         "Tokens the model wrote (a token is about three quarters of a word)."),
        ("Tokens/s", _rate_text(stats.output_tokens_per_second),
         "Writing speed: output tokens per second of generation."),
        ("Prompt tokens", _number(stats.prompt_tokens),
         "Tokens of input the model read; text it had cached is not counted."),
        ("Prompt eval rate", _rate_text(stats.prompt_tokens_per_second), "Reading speed: prompt tokens per second."),
        ("Load time", human_seconds(stats.load_time),
         "Time spent loading the model into memory; near zero when it was already loaded."),
        ("Total time", human_seconds(stats.total_time), "Everything the server spent on this request."),
    ]


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


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _rate_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} tok/s" if value >= 100 else f"{value:.1f} tok/s"
