"""What an evaluation is made of, as the evals store saves it and the pages read it.

A *prompt set* is a list of prompts, each with optional tags, system prompt, images, JSON schema
and *checks*. A *run* asks every prompt of one set of each *candidate* (a model with its
settings) and keeps every *answer* with its figures, its check results and, optionally, a judge's
verdict. Check kinds are stable codes (saved and exported as they are); the screen words them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lib.ollama.stats import RunStats

# Check kinds and what their ``value`` holds.
CONTAINS = "contains"  # text that must appear (case-insensitive)
NOT_CONTAINS = "not_contains"  # text that must not appear (case-insensitive)
REGEX = "regex"  # a pattern that must match somewhere (RE2 syntax, as Generate's schemas use)
EXACT = "exact"  # the whole answer, trimmed, equals this (case-insensitive)
JSON_SCHEMA = "json_schema"  # the answer is JSON valid against the prompt's schema (value unused)
MAX_TOKENS = "max_tokens"  # at most this many output tokens (an integer)
MAX_SECONDS = "max_seconds"  # done within this many seconds from sending (a number)
CHECK_KINDS = (CONTAINS, NOT_CONTAINS, REGEX, EXACT, JSON_SCHEMA, MAX_TOKENS, MAX_SECONDS)


@dataclass(frozen=True)
class Check:
    kind: str
    value: str | int | float | None = None


@dataclass(frozen=True)
class Prompt:
    text: str
    tags: tuple[str, ...] = ()
    system: str = ""
    images: tuple[str, ...] = ()  # base64 PNG/JPEG/WebP, as Ollama takes them
    schema: dict[str, Any] | None = None  # sent as ``format`` and used by a JSON_SCHEMA check
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class PromptSet:
    name: str
    prompts: tuple[Prompt, ...]
    description: str = ""
    id: int | None = None
    updated_at: float = 0.0


@dataclass(frozen=True)
class Candidate:
    """A model with its settings: ``options`` (temperature, num_ctx…), ``system`` (overrides the prompt's when
    not empty), ``think`` (None: the model's default) and ``keep_alive``; ``label`` names it on screen;
    ``server`` is the base URL of the server it runs on ("" for a run saved before servers were recorded:
    it runs on the sidebar's server, see :meth:`Run.placed`)."""

    model: str
    options: dict[str, Any] = field(default_factory=dict)
    system: str = ""
    think: bool | str | None = None
    label: str = ""
    server: str = ""


@dataclass(frozen=True)
class CheckResult:
    """One check on one answer: ``reason`` is data for the screen to word (a code and its values)."""

    check: Check
    passed: bool
    reason: str = ""  # a code such as "missing", "found", "no_match", "too_long", "invalid_json", "schema"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JudgeVerdict:
    """A judge model's grade of one answer (``score`` 1-10), or of a pair (``winner``: a candidate, None a tie)."""

    judge_model: str
    request: dict[str, Any]  # the judge's own request body, shown as it was sent
    reasoning: str
    score: float | None = None
    winner: int | None = None
    error: str = ""


@dataclass(frozen=True)
class Answer:
    """One prompt's answer from one candidate; ``status`` is a :mod:`lib.ollama.stream` code, ``error`` its sentence."""

    prompt_index: int
    candidate_index: int
    content: str = ""
    thinking: str = ""
    status: str = "done"
    error: str = ""
    stats: RunStats | None = None
    seconds: float | None = None  # from sending to the last object
    checks: tuple[CheckResult, ...] = ()
    verdict: JudgeVerdict | None = None

    @property
    def passed(self) -> bool | None:
        """Every check passed (None: the answer has no checks, or failed before it could be checked)."""
        if self.status == "failed" or not self.checks:
            return None
        return all(result.passed for result in self.checks)


@dataclass(frozen=True)
class Run:
    """A prompt set (as it was when the run started) × candidates; ``answers`` are the finished ones so far."""

    prompt_set: PromptSet
    candidates: tuple[Candidate, ...]
    answers: tuple[Answer, ...] = ()
    id: int | None = None
    created_at: float = 0.0
    finished_at: float | None = None  # None: still running, stopped or interrupted (resume asks what is missing)
    judge: str | None = None  # the judge model, if the run is judged
    rubric: str = ""
    judge_server: str = ""  # the base URL of the judge's server, saved with the run ("": the sidebar's server)

    def placed(self, default: str) -> Run:
        """The run with ``default`` as the server of every candidate saved without one (and of the judge, when
        it has none): before there were several servers, a run ran on the sidebar's server."""
        candidates = tuple(replace(candidate, server=candidate.server or default) for candidate in self.candidates)
        return replace(self, candidates=candidates, judge_server=self.judge_server or default)

    @property
    def servers(self) -> tuple[str, ...]:
        """The servers its candidates run on, each once, in candidate order."""
        return tuple(dict.fromkeys(candidate.server for candidate in self.candidates))

    def missing(self) -> list[tuple[int, int]]:
        """(prompt, candidate) pairs with no finished answer yet, in prompt order within each candidate."""
        done = {(answer.prompt_index, answer.candidate_index) for answer in self.answers}
        return [
            (prompt, candidate)
            for candidate in range(len(self.candidates))
            for prompt in range(len(self.prompt_set.prompts))
            if (prompt, candidate) not in done
        ]
