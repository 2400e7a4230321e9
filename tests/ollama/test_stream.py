"""The streaming engine against the fake server: one answer or several at once, stop, failures, figures."""

from __future__ import annotations

import pytest

from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.errors import ConnectionDropped, RequestTimedOut, ResponseError, StreamError
from lib.ollama.stats import RunStats
from lib.ollama.stream import (
    ALL_COLUMNS,
    CHAT,
    CONTENT,
    CUT_OFF,
    DONE,
    ENDED,
    FAILED,
    GENERATE,
    STOPPED,
    THINKING,
    UNFINISHED,
    WAITING,
    Answer,
    Request,
    Streams,
)
from lib.ui.errors import error_text
from tests.fake_ollama import FakeOllama

HELLO = [{"role": "user", "content": "hello"}]
REPLY = " ".join(f"word{number}" for number in range(20))
LONG_REPLY = " ".join(f"word{number}" for number in range(300))


def chat(model: str = "llama3.2", **fields) -> Request:
    return Request(CHAT, model, {"messages": HELLO, **fields})


def generate(model: str = "llama3.2", prompt: str = "Why is the sky blue?", **fields) -> Request:
    return Request(GENERATE, model, {"prompt": prompt, **fields})


def read(streams: Streams) -> tuple[dict[int, str], list[int], list[str]]:
    texts: dict[int, str] = {}
    ended: list[int] = []
    kinds: list[str] = []
    for event in streams.events(poll=0.05):
        kinds.append(event.kind)
        if event.kind == CONTENT:
            texts[event.column] = texts.get(event.column, "") + event.text
        elif event.kind == ENDED:
            ended.append(event.column)
    return texts, ended, kinds


def overlapped(fake, path: str = "/api/generate") -> bool:
    """Whether every request to ``path`` started before any finished, by the fake's log.

    Waits for the log to record every end: a client can read the last line before the fake notes it.
    """
    assert fake.wait_for(lambda f: all(r.finished is not None for r in f.requests_to(path)))
    requests = fake.requests_to(path)
    return len(requests) > 1 and max(r.started for r in requests) < min(r.finished for r in requests)


# One answer


@pytest.mark.parametrize(("request_", "path"), [(chat(), "/api/chat"), (generate(), "/api/generate")])
def test_one_answer_streams_in_pieces_and_ends_with_figures(fake, request_, path):
    fake.script_reply("One two three four.")
    streams = Streams(OllamaClient(fake.url), [request_])
    texts, ended, kinds = read(streams)
    answer = streams.answers[0]
    assert texts == {0: "One two three four."} and ended == [0]
    assert kinds.count(CONTENT) > 1 and kinds[-1] == ENDED
    assert (answer.status, answer.content, answer.error) == (DONE, "One two three four.", None)
    stats = answer.stats()
    assert stats is not None and stats.output_tokens == kinds.count(CONTENT)
    assert stats.first_token_measured and stats.time_to_first_token == answer.first_token
    assert stats.output_tokens_per_second and stats.output_tokens_per_second > 0
    body = fake.requests_to(path)[-1].body
    assert body["model"] == "llama3.2" and body["stream"] is True


def test_the_request_body_carries_the_fields_as_given(fake):
    streams = Streams(OllamaClient(fake.url), [chat(options={"temperature": 0.2}, keep_alive="5m")])
    read(streams)
    assert fake.requests_to("/api/chat")[-1].body == {
        "model": "llama3.2",
        "messages": HELLO,
        "stream": True,
        "options": {"temperature": 0.2},
        "keep_alive": "5m",
    }


def test_thinking_arrives_apart_from_the_answer(fake):
    streams = Streams(OllamaClient(fake.url), [chat("qwen3:0.6b", think=True)])
    _texts, _ended, kinds = read(streams)
    shown = [kind for kind in kinds if kind in (THINKING, CONTENT)]
    assert shown[0] == THINKING and shown[-1] == CONTENT
    assert streams.answers[0].thinking and streams.answers[0].content


def test_a_non_streamed_answer_arrives_whole_with_no_measured_times(fake):
    fake.script_reply("All at once.")
    streams = Streams(OllamaClient(fake.url), [Request(GENERATE, "llama3.2", {"prompt": "Hi"}, stream=False)])
    texts, ended, _kinds = read(streams)
    answer = streams.answers[0]
    assert texts == {0: "All at once."} and ended == [0] and answer.status == DONE
    assert answer.first_token is None and answer.ended_after is None
    assert fake.requests_to("/api/generate")[-1].body["stream"] is False


