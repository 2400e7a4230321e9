"""A run's figures per candidate, and how each candidate changed since the set's previous run.

What counts, for each candidate:

- ``answered``: saved answers that did not fail; ``failed``: those that failed (a model missing,
  a server gone), shown apart and never counted as checked.
- ``pass_rate`` = ``passed / checked``, over the answers that have checks and did not fail;
  ``passed`` are those whose every check passed. An answer without checks, or a failed one,
  moves neither number. None when nothing was checked. So a candidate whose server went away
  for half the prompts is scored on the half it answered, and its ``failed`` count says so.
- Speed figures come from the answers that did not fail and report the figure: the **median**
  is the middle value (the mean of the two middle ones for an even count); **p90** is the
  nearest-rank 90th percentile, the value at rank ⌈0.9·n⌉ of the sorted values (of 10 values
  the 9th, of 5 the 5th), so it is always a value that was measured. For tokens per second a
  high p90 is the fast end; for time to first token it is the slow end.
- ``total_tokens``: prompt and output tokens together, as the server counted them;
  ``load_seconds``: the model load times added up (a run that keeps each model loaded once pays
  one load per model); ``judge_mean``: the mean of the judge's scores (1-10) where it gave one.
- ``by_tag``: for every tag of the set's prompts, (passed, checked) over those prompts' answers.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lib.evals.records import Answer, Candidate, Run
from lib.ollama.stream import FAILED

P90 = 0.9


@dataclass(frozen=True)
class CandidateScore:
    candidate: int  # the candidate's index in the run
    answered: int
    passed: int
    checked: int
    pass_rate: float | None
    failed: int
    tokens_per_second_median: float | None
    tokens_per_second_p90: float | None
    ttft_median: float | None
    ttft_p90: float | None
    total_tokens: int
    load_seconds: float
    judge_mean: float | None
    by_tag: dict[str, tuple[int, int]]  # tag: (passed, checked)
    judged: int = 0  # answers with a judge's score


@dataclass(frozen=True)
class Change:
    """A candidate of the current run against the same candidate in the previous run (matched by
    model, options, system prompt and thinking): (passed, checked) then and now."""

    candidate: int  # its index in the current run
    before: tuple[int, int] | None  # None: the previous run had no such candidate
    now: tuple[int, int]

    @property
    def delta(self) -> float | None:
        """How much the pass rate moved (from 0 to 1), when both runs checked something."""
        if self.before is None or not self.before[1] or not self.now[1]:
            return None
        return self.now[0] / self.now[1] - self.before[0] / self.before[1]


def median(values: Iterable[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values."""
    ordered = sorted(values)
    return statistics.median(ordered) if ordered else None


def percentile(values: Iterable[float], share: float) -> float | None:
    """The nearest-rank percentile: the value at rank ⌈share·n⌉ of the sorted values; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def scores(run: Run) -> list[CandidateScore]:
    """One score per candidate of ``run``, in the candidates' order."""
    return [_score(run, index) for index in range(len(run.candidates))]


def _score(run: Run, candidate: int) -> CandidateScore:
    answers = [answer for answer in run.answers if answer.candidate_index == candidate]
    answered = [answer for answer in answers if answer.status != FAILED]
    checked = [answer for answer in answered if answer.checks]
    passed = [answer for answer in checked if answer.passed]
    speeds = _figures(answered, "output_tokens_per_second")
    first_tokens = _figures(answered, "time_to_first_token")
    scored = [
        answer.verdict.score
        for answer in answered
        if answer.verdict is not None and answer.verdict.score is not None and not answer.verdict.error
    ]
    return CandidateScore(
        candidate=candidate,
        answered=len(answered),
        passed=len(passed),
        checked=len(checked),
        pass_rate=len(passed) / len(checked) if checked else None,
        failed=len(answers) - len(answered),
        tokens_per_second_median=median(speeds),
        tokens_per_second_p90=percentile(speeds, P90),
        ttft_median=median(first_tokens),
        ttft_p90=percentile(first_tokens, P90),
        total_tokens=sum(
            (answer.stats.prompt_tokens or 0) + (answer.stats.output_tokens or 0) for answer in answered if answer.stats
        ),
        load_seconds=sum(answer.stats.load_time or 0.0 for answer in answered if answer.stats),
        judge_mean=statistics.fmean(scored) if scored else None,
        by_tag=_by_tag(run, checked),
        judged=len(scored),
    )


def _figures(answers: list[Answer], name: str) -> list[float]:
    values = (getattr(answer.stats, name) for answer in answers if answer.stats is not None)
    return [value for value in values if value is not None and math.isfinite(value)]


def _by_tag(run: Run, checked: list[Answer]) -> dict[str, tuple[int, int]]:
    prompts = run.prompt_set.prompts
    tally = {tag: [0, 0] for prompt in prompts for tag in prompt.tags}
    for answer in checked:
        if 0 <= answer.prompt_index < len(prompts):
            for tag in prompts[answer.prompt_index].tags:
                tally[tag][0] += bool(answer.passed)
                tally[tag][1] += 1
    return {tag: (passed, total) for tag, (passed, total) in tally.items()}


def _identity(candidate: Candidate) -> tuple[Any, ...]:
    """What makes two runs' candidates the same one: its label is only its name; the server it ran on counts
    (the same model on the laptop and on the GPU box are two candidates, in one run or across runs)."""
    return (
        candidate.server,
        candidate.model,
        json.dumps(candidate.options, sort_keys=True, default=str),
        candidate.system,
        candidate.think,
    )


def change(previous: Run, current: Run) -> list[Change]:
    """Each candidate of ``current`` with its (passed, checked) in ``previous`` and now.

    Candidates are matched by server, model, options, system prompt and thinking, in order when a
    run has the same candidate twice; one the previous run did not have gets ``before`` None. Runs
    saved without servers are given theirs first (:meth:`~lib.evals.records.Run.placed`).
    """
    before_scores = scores(previous)
    unmatched: dict[tuple[Any, ...], list[int]] = {}
    for index, candidate in enumerate(previous.candidates):
        unmatched.setdefault(_identity(candidate), []).append(index)
    changes = []
    for now in scores(current):
        matches = unmatched.get(_identity(current.candidates[now.candidate]), [])
        before = before_scores[matches.pop(0)] if matches else None
        changes.append(
            Change(now.candidate, (before.passed, before.checked) if before else None, (now.passed, now.checked))
        )
    return changes
