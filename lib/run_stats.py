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
from typing import Any, NamedTuple

from lib.formatting import NANOSECONDS, human_seconds, whole_number
from lib.i18n import t

# Figure names: stable identifiers (exports use them as keys); stat_rows() and figure_label() word them.
TIME_TO_FIRST_TOKEN = "time_to_first_token"
OUTPUT_TOKENS = "output_tokens"
TOKENS_PER_SECOND = "tokens_per_second"
PROMPT_TOKENS = "prompt_tokens"
PROMPT_RATE = "prompt_tokens_per_second"
LOAD_TIME = "load_time"
TOTAL_TIME = "total_time"


class StatRow(NamedTuple):
    figure: str  # one of the figure names above
    label: str
    value: str
    help: str


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


def stat_rows(stats: RunStats) -> list[StatRow]:
    """The figures for display, in the order people compare runs, worded in the session's language."""
    values = {
        TIME_TO_FIRST_TOKEN: human_seconds(stats.time_to_first_token),
        OUTPUT_TOKENS: whole_number(stats.output_tokens),
        TOKENS_PER_SECOND: rate_text(stats.output_tokens_per_second),
        PROMPT_TOKENS: whole_number(stats.prompt_tokens),
        PROMPT_RATE: rate_text(stats.prompt_tokens_per_second),
        LOAD_TIME: human_seconds(stats.load_time),
        TOTAL_TIME: human_seconds(stats.total_time),
    }
    helps = {
        TIME_TO_FIRST_TOKEN: t("generate.stat_first_token_measured_help")
        if stats.first_token_measured
        else t("generate.stat_first_token_estimated_help"),
        OUTPUT_TOKENS: t("generate.stat_output_tokens_help"),
        TOKENS_PER_SECOND: t("generate.stat_tokens_per_second_help"),
        PROMPT_TOKENS: t("generate.stat_prompt_tokens_help"),
        PROMPT_RATE: t("generate.stat_prompt_rate_help"),
        LOAD_TIME: t("generate.stat_load_time_help"),
        TOTAL_TIME: t("generate.stat_total_time_help"),
    }
    return [StatRow(figure, figure_label(figure), value, helps[figure]) for figure, value in values.items()]


def figure_label(figure: str) -> str:
    """The column title of a figure (one of the names above) in the session's language."""
    return {
        TIME_TO_FIRST_TOKEN: t("generate.stat_first_token"),
        OUTPUT_TOKENS: t("generate.stat_output_tokens"),
        TOKENS_PER_SECOND: t("generate.stat_tokens_per_second"),
        PROMPT_TOKENS: t("generate.stat_prompt_tokens"),
        PROMPT_RATE: t("generate.stat_prompt_rate"),
        LOAD_TIME: t("generate.stat_load_time"),
        TOTAL_TIME: t("generate.stat_total_time"),
    }[figure]


def rate_text(value: float | None) -> str:
    """``61.6 token/s``; fast rates without the decimal (``4,000 token/s``)."""
    if value is None:
        return "—"
    return t("generate.rate", value=f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


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