def test_chat_answers_are_always_streamed():
    with pytest.raises(ValueError, match="streamed"):
        Request(CHAT, "llama3.2", {"messages": HELLO}, stream=False)
    with pytest.raises(ValueError, match="endpoint"):
        Request("embed", "llama3.2")


# Stop


def test_stop_closes_the_connection_and_keeps_what_arrived(fake):
    fake.token_delay = 0.02
    fake.script_reply(LONG_REPLY)
    streams = Streams(OllamaClient(fake.url), [chat()])
    shown = ""
    for event in streams.events(poll=0.05):
        shown += event.text
        if len(shown) > 20:
            break
    streams.stop()
    assert list(streams.events(poll=0.05)) == []
    answer = streams.answers[0]
    assert answer.status == STOPPED and answer.content == shown
    streams.join(10)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/chat")[-1].chunks_sent < 300


def test_stop_while_the_model_loads_ends_at_once(fake):
    fake.add_fault("/api/chat", "slow_first", delay=5)
    streams = Streams(OllamaClient(fake.url), [chat()])
    assert next(streams.events(poll=0.05)).kind == WAITING
    streams.stop()
    streams.join(2)
    answer = streams.answers[0]
    assert streams.finished and answer.status == STOPPED and answer.stats() is None


def test_stop_after_the_end_changes_nothing_and_twice_is_harmless(fake):
    streams = Streams(OllamaClient(fake.url), [generate()])
    read(streams)
    streams.stop()
    streams.stop()
    assert streams.answers[0].status == DONE


# Failures


def test_a_missing_model_fails_with_the_servers_words(fake):
    streams = Streams(OllamaClient(fake.url), [chat("nope:1b")])
    _texts, ended, _kinds = read(streams)
    error = streams.answers[0].error
    assert ended == [0] and streams.answers[0].status == FAILED
    assert isinstance(error, ResponseError) and error.model_missing and "not found" in error_text(error)


def test_an_error_line_mid_stream_keeps_the_partial_answer(fake):
    fake.add_fault("/api/generate", "error_line", after=4, message="model runner crashed")
    streams = Streams(OllamaClient(fake.url), [generate()])
    texts, _ended, _kinds = read(streams)
    answer = streams.answers[0]
    assert isinstance(answer.error, StreamError) and answer.status == FAILED
    assert answer.content == texts[0] and answer.content
    assert answer.ended_after is not None and "model runner crashed" in error_text(answer.error)


def test_a_dropped_connection_keeps_the_partial_answer_and_its_first_token_time(fake):
    fake.add_fault("/api/chat", "drop", after=3)
    streams = Streams(OllamaClient(fake.url), [chat()])
    read(streams)
    answer = streams.answers[0]
    assert isinstance(answer.error, ConnectionDropped) and answer.content
    assert answer.stats() == RunStats(time_to_first_token=answer.first_token, first_token_measured=True)


def test_a_first_token_slower_than_the_timeout_is_a_timeout(fake):
    fake.add_fault("/api/chat", "slow_first", delay=1.5)
    streams = Streams(OllamaClient(fake.url, timeouts=Timeouts(model_read=0.5)), [chat()])
    _texts, _ended, kinds = read(streams)
    assert WAITING in kinds and isinstance(streams.answers[0].error, RequestTimedOut)


