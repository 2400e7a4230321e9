"""Comparison figures: queued columns, wall time, the best of each speed figure."""

from __future__ import annotations

import pytest

from lib.generate.compare import stats as compare_stats
from lib.generate.compare.stats import Timing, best, queued_behind, summed_time, wall_time, wall_time_sentence
from lib.ollama.stats import run_stats
from lib.ollama.stream import Answer

PARALLEL = [Timing(0.1, 2.0), Timing(0.2, 3.0), Timing(0.15, 1.5)]
QUEUED = [Timing(0.1, 2.0), Timing(2.1, 4.0)]  # the second's first word after the first ended


@pytest.mark.parametrize(
    ("timings", "expected"),
    [
        (PARALLEL, {}),
        (QUEUED, {1: 0}),
        ([Timing(0.1, 2.0), Timing(2.1, 4.0), Timing(4.1, 6.0)], {1: 0, 2: 1}),  # one slot: each waits for the last
        ([Timing(0.1, 2.0), Timing(0.2, 2.5), Timing(2.1, 4.0)], {2: 0}),  # two slots, the third waits for the first
        ([Timing(0.01, 0.05), Timing(0.06, 0.1)], {}),  # a fast server may finish one before the next starts
        ([Timing(None, None), Timing(0.1, 1.0)], {}),  # a stopped column has no times
        ([Timing(0.1, 2.0), Timing(None, 2.5)], {1: 0}),  # a failure after waiting for the other column
        ([Timing(0.1, 2.0), Timing(None, 0.3)], {}),  # a failure at once
    ],
)
def test_queued_behind(timings, expected):
    assert queued_behind(timings) == expected


def test_wall_time_is_the_slowest_column():
    assert wall_time(PARALLEL) == 3.0
    assert wall_time([Timing(None, None)]) is None


def test_summed_time_counts_a_queued_column_from_the_end_of_the_one_it_waited_for():
    assert summed_time(PARALLEL) == pytest.approx(6.5)
    assert summed_time(QUEUED) == pytest.approx(4.0)


def test_the_sentence_says_parallel_or_queued():
    parallel = wall_time_sentence(PARALLEL, ["A", "B", "C"])
    assert "in parallel" in parallel and "3.0 s" in parallel
    queued = wall_time_sentence(QUEUED, ["A · llama", "B · llama"])
    assert "queued" in queued and "B · llama started writing only after A · llama had finished" in queued
    assert "OLLAMA_NUM_PARALLEL" in queued
    assert "No column finished" in wall_time_sentence([Timing(None, None)], ["A"])


def test_best_picks_the_fastest_of_each_speed_figure():
    rows = [
        {compare_stats.TIME_TO_FIRST_TOKEN: 0.5, compare_stats.TOKENS_PER_SECOND: 40.0, compare_stats.TOTAL_TIME: 3.0},
        {compare_stats.TIME_TO_FIRST_TOKEN: 0.2, compare_stats.TOKENS_PER_SECOND: 55.0, compare_stats.TOTAL_TIME: 4.0},
        {
            compare_stats.TIME_TO_FIRST_TOKEN: None,
            compare_stats.TOKENS_PER_SECOND: None,
            compare_stats.TOTAL_TIME: None,
        },
    ]
    assert best(rows) == {
        compare_stats.TIME_TO_FIRST_TOKEN: 1,
        compare_stats.TOKENS_PER_SECOND: 1,
        compare_stats.TOTAL_TIME: 0,
    }


def test_best_needs_two_values_and_gives_a_tie_to_the_first():
    assert best([{compare_stats.TOKENS_PER_SECOND: 10.0}, {compare_stats.TOKENS_PER_SECOND: None}]) == {}
    tie = [{compare_stats.TOKENS_PER_SECOND: 10.0}, {compare_stats.TOKENS_PER_SECOND: 10.0}]
    assert best(tie) == {compare_stats.TOKENS_PER_SECOND: 0}


