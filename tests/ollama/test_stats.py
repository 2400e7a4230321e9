"""An answer's figures from the server's final object (lib/ollama/stats.py)."""

import pytest

from lib.ollama.stats import RunStats, run_stats

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


def test_saved_figures_come_back_under_todays_names_and_older_ones():
    stats = run_stats(FINAL, time_to_first_token=0.42)
    assert RunStats.from_dict(stats.to_dict()) == stats
    older = {"first_token": 0.3, "tokens": 12, "tokens_per_second": 40.0, "load": 1.5, "total": 2.0, "prompt_tokens": 7}
    assert RunStats.from_dict(older) == RunStats(
        time_to_first_token=0.3,
        first_token_measured=True,
        prompt_tokens=7,
        output_tokens=12,
        output_tokens_per_second=40.0,
        load_time=1.5,
        total_time=2.0,
    )
    assert RunStats.from_dict(None) == RunStats() and RunStats.from_dict({"unknown": 1}) == RunStats()


def test_only_known_figures_are_saved():
    assert RunStats(output_tokens=3).to_dict() == {"output_tokens": 3}
