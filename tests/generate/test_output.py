"""The Generate page's output column (lib/generate/output.py): a run as it streams, and once it has ended."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate import output
from lib.generate.form import EXAMPLE_SCHEMA, JSON, PLAIN, SCHEMA, GenerateForm
from lib.generate.record import RunRecord
from lib.ollama.errors import ResponseError
from lib.ollama.stream import CONTENT, ENDED, WAITING, Answer, Event
from tests.generate.conftest import LONG_REPLY, codes, generate, raw_answer, sent, texts

DONE = {"done": True, "done_reason": "stop", "eval_count": 2, "eval_duration": 1_000_000_000}


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_streamed_answer_with_stats_and_markdown(page, fake):
    fake.script_reply("Because of **Rayleigh** scattering.")
    generate(page)
    assert sent(fake) == {"model": "llama3.2:latest", "prompt": "Why is the sky blue?", "stream": True}
    assert raw_answer(page) == "Because of **Rayleigh** scattering."
    answer_tab = next(tab for tab in page.tabs if tab.label == "Answer")
    assert "**Rayleigh**" in texts(answer_tab.markdown)
    shown = metrics(page)
    assert set(shown) == {
        "Time to first token",
        "Output tokens",
        "Tokens/s",
        "Prompt tokens",
        "Prompt eval rate",
        "Load time",
        "Total time",
    }
    assert shown["Output tokens"] != "—" and shown["Tokens/s"].endswith("tok/s")
    assert page.download_button[0].label == "Download the answer"
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Why is the sky blue?"


def test_one_non_streamed_response(page, fake):
    fake.script_reply("All at once.")
    page.toggle(key=state.GENERATE_STREAM_INPUT).set_value(False).run()
    generate(page)
    assert sent(fake)["stream"] is False
    assert raw_answer(page) == "All at once."
    assert "Estimated" in next(m for m in page.metric if m.label == "Time to first token").help


def test_json_mode_pretty_prints_the_answer(page, fake):
    fake.script_reply('{"colour": "blue", "reason": ["scattering"]}')
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(JSON).run()
    generate(page)
    assert sent(fake)["format"] == "json"
    assert '{\n  "colour": "blue",\n  "reason": [\n    "scattering"\n  ]\n}' in codes(page)


def test_a_schema_is_sent_and_a_conforming_answer_is_confirmed(page, fake):
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    generate(page, "Tell me about Canada.")
    assert sent(fake)["format"] == json.loads(EXAMPLE_SCHEMA)
    assert "The answer matches the schema." in texts(page.success)
    answer = json.loads(raw_answer(page))
    assert set(answer) >= {"name", "capital", "languages"}


def test_an_answer_that_breaks_the_schema_is_flagged(page, fake):
    fake.script_reply('{"name": 5, "languages": "French"}')
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    generate(page)
    assert "The answer does not match the schema:" in texts(page.warning)
    problems = next(block.value for block in page.markdown if block.value.startswith("- At \\$"))
    assert "- At \\$: 'capital' is required but missing." in problems
    assert "- At \\$.name: 5 is not of type 'string'." in problems
    assert "- At \\$.languages: 'French' is not of type 'array'." in problems


def test_the_answers_own_values_in_a_mismatch_are_shown_literally(page, fake):
    """The listed mismatches quote the model's JSON: its text must not draw an image, a link or bold."""
    fake.script_reply('{"name": "![i](http://tracker.example/a.png) **bold**", "capital": "x", "languages": []}')
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    page.text_area(key=state.GENERATE_SCHEMA_INPUT).set_value(
        '{"type": "object", "properties": {"name": {"type": "integer"}}}'
    ).run()
    generate(page)
    problems = next(block.value for block in page.markdown if block.value.startswith("- At \\$"))
    assert "!\\[i\\](http://tracker.example/a.png) \\*\\*bold\\*\\*" in problems


def test_an_answer_that_is_not_json_says_so(page, fake):
    fake.script_reply("Sure! Here is some JSON: {")
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(JSON).run()
    generate(page)
    assert "The answer is not valid JSON" in texts(page.warning)
    assert raw_answer(page) == "Sure! Here is some JSON: {"


