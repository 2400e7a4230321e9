"""The context window on the Chat page (lib/chat/context_view.py), against the fake server: the bar, the warning
before the window overflows, and the messages Ollama left out of the last answer, marked exactly as the fake
(which truncates as Ollama's chatPrompt does) recorded them."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.chat.history import Conversation
from lib.chat.store import ChatStore
from lib.ollama.client import OllamaClient
from tests.chat.conftest import open_chat, send

UNSEEN = "Not seen by the model in the last answer: the context window was full."


def marked(at: AppTest) -> list[int]:
    """The chat bubbles (numbered from 0) marked as not seen by the model."""
    return [
        index for index, bubble in enumerate(at.chat_message) if any(c.value.endswith(UNSEEN) for c in bubble.caption)
    ]


def bar(at: AppTest) -> str:
    return at.get("progress")[0].proto.text if at.get("progress") else ""


def test_the_bar_shows_the_last_answers_tokens_against_the_window(studio_env, fake, store: ChatStore):
    chat_id = store.create(Conversation(model="llama3.2:latest", options={"num_ctx": 2048}))
    at = open_chat({"chat": str(chat_id)})
    assert not at.get("progress")  # nothing counted yet
    fake.script_reply("Blue light is scattered more than red light.")
    send(at, "Why is the sky blue?")
    figures = store.messages(chat_id)[-1].stats
    used = figures.prompt_tokens + figures.output_tokens
    assert bar(at) == f"Context: {used} of 2,048 tokens ({round(100 * used / 2048)}%)"
    assert not at.warning


def test_without_a_size_anywhere_the_bar_says_about_ollamas_default(studio_env, fake, store):
    chat_id = store.create(Conversation(model="llama3.2:latest"))
    at = open_chat({"chat": str(chat_id)})
    send(at, "Hello")
    assert " of 4,096 tokens" in bar(at)  # loaded: the server's own figure
    OllamaClient(fake.url).unload("llama3.2:latest")
    st.cache_data.clear()  # the app's copy of /api/ps lasts 5 seconds
    at.run()
    assert " of about 4,096 tokens" in bar(at)


def test_a_chat_that_outgrows_its_window_is_warned_and_its_unseen_messages_are_marked(studio_env, fake, store):
    chat_id = store.create(Conversation(model="llama3.2:latest", options={"num_ctx": 256}))
    at = open_chat({"chat": str(chat_id)})
    reply = "Short answers keep the window free for the next question and the one after it."
    dropped = 0
    for turn in range(1, 12):
        fake.script_reply(reply)
        send(at, f"Question number {turn}: what comes next in this story?")
        assert not at.exception
        body = fake.requests_to("/api/chat")[-1]
        dropped = len(body.body["messages"]) - len(body.prompt_messages)
        if dropped:
            break
        assert marked(at) == []
    assert dropped, "the chat never outgrew the window"
    # The page draws the whole conversation again, with the messages the model did not see marked: exactly those.
    assert marked(at) == list(range(dropped))
    warning = next(w.value for w in at.warning if "did not see" in w.value)
    assert "context window (256 tokens) was full" in warning and "estimate" in warning
    # Near the end of the window the bar warns before the next question.
    assert any("nearly full" in w.value for w in at.warning)
    assert "of 256 tokens" in bar(at)


def warn(question: str) -> None:
    from lib.chat import context_view
    from lib.chat.context import DEFAULT, Use, Window

    window = Window(4096, DEFAULT)
    context_view.warn_before_answer(context_view.Fill(window, Use(3000, window), None), question)


def test_a_question_that_will_not_fit_is_warned_of_before_its_answer():
    assert not AppTest.from_function(warn, args=("A short question?",)).run().warning
    (warning,) = AppTest.from_function(warn, args=("Tell me more. " * 400,)).run().warning
    assert warning.value == (
        "This question probably does not fit with the whole conversation (about 4,405 tokens, the window holds "
        "about 4,096): the model will not see the oldest messages."
    )


def test_the_loaded_models_context_is_the_window_when_the_chat_sets_none(studio_env, fake, store):
    chat_id = store.create(Conversation(model="llama3.2:latest"))
    at = open_chat({"chat": str(chat_id)})
    send(at, "Hello")
    (loaded,) = [m for m in OllamaClient(fake.url).running_models() if m["name"] == "llama3.2:latest"]
    st.cache_data.clear()
    at.run()
    assert f"of {loaded['context_length']:,} tokens" in bar(at)
