"""Chat's compare mode with AppTest against the fake server: models side by side, each with its own history."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import ASSISTANT, STOPPED, USER
from lib.chat.store import ChatStore
from tests.conftest import choose_models
from tests.ollama.test_stream import overlapped

PAGE = "app_pages/chat.py"
LONG_REPLY = " ".join(f"word{number}" for number in range(300))


@pytest.fixture
def store(studio_env) -> ChatStore:
    return ChatStore(studio_env / "chats.sqlite3")


@pytest.fixture
def chat(open_app) -> AppTest:
    at = open_app(PAGE)
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    assert not at.exception
    return at


def pick(at: AppTest, *models: str) -> None:
    choose_models(at, state.CHAT_COMPARE_COUNT_INPUT, state.CHAT_COMPARE_MODEL_INPUT, models)


def send(at: AppTest, text: str, **run_options) -> AppTest:
    return at.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).set_value(text).run(**run_options)


def bodies_by_model(fake) -> dict[str, list[dict]]:
    sent: dict[str, list[dict]] = {}
    for request in fake.requests_to("/api/chat"):
        sent.setdefault(request.body["model"], []).append(request.body)
    return sent


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def columns(at: AppTest) -> list[str]:
    return [heading.value.replace("\\", "") for heading in at.subheader]


def test_every_model_answers_the_message_at_the_same_time_and_each_column_is_saved(chat, fake, store):
    fake.token_delay = 0.01
    pick(chat, "llama3.2:latest", "llava:7b", "qwen3:0.6b")
    send(chat, "Why is the sky blue?")
    assert not chat.exception
    requests = fake.requests_to("/api/chat")
    assert sorted(r.body["model"] for r in requests) == ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
    assert all(r.body["messages"] == [{"role": "user", "content": "Why is the sky blue?"}] for r in requests)
    assert overlapped(fake, "/api/chat")
    assert columns(chat) == ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
    assert [m.name for m in chat.chat_message] == [USER, ASSISTANT] * 3
    saved = {summary.title: summary.messages for summary in store.summaries()}
    assert saved == {f"Why is the sky blue? · {model}": 2 for model in ("llama3.2:latest", "llava:7b", "qwen3:0.6b")}
    assert chat.query_params["compare"] in ("1,2,3", ["1,2,3"])


def test_each_column_keeps_its_own_history(chat, fake, store):
    pick(chat, "llama3.2:latest", "llava:7b")
    send(chat, "First question")
    answers = {summary.title.split(" · ")[1]: store.messages(summary.id)[1].content for summary in store.summaries()}
    assert answers["llama3.2:latest"] != answers["llava:7b"]
    send(chat, "Second question")
    for model, bodies in bodies_by_model(fake).items():
        assert bodies[-1]["messages"] == [
            {"role": "user", "content": "First question"},
            {"role": "assistant", "content": answers[model]},
            {"role": "user", "content": "Second question"},
        ]
    assert all(summary.messages == 4 for summary in store.summaries())


def test_continue_with_one_answer_goes_on_with_that_model_alone(chat, fake, store):
    pick(chat, "llama3.2:latest", "llava:7b")
    send(chat, "Pick me")
    continue_button = next(b for b in chat.button if b.label == "Continue with llava:7b")
    continue_button.click().run()
    assert chat.segmented_control(key=state.CHAT_MODE_INPUT).value == "single"
    assert chat.title[0].value == "Pick me · llava:7b"
    assert chat.selectbox(key=state.CHAT_MODEL_INPUT).value == "llava:7b"
    before = len(fake.requests_to("/api/chat"))
    chat.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Go on").run()
    sent = fake.requests_to("/api/chat")
    assert len(sent) == before + 1
    assert sent[-1].body["model"] == "llava:7b"
    assert [m["content"] for m in sent[-1].body["messages"]][::2] == ["Pick me", "Go on"]


def test_a_reload_keeps_the_comparison(chat, fake, open_app):
    pick(chat, "llama3.2:latest", "llava:7b")
    send(chat, "Remember me")
    reloaded = open_app(PAGE, query={"compare": "1,2"})
    assert reloaded.segmented_control(key=state.CHAT_MODE_INPUT).value == "compare"
    assert columns(reloaded) == ["llama3.2:latest", "llava:7b"]
    assert len(reloaded.chat_message) == 4


def test_stop_closes_every_stream_and_saves_what_arrived(chat, fake, store, open_app):
    fake.token_delay = 0.05
    fake.script_reply(LONG_REPLY)
    fake.script_reply(LONG_REPLY)
    pick(chat, "llama3.2:latest", "llava:7b")
    # A click on the chat box's stop button interrupts the script at its next Streamlit call;
    # AppTest does the same when a run outlives its timeout.
    with pytest.raises(RuntimeError, match="timed out"):
        send(chat, "Talk for a long time", timeout=3)
    assert fake.wait_for(
        lambda f: (
            len(f.requests_to("/api/chat")) == 2 and all(r.client_disconnected for r in f.requests_to("/api/chat"))
        ),
        timeout=10,
    )
    assert all(r.chunks_sent < 300 for r in fake.requests_to("/api/chat"))
    assert fake.wait_for(lambda _f: all(store.count(summary.id) == 2 for summary in store.summaries()))
    for summary in store.summaries():
        answer = store.messages(summary.id)[-1]
        assert answer.role == ASSISTANT and answer.status == STOPPED
        assert answer.content and LONG_REPLY.startswith(answer.content)
    again = open_app(PAGE, query={"compare": "1,2"})
    assert texts(again.caption).count("Stopped before the end of the answer.") == 2


def test_new_comparison_starts_over(chat, fake):
    pick(chat, "llama3.2:latest", "llava:7b")
    send(chat, "Hello")
    next(b for b in chat.button if b.label == "New comparison").click().run()
    assert chat.segmented_control(key=state.CHAT_COMPARE_COUNT_INPUT).value == 2
    assert not chat.chat_message
    assert "compare" not in chat.query_params
