"""An answer's figures worded for the screen (lib/ui/stats.py)."""

import pytest

from lib.ollama.stats import TOKENS_PER_SECOND, RunStats, run_stats
from lib.ui.stats import stat_rows

FINAL = {
    "done": True,
    "total_duration": 5_043_500_667,
    "load_duration": 5_025_959,
    "prompt_eval_count": 26,
    "prompt_eval_duration": 325_953_000,
    "eval_count": 290,
    "eval_duration": 4_709_213_000,
}


def test_rows_are_labelled_and_readable():
    rows = {row.label: row.value for row in stat_rows(run_stats(FINAL, 0.42))}
    assert rows == {
        "Time to first token": "420 ms",
        "Output tokens": "290",
        "Tokens/s": "61.6 tok/s",
        "Prompt tokens": "26",
        "Prompt eval rate": "79.8 tok/s",
        "Load time": "5 ms",
        "Total time": "5.0 s",
    }


def test_rows_say_how_the_first_token_time_was_obtained():
    measured = stat_rows(run_stats(FINAL, 0.1))[0].help
    estimated = stat_rows(run_stats(FINAL))[0].help
    assert "measured" in measured
    assert "Estimated" in estimated


@pytest.mark.parametrize(("tokens", "expected"), [(1, "1.0 tok/s"), (99, "99.0 tok/s"), (4000, "4,000 tok/s")])
def test_fast_rates_drop_the_decimal(tokens, expected):
    stats = run_stats({"eval_count": tokens, "eval_duration": 1_000_000_000})
    rows = {row.figure: row.value for row in stat_rows(stats)}
    assert rows[TOKENS_PER_SECOND] == expected


def test_unknown_figures_show_a_dash():
    rows = stat_rows(RunStats(None, False, None, None, None, None, None, None))
    assert rows[0].value == "not measured" and "not streamed" in rows[0].help
    assert all(row.value == "—" for row in rows[1:])


def test_a_non_streamed_answer_with_no_load_or_prompt_time_has_no_zero_first_token_time():
    stats = run_stats({"eval_count": 5, "eval_duration": 10**8, "load_duration": 0, "prompt_eval_duration": 0})
    assert stats.time_to_first_token is None
    assert stat_rows(stats)[0].value == "not measured"
    estimated = run_stats({"load_duration": 2 * 10**8, "prompt_eval_duration": 10**8})
    assert estimated.time_to_first_token == pytest.approx(0.3) and not estimated.first_token_measured
