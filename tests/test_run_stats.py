import pytest

from lib.run_stats import TOKENS_PER_SECOND, RunStats, run_stats, stat_rows

FINAL = {
    "done": True,
    "total_duration": 5_043_500_667,
    "load_duration": 5_025_959,
    "prompt_eval_count": 26,
    "prompt_eval_duration": 325_953_000,
    "eval_count": 290,
    "eval_duration": 4_709_213_000,
}


def test_figures_from_ollamas_documented_example():
    stats = run_stats(FINAL, time_to_first_token=0.42)
    assert stats.time_to_first_token == 0.42
    assert stats.first_token_measured
    assert stats.prompt_tokens == 26
    assert stats.prompt_tokens_per_second == pytest.approx(26 / 0.325953)
    assert stats.output_tokens == 290
    assert stats.output_tokens_per_second == pytest.approx(290 / 4.709213)
    assert stats.load_time == pytest.approx(0.005025959)
    assert stats.total_time == pytest.approx(5.043500667)


def test_first_token_is_estimated_from_load_and_prompt_time_when_not_measured():
    stats = run_stats(FINAL)
    assert not stats.first_token_measured
    assert stats.time_to_first_token == pytest.approx(0.005025959 + 0.325953)


@pytest.mark.parametrize(
    ("final", "field", "expected"),
    [
        ({}, "output_tokens_per_second", None),
        ({"eval_count": 10, "eval_duration": 0}, "output_tokens_per_second", None),
        ({"eval_count": 10}, "output_tokens_per_second", None),
        ({"eval_duration": 1_000_000_000}, "output_tokens_per_second", None),
        ({"eval_count": 10, "eval_duration": 2_000_000_000}, "output_tokens_per_second", 5.0),
        ({"prompt_eval_duration": 1_000}, "prompt_tokens", None),
        ({"prompt_eval_count": 0, "prompt_eval_duration": 1_000}, "prompt_tokens_per_second", 0.0),
        ({"load_duration": "soon"}, "load_time", None),
        ({"load_duration": -5}, "load_time", None),
        ({"eval_count": True}, "output_tokens", None),
        ({}, "time_to_first_token", None),
        ({"load_duration": 2_000_000_000}, "time_to_first_token", 2.0),
    ],
)
def test_missing_zero_or_odd_fields_give_none_not_errors(final, field, expected):
    assert getattr(run_stats(final), field) == expected


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
