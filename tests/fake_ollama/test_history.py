"""The fake drops a chat's oldest messages to fit the context window, as Ollama's chatPrompt does."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fake_ollama import FakeOllama

PER_MESSAGE = 56  # "<n> word word … " is 51 tokens, and the template adds 5 around a message


def conversation(turns: int, system: str | None = None) -> list[dict[str, Any]]:
    """``turns`` messages, user and assistant in turn, ending on the user's; each one numbered."""
    messages = [{"role": "system", "content": system}] if system is not None else []
    for index in range(turns):
        role = "user" if (turns - index) % 2 else "assistant"
        messages.append({"role": role, "content": f"{index} " + "word " * 49})
    return messages


def chat(fake: FakeOllama, messages: list[dict[str, Any]], model: str = "llama3.2", **fields: Any) -> dict[str, Any]:
    body = {"model": model, "messages": messages, "stream": False, **fields}
    response = requests.post(fake.url + "/api/chat", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def seen(fake: FakeOllama) -> list[dict[str, Any]]:
    prompt = fake.requests_to("/api/chat")[-1].prompt_messages
    assert prompt is not None
    return list(prompt)


def test_a_chat_that_fits_is_seen_whole(fake):
    messages = conversation(5, system="Be brief.")
    reply = chat(fake, messages)
    assert seen(fake) == messages
    assert reply["prompt_eval_count"] == 5 * PER_MESSAGE + 8 and reply["done_reason"] == "stop"


def test_the_oldest_messages_are_dropped_until_the_rest_fits(fake):
    messages = conversation(8)
    reply = chat(fake, messages, options={"num_ctx": 256})
    assert seen(fake) == messages[-4:]  # 4 x 56 = 224 fit in 256, 5 x 56 do not
    assert reply["prompt_eval_count"] == 4 * PER_MESSAGE
    assert reply["done_reason"] == "stop" and reply["message"]["content"]


def test_system_messages_are_never_dropped(fake):
    messages = conversation(8, system="Be brief.")
    messages.insert(3, {"role": "system", "content": "Answer in French."})
    chat(fake, messages, options={"num_ctx": 256})
    kept = seen(fake)
    assert kept[:2] == [messages[0], messages[3]] and kept[2:] == messages[-4:]
    assert chat(fake, messages, options={"num_ctx": 256})["prompt_eval_count"] == 8 + 9 + 4 * PER_MESSAGE


def test_the_window_is_the_models_default_or_its_context_length_when_smaller(fake):
    messages = conversation(80)  # 4,480 tokens
    chat(fake, messages)
    assert len(seen(fake)) == 4096 // PER_MESSAGE
    chat(fake, messages, options={"num_ctx": 8192})
    assert seen(fake) == messages
    fake.install("tinyllama")  # context length 2048
    chat(fake, messages, model="tinyllama", options={"num_ctx": 8192})
    assert len(seen(fake)) == 2048 // PER_MESSAGE


def test_truncate_false_keeps_everything_and_leaves_no_room_to_answer(fake):
    messages = conversation(8)
    reply = chat(fake, messages, options={"num_ctx": 256}, truncate=False)
    assert seen(fake) == messages
    assert (reply["done_reason"], reply["message"]["content"], reply["prompt_eval_count"]) == ("length", "", 256)


def test_a_last_message_too_long_alone_still_gets_no_answer(fake):
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "word " * 400},
    ]
    reply = chat(fake, messages, options={"num_ctx": 256})
    assert seen(fake) == [messages[0], messages[-1]]
    assert (reply["done_reason"], reply["message"]["content"], reply["prompt_eval_count"]) == ("length", "", 256)


def test_declared_tools_take_room_too(fake):
    tool = {"type": "function", "function": {"name": "lookup", "description": "word " * 60, "parameters": {}}}
    chat(fake, conversation(8), options={"num_ctx": 256}, tools=[tool])
    assert len(seen(fake)) < 4


@pytest.mark.parametrize("path", ["/api/generate", "/api/show"])
def test_other_requests_record_no_prompt_messages(fake, path):
    requests.post(fake.url + path, json={"model": "llama3.2", "prompt": "hi", "stream": False}, timeout=10)
    assert fake.requests_to(path)[-1].prompt_messages is None
