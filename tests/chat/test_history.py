"""Pure chat helpers: stats, titles, the messages we send, pairs."""

from __future__ import annotations

import pytest

from lib.chat.history import (
    ASSISTANT,
    AWAITING,
    CUT_OFF,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Message,
    answer_message,
    api_messages,
    describe_stats,
    needs_answer,
    pair_ids,
    strip_data_url,
    title_from,
)
from lib.ollama.errors import OllamaError
from lib.ollama.stats import RunStats
from lib.ollama.stream import Answer
from lib.tools.steps import Round, Step

FINAL = {
    "done": True,
    "eval_count": 50,
    "eval_duration": 2_000_000_000,
    "load_duration": 1_500_000_000,
    "prompt_eval_count": 12,
    "total_duration": 4_000_000_000,
}


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (Answer(content="Blue.", final=FINAL, first_token=1.7), DONE),
        (Answer(content="Blue.", final={**FINAL, "done_reason": "length"}, first_token=1.7), CUT_OFF),
        (Answer(content="Bl", stopped=True, first_token=1.7), STOPPED),
        (Answer(content="Bl", first_token=1.7), STOPPED),
        (Answer(content="Bl", first_token=1.7, error=OllamaError("errors.dropped", {"where": "h"})), FAILED),
    ],
)
def test_an_answer_is_saved_with_how_it_ended_and_its_figures(answer, status):
    message = answer_message(answer, "llama3.2:latest")
    assert (message.role, message.content, message.status, message.model) == (
        ASSISTANT,
        answer.content,
        status,
        "llama3.2:latest",
    )
    assert message.stats is not None and message.stats.time_to_first_token == 1.7
    assert (message.error != "") == (status == FAILED)


def test_a_finished_answers_figures_are_in_seconds_and_tokens_per_second():
    stats = answer_message(Answer(content="x", final=FINAL, first_token=1.7), "m").stats
    assert stats == RunStats(
        time_to_first_token=1.7,
        first_token_measured=True,
        output_tokens=50,
        output_tokens_per_second=25.0,
        load_time=1.5,
        prompt_tokens=12,
        total_time=4.0,
    )


def test_an_answer_stopped_before_its_first_word_has_no_figures():
    assert answer_message(Answer(stopped=True), "m").stats is None


@pytest.mark.parametrize(
    ("stats", "text"),
    [
        (
            RunStats(time_to_first_token=0.25, output_tokens=40, output_tokens_per_second=20.0),
            "first token after 250 ms · 40 tokens · 20.0 tokens/s",
        ),
        (
            RunStats(time_to_first_token=3.0, output_tokens=5, output_tokens_per_second=10.0, load_time=2.5),
            "first token after 3.0 s · 5 tokens · 10.0 tokens/s · model load 2.5 s",
        ),
        (RunStats(output_tokens=5, load_time=0.0), "5 tokens"),
        (None, ""),
    ],
)
def test_describe_stats_mentions_load_only_when_there_was_one(stats, text):
    assert describe_stats(stats) == text


@pytest.mark.parametrize(
    ("text", "images", "title"),
    [
        ("Why is the sky blue?", 0, "Why is the sky blue?"),
        ("  first line\nsecond line ", 0, "first line second line"),
        ("word " * 30, 0, ("word " * 12).strip() + "…"),
        ("x" * 80, 0, "x" * 60 + "…"),
        ("", 2, "Image"),
        ("   ", 0, "New chat"),
    ],
)
def test_titles_come_from_the_first_message(text, images, title):
    assert title_from(text, images) == title


def test_api_messages_send_the_whole_history_with_system_first_and_skip_empty_failures():
    history = [
        Message(USER, "hi", images=["data:image/png;base64,iVBORw0KGgo="]),
        Message(ASSISTANT, "hello", thinking="they greeted me"),
        Message(USER, "and?"),
        Message(ASSISTANT, "", status=FAILED, error="Nothing is answering."),
        Message(USER, "again"),
    ]
    assert api_messages("Be brief.", history) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi", "images": ["iVBORw0KGgo="]},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and?"},
        {"role": "user", "content": "again"},
    ]
    assert api_messages("  ", history[:1])[0]["role"] == "user"


@pytest.mark.parametrize(
    ("image", "plain"),
    [("data:image/jpeg;base64,/9j/4AAQ", "/9j/4AAQ"), ("/9j/4AAQ", "/9j/4AAQ"), (" iVBOR \n", "iVBOR")],
)
def test_strip_data_url(image, plain):
    assert strip_data_url(image) == plain


def test_pairs_and_missing_answers():
    history = [Message(USER, "a", id=1), Message(ASSISTANT, "b", id=2), Message(USER, "c", id=3)]
    assert pair_ids(history, 1) == [1, 2]
    assert pair_ids(history, 3) == [3]
    assert pair_ids(history, 9) == []
    assert needs_answer(history)
    assert not needs_answer(history[:2])
    assert not needs_answer([])


def test_an_answer_that_called_tools_replays_its_calls_and_results_before_its_text():
    rounds = [Round(steps=[Step("calculator", {"expression": "6*7"}, result="42")])]
    history = [
        Message(USER, "6*7?"),
        Message(ASSISTANT, "It is 42.", tools=rounds),
        Message(USER, "And a stopped one?"),
        Message(ASSISTANT, "", status=STOPPED, tools=rounds),
        Message(USER, "thanks"),
    ]
    call = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"index": 0, "name": "calculator", "arguments": {"expression": "6*7"}}}],
    }
    result = {"role": "tool", "content": "42", "tool_name": "calculator"}
    assert api_messages("", history) == [
        {"role": "user", "content": "6*7?"},
        call,
        result,
        {"role": "assistant", "content": "It is 42."},
        {"role": "user", "content": "And a stopped one?"},
        call,
        result,
        {"role": "user", "content": "thanks"},
    ]


def test_an_answer_waiting_for_the_users_tool_result_is_saved_as_awaiting():
    waiting = [Round(steps=[Step("get_weather", {"city": "Paris"}, custom=True)])]
    answer = Answer()
    answer.add({"message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"})
    message = answer_message(answer, "m", waiting, "json")
    assert (message.status, message.tools, message.format) == (AWAITING, waiting, "json")
    waiting[0].steps[0].result = "Sunny"
    assert answer_message(answer, "m", waiting).status == DONE
