"""Figures of a finished comparison: per column, the fastest, the wall time, and whether the server queued.

All columns are sent at the same moment and timed on one clock, so their times can be set
against each other. A server that answers them in parallel finishes in about the time of
the slowest column. A server that queues them (Ollama serves ``OLLAMA_NUM_PARALLEL``
requests per loaded model, and loads only as many models as fit in memory) starts writing
a queued column only once another has finished: that is what :func:`queued_behind` looks for.
Columns on different servers (a fleet) cannot wait for each other, so only columns on the same
server are set against each other there.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from lib.formatting import human_seconds
from lib.i18n import markdown, t
from lib.ollama.stats import LOAD_TIME, OUTPUT_TOKENS, TIME_TO_FIRST_TOKEN, TOKENS_PER_SECOND, TOTAL_TIME, RunStats
from lib.ollama.stream import Answer

# A column counts as having waited for another only if that other one was writing for at least
# this long without the first getting a word: shorter overlaps happen by chance on a fast server.
MIN_BUSY_SECONDS = 0.2
# Two columns count as written in parallel only if both were writing at once for at least this long.
MIN_OVERLAP_SECONDS = 0.1

# figure -> whether a larger value is better, for the highlight of the best column
SPEED_FIGURES = {TIME_TO_FIRST_TOKEN: False, TOKENS_PER_SECOND: True, TOTAL_TIME: False}
# How long and how much a column thought: seconds from its first thought to its first answer text, characters.
THINKING_TIME, THINKING_LENGTH = "thinking_time", "thinking_length"


@dataclass(frozen=True)
class Timing:
    """Seconds from sending a column's request (all were sent together), and the server it went to."""

    first_token: float | None
    ended: float | None
    server: str = ""


def timing(result: Answer, server: str = "") -> Timing:
    return Timing(result.first_token, result.ended_after, server)


def queued_behind(timings: list[Timing], min_busy: float = MIN_BUSY_SECONDS) -> dict[int, int]:
    """``{column: the column it waited for}`` for columns whose first word came only after another ended.

    The one it waited for is the last to end before its first word, on the same server. A column
    that ended without a word (an error, an empty answer) waited if it ended after another one ended.
    """
    waited: dict[int, int] = {}
    for index, mine in enumerate(timings):
        start = mine.first_token if mine.first_token is not None else mine.ended
        if start is None:
            continue
        before = [
            (other.ended, other_index)
            for other_index, other in enumerate(timings)
            if other_index != index
            and other.server == mine.server
            and other.ended is not None
            and other.first_token is not None
            and other.ended <= start
            and other.ended - other.first_token >= min_busy
        ]
        if before:
            waited[index] = max(before)[1]
    return waited


def wall_time(timings: list[Timing]) -> float | None:
    """From sending to the last column's end: the time the comparison took."""
    ends = [t.ended for t in timings if t.ended is not None]
    return max(ends) if ends else None


def summed_time(timings: list[Timing]) -> float | None:
    """About what the columns would take one after the other.

    A queued column's own time starts when the column it waited for ended.
    """
    waited = queued_behind(timings)
    own = []
    for index, mine in enumerate(timings):
        if mine.ended is None:
            continue
        began = timings[waited[index]].ended if index in waited else None
        own.append(mine.ended - (began or 0.0))
    return sum(own) if own else None


def figures(stats: RunStats | None) -> dict[str, float | int | None]:
    """The numbers the summary table shows for one column, by figure name."""
    if stats is None:
        return dict.fromkeys((TIME_TO_FIRST_TOKEN, OUTPUT_TOKENS, TOKENS_PER_SECOND, LOAD_TIME, TOTAL_TIME))
    return {
        TIME_TO_FIRST_TOKEN: stats.time_to_first_token,
        OUTPUT_TOKENS: stats.output_tokens,
        TOKENS_PER_SECOND: stats.output_tokens_per_second,
        LOAD_TIME: stats.load_time,
        TOTAL_TIME: stats.total_time,
    }


def thinking(result: Answer, answer_started: float | None) -> dict[str, float | int | None]:
    """How long and how much a column thought, set beside its speed to weigh a thinking level.

    The time runs from the first text (a thought) to the first answer text, both measured while
    streaming; a column that did not think, or never began its answer, has none.
    """
    thought = bool(result.thinking)
    seconds = None
    if thought and answer_started is not None and result.first_token is not None:
        seconds = max(answer_started - result.first_token, 0.0)
    return {THINKING_TIME: seconds, THINKING_LENGTH: len(result.thinking) if thought else None}


def best(rows: list[dict[str, float | int | None]], eligible: set[int] | None = None) -> dict[str, int]:
    """``{figure: index of the best row}`` for each speed figure that at least two ``eligible`` rows have.

    Only rows with an answer may win (``eligible``: all by default): a column that failed, was
    stopped or answered nothing is quick at nothing. A tie goes to the first row; a figure with
    a single value has nothing to compare.
    """
    winners: dict[str, int] = {}
    for name, larger_is_better in SPEED_FIGURES.items():
        known = [
            (value, index)
            for index, row in enumerate(rows)
            if (value := row.get(name)) is not None and (eligible is None or index in eligible)
        ]
        if len(known) < 2:
            continue
        pick = max(known, key=lambda pair: (pair[0], -pair[1])) if larger_is_better else min(known)
        winners[name] = pick[1]
    return winners


def wrote_together(timings: list[Timing], min_overlap: float = MIN_OVERLAP_SECONDS) -> bool:
    """Whether two columns on one server were writing at the same time, for at least ``min_overlap``
    seconds: proof of a server answering in parallel. Short answers that never overlap prove neither
    that nor queueing."""
    spans = [(t.first_token, t.ended, t.server) for t in timings if t.first_token is not None and t.ended is not None]
    return any(
        first_server == second_server and min(first_end, second_end) - max(first_start, second_start) >= min_overlap
        for (first_start, first_end, first_server), (second_start, second_end, second_server) in itertools.combinations(
            spans, 2
        )
    )


def shared_server(timings: list[Timing]) -> bool:
    """Whether two columns went to the same server (else none could wait for another)."""
    servers = [timing.server for timing in timings]
    return len(set(servers)) < len(servers)


def wall_time_sentence(timings: list[Timing], labels: list[str]) -> str:
    """One or two sentences on how long the comparison took and, when the times show it, whether the
    server answered the columns in parallel or queued them."""
    wall, summed = wall_time(timings), summed_time(timings)
    if wall is None or summed is None:
        return t("compare.no_time")
    if not shared_server(timings):
        return t("compare.apart_sentence", wall=human_seconds(wall))
    waited = queued_behind(timings)
    if waited:
        pairs = markdown(
            t("compare.list_separator").join(
                t("compare.waited_for", column=labels[index], other=labels[other])
                for index, other in sorted(waited.items())
            )
        )
        return t("compare.queued_sentence", pairs=pairs, wall=human_seconds(wall), summed=human_seconds(summed))
    if wrote_together(timings):
        return t("compare.parallel_sentence", wall=human_seconds(wall), summed=human_seconds(summed))
    return t("compare.took_sentence", wall=human_seconds(wall))
