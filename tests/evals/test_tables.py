"""The Results tab's tables as data (lib/evals/tables.py): the grid's marks, the judge's grid, the
candidates' figures and the pass rates per tag."""

from __future__ import annotations

import math

import pytest

from lib.evals import scoring, tables
from lib.evals.records import Answer, Candidate, Check, CheckResult, JudgeVerdict, Prompt, PromptSet, Run
from lib.evals.scoring import CandidateScore

PASSED = CheckResult(Check("contains", "a"), True)
FAILED_CHECK = CheckResult(Check("contains", "b"), False, "missing")


def a_run(*answers: Answer) -> Run:
    prompts = PromptSet("s", (Prompt("one", tags=("easy",)), Prompt("two"), Prompt("three")), id=1)
    return Run(prompts, (Candidate("m1"), Candidate("**m2**")), answers=answers, id=9)


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (None, tables.PENDING),
        (Answer(0, 0, checks=(PASSED,)), tables.PASS),
        (Answer(0, 0, checks=(PASSED, FAILED_CHECK)), tables.FAIL),
        (Answer(0, 0, status="failed", error="gone", checks=(PASSED,)), tables.ERROR),
        (Answer(0, 0), tables.UNCHECKED),
        (Answer(0, 0, status="length", checks=(PASSED,)), tables.PASS),
    ],
)
def test_a_cell_shows_pass_fail_error_unchecked_or_not_yet(answer, shown):
    assert tables.mark(answer) == shown


def test_the_grid_has_a_row_per_prompt_and_a_column_per_candidate():
    run = a_run(
        Answer(0, 0, checks=(PASSED,)),
        Answer(1, 0, checks=(FAILED_CHECK,)),
        Answer(0, 1, status="failed", error="x"),
    )
    frame = tables.grid_frame(run)
    assert list(frame.columns) == [tables.PROMPT, tables.TAGS, "c0", "c1"]
    assert list(frame[tables.PROMPT]) == ["1. one", "2. two", "3. three"]
    assert list(frame[tables.TAGS]) == ["easy", "", ""]
    assert list(frame["c0"]) == ["✓", "✗", ""]
    assert list(frame["c1"]) == ["⚠", "", ""]
    assert tables.counts(run) == {"✓": 1, "✗": 1, "⚠": 1, "–": 0, "": 3}


def test_grid_columns_are_named_by_code_and_read_back():
    assert tables.column_of(3) == "c3"
    assert tables.candidate_of("c3") == 3
    assert tables.candidate_of(tables.PROMPT) is None and tables.candidate_of("c") is None


def test_the_judges_grid_holds_its_scores_and_nothing_where_there_is_none():
    verdict = JudgeVerdict("judge", {}, "fine", score=8)
    run = a_run(Answer(0, 0, verdict=verdict), Answer(1, 1, verdict=JudgeVerdict("judge", {}, "?", error="no JSON")))
    frame = tables.judge_frame(run)
    assert frame["c0"].tolist()[0] == 8
    assert all(value is None or math.isnan(value) for value in frame["c1"].tolist())


def score(candidate: int, **figures) -> CandidateScore:
    values = {
        "candidate": candidate,
        "answered": 3,
        "passed": 2,
        "checked": 3,
        "pass_rate": 2 / 3,
        "failed": 0,
        "tokens_per_second_median": 40.0,
        "tokens_per_second_p90": 50.0,
        "ttft_median": 0.2,
        "ttft_p90": 0.4,
        "total_tokens": 300,
        "load_seconds": 1.5,
        "judge_mean": None,
        "by_tag": {"easy": (1, 1), "never": (0, 0)},
    }
    values.update(figures)
    return CandidateScore(**values)


def test_one_row_per_candidate_with_numbers_as_numbers_and_unknowns_empty():
    run = a_run()
    frame = tables.candidate_frame(run, [score(0), score(1, pass_rate=None, tokens_per_second_median=None)])
    assert list(frame[tables.CANDIDATE]) == ["A · m1", "B · **m2**"]
    assert list(frame[tables.PASSED]) == ["2 / 3", "2 / 3"]
    assert frame[tables.PASS_RATE].dtype == float and math.isnan(frame[tables.PASS_RATE][1])
    assert frame[tables.SPEED][0] == 40.0 and math.isnan(frame[tables.SPEED][1])
    assert math.isnan(frame[tables.JUDGE][0])


def test_pass_rates_per_tag_leave_out_tags_with_nothing_checked():
    frame = tables.tag_frame(a_run(), [score(0), score(1, by_tag={"easy": (0, 2)})])
    assert frame.to_dict("records") == [
        {"tags": "easy", "candidate": "A · m1", "pass_rate": 1.0, "passed": 1, "checked": 1},
        {"tags": "easy", "candidate": "B · **m2**", "pass_rate": 0.0, "passed": 0, "checked": 2},
    ]


def test_the_candidates_rows_and_tags_name_the_server_when_given():
    prompts = PromptSet("s", (Prompt("one", tags=("easy",)),), id=1)
    answers = (Answer(0, 0, checks=(PASSED,)), Answer(0, 1, checks=(FAILED_CHECK,)))
    run = Run(prompts, (Candidate("m", server="http://a"), Candidate("m", server="http://b")), answers=answers)
    scores = scoring.scores(run)
    where = {"http://a": "laptop", "http://b": "gpu"}
    assert list(tables.candidate_frame(run, scores, where)[tables.CANDIDATE]) == ["A · m · laptop", "B · m · gpu"]
    assert list(tables.tag_frame(run, scores, where)[tables.CANDIDATE]) == ["A · m · laptop", "B · m · gpu"]
    assert list(tables.candidate_frame(run, scores)[tables.CANDIDATE]) == ["A · m", "B · m"]
