"""The fake's ``logprobs`` / ``top_logprobs`` on /api/generate and /api/chat, in Ollama's shape."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import requests
from ollama._types import ChatResponse, GenerateResponse

from tests.fake_ollama import FakeOllama

PROMPT = "Explain how rainbows form"


def post(fake: FakeOllama, path: str, body: Any) -> requests.Response:
    return requests.post(fake.url + path, json=body, timeout=10)


def lines(response: requests.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.iter_lines() if line]


def generate(fake: FakeOllama, **fields: Any) -> dict[str, Any]:
    body = {"model": "llama3.2", "prompt": PROMPT, "stream": False, "logprobs": True, **fields}
    reply = post(fake, "/api/generate", body).json()
    GenerateResponse.model_validate(reply)
    return reply


def test_every_content_chunk_carries_its_tokens_logprobs(fake):
    body = {"model": "llama3.2", "prompt": PROMPT, "logprobs": True, "top_logprobs": 3}
    *chunks, final = lines(post(fake, "/api/generate", body))
    for chunk in chunks:
        GenerateResponse.model_validate(chunk)
        [entry] = chunk["logprobs"]
        assert entry["token"] == chunk["response"] and entry["bytes"] == list(chunk["response"].encode())
        assert len(entry["top_logprobs"]) == 3
    assert "logprobs" not in final
    single = generate(fake, top_logprobs=3)
    assert single["logprobs"] == [chunk["logprobs"][0] for chunk in chunks]
    assert "".join(entry["token"] for entry in single["logprobs"]) == single["response"]


def test_without_logprobs_there_is_no_logprobs_key(fake):
    streamed = lines(post(fake, "/api/generate", {"model": "llama3.2", "prompt": PROMPT, "top_logprobs": 5}))
    assert all("logprobs" not in line for line in streamed)
    single = generate(fake, logprobs=False)
    assert "logprobs" not in single
    chat = post(
        fake, "/api/chat", {"model": "llama3.2", "stream": False, "messages": [{"role": "user", "content": "hi"}]}
    )
    assert "logprobs" not in chat.json()


def test_values_are_probabilities_and_a_realistic_mix(fake):
    entries = [
        entry for seed in range(4) for entry in generate(fake, top_logprobs=5, options={"seed": seed})["logprobs"]
    ]
    assert len(entries) > 150
    values = [entry["logprob"] for entry in entries]
    assert all(value <= 0 for value in values)
    confident = sum(value > -0.3 for value in values) / len(values)
    uncertain = sum(value < -1.5 for value in values) / len(values)
    assert confident > 0.55 and 0.03 < uncertain < 0.3
    for entry in entries:
        alternatives = entry["top_logprobs"]
        ranked = [alternative["logprob"] for alternative in alternatives]
        assert ranked == sorted(ranked, reverse=True) and all(value <= 0 for value in ranked)
        assert sum(math.exp(value) for value in ranked) <= 1
        assert len({alternative["token"] for alternative in alternatives}) == 5
        assert {"token": entry["token"], "logprob": entry["logprob"], "bytes": entry["bytes"]} in alternatives
        assert all(alternative["bytes"] == list(alternative["token"].encode()) for alternative in alternatives)


def test_sampling_sometimes_picks_a_token_that_is_not_the_likeliest(fake):
    sampled = [
        entry for seed in range(4) for entry in generate(fake, top_logprobs=3, options={"seed": seed})["logprobs"]
    ]
    not_first = [entry for entry in sampled if entry["top_logprobs"][0]["token"] != entry["token"]]
    assert 0 < len(not_first) < len(sampled) / 4
    greedy = generate(fake, top_logprobs=3, options={"temperature": 0})["logprobs"]
    assert all(entry["top_logprobs"][0]["token"] == entry["token"] for entry in greedy)


def test_logprobs_follow_the_seed_like_the_text(fake):
    first = generate(fake, top_logprobs=2, options={"seed": 5, "temperature": 0.7})
    again = generate(fake, top_logprobs=2, options={"seed": 5, "temperature": 0.7})
    other = generate(fake, top_logprobs=2, options={"seed": 6, "temperature": 0.7})
    assert first["logprobs"] == again["logprobs"] and first["logprobs"] != other["logprobs"]
    plain = generate(fake, options={"seed": 5, "temperature": 0.7})
    assert [(e["token"], e["logprob"]) for e in plain["logprobs"]] == [
        (e["token"], e["logprob"]) for e in first["logprobs"]
    ]
    assert all("top_logprobs" not in entry for entry in plain["logprobs"])


@pytest.mark.parametrize("top", [1, 20])
def test_top_logprobs_gives_exactly_that_many_alternatives(fake, top):
    entries = generate(fake, top_logprobs=top)["logprobs"]
    assert all(len(entry["top_logprobs"]) == top for entry in entries)
    assert all(entry["token"] in {alt["token"] for alt in entry["top_logprobs"]} for entry in entries)


def test_chat_logprobs_and_thinking_tokens_carry_none(fake):
    body = {"model": "qwen3:0.6b", "logprobs": True, "top_logprobs": 2, "messages": [{"role": "user", "content": "Hi"}]}
    *chunks, final = lines(post(fake, "/api/chat", body))
    for chunk in chunks:
        ChatResponse.model_validate(chunk)
    assert final["done"] and "logprobs" not in final
    thinking = [chunk for chunk in chunks if chunk["message"].get("thinking")]
    content = [chunk for chunk in chunks if chunk["message"]["content"]]
    assert thinking and content
    assert all("logprobs" not in chunk for chunk in thinking)
    assert all(chunk["logprobs"][0]["token"] == chunk["message"]["content"] for chunk in content)
    single = post(fake, "/api/chat", {**body, "stream": False}).json()
    ChatResponse.model_validate(single)
    assert "".join(entry["token"] for entry in single["logprobs"]) == single["message"]["content"]


def test_characters_a_tokenizer_splits_give_a_chunk_several_entries_and_text_only_in_bytes(fake):
    body = {"model": "llama3.2", "prompt": "Say hi", "logprobs": True, "top_logprobs": 2}
    fake.script_reply("你好 🙂 world")
    *chunks, _final = lines(post(fake, "/api/generate", body))
    assert [chunk["response"] for chunk in chunks] == ["你好", " 🙂", " world"]
    for chunk in chunks:
        GenerateResponse.model_validate(chunk)
        assert b"".join(bytes(entry["bytes"]) for entry in chunk["logprobs"]) == chunk["response"].encode()
    assert [[entry["token"] for entry in chunk["logprobs"]] for chunk in chunks] == [
        ["你", "好"],
        [" \ufffd\ufffd", "\ufffd\ufffd"],
        [" world"],
    ]
    assert [entry["bytes"] for entry in chunks[1]["logprobs"]] == [[32, 240, 159], [153, 130]]
    assert all(len(entry["top_logprobs"]) == 2 for chunk in chunks for entry in chunk["logprobs"])
    fake.script_reply("你好 🙂 world")
    single = generate(fake, prompt="Say hi", top_logprobs=2)
    assert single["logprobs"] == [entry for chunk in chunks for entry in chunk["logprobs"]]


def test_an_answer_cut_by_num_predict_has_logprobs_for_what_was_sent(fake):
    reply = generate(fake, options={"num_predict": 4})
    assert len(reply["logprobs"]) == reply["eval_count"] == 4


def test_top_logprobs_out_of_range_is_refused(fake):
    refused = post(fake, "/api/generate", {"model": "llama3.2", "prompt": "hi", "logprobs": True, "top_logprobs": 21})
    assert (refused.status_code, refused.json()) == (400, {"error": "top_logprobs must be between 0 and 20"})
