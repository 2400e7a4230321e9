"""The Results tab's tables, as data: the prompts × candidates grid, the judge's grid, one row per
candidate, pass rates per tag, and the history of one set's runs.

Cells are plain text (Streamlit's dataframe shows them as they are, so model names and prompts
need no escaping); the columns are named by code (``c0``, ``c1``…, :func:`column_of`) and titled
on screen, so a hostile model name can never collide with another column.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lib.evals import labels
from lib.evals.records import Answer, Run
from lib.evals.scoring import CandidateScore
from lib.ollama.stream import FAILED

PASS, FAIL, ERROR, UNCHECKED, PENDING = "✓", "✗", "⚠", "–", ""
PROMPT = "prompt"
TAGS = "tags"
# One row per candidate: the columns of :func:`candidate_frame`.
CANDIDATE, SETTINGS, PASS_RATE, PASSED, FAILED_ANSWERS = "candidate", "settings", "pass_rate", "passed", "failed"
SPEED, SPEED_P90, FIRST_TOKEN, FIRST_TOKEN_P90 = "tps_median", "tps_p90", "ttft_median", "ttft_p90"
TOKENS, LOAD, JUDGE = "tokens", "load", "judge"
NUMBERS = (PASS_RATE, FAILED_ANSWERS, SPEED, SPEED_P90, FIRST_TOKEN, FIRST_TOKEN_P90, TOKENS, LOAD, JUDGE)


def column_of(candidate: int) -> str:
    return f"c{candidate}"


def candidate_of(column: str) -> int | None:
    """The candidate of a grid column (``c2`` → 2); None for the prompt's own columns."""
    if column.startswith("c") and column[1:].isdigit():
        return int(column[1:])
    return None


def answers_by_cell(run: Run) -> dict[tuple[int, int], Answer]:
    return {(answer.prompt_index, answer.candidate_index): answer for answer in run.answers}


def mark(answer: Answer | None) -> str:
    """A grid cell: ✓ every check passed, ✗ one failed, ⚠ the answer failed, – no checks, empty: not yet."""
    if answer is None:
        return PENDING
    if answer.status == FAILED:
        return ERROR
    passed = answer.passed
    if passed is None:
        return UNCHECKED
    return PASS if passed else FAIL


def grid_frame(run: Run) -> pd.DataFrame:
    """One row per prompt (its number and text, its tags), one column per candidate holding its mark."""
    cells = answers_by_cell(run)
    rows: list[dict[str, Any]] = []
    for index, prompt in enumerate(run.prompt_set.prompts):
        row: dict[str, Any] = {PROMPT: labels.prompt_name(run.prompt_set, index), TAGS: ", ".join(prompt.tags)}
        for candidate in range(len(run.candidates)):
            row[column_of(candidate)] = mark(cells.get((index, candidate)))
        rows.append(row)
    return pd.DataFrame(rows, columns=[PROMPT, TAGS, *(column_of(c) for c in range(len(run.candidates)))])


def judge_frame(run: Run) -> pd.DataFrame:
    """The judge's score of every answer (empty where there is none), in the grid's shape."""
    cells = answers_by_cell(run)
    rows: list[dict[str, Any]] = []
    for index in range(len(run.prompt_set.prompts)):
        row: dict[str, Any] = {PROMPT: labels.prompt_name(run.prompt_set, index)}
        for candidate in range(len(run.candidates)):
            answer = cells.get((index, candidate))
            verdict = answer.verdict if answer is not None else None
            row[column_of(candidate)] = verdict.score if verdict is not None else None
        rows.append(row)
    return pd.DataFrame(rows, columns=[PROMPT, *(column_of(c) for c in range(len(run.candidates)))])


def counts(run: Run) -> dict[str, int]:
    """How many cells have each mark."""
    found = dict.fromkeys((PASS, FAIL, ERROR, UNCHECKED, PENDING), 0)
    cells = answers_by_cell(run)
    for prompt in range(len(run.prompt_set.prompts)):
        for candidate in range(len(run.candidates)):
            found[mark(cells.get((prompt, candidate)))] += 1
    return found


def candidate_frame(run: Run, scores: list[CandidateScore], where: labels.Places = labels.NO_PLACES) -> pd.DataFrame:
    """One row per candidate: pass rate, speed, time to first token, tokens, load time, the judge's mean;
    each named with its server when ``where`` names servers (the laptop's speed beside the GPU box's)."""
    rows = []
    for score in scores:
        candidate = run.candidates[score.candidate]
        rows.append(
            {
                CANDIDATE: labels.candidate_name(candidate, score.candidate, where),
                SETTINGS: labels.candidate_settings(candidate),
                PASS_RATE: score.pass_rate,
                PASSED: f"{score.passed} / {score.checked}",
                FAILED_ANSWERS: score.failed,
                SPEED: score.tokens_per_second_median,
                SPEED_P90: score.tokens_per_second_p90,
                FIRST_TOKEN: score.ttft_median,
                FIRST_TOKEN_P90: score.ttft_p90,
                TOKENS: score.total_tokens,
                LOAD: score.load_seconds,
                JUDGE: score.judge_mean,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            CANDIDATE,
            SETTINGS,
            PASS_RATE,
            PASSED,
            FAILED_ANSWERS,
            SPEED,
            SPEED_P90,
            FIRST_TOKEN,
            FIRST_TOKEN_P90,
            TOKENS,
            LOAD,
            JUDGE,
        ],
    )
    for column in NUMBERS:  # a figure nobody measured is empty (NaN), not the word None
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def tag_frame(run: Run, scores: list[CandidateScore], where: labels.Places = labels.NO_PLACES) -> pd.DataFrame:
    """Pass rate per tag and candidate (long form, for a chart): tag, candidate, pass_rate, passed, checked."""
    rows = []
    for score in scores:
        name = labels.candidate_name(run.candidates[score.candidate], score.candidate, where)
        for tag, (passed, checked) in sorted(score.by_tag.items()):
            if checked:
                rows.append(
                    {TAGS: tag, CANDIDATE: name, PASS_RATE: passed / checked, PASSED: passed, "checked": checked}
                )
    return pd.DataFrame(rows, columns=[TAGS, CANDIDATE, PASS_RATE, PASSED, "checked"])
