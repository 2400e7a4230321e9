"""The figures of one answer (:class:`~lib.ollama.stats.RunStats`), worded for the screen."""

from __future__ import annotations

from typing import NamedTuple

from lib.formatting import human_seconds, whole_number
from lib.i18n import t
from lib.ollama.stats import (
    LOAD_TIME,
    OUTPUT_TOKENS,
    PROMPT_RATE,
    PROMPT_TOKENS,
    TIME_TO_FIRST_TOKEN,
    TOKENS_PER_SECOND,
    TOTAL_TIME,
    RunStats,
)


class StatRow(NamedTuple):
    figure: str  # one of the figure names above
    label: str
    value: str
    help: str


def stat_rows(stats: RunStats) -> list[StatRow]:
    """The figures for display, in the order people compare runs, worded in the session's language."""
    known_first_token = stats.time_to_first_token is not None
    values = {
        TIME_TO_FIRST_TOKEN: human_seconds(stats.time_to_first_token)
        if known_first_token
        else t("generate.not_measured"),
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
        else t("generate.stat_first_token_estimated_help")
        if known_first_token
        else t("generate.stat_first_token_unknown_help"),
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
