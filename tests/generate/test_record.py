"""One Generate run's result and record (lib/generate/record.py): text collected, how it ended, its label."""

from __future__ import annotations

from datetime import datetime

import pytest

from lib.generate.form import GenerateForm
from lib.generate.record import RunRecord, RunResult
from lib.ollama.errors import OllamaError

FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")


def test_a_stream_is_collected_with_time_to_first_token_at_the_first_text():
    result = RunResult()
    assert result.add({"response": "", "done": False}, 0.1) == ("", "")
    assert result.add({"thinking": "Hmm", "response": "", "done": False}, 0.2) == ("", "Hmm")
    result.add({"response": "Hello", "done": False}, 0.3)
    result.add(
        {"response": " there", "done": True, "done_reason": "stop", "eval_count": 2, "eval_duration": 1_000_000_000},
        0.4,
    )
    assert (result.output, result.thinking, result.time_to_first_token) == ("Hello there", "Hmm", 0.2)
    assert result.ended_after == 0.4
    assert result.complete
    assert result.stats().output_tokens_per_second == 2.0
    assert result.status() == "done"


def test_a_non_streamed_answer_has_no_measured_times():
    result = RunResult()
    result.add({"response": "All at once.", "done": True, "done_reason": "stop"})
    assert result.output == "All at once."
    assert (result.time_to_first_token, result.ended_after) == (None, None)
    assert result.complete and result.done_reason == "stop"


@pytest.mark.parametrize(
    "result",
    [
        RunResult(output="par"),
        RunResult(output="par", final={"done": True}, stopped=True),
        RunResult(output="par", final={"done": True}, error=OllamaError("dropped")),
    ],
)
def test_only_an_answer_that_ended_by_itself_is_complete(result):
    assert not result.complete


def test_figures_come_only_with_the_final_object():
    assert RunResult(output="par").stats() is None
    assert RunResult(final={"done": True, "eval_count": 3}).stats() is not None


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (RunResult(output="par", stopped=True), "stopped"),
        (RunResult(output="par", error=OllamaError("dropped")), "failed"),
        (RunResult(final={"done": True, "done_reason": "length"}), "length"),
        (RunResult(output="par"), "unfinished"),
    ],
)
def test_run_status_codes(result, status):
    assert result.status() == status


def test_run_status_words():
    assert RunResult(final={"done": True, "done_reason": "length"}).status_text() == "cut off at the length limit"
    assert RunResult(output="par", stopped=True).status_text() == "stopped"


def record(number: int, prompt: str = "Why is the sky blue?") -> RunRecord:
    return RunRecord(
        number, datetime(2026, 11, 25, 14, 2, 7), FORM.with_values(prompt=prompt), {}, RunResult(final={"done": True})
    )


def test_labels_are_short():
    assert record(3).label() == '#3 · 14:02:07 · llama3.2:latest · "Why is the sky blue?" · done'
    long = record(4, "word " * 40).label()
    assert '"word word' in long and '…"' in long and len(long) < 120


def test_a_label_puts_a_prompt_of_many_lines_on_one():
    assert '"Line one line two"' in record(5, "Line one\n\n  line two").label()


def test_a_new_record_starts_with_an_empty_result_of_its_own():
    first = RunRecord(1, datetime(2026, 11, 25), FORM, {})
    second = RunRecord(2, datetime(2026, 11, 25), FORM, {})
    first.result.add({"response": "Hi", "done": False})
    assert (first.result.output, second.result.output) == ("Hi", "")
