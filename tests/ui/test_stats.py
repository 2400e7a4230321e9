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
    assert all(row.value == "—" for row in rows)