def test_stop_closes_the_stream_and_keeps_the_partial_answer(page, fake):
    fake.token_delay = 0.05
    fake.script_reply(LONG_REPLY)
    page.text_area(key=state.GENERATE_PROMPT_INPUT).input("Tell me a long story.")
    # A click during a run interrupts the script at its next Streamlit call; AppTest does the
    # same when a run outlives its timeout, which is how Stop is exercised here.
    with pytest.raises(RuntimeError, match="timed out"):
        page.button(key=state.GENERATE_RUN_BUTTON).click().run(timeout=4)
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/generate")[-1].chunks_sent < len(LONG_REPLY.split())
    page.button(key=state.GENERATE_RUN_BUTTON).set_value(False)
    page.run()
    assert "Stopped before the answer was complete." in texts(page.warning)
    kept = raw_answer(page)
    assert kept and LONG_REPLY.startswith(kept)
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Tell me a long story."
    assert "stopped" in texts(page.text)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("http", {"status": 404, "message": "model 'llama3.2:latest' not found"}, "Model 'llama3.2:latest' not found."),
        ("http", {"status": 500, "message": "out of memory"}, "Out of memory."),
        ("html", {}, "HTTP 502"),
        ("unauthorized", {}, "API key"),
        ("garbage", {}, "not Ollama's JSON"),
    ],
)
def test_failures_are_readable_and_the_prompt_is_kept(page, fake, kind, params, expected):
    fake.add_fault("/api/generate", kind, **params)
    generate(page)
    assert expected in texts(page.error)
    assert not page.exception
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Why is the sky blue?"
    assert "failed" in page.text[0].value
    assert ("Pull it on the Models page" in texts(page.caption)) is (params.get("status") == 404)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        (
            "error_line",
            {"after": 5, "message": "model runner has unexpectedly stopped"},
            "model runner has unexpectedly stopped",
        ),
        ("drop", {"after": 5}, "dropped before the answer was complete"),
    ],
)
def test_a_broken_stream_keeps_the_partial_answer(page, fake, kind, params, expected):
    fake.script_reply(LONG_REPLY)
    fake.add_fault("/api/generate", kind, **params)
    generate(page)
    assert expected in texts(page.error)
    assert "kept below" in texts(page.caption)
    kept = raw_answer(page)
    assert kept and LONG_REPLY.startswith(kept) and kept != LONG_REPLY


def run(result: Answer, output_format: str = PLAIN, number: int = 4) -> RunRecord:
    form = GenerateForm(model="llama3.2:latest", prompt="Why?", output_format=output_format)
    return RunRecord(number, datetime(2026, 11, 25, 14, 2, 7), form, {}, result)


def shown_run(record: "RunRecord") -> None:
    from lib.generate import output

    output.show_run(record)


def show(record: RunRecord) -> AppTest:
    at = AppTest.from_function(shown_run, args=(record,)).run()
    assert not at.exception
    return at


def test_a_stop_before_any_text_says_only_that_it_stopped():
    at = show(run(Answer(stopped=True)))
    assert [warning.value for warning in at.warning] == ["Stopped before the answer was complete."]
    assert not at.tabs and not at.metric


def test_a_stop_after_some_text_says_it_is_kept():
    at = show(run(Answer(content="Blue", stopped=True)))
    assert at.warning[0].value == (
        "Stopped before the answer was complete. The part of the answer that arrived is kept below."
    )
    assert raw_answer(at) == "Blue"


def test_an_answer_cut_at_the_length_limit_says_so():
    at = show(run(Answer(content="Blue", final={**DONE, "done_reason": "length"})))
    assert "maximum answer length and was cut off" in at.info[0].value
    assert "Output tokens" in metrics(at)


def test_a_complete_empty_answer_is_called_out():
    at = show(run(Answer(final=DONE)))
    assert at.info[0].value.startswith("The model's answer is empty: it returned no words.")
    assert not at.tabs


def test_a_missing_model_is_explained_and_text_before_a_failure_kept():
    said = "model 'x' not found"
    error = ResponseError("errors.server_said", {"said": said}, status_code=404, server_message=said)
    at = show(run(Answer(content="Bl", error=error)))
    assert at.error[0].value == said
    captions = texts(at.caption)
    assert "Pull it on the Models page" in captions and "kept below" in captions


def test_an_unfinished_json_answer_is_not_blamed_on_the_model():
    at = show(run(Answer(content='{"colour": ', stopped=True), JSON))
    assert at.warning[1].value.endswith("It ended before the model finished.")


def test_thinking_is_shown_apart_from_the_answer():
    at = show(run(Answer(content="Blue.", thinking="Rayleigh?", final=DONE)))
    thinking = at.expander[0]
    assert thinking.label == "Thinking" and "Rayleigh?" in texts(thinking.markdown)
    assert raw_answer(at) == "Blue."


