"""The Generate form's request building and the run records, without Streamlit or HTTP."""

from datetime import datetime

import pytest

from lib.generate.form import (
    EXAMPLE_SCHEMA,
    JSON,
    SCHEMA,
    FormProblem,
    GenerateForm,
    build_request,
    decode_image,
    encode_image,
)
from lib.generate.history import remember
from lib.generate.record import RunRecord, RunResult
from lib.ollama.errors import OllamaError

ALL = frozenset({"completion", "vision", "thinking", "insert"})
FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")


def test_a_bare_prompt_sends_only_model_prompt_and_stream():
    assert build_request(FORM, {"completion"}).body() == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "stream": True,
    }


def test_every_field_reaches_the_body():
    form = FORM.with_values(
        system="Be brief.",
        suffix="return x",
        template="{{ .Prompt }}",
        think=False,
        stream=False,
        output_format=JSON,
        images=("QUJD",),
        options={"temperature": 0.5, "stop": ["END"]},
        keep_alive="10m",
    )
    assert build_request(form, ALL).body() == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "suffix": "return x",
        "system": "Be brief.",
        "template": "{{ .Prompt }}",
        "images": ["QUJD"],
        "format": "json",
        "options": {"temperature": 0.5, "stop": ["END"]},
        "think": False,
        "keep_alive": "10m",
        "stream": False,
    }


@pytest.mark.parametrize(
    ("capabilities", "expected"), [({"completion", "thinking"}, True), ({"completion"}, None), (set(), None)]
)
def test_think_goes_only_to_thinking_models(capabilities, expected):
    assert build_request(FORM, capabilities).fields.get("think") == expected


def test_raw_mode_is_sent_only_when_on():
    assert build_request(FORM.with_values(raw=True), ALL).body()["raw"] is True
    assert "raw" not in build_request(FORM, ALL).body()


def test_keep_alive_zero_is_sent():
    assert build_request(FORM.with_values(keep_alive=0), ALL).body()["keep_alive"] == 0


def test_schema_format_sends_the_parsed_schema():
    body = build_request(FORM.with_values(output_format=SCHEMA), ALL).body()
    assert body["format"]["required"] == ["name", "capital", "languages"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (GenerateForm(prompt="hi"), "Pick a model first."),
        (FORM.with_values(prompt="  \n"), "Type a prompt first"),
        (FORM.with_values(output_format=SCHEMA, schema_text='{"type": 5}'), "not valid JSON Schema at $.type"),
        (FORM.with_values(output_format=SCHEMA, schema_text="{"), "The schema is not valid JSON"),
        (FORM.with_values(images=("QUJD",)), "llama3.2:latest cannot read images"),
        (FORM.with_values(suffix="}"), "llama3.2:latest cannot fill in the middle"),
        (FORM.with_values(raw=True, system="Be brief."), "Raw mode sends the prompt exactly as typed"),
        (FORM.with_values(raw=True, template="{{ .Prompt }}"), "Raw mode sends the prompt exactly as typed"),
    ],
)
def test_problems_are_reported_before_anything_is_sent(form, message):
    with pytest.raises(FormProblem) as raised:
        build_request(form, {"completion"})
    assert message in str(raised.value)


def test_images_go_to_servers_that_do_not_list_capabilities():
    assert build_request(FORM.with_values(images=("QUJD",)), set()).fields["images"] == ["QUJD"]


def test_images_are_raw_base64_and_round_trip():
    encoded = encode_image(b"\x89PNG\r\n")
    assert encoded == "iVBORw0K"
    assert not encoded.startswith("data:")
    assert decode_image(encoded) == b"\x89PNG\r\n"
    assert decode_image("not base64!") is None


def test_the_example_schema_is_valid():
    assert (
        build_request(FORM.with_values(output_format=SCHEMA, schema_text=EXAMPLE_SCHEMA), ALL).fields["format"]["type"]
        == "object"
    )


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
    assert result.complete
    assert result.stats().output_tokens_per_second == 2.0
    assert result.status() == "done"


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


def test_history_is_newest_first_and_capped_at_twenty():
    history: list[RunRecord] = []
    for number in range(1, 26):
        history = remember(history, record(number))
    assert [entry.number for entry in history] == list(range(25, 5, -1))


def test_remembering_a_run_again_replaces_it():
    history = remember(remember([], record(1)), record(2))
    assert [entry.number for entry in remember(history, record(1, "again"))] == [1, 2]


def test_labels_are_short():
    assert record(3).label() == '#3 · 14:02:07 · llama3.2:latest · "Why is the sky blue?" · done'
    long = record(4, "word " * 40).label()
    assert '"word word' in long and '…"' in long and len(long) < 120
