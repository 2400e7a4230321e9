"""Scores on a fabricated run: pass rates with failures apart, medians and nearest-rank p90, tags, judge,
and the change between two runs of a set."""

from __future__ import annotations

import pytest

from lib.evals.records import CONTAINS, Answer, Candidate, Check, CheckResult, JudgeVerdict, Prompt, PromptSet, Run
from lib.evals.scoring import CandidateScore, Change, change, median, percentile, scores
from lib.ollama.stats import RunStats

OK = (CheckResult(Check(CONTAINS, "a"), True),)
BAD = (CheckResult(Check(CONTAINS, "a"), True), CheckResult(Check(CONTAINS, "b"), False, "missing"))
PROMPTS = PromptSet(
    "s",
    (
        Prompt("p0", tags=("maths",), checks=(Check(CONTAINS, "a"),)),
        Prompt("p1", tags=("maths", "中文"), checks=(Check(CONTAINS, "a"),)),
        Prompt("p2", tags=("中文",), checks=(Check(CONTAINS, "a"),)),
        Prompt("p3"),
        Prompt("p4", tags=("english",), checks=(Check(CONTAINS, "a"),)),
    ),
)


def stats(speed: float | None, ttft: float | None, *, prompt: int = 10, output: int = 5, load: float = 0.0):
    return RunStats(
        time_to_first_token=ttft,
        prompt_tokens=prompt,
        output_tokens=output,
        output_tokens_per_second=speed,
        load_time=load,
    )


def verdict(score: float | None, error: str = "") -> JudgeVerdict:
    return JudgeVerdict("judge", {"model": "judge"}, "because", score=score, error=error)


def fabricated_run(candidates: tuple[Candidate, ...] | None = None) -> Run:
    """Candidate 0 answers everything (one wrong); candidate 1 fails twice; candidate 2 has no answers yet."""
    answers = (
        Answer(0, 0, "a", stats=stats(10.0, 0.5, load=2.0), checks=OK, verdict=verdict(8)),
        Answer(1, 0, "a", stats=stats(20.0, 0.1), checks=BAD, verdict=verdict(4)),
        Answer(2, 0, "a", stats=stats(30.0, 0.3), checks=OK, verdict=verdict(None, "the judge failed")),
        Answer(3, 0, "a", stats=stats(40.0, 0.2)),  # no checks: answered, not checked
        Answer(4, 0, "a", stats=stats(50.0, None, output=7), checks=OK, verdict=verdict(9)),
        Answer(0, 1, "a", stats=stats(5.0, 1.0, load=3.5), checks=OK),
        Answer(1, 1, status="failed", error="gone"),
        Answer(2, 1, status="failed", error="gone", checks=OK),  # checks of a failed answer do not count
        Answer(4, 1, "b", stats=None, checks=BAD),
    )
    candidates = candidates or (Candidate("qwen2.5", {"temperature": 0}), Candidate("llama3.2"), Candidate("phi4"))
    return Run(PROMPTS, candidates, answers)


def test_scores_on_a_fabricated_run():
    first, second, third = scores(fabricated_run())
    assert first == CandidateScore(
        candidate=0,
        answered=5,
        passed=3,
        checked=4,
        pass_rate=0.75,
        failed=0,
        tokens_per_second_median=30.0,
        tokens_per_second_p90=50.0,
        ttft_median=0.25,  # four measured: the mean of 0.2 and 0.3
        ttft_p90=0.5,
        total_tokens=5 * 10 + 4 * 5 + 7,
        load_seconds=2.0,
        judge_mean=7.0,  # 8, 4 and 9; the failed verdict and the missing score are left out
        by_tag={"maths": (1, 2), "中文": (1, 2), "english": (1, 1)},
        judged=3,
    )
    assert (second.answered, second.failed, second.passed, second.checked, second.pass_rate) == (2, 2, 1, 2, 0.5)
    assert (second.tokens_per_second_median, second.tokens_per_second_p90, second.load_seconds) == (5.0, 5.0, 3.5)
    assert second.judge_mean is None and second.judged == 0
    assert second.by_tag == {"maths": (1, 1), "中文": (0, 0), "english": (0, 1)}
    assert third == CandidateScore(
        2, 0, 0, 0, None, 0, None, None, None, None, 0, 0.0, None, {"maths": (0, 0), "中文": (0, 0), "english": (0, 0)}
    )