@pytest.mark.parametrize(
    ("output_format", "file_name", "mime", "data"),
    [
        (PLAIN, "generate-4.md", "text/markdown", '{"a":1}'),
        (JSON, "generate-4.json", "application/json", '{\n  "a": 1\n}'),
    ],
)
def test_the_download_is_named_after_the_run_and_holds_the_answer_in_its_format(
    downloads, output_format, file_name, mime, data
):
    show(run(Answer(content='{"a":1}', final=DONE), output_format))
    assert [(d["label"], d["file_name"], d["mime"], d["data"]) for d in downloads] == [
        ("Download the answer", file_name, mime, data)
    ]


def drawn(last: "RunRecord | None") -> None:
    import streamlit as st

    from lib import state
    from lib.generate import output
    from lib.generate.form import Draft, GenerateForm

    state.put(state.GENERATE_LAST, last)
    shown = output.draw(None, Draft(GenerateForm(), None, "no prompt"), starting=False)
    st.text(f"shown={shown.number if shown else None}")


def test_before_any_run_the_column_says_where_the_answer_appears():
    at = AppTest.from_function(drawn, args=(None,)).run()
    assert at.caption[0].value == "The answer appears here."
    assert at.text[0].value == "shown=None"


def test_when_not_starting_the_column_shows_the_last_run():
    at = AppTest.from_function(drawn, args=(run(Answer(content="Blue.", final=DONE), number=7),)).run()
    assert at.text[0].value == "shown=7"
    assert raw_answer(at) == "Blue."


def test_the_status_line_counts_a_pause_from_the_last_word_and_never_says_loading_mid_answer():
    line = output.StatusLine("llama3.2:latest")
    assert line.after(Event(WAITING, seconds=0.4)) == "Waiting for llama3.2:latest… 0 s."
    assert "takes a while to load" in line.after(Event(WAITING, seconds=4.2))
    assert line.after(Event(CONTENT, text="Hello", seconds=5.0)) == "Writing…"
    assert line.after(Event(CONTENT, text=" there", seconds=5.1)) is None
    assert line.after(Event(WAITING, seconds=5.3)) is None  # a short gap between words says nothing
    assert line.after(Event(WAITING, seconds=6.2)) is None
    paused = line.after(Event(WAITING, seconds=8.4))
    assert paused == "Writing… no new words for 3 s: the model or the server paused."
    assert "load" not in paused
    assert line.after(Event(CONTENT, text=" again", seconds=9.0)) == "Writing…"
    assert line.after(Event(ENDED, seconds=9.5)) is None


def test_a_pause_mid_stream_from_the_server_keeps_every_word(open_app, fake):
    fake.add_fault("/api/generate", "pause", after=3, delay=0.6)
    fake.script_reply("one two three four five six")
    at = generate(open_app("app_pages/generate.py"))
    assert "one two three four five six" in " ".join(m.value for m in at.markdown)
    assert fake.requests_to("/api/generate")[-1].finished - fake.requests_to("/api/generate")[-1].started >= 0.6


@pytest.mark.parametrize(
    ("schema", "reply", "expected"),
    [
        (
            {"$schema": "https://json-schema.org/draft/2019-09/schema", "$recursiveRef": "#"},
            '{"a": 1}',
            "The answer was not checked against the schema: the schema refers to itself without end",
        ),
        ({"$ref": "#"}, "[]", "the schema refers to itself without end"),
        ({"multipleOf": 0.5}, "1e400", "the check stopped unexpectedly (OverflowError)."),
    ],
)
def test_an_answer_that_cannot_be_checked_against_its_schema_says_why(page, fake, schema, reply, expected):
    fake.script_reply(reply)
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    page.text_area(key=state.GENERATE_SCHEMA_INPUT).input(json.dumps(schema)).run()
    generate(page)
    assert sent(fake)["format"] == schema
    assert expected in texts(page.warning)
    assert "The answer does not match the schema:" not in texts(page.warning)
    assert not page.success
    assert raw_answer(page) == reply


def test_a_prompt_that_fills_the_context_window_is_told_why_there_is_no_answer(page, fake):
    page.number_input(key="generate_option_num_ctx").set_value(256)
    generate(page, "word " * 400)
    assert any("the prompt filled the model's whole context window (256 tokens)" in w.value for w in page.warning)
    assert not any("answer is empty" in i.value for i in page.info)