def test_a_bug_while_reading_ends_the_answer_with_a_sentence(fake, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("x")

    monkeypatch.setattr(OllamaClient, "chat_stream", broken)
    streams = Streams(OllamaClient(fake.url), [chat()])
    read(streams)
    error = streams.answers[0].error
    assert error is not None and error_text(error) == "Reading the answer failed unexpectedly (KeyError: 'x')."


# Several at once


def test_every_column_streams_at_the_same_time_on_one_clock(fake):
    fake.token_delay = 0.02
    for _ in range(3):
        fake.script_reply(REPLY)
    requests = [generate(options={"temperature": column / 10}) for column in range(3)]
    streams = Streams(OllamaClient(fake.url), requests)
    texts, ended, _kinds = read(streams)
    assert texts == {0: REPLY, 1: REPLY, 2: REPLY} and sorted(ended) == [0, 1, 2]
    assert all(answer.complete for answer in streams.answers)
    assert overlapped(fake, "/api/generate")


def test_a_failing_column_does_not_stop_the_others(fake):
    fake.add_fault("/api/chat", "http", status=500, message="model runner crashed")
    streams = Streams(OllamaClient(fake.url), [chat(), chat()])
    _texts, ended, _kinds = read(streams)
    assert sorted(ended) == [0, 1]
    assert sorted(answer.status for answer in streams.answers) == [DONE, FAILED]


def test_stop_closes_every_column(fake):
    fake.token_delay = 0.02
    for _ in range(2):
        fake.script_reply(LONG_REPLY)
    streams = Streams(OllamaClient(fake.url), [chat(), generate()])
    for _event in streams.events(poll=0.05):
        if all(len(answer.content) > 20 for answer in streams.answers):
            break
    streams.stop()
    assert all(answer.status == STOPPED and LONG_REPLY.startswith(answer.content) for answer in streams.answers)
    streams.join(5)
    assert fake.wait_for(
        lambda f: all(r.client_disconnected for r in [*f.requests_to("/api/chat"), *f.requests_to("/api/generate")])
    )


def test_silence_yields_waiting_events_for_every_column(fake):
    fake.add_fault("/api/chat", "slow_first", delay=0.3, times=0)
    streams = Streams(OllamaClient(fake.url), [chat(), chat()])
    waiting = [event for event in streams.events(poll=0.05) if event.kind == WAITING]
    assert waiting and all(event.column == ALL_COLUMNS and event.seconds > 0 for event in waiting)


def test_each_column_can_go_to_a_server_of_its_own(fake):
    with FakeOllama() as gpu:
        streams = Streams(
            [OllamaClient(fake.url), OllamaClient(gpu.url)], [generate(prompt="one"), generate("qwen3:0.6b")]
        )
        _texts, ended, _kinds = read(streams)
        assert sorted(ended) == [0, 1] and all(answer.status == DONE for answer in streams.answers)
        assert [r.body["prompt"] for r in fake.requests_to("/api/generate")] == ["one"]
        assert [r.body["model"] for r in gpu.requests_to("/api/generate")] == ["qwen3:0.6b"]


def test_one_client_per_request():
    with pytest.raises(ValueError, match="One client per request"):
        Streams([OllamaClient("127.0.0.1:9")], [chat(), chat()])


def test_one_answer_per_request():
    with pytest.raises(ValueError, match="One answer per request"):
        Streams(OllamaClient("127.0.0.1:9"), [chat()], [Answer(), Answer()])


# An answer's ending, without a server


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (Answer(final={"done": True, "done_reason": "stop"}), DONE),
        (Answer(final={"done": True, "done_reason": "length"}), CUT_OFF),
        (Answer(content="half", stopped=True), STOPPED),
        (Answer(content="half"), UNFINISHED),
    ],
)
def test_an_answers_status(answer, status):
    assert answer.status == status


def test_a_chat_and_a_generate_object_add_alike():
    answer = Answer()
    assert answer.add({"message": {"role": "assistant", "content": "Hi", "thinking": "hm"}}, 0.5) == ("Hi", "hm")
    assert answer.add({"response": " there", "done": True, "eval_count": 2, "eval_duration": 10**9}, 0.9) == (
        " there",
        "",
    )
    assert (answer.content, answer.thinking, answer.first_token, answer.ended_after) == ("Hi there", "hm", 0.5, 0.9)
    assert answer.stats() is not None and answer.stats().output_tokens_per_second == 2.0


def test_an_answer_collects_tool_calls_and_logprobs_from_every_object():
    answer = Answer()
    call = {"function": {"name": "calculator", "arguments": {"expression": "2+2"}}}
    token = {"token": "Hi", "logprob": -0.1, "top_logprobs": [{"token": "Hi", "logprob": -0.1}]}
    answer.add({"message": {"role": "assistant", "content": "", "tool_calls": [call]}, "done": False}, 0.5)
    answer.add({"response": "Hi", "logprobs": [token], "done": False}, 0.6)
    answer.add({"message": {"role": "assistant", "content": ""}, "done": True}, 0.7)
    assert answer.tool_calls == [call]
    assert answer.logprobs == [token]
    assert answer.first_token == 0.5  # a tool call is the model's first word


@pytest.mark.parametrize("odd", [7, 1.5, True, "call", None])
def test_tool_calls_and_logprobs_of_the_wrong_type_are_ignored_not_raised(odd):
    answer = Answer()
    answer.add({"message": {"role": "assistant", "content": "Hi", "tool_calls": odd}, "logprobs": odd}, 0.1)
    assert answer.content == "Hi" and answer.tool_calls == [] and answer.logprobs == []


def test_a_lone_tool_call_or_logprob_object_counts_as_a_list_of_one():
    call = {"function": {"name": "calculator", "arguments": {"expression": "1+1"}}}
    token = {"token": "Hi", "logprob": -0.2}
    answer = Answer()
    answer.add({"message": {"role": "assistant", "content": "", "tool_calls": call}, "logprobs": token}, 0.1)
    assert answer.tool_calls == [call] and answer.logprobs == [token]