@pytest.mark.parametrize(
    ("values", "expected_median", "expected_p90"),
    [
        ([], None, None),
        ([7.0], 7.0, 7.0),
        ([3.0, 1.0], 2.0, 3.0),
        ([5.0, 1.0, 4.0, 2.0, 3.0], 3.0, 5.0),  # rank ⌈4.5⌉ = 5
        ([float(v) for v in range(1, 11)], 5.5, 9.0),  # rank ⌈9⌉ = 9
        ([float(v) for v in range(1, 12)], 6.0, 10.0),  # rank ⌈9.9⌉ = 10
        ([float(v) for v in range(100, 0, -1)], 50.5, 90.0),
    ],
)
def test_median_and_nearest_rank_p90(values, expected_median, expected_p90):
    assert median(values) == expected_median
    assert percentile(values, 0.9) == expected_p90


def test_unmeasured_figures_are_left_out_not_counted_as_zero():
    run = Run(
        PromptSet("s", (Prompt("a"), Prompt("b"), Prompt("c"))),
        (Candidate("m"),),
        (
            Answer(0, 0, stats=stats(None, None)),
            Answer(1, 0, stats=stats(float("nan"), 0.4)),
            Answer(2, 0, stats=stats(12.0, None)),
        ),
    )
    (score,) = scores(run)
    assert (score.tokens_per_second_median, score.ttft_median, score.ttft_p90) == (12.0, 0.4, 0.4)


def test_change_matches_candidates_by_settings_not_by_position_or_label():
    previous = fabricated_run()
    current = fabricated_run(
        (
            Candidate("llama3.2", label="renamed"),  # previous candidate 1
            Candidate("qwen2.5", {"temperature": 0.7}),  # new settings: no match
            Candidate("qwen2.5", {"temperature": 0}),  # previous candidate 0
        )
    )
    kept = tuple(answer for answer in current.answers if answer.candidate_index == 0)
    now_passing = tuple(Answer(prompt, 2, "a", checks=OK) for prompt in (0, 1, 2, 4))  # candidate 2: all four
    current = Run(current.prompt_set, current.candidates, kept + now_passing)
    assert change(previous, current) == [
        Change(0, before=(1, 2), now=(3, 4)),
        Change(1, before=None, now=(0, 0)),
        Change(2, before=(3, 4), now=(4, 4)),
    ]
    moved = change(previous, current)
    assert moved[0].delta == pytest.approx(0.25) and moved[1].delta is None
    assert moved[2].delta == pytest.approx(0.25)


def test_the_same_candidate_twice_is_matched_in_order():
    twice = (Candidate("m"), Candidate("m"))
    previous = Run(PROMPTS, twice, (Answer(0, 0, checks=OK), Answer(0, 1, checks=BAD)))
    current = Run(PROMPTS, twice, (Answer(0, 0, checks=BAD), Answer(0, 1, checks=OK)))
    assert change(previous, current) == [Change(0, (1, 1), (0, 1)), Change(1, (0, 1), (1, 1))]


def test_the_same_model_on_another_server_is_another_candidate():
    laptop, gpu = Candidate("m", server="http://laptop:11434"), Candidate("m", server="http://gpu:11434")
    previous = Run(PROMPTS, (laptop, gpu), answers=(Answer(0, 0, checks=OK), Answer(0, 1, checks=BAD)))
    current = Run(PROMPTS, (gpu, laptop), answers=(Answer(0, 0, checks=OK), Answer(0, 1, checks=OK)))
    assert change(previous, current) == [Change(0, (0, 1), (1, 1)), Change(1, (1, 1), (1, 1))]