def test_figures_of_a_run_and_of_none():
    final = {
        "eval_count": 50,
        "eval_duration": 2_000_000_000,
        "load_duration": 500_000_000,
        "total_duration": 3_000_000_000,
    }
    shown = compare_stats.figures(run_stats(final, 0.7))
    assert shown == {
        compare_stats.TIME_TO_FIRST_TOKEN: 0.7,
        compare_stats.OUTPUT_TOKENS: 50,
        compare_stats.TOKENS_PER_SECOND: 25.0,
        compare_stats.LOAD_TIME: 0.5,
        compare_stats.TOTAL_TIME: 3.0,
    }
    assert set(compare_stats.figures(None).values()) == {None}


def test_parallel_is_claimed_only_when_columns_wrote_at_the_same_time():
    assert compare_stats.wrote_together(PARALLEL)
    assert not compare_stats.wrote_together(QUEUED)
    short = [Timing(0.01, 0.05), Timing(0.06, 0.1)]  # "Say OK.": neither parallel nor queued can be told
    assert not compare_stats.wrote_together(short) and queued_behind(short) == {}
    sentence = wall_time_sentence(short, ["A", "B"])
    assert "too short" in sentence and "in parallel" not in sentence.split(".")[0] and "queued" not in sentence
    failed_at_once = [Timing(0.1, 2.0), Timing(None, 0.3)]
    assert "too short" in wall_time_sentence(failed_at_once, ["A", "B"])


def test_only_columns_that_answered_can_be_best():
    rows = [
        {compare_stats.TIME_TO_FIRST_TOKEN: 0.5, compare_stats.TOKENS_PER_SECOND: 40.0, compare_stats.TOTAL_TIME: 3.0},
        {compare_stats.TIME_TO_FIRST_TOKEN: 0.01, compare_stats.TOKENS_PER_SECOND: 0.0, compare_stats.TOTAL_TIME: 0.02},
        {compare_stats.TIME_TO_FIRST_TOKEN: 0.9, compare_stats.TOKENS_PER_SECOND: 30.0, compare_stats.TOTAL_TIME: 4.0},
    ]
    assert best(rows, eligible={0, 2}) == {
        compare_stats.TIME_TO_FIRST_TOKEN: 0,
        compare_stats.TOKENS_PER_SECOND: 0,
        compare_stats.TOTAL_TIME: 0,
    }
    assert best(rows, eligible={0}) == {}  # one answer has nothing to beat


@pytest.mark.parametrize(
    ("answer", "answer_started", "expected"),
    [
        (Answer(thinking="Hmm. " * 10, content="Blue.", first_token=0.5), 2.0, (1.5, 50)),
        (Answer(thinking="Hmm.", first_token=0.5, stopped=True), None, (None, 4)),  # stopped while thinking
        (Answer(content="Blue.", first_token=0.5), 0.5, (None, None)),  # did not think
    ],
)
def test_thinking_time_and_length(answer, answer_started, expected):
    figures = compare_stats.thinking(answer, answer_started)
    assert (figures[compare_stats.THINKING_TIME], figures[compare_stats.THINKING_LENGTH]) == expected


def test_columns_on_different_servers_never_wait_for_each_other():
    apart = [Timing(0.1, 2.0, "http://gpu:11434"), Timing(2.1, 4.0, "http://laptop:11434")]  # laptop loads slowly
    assert queued_behind(apart) == {}
    sentence = wall_time_sentence(apart, ["A · qwen3 · gpu", "B · qwen3 · laptop"])
    assert "Every column ran on a server of its own" in sentence and "queued" not in sentence
    mixed = [*apart, Timing(4.1, 6.0, "http://laptop:11434")]  # the third waits for the second, on laptop
    assert queued_behind(mixed) == {2: 1}
    assert not compare_stats.wrote_together([Timing(0.1, 2.0, "a"), Timing(0.2, 3.0, "b")])
