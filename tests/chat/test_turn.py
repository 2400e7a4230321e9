"""The threaded streaming turn against the fake server: text, stats, errors, and cancel closing the stream."""

from __future__ import annotations

from lib.chat.history import DONE, FAILED, STOPPED
from lib.chat.turn import CONTENT, THINKING, WAITING, Turn
from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.errors import ConnectionDropped, RequestTimedOut, ResponseError, StreamError
from lib.ui.errors import error_text
from tests.streamlit_process import free_port

HELLO = [{"role": "user", "content": "hello"}]


def test_a_turn_streams_content_and_ends_with_stats(fake):
    fake.script_reply("One two three four.")
    turn = Turn(OllamaClient(fake.url), "llama3.2", HELLO)
    texts = [event.text for event in turn.events() if event.kind == CONTENT]
    assert "".join(texts) == "One two three four."
    assert len(texts) > 1
    outcome = turn.outcome
    assert (outcome.status, outcome.content, outcome.error) == (DONE, "One two three four.", None)
    assert outcome.stats.tokens == len(texts) and outcome.stats.first_token is not None
    assert outcome.stats.tokens_per_second > 0
    assert fake.requests_to("/api/chat")[-1].body == {"model": "llama3.2", "messages": HELLO, "stream": True}


def test_thinking_arrives_before_the_answer_and_apart_from_it(fake):
    turn = Turn(OllamaClient(fake.url), "qwen3:0.6b", HELLO, think=True)
    kinds = [event.kind for event in turn.events() if event.kind != WAITING]
    assert kinds[0] == THINKING and kinds[-1] == CONTENT
    assert turn.outcome.thinking and turn.outcome.content
    assert fake.requests_to("/api/chat")[-1].body["think"] is True


def test_cancel_closes_the_connection_and_keeps_what_arrived(fake):
    fake.token_delay = 0.02
    fake.script_reply(" ".join(["word"] * 300))
    turn = Turn(OllamaClient(fake.url), "llama3.2", HELLO)
    events = turn.events()
    seen = [next(e for e in events if e.kind == CONTENT) for _ in range(3)]
    turn.cancel()
    turn.join(timeout=10)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    record = fake.requests_to("/api/chat")[-1]
    assert record.chunks_sent < 300
    assert turn.outcome.status == STOPPED
    assert turn.outcome.content == "".join(e.text for e in seen)


def test_a_missing_model_fails_with_the_servers_sentence(fake):
    turn = Turn(OllamaClient(fake.url), "nope:1b", HELLO)
    assert [e for e in turn.events() if e.kind != WAITING] == []
    assert turn.outcome.status == FAILED
    assert isinstance(turn.outcome.error, ResponseError) and turn.outcome.error.model_missing
    assert "not found" in error_text(turn.outcome.error)


def test_an_error_line_mid_stream_keeps_the_partial_answer(fake):
    fake.script_reply("alpha beta gamma delta epsilon zeta")
    fake.add_fault("/api/chat", "error_line", after=3)
    turn = Turn(OllamaClient(fake.url), "llama3.2", HELLO)
    shown = "".join(e.text for e in turn.events() if e.kind == CONTENT)
    assert turn.outcome.status == FAILED and isinstance(turn.outcome.error, StreamError)
    assert shown and turn.outcome.content == shown
    assert "unexpected EOF" in error_text(turn.outcome.error)


def test_a_dropped_connection_is_reported_with_the_partial_answer(fake):
    fake.script_reply("alpha beta gamma delta epsilon zeta")
    fake.add_fault("/api/chat", "drop", after=2)
    turn = Turn(OllamaClient(fake.url), "llama3.2", HELLO)
    list(turn.events())
    assert isinstance(turn.outcome.error, ConnectionDropped)
    assert turn.outcome.content.startswith("alpha")


def test_a_first_token_slower_than_the_timeout_is_a_timeout(fake):
    fake.add_fault("/api/chat", "slow_first", delay=3)
    turn = Turn(
        OllamaClient(fake.url, timeouts=Timeouts(model_read=0.5)),
        "llama3.2",
        HELLO,
    )
    events = list(turn.events())
    assert any(e.kind == WAITING for e in events)
    assert isinstance(turn.outcome.error, (RequestTimedOut, ConnectionDropped))
    assert "0.5 seconds" in error_text(turn.outcome.error)


def test_server_down(fake):
    turn = Turn(OllamaClient(f"127.0.0.1:{free_port()}"), "llama3.2", HELLO)
    list(turn.events())
    assert turn.outcome.status == FAILED
    assert "Nothing is answering" in error_text(turn.outcome.error)


def test_cancel_while_the_model_loads_cuts_the_connection_at_once(fake):
    fake.add_fault("/api/chat", "slow_first", delay=3)
    turn = Turn(OllamaClient(fake.url), "llama3.2", HELLO)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat"), timeout=5)
    turn.cancel()
    turn.join(timeout=1.5)
    assert fake.wait_for(
        lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=2
    )  # before the 3 s delay
    assert turn.outcome.error is None
