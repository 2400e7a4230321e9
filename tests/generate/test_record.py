"""One Generate run's result and record (lib/generate/record.py): text collected, how it ended, its label."""

from __future__ import annotations

from datetime import datetime

import pytest

from lib.generate.form import GenerateForm
from lib.generate.record import RunRecord, status_text
from lib.ollama.errors import OllamaError
from lib.ollama.stream import Answer

FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")


def test_a_stream_is_collected_with_time_to_first_token_at_the_first_text():
    result = Answer()
    assert result.add({"response": "", "done": False}, 0.1) == ("", "")
    assert result.add({"thinking": "Hmm", "response": "", "done": False}, 0.2) == ("", "Hmm")
    result.add({"response": "Hello", "done": False}, 0.3)
    result.add(
        {"response": " there", "done": True, "done_reason": "stop", "eval_count": 2, "eval_duration": 1_000_000_000},
        0.4,
    )
    assert (result.content, result.thinking, result.first_token) == ("Hello there", "Hmm", 0.2)
    assert result.ended_after == 0.4
    assert result.complete
    assert result.stats().output_tokens_per_second == 2.0
    assert result.status == "done"


def test_a_non_streamed_answer_has_no_measured_times():
    result = Answer()
    result.add({"response": "All at once.", "done": True, "done_reason": "stop"})
    assert result.content == "All at once."
    assert (result.first_token, result.ended_after) == (None, None)
    assert result.complete and result.done_reason == "stop"


@pytest.mark.parametrize(
    "result",
    [
        Answer(content="par"),
        Answer(content="par", final={"done": True}, stopped=True),
        Answer(content="par", final={"done": True}, error=OllamaError("dropped")),
    ],
)
def test_only_an_answer_that_ended_by_itself_is_complete(result):
    assert not result.complete


def test_figures_come_only_with_the_final_object():
    assert Answer(content="par").stats() is None
    assert Answer(final={"done": True, "eval_count": 3}).stats() is not None


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (Answer(content="par", stopped=True), "stopped"),
        (Answer(content="par", error=OllamaError("dropped")), "failed"),
        (Answer(final={"done": True, "done_reason": "length"}), "length"),
        (Answer(content="par"), "unfinished"),
    ],
)
def test_run_status_codes(result, status):
    assert result.status == status


def test_run_status_words():
    assert status_text(Answer(final={"done": True, "done_reason": "length"})) == "cut off at the length limit"
    assert status_text(Answer(content="par", stopped=True)) == "stopped"


def record(number: int, prompt: str = "Why is the sky blue?") -> RunRecord:
    return RunRecord(
        number, datetime(2026, 11, 25, 14, 2, 7), FORM.with_values(prompt=prompt), {}, Answer(final={"done": True})
    )


def test_labels_are_short():
    assert record(3).label() == '#3 · 14:02:07 · llama3.2:latest · "Why is the sky blue?" · done'
    long = record(4, "word " * 40).label()
    assert '"word word' in long and '…"' in long and len(long) < 120


def test_a_label_names_the_server_when_the_session_has_several():
    from lib.fleet.servers import Server

    laptop, gpu = Server("http://laptop:11434", "laptop"), Server("http://gpu:11434", "gpu")
    on_gpu = RunRecord(1, datetime(2026, 11, 25, 14, 2, 7), FORM.with_values(server=gpu.url), {"think": "high"})
    assert "· llama3.2:latest · gpu · high ·" in on_gpu.label([laptop, gpu])
    assert "· llama3.2:latest · high ·" in on_gpu.label([gpu])


def test_a_label_puts_a_prompt_of_many_lines_on_one():
    assert '"Line one line two"' in record(5, "Line one\n\n  line two").label()


def test_a_new_record_starts_with_an_empty_result_of_its_own():
    first = RunRecord(1, datetime(2026, 11, 25), FORM, {})
    second = RunRecord(2, datetime(2026, 11, 25), FORM, {})
    first.result.add({"response": "Hi", "done": False})
    assert (first.result.content, second.result.content) == ("Hi", "")
