"""The fake Ollama server, over real HTTP: every endpoint, its state, its faults, and conformance
with the official `ollama` package's types and client."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import ollama
import pytest
import requests
from ollama._types import (
    ChatResponse,
    EmbeddingsResponse,
    EmbedResponse,
    GenerateResponse,
    ListResponse,
    ProcessResponse,
    ProgressResponse,
    ShowResponse,
    StatusResponse,
)

from tests.fake_ollama import FakeOllama, RecordedRequest

HEX64 = re.compile(r"^[0-9a-f]{64}$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOllama]:
    fake = FakeOllama()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def fresh(server: FakeOllama) -> Iterator[None]:
    server.reset()
    yield
    server.reset()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def post(server: FakeOllama, path: str, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(server.url + path, json=body, timeout=10, **kwargs)


def ndjson(response: requests.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.iter_lines() if line]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def names(server: FakeOllama) -> set[str]:
    return {m["name"] for m in requests.get(server.url + "/api/tags", timeout=5).json()["models"]}


def running(server: FakeOllama) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in requests.get(server.url + "/api/ps", timeout=5).json()["models"]}


# Basics and routing


def test_root_and_version(server):
    root = requests.get(server.url, timeout=5)
    assert (root.status_code, root.text) == (200, "Ollama is running")
    assert root.headers["Content-Type"] == "text/plain; charset=utf-8"
    head = requests.head(server.url, timeout=5)
    assert head.status_code == 200 and head.text == ""
    server.version = "0.13.5"
    assert requests.get(server.url + "/api/version", timeout=5).json() == {"version": "0.13.5"}


def test_unknown_path_wrong_method_and_trailing_slash_behave_like_gin(server):
    missing = requests.get(server.url + "/api/api/tags", timeout=5)
    assert (missing.status_code, missing.text, missing.headers["Content-Type"]) == (
        404,
        "404 page not found",
        "text/plain; charset=utf-8",
    )
    wrong = requests.get(server.url + "/api/generate", timeout=5)
    assert (wrong.status_code, wrong.text, wrong.headers["Allow"]) == (405, "405 method not allowed", "POST")
    redirected = requests.get(server.url + "/api/tags/", allow_redirects=False, timeout=5)
    assert (redirected.status_code, redirected.headers["Location"]) == (301, "/api/tags")


def test_tags_lists_the_initial_models_with_realistic_fields(server):
    models = requests.get(server.url + "/api/tags", timeout=5).json()["models"]
    assert {m["name"] for m in models} == {
        "llama3.2:latest",
        "qwen3:0.6b",
        "llava:7b",
        "nomic-embed-text:latest",
        "all-minilm:latest",
    }
    for model in models:
        assert model["model"] == model["name"] and HEX64.match(model["digest"]) and model["size"] > 10_000_000
        assert RFC3339.match(model["modified_at"]) and model["modified_at"].endswith("+02:00")
        assert set(model["details"]) == {
            "parent_model",
            "format",
            "family",
            "families",
            "parameter_size",
            "quantization_level",
        }
    llama = next(m for m in models if m["name"] == "llama3.2:latest")["details"]
    assert (llama["family"], llama["parameter_size"], llama["quantization_level"]) == ("llama", "3.2B", "Q4_K_M")
    stamps = [m["modified_at"] for m in models]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    ("model", "capabilities", "arch", "context", "embedding"),
    [
        ("llama3.2", ["completion", "tools"], "llama", 131072, 3072),
        ("qwen3:0.6b", ["completion", "tools", "thinking"], "qwen3", 40960, 1024),
        ("llava:7b", ["completion", "vision"], "llama", 32768, 4096),
        ("nomic-embed-text", ["embedding"], "nomic-bert", 2048, 768),
        ("all-minilm", ["embedding"], "bert", 512, 384),
    ],
)
def test_show_reports_capabilities_and_model_info(server, model, capabilities, arch, context, embedding):
    shown = post(server, "/api/show", {"model": model}).json()
    assert shown["capabilities"] == capabilities
    info = shown["model_info"]
    assert info["general.architecture"] == arch and info["general.parameter_count"] > 0
    assert (info[f"{arch}.context_length"], info[f"{arch}.embedding_length"]) == (context, embedding)
    assert shown["modelfile"].startswith('# Modelfile generated by "ollama show"')
    assert RFC3339.match(shown["modified_at"]) and shown["details"]["format"] == "gguf"


def test_show_parameters_template_and_errors(server):
    qwen = post(server, "/api/show", {"model": "qwen3:0.6b"}).json()
    assert 'stop                           "<|im_start|>"' in qwen["parameters"].splitlines()
    assert "temperature                    0.6" in qwen["parameters"].splitlines()
    assert "<|im_start|>" in qwen["template"] and "Apache License" in qwen["license"]
    missing = post(server, "/api/show", {"model": "ghost"})
    assert (missing.status_code, missing.json()) == (404, {"error": "model 'ghost' not found"})
    assert post(server, "/api/show", {}).json() == {"error": "model is required"}
    assert post(server, "/api/show", {"model": "bad name!"}).json() == {"error": "invalid model name"}


def test_names_match_case_insensitively_with_latest_as_default_tag(server):
    for name in ("LLAMA3.2", "llama3.2:latest", "registry.ollama.ai/library/llama3.2:latest"):
        assert post(server, "/api/show", {"model": name}).status_code == 200
    assert post(server, "/api/show", {"model": "llama3.2:1b"}).status_code == 404


def test_name_is_accepted_as_an_alias_and_recorded_as_sent(server):
    assert post(server, "/api/show", {"name": "llama3.2"}).status_code == 200
    assert server.requests_to("/api/show")[-1].body == {"name": "llama3.2"}


# Generate and chat


def test_generate_streams_word_tokens_then_final_stats(server):
    response = post(server, "/api/generate", {"model": "llama3.2", "prompt": "Why is the sky blue?"}, stream=True)
    assert response.headers["Content-Type"] == "application/x-ndjson"
    assert response.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in response.headers
    raw = response.raw.read()
    assert raw.endswith(b"}\n") and all(line.startswith(b"{") for line in raw.splitlines())
    lines = [json.loads(line) for line in raw.splitlines()]
    *tokens, final = lines
    assert len(tokens) > 20 and all(t["done"] is False and t["model"] == "llama3.2" for t in tokens)
    assert all(RFC3339.match(t["created_at"]) and t["created_at"].endswith("Z") for t in lines)
    assert final["done"] is True and final["done_reason"] == "stop" and final["response"] == ""
    assert final["context"] and all(isinstance(token, int) for token in final["context"])
    assert final["eval_count"] == len(tokens) and final["prompt_eval_count"] > 0
    assert final["total_duration"] >= final["load_duration"] + final["prompt_eval_duration"] + final["eval_duration"]
    assert "sky" in "".join(t["response"] for t in tokens)


def test_non_streaming_generate_returns_the_same_text_in_one_object(server):
    body = {"model": "llama3.2", "prompt": "Tell me about rivers", "options": {"temperature": 0.5, "seed": 7}}
    streamed = "".join(line["response"] for line in ndjson(post(server, "/api/generate", body, stream=True)))
    single = post(server, "/api/generate", {**body, "stream": False})
    assert single.headers["Content-Type"] == "application/json; charset=utf-8"
    assert int(single.headers["Content-Length"]) == len(single.content)
    reply = single.json()
    assert reply["response"] == streamed and reply["done"] is True and reply["eval_count"] > 0


def text_of(server: FakeOllama, **options: Any) -> str:
    body = {"model": "llama3.2", "prompt": "Explain gravity", "stream": False, "options": options}
    return post(server, "/api/generate", body).json()["response"]


def test_reply_is_deterministic_in_prompt_temperature_and_seed(server):
    assert text_of(server, temperature=0.8, seed=1) == text_of(server, temperature=0.8, seed=1)
    assert len({text_of(server, temperature=0.8, seed=seed) for seed in range(6)}) > 1
    assert text_of(server, temperature=0, seed=1) == text_of(server, temperature=0, seed=2)


def test_generate_refusals_use_ollamas_status_and_words(server):
    cases = [
        ({"prompt": "hi"}, 404, "model '' not found"),
        ({"model": "nope:1b", "prompt": "hi"}, 404, "model 'nope:1b' not found"),
        ({"model": "nomic-embed-text", "prompt": "hi"}, 400, '"nomic-embed-text" does not support generate'),
        ({"model": "llama3.2", "prompt": "hi", "think": True}, 400, '"llama3.2" does not support thinking'),
        (
            {"model": "llama3.2", "prompt": "hi", "stream": "false"},
            400,
            "json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool",
        ),
        ({"model": "llama3.2", "prompt": "hi", "keep_alive": "-1"}, 400, 'time: missing unit in duration "-1"'),
        (
            {"model": "llama3.2", "prompt": "hi", "options": {"temperature": "hot"}},
            500,
            'option "temperature" must be of type float32',
        ),
        (
            {"model": "llama3.2", "prompt": "def f(", "suffix": "return x"},
            400,
            "registry.ollama.ai/library/llama3.2:latest does not support insert",
        ),
        (
            {"model": "llama3.2", "prompt": "hi", "format": "xml"},
            500,
            'invalid format: "\\"xml\\""; expected "json" or a valid JSON Schema object',
        ),
    ]
    for body, status, message in cases:
        response = post(server, "/api/generate", body)
        assert (response.status_code, response.json()) == (status, {"error": message}), body
    broken = requests.post(server.url + "/api/generate", data=b"{not json", timeout=5)
    assert broken.json() == {"error": "invalid character 'n' looking for beginning of object key string"}
    empty = requests.post(server.url + "/api/generate", data=b"", timeout=5)
    assert (empty.status_code, empty.json()) == (400, {"error": "missing request body"})


def test_chat_refusals(server):
    message = [{"role": "user", "content": "hi"}]
    weather = {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}
    cases = [
        ({"messages": message}, 400, "model is required"),
        ({"model": "nope", "messages": message}, 404, "model 'nope' not found"),
        ({"model": "all-minilm", "messages": message}, 400, '"all-minilm" does not support chat'),
        (
            {"model": "llava:7b", "messages": message, "tools": [weather]},
            400,
            "registry.ollama.ai/library/llava:7b does not support tools",
        ),
        (
            {"model": "qwen3:0.6b", "messages": message, "think": "max"},
            400,
            'invalid think value: "max" (must be "high", "medium", "low", true, or false)',
        ),
    ]
    for body, status, text in cases:
        response = post(server, "/api/chat", body)
        assert (response.status_code, response.json()) == (status, {"error": text}), body


def test_chat_streams_assistant_messages(server):
    body = {
        "model": "llama3.2",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a planet"}],
    }
    *chunks, final = ndjson(post(server, "/api/chat", body, stream=True))
    assert all(set(c) == {"model", "created_at", "message", "done"} for c in chunks)
    assert all(c["message"]["role"] == "assistant" and "thinking" not in c["message"] for c in chunks)
    assert final["message"] == {"role": "assistant", "content": ""} and final["done_reason"] == "stop"
    assert final["eval_count"] == len(chunks) and "context" not in final
    single = post(server, "/api/chat", {**body, "stream": False}).json()
    assert single["message"]["content"] == "".join(c["message"]["content"] for c in chunks)


@pytest.mark.parametrize("think", [None, True, "high"])
def test_thinking_model_thinks_first_unless_told_not_to(server, think):
    body = {"model": "qwen3:0.6b", "messages": [{"role": "user", "content": "Why is ice slippery?"}]}
    if think is not None:
        body["think"] = think
    chunks = ndjson(post(server, "/api/chat", body, stream=True))[:-1]
    kinds = ["thinking" if c["message"].get("thinking") else "content" for c in chunks]
    assert kinds[0] == "thinking" and "content" in kinds
    assert kinds == sorted(kinds, key=lambda kind: kind == "content")
    assert all(c["message"]["content"] == "" for c in chunks if c["message"].get("thinking"))


def test_think_false_and_generate_thinking(server):
    chat = post(
        server,
        "/api/chat",
        {"model": "qwen3:0.6b", "think": False, "stream": False, "messages": [{"role": "user", "content": "Hi"}]},
    ).json()
    assert "thinking" not in chat["message"] and chat["message"]["content"]
    generated = post(server, "/api/generate", {"model": "qwen3:0.6b", "prompt": "Hi", "stream": False}).json()
    assert generated["thinking"].startswith("Okay") and generated["response"]


def test_num_predict_caps_tokens_and_stop_cuts_text(server):
    capped = post(
        server, "/api/generate", {"model": "llama3.2", "prompt": "Hi", "stream": False, "options": {"num_predict": 5}}
    ).json()
    assert (capped["eval_count"], capped["done_reason"]) == (5, "length")
    server.script_reply("Alpha beta. STOP gamma delta.")
    stopped = post(
        server, "/api/generate", {"model": "llama3.2", "prompt": "Hi", "stream": False, "options": {"stop": ["STOP"]}}
    ).json()
    assert (stopped["response"], stopped["done_reason"]) == ("Alpha beta. ", "stop")


def test_scripted_replies_are_used_in_order_and_escaped_like_go(server):
    server.script_reply("<script>alert('x')</script> & **bold**")
    server.script_reply("second")
    first = post(
        server, "/api/chat", {"model": "llama3.2", "messages": [{"role": "user", "content": "a"}]}, stream=True
    )
    raw = first.content
    assert b"\\u003c" in raw and b"\\u0026" in raw and b"<" not in raw and b"&" not in raw
    text = "".join(json.loads(line)["message"]["content"] for line in raw.splitlines())
    assert text == "<script>alert('x')</script> & **bold**"
    second = post(server, "/api/generate", {"model": "llama3.2", "prompt": "b", "stream": False}).json()
    assert second["response"] == "second"
    third = post(server, "/api/generate", {"model": "llama3.2", "prompt": "b", "stream": False}).json()
    assert third["response"] != "second"


def test_vision_counts_images_and_rejects_data_urls_and_blind_models(server):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    seen = post(
        server,
        "/api/chat",
        {
            "model": "llava:7b",
            "stream": False,
            "messages": [{"role": "user", "content": "What is this?", "images": [png, png]}],
        },
    ).json()
    assert seen["message"]["content"].startswith("I can see 2 images")
    data_url = post(
        server, "/api/generate", {"model": "llava:7b", "prompt": "?", "images": ["data:image/png;base64," + png]}
    )
    assert (data_url.status_code, data_url.json()) == (400, {"error": "illegal base64 data at input byte 4"})
    blind = post(server, "/api/generate", {"model": "llama3.2", "prompt": "?", "images": [png]})
    assert blind.status_code == 500
    assert blind.json()["error"].endswith("this model is missing data required for image input")


def test_format_json_and_schema_give_conforming_json(server):
    free = post(
        server, "/api/generate", {"model": "llama3.2", "prompt": "Colours?", "format": "json", "stream": False}
    ).json()
    assert isinstance(json.loads(free["response"]), dict)
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer", "minimum": 1, "maximum": 9},
            "mood": {"enum": ["happy", "sad"]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "pet": {"$ref": "#/$defs/Pet"},
            "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["name", "age", "mood", "tags", "pet"],
        "$defs": {
            "Pet": {
                "type": "object",
                "properties": {"legs": {"type": "number"}, "wild": {"type": "boolean"}},
                "required": ["legs", "wild"],
            }
        },
    }
    body = {
        "model": "qwen3:0.6b",
        "messages": [{"role": "user", "content": "Describe a person"}],
        "format": schema,
        "stream": False,
    }
    value = json.loads(post(server, "/api/chat", body).json()["message"]["content"])
    assert isinstance(value["name"], str) and 1 <= value["age"] <= 9 and value["mood"] in ("happy", "sad")
    assert len(value["tags"]) >= 2 and all(isinstance(tag, str) for tag in value["tags"])
    assert isinstance(value["pet"]["legs"], (int, float)) and isinstance(value["pet"]["wild"], bool)


def test_suffix_works_on_a_model_with_insert(server):
    assert post(server, "/api/pull", {"model": "qwen2.5-coder:0.5b", "stream": False}).json() == {"status": "success"}
    filled = post(
        server,
        "/api/generate",
        {"model": "qwen2.5-coder:0.5b", "prompt": "def add(a, b):", "suffix": "    return c", "stream": False},
    ).json()
    assert filled["response"].startswith("\n    ") and "=" in filled["response"]


# Loading, keep_alive and /api/ps


def test_empty_prompt_loads_and_keep_alive_zero_unloads(server):
    loaded = post(server, "/api/generate", {"model": "llama3.2"}, stream=True)
    assert loaded.headers["Content-Type"] == "application/json; charset=utf-8"
    assert loaded.json() | {"created_at": ""} == {
        "model": "llama3.2",
        "created_at": "",
        "response": "",
        "done": True,
        "done_reason": "load",
    }
    ps = running(server)["llama3.2:latest"]
    assert ps["size_vram"] == ps["size"] > 0 and ps["context_length"] == 4096 and RFC3339.match(ps["expires_at"])
    unloaded = post(server, "/api/generate", {"model": "llama3.2", "keep_alive": 0}).json()
    assert unloaded["done_reason"] == "unload" and running(server) == {}
    chat_load = post(server, "/api/chat", {"model": "qwen3:0.6b", "messages": []}).json()
    assert chat_load["done_reason"] == "load" and chat_load["message"] == {"role": "assistant", "content": ""}
    assert post(server, "/api/chat", {"model": "qwen3:0.6b", "keep_alive": "0"}).json()["done_reason"] == "unload"
    assert running(server) == {}


def test_keep_alive_sets_expiry_and_zero_unloads_after_the_request(server):
    post(server, "/api/generate", {"model": "llama3.2", "keep_alive": "1h"})
    post(server, "/api/generate", {"model": "qwen3:0.6b", "keep_alive": -1})
    post(server, "/api/embed", {"model": "all-minilm", "input": "x", "keep_alive": 30})
    expiries = {name: model["expires_at"] for name, model in running(server).items()}
    assert expiries["qwen3:0.6b"] > "2300" and expiries["llama3.2:latest"] < "2300"
    assert list(expiries) == ["qwen3:0.6b", "llama3.2:latest", "all-minilm:latest"]
    post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi", "keep_alive": 0, "stream": False})
    assert "llama3.2:latest" not in running(server)


def test_first_request_pays_the_load_and_a_new_context_reloads(server):
    def load_duration(**options: Any) -> int:
        return post(
            server, "/api/generate", {"model": "llama3.2", "prompt": "hi", "stream": False, "options": options}
        ).json()["load_duration"]

    cold, warm = load_duration(), load_duration()
    assert cold > 100 * warm
    assert load_duration(num_ctx=8192) > 100 * warm and running(server)["llama3.2:latest"]["context_length"] == 8192


# Embeddings


def test_embed_returns_normalised_vectors_with_similarity_structure(server):
    texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly stock market earnings"]
    response = post(server, "/api/embed", {"model": "nomic-embed-text", "input": texts})
    result = response.json()
    assert set(result) == {"model", "embeddings", "total_duration", "load_duration", "prompt_eval_count"}
    assert result["model"] == "nomic-embed-text" and result["prompt_eval_count"] > 0
    same, similar, unrelated = result["embeddings"]
    assert len(same) == 768 and abs(sum(v * v for v in same) - 1) < 1e-4
    assert cosine(same, similar) > 0.5 > cosine(same, unrelated)
    single = post(server, "/api/embed", {"model": "all-minilm", "input": "the cat sat on the mat"}).json()
    assert len(single["embeddings"]) == 1 and len(single["embeddings"][0]) == 384
    again = post(server, "/api/embed", {"model": "nomic-embed-text", "input": [texts[0]]}).json()
    assert again["embeddings"][0] == same


def test_embed_finds_the_passage_a_question_paraphrases_so_retrieval_tests_mean_something(server):
    passages = [
        "Returns. Customers may send back any item within 30 days; the refund reaches the original card in a week.",
        "Shipping. Orders leave the warehouse within two days; parcels abroad take weeks, depending on customs.",
        "Warranty. Every kettle has a two-year warranty; a kettle that stops heating is repaired or replaced.",
        "退货政策：顾客在收到商品后三十天内可以退货，五个工作日内退款到原来的银行卡。",
        "配送：订单在两天内从仓库发出，寄往国外的包裹需要一到三周。",
        "保修：每个水壶都有两年保修，不能加热时免费维修或更换。",
    ]
    questions = {  # each shares few or none of its passage's words
        "When do I get my money back?": 0,
        "How long does a delivery to another country take?": 1,
        "Could a broken one be fixed?": 2,
        "钱什么时候退给我？": 3,
        "寄到国外要多久？": 4,
        "水壶坏了怎么办？": 5,
    }
    response = post(server, "/api/embed", {"model": "nomic-embed-text", "input": passages + list(questions)})
    vectors = EmbedResponse.model_validate(response.json()).embeddings
    for (question, answer), vector in zip(questions.items(), vectors[len(passages) :], strict=True):
        scores = [cosine(vector, passage) for passage in vectors[: len(passages)]]
        # Topics are shared across languages (as a multilingual model's meaning is): compare within one.
        others = [score for i, score in enumerate(scores) if i != answer and i // 3 == answer // 3]
        assert scores[answer] >= 0.3 and scores[answer] > max(others) + 0.15, (question, scores)


def test_embed_dimensions_truncation_and_limits(server):
    short = post(server, "/api/embed", {"model": "nomic-embed-text", "input": "hello world", "dimensions": 64}).json()
    vector = short["embeddings"][0]
    assert len(vector) == 64 and abs(math.sqrt(sum(v * v for v in vector)) - 1) < 1e-4
    long_text = " ".join(["word"] * 600)
    refused = post(server, "/api/embed", {"model": "all-minilm", "input": long_text, "truncate": False})
    assert (refused.status_code, refused.json()) == (400, {"error": "the input length exceeds the context length"})
    truncated = post(server, "/api/embed", {"model": "all-minilm", "input": long_text}).json()
    assert truncated["prompt_eval_count"] == 512


def test_embed_edge_cases_and_refusals(server):
    assert post(server, "/api/embed", {"model": "nomic-embed-text", "input": []}).json() == {
        "model": "nomic-embed-text",
        "embeddings": [],
    }
    cannot = post(server, "/api/embed", {"model": "llama3.2", "input": "hello"})
    assert (cannot.status_code, cannot.json()) == (501, {"error": "this model does not support embeddings"})
    wrong_type = post(server, "/api/embed", {"model": "all-minilm", "input": [1, 2]})
    assert wrong_type.json() == {"error": "invalid input type"}
    missing = post(server, "/api/embed", {"model": "ghost", "input": "x"})
    assert (missing.status_code, missing.json()) == (404, {"error": 'model "ghost" not found, try pulling it first'})


def test_legacy_embeddings_endpoint_and_legacy_mode(server):
    legacy = post(server, "/api/embeddings", {"model": "nomic-embed-text", "prompt": "the cat sat"}).json()
    assert list(legacy) == ["embedding"] and len(legacy["embedding"]) == 768
    assert math.sqrt(sum(v * v for v in legacy["embedding"])) > 1.5
    modern = post(server, "/api/embed", {"model": "nomic-embed-text", "input": "the cat sat"}).json()
    assert cosine(legacy["embedding"], modern["embeddings"][0]) > 0.999
    assert post(server, "/api/embeddings", {"model": "llama3.2", "prompt": "x"}).status_code == 500
    server.legacy = True
    gone = post(server, "/api/embed", {"model": "nomic-embed-text", "input": "x"})
    assert (gone.status_code, gone.text, gone.headers["Content-Type"]) == (
        404,
        "404 page not found",
        "text/plain; charset=utf-8",
    )
    assert post(server, "/api/embeddings", {"model": "nomic-embed-text", "prompt": "x"}).status_code == 200


# Pull, push, create, copy, delete, blobs


def test_pull_streams_layer_progress_then_adds_the_model(server):
    events = ndjson(post(server, "/api/pull", {"model": "tinyllama"}, stream=True))
    statuses = [event["status"] for event in events]
    assert statuses[0] == "pulling manifest" and statuses[-3:] == [
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    layers = {event["digest"] for event in events if "digest" in event}
    assert len(layers) >= 3 and all(re.match(r"^sha256:[0-9a-f]{64}$", digest) for digest in layers)
    downloaded = 0
    for digest in layers:
        progress = [event for event in events if event.get("digest") == digest]
        assert all(event["status"] == f"pulling {digest[7:19]}" for event in progress)
        if progress == [{**progress[0], "completed": progress[0]["total"]}]:
            continue  # a blob another model already has, like the shared licence layer
        downloaded += 1
        assert "completed" not in progress[0]
        completed = [event["completed"] for event in progress[1:]]
        assert completed == sorted(completed) and completed[-1] == progress[0]["total"]
    assert downloaded >= 2
    assert "tinyllama:latest" in names(server)
    repull = ndjson(post(server, "/api/pull", {"model": "tinyllama"}, stream=True))
    assert all(event.get("completed") == event["total"] for event in repull if "digest" in event)


def test_pull_of_an_unknown_model_fails_inside_a_200_stream(server):
    response = post(server, "/api/pull", {"model": "no-such-model"}, stream=True)
    assert response.status_code == 200
    assert ndjson(response) == [{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}]
    waited = post(server, "/api/pull", {"model": "no-such-model", "stream": False})
    assert (waited.status_code, waited.json()) == (500, {"error": "pull model manifest: file does not exist"})
    assert post(server, "/api/pull", {"model": ""}).json() == {"error": "invalid model name"}


def test_create_from_a_model_reflects_the_fields_and_inherits_capabilities(server):
    body = {
        "model": "mario",
        "from": "qwen3:0.6b",
        "system": "You are Mario.",
        "parameters": {"temperature": 0.9, "stop": ["<|im_end|>"]},
        "template": "{{ .Prompt }}",
        "license": "MIT",
    }
    statuses = [event["status"] for event in ndjson(post(server, "/api/create", body, stream=True))]
    assert statuses[-2:] == ["writing manifest", "success"]
    assert any(s.startswith("using existing layer sha256:") for s in statuses)
    assert any(s.startswith("creating new layer sha256:") for s in statuses)
    shown = post(server, "/api/show", {"model": "mario"}).json()
    assert (shown["system"], shown["template"], shown["license"]) == ("You are Mario.", "{{ .Prompt }}", "MIT")
    assert "temperature                    0.9" in shown["parameters"] and "top_k" in shown["parameters"]
    assert shown["capabilities"] == ["completion", "tools", "thinking"]
    assert 'SYSTEM """You are Mario."""' in shown["modelfile"]
    assert "mario:latest" in names(server)


def test_create_refusals_and_pulling_a_missing_base(server):
    for body in ({"model": "x"}, {"model": "x", "modelfile": "FROM llama3.2"}):
        refused = post(server, "/api/create", body)
        assert (refused.status_code, refused.json()) == (400, {"error": "neither 'from' or 'files' was specified"})
    unknown = ndjson(post(server, "/api/create", {"model": "x", "from": "nothing-here"}, stream=True))
    assert unknown == [{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}]
    quantize = post(server, "/api/create", {"model": "x", "from": "llama3.2", "quantize": "q4_K_M"})
    assert (quantize.status_code, quantize.json()) == (
        500,
        {"error": "quantization is only supported for F16 and F32 models"},
    )
    pulled = post(server, "/api/create", {"model": "tiny-helper", "from": "tinyllama", "stream": False})
    assert pulled.json() == {"status": "success"} and {"tinyllama:latest", "tiny-helper:latest"} <= names(server)
    quantized = post(
        server, "/api/create", {"model": "small", "from": "all-minilm", "quantize": "q8_0", "stream": False}
    )
    assert quantized.json() == {"status": "success"}
    assert post(server, "/api/show", {"model": "small"}).json()["details"]["quantization_level"] == "Q8_0"


def test_copy_and_delete(server):
    copied = post(server, "/api/copy", {"source": "llama3.2", "destination": "my-llama:v1"})
    assert (copied.status_code, copied.content) == (200, b"")
    assert "my-llama:v1" in names(server)
    missing = post(server, "/api/copy", {"source": "ghost", "destination": "x"})
    assert (missing.status_code, missing.json()) == (404, {"error": 'model "ghost" not found'})
    deleted = requests.delete(server.url + "/api/delete", json={"model": "my-llama:v1"}, timeout=5)
    assert (deleted.status_code, deleted.content) == (200, b"") and "my-llama:v1" not in names(server)
    again = requests.delete(server.url + "/api/delete", json={"model": "my-llama:v1"}, timeout=5)
    assert (again.status_code, again.json()) == (404, {"error": "model 'my-llama:v1' not found"})
    assert requests.post(server.url + "/api/delete", json={"model": "x"}, timeout=5).status_code == 405


def test_a_hostile_server_lists_and_answers_names_ollama_refuses(server):
    """install_as: what a hostile server (or proxy) may send, for the app's tests of names shown literally."""
    hostile = "x](http://tracker.invalid/a.png)![ **bold**"
    refused = post(server, "/api/show", {"model": hostile})
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid model name"})
    server.install_as(hostile, like="llama3.2")
    assert hostile in names(server)
    assert post(server, "/api/show", {"model": hostile}).json()["capabilities"] == ["completion", "tools"]
    answer = post(server, "/api/generate", {"model": hostile, "prompt": "Hi", "stream": False}).json()
    assert answer["model"] == hostile and answer["done"] is True
    assert hostile in [m["name"] for m in requests.get(server.url + "/api/ps", timeout=5).json()["models"]]
    copied = post(server, "/api/copy", {"source": hostile, "destination": "plain-copy"})
    assert copied.status_code == 200 and "plain-copy:latest" in names(server)
    deleted = requests.delete(server.url + "/api/delete", json={"model": hostile}, timeout=5)
    assert deleted.status_code == 200 and hostile not in names(server)
    server.reset()
    assert hostile not in names(server)


def test_push_streams_upload_statuses(server):
    events = ndjson(post(server, "/api/push", {"model": "llama3.2"}, stream=True))
    assert events[0] == {"status": "retrieving manifest"} and events[-2:] == [
        {"status": "pushing manifest"},
        {"status": "success"},
    ]
    assert any(event.get("completed") == event.get("total") for event in events if "digest" in event)
    failed = ndjson(post(server, "/api/push", {"model": "ghost"}, stream=True))
    assert failed[1] == {"status": "couldn't retrieve manifest"} and "no such file" in failed[-1]["error"]


def test_blobs_exist_only_once_uploaded(server):
    import hashlib

    data = b"GGUF fake weights"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert requests.head(f"{server.url}/api/blobs/{digest}", timeout=5).status_code == 404
    assert requests.post(f"{server.url}/api/blobs/{digest}", data=b"other", timeout=5).status_code == 400
    assert requests.post(f"{server.url}/api/blobs/{digest}", data=data, timeout=5).status_code == 201
    assert requests.head(f"{server.url}/api/blobs/{digest}", timeout=5).status_code == 200
    assert requests.head(f"{server.url}/api/blobs/sha256:nothex", timeout=5).status_code == 400
    made = post(server, "/api/create", {"model": "imported", "files": {"model.gguf": digest}, "stream": False})
    assert made.json() == {"status": "success"} and "imported:latest" in names(server)


# Faults


def test_error_line_fault_streams_tokens_then_an_error_with_status_200(server):
    server.add_fault("/api/generate", "error_line", after=2)
    response = post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi"}, stream=True)
    lines = ndjson(response)
    assert response.status_code == 200 and len(lines) == 3 and all("response" in line for line in lines[:2])
    assert lines[2] == {"error": "an error was encountered while running the model: unexpected EOF"}
    assert len(ndjson(post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi"}, stream=True))) > 3


def test_drop_fault_closes_the_socket_mid_stream(server):
    server.add_fault("/api/chat", "drop", after=3)
    response = post(
        server, "/api/chat", {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}, stream=True
    )
    received = []
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        for line in response.iter_lines():
            received.append(json.loads(line))
    assert len(received) == 3 and not any(line["done"] for line in received)


def test_slow_first_and_latency_delay_the_first_byte(server):
    server.add_fault("/api/chat", "slow_first", delay=0.5)
    server.add_fault("/api/tags", "latency", delay=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(server.url + "/api/chat", json={"model": "llama3.2", "messages": []}, timeout=(2, 0.1))
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(server.url + "/api/tags", timeout=(2, 0.1))
    assert requests.get(server.url + "/api/tags", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "check"),
    [
        ("http", 500, "application/json; charset=utf-8", lambda r: r.json() == {"error": "internal server error"}),
        ("html", 502, "text/html", lambda r: "<title>502 Bad Gateway</title>" in r.text),
        ("unauthorized", 401, "application/json; charset=utf-8", lambda r: r.json() == {"error": "unauthorized"}),
        ("garbage", 200, "text/plain", lambda r: r.text.startswith("<html>")),
    ],
)
def test_response_replacing_faults(server, kind, status, content_type, check):
    server.add_fault("/api/ps", kind)
    replaced = requests.get(server.url + "/api/ps", timeout=5)
    assert (replaced.status_code, replaced.headers["Content-Type"]) == (status, content_type) and check(replaced)
    assert requests.get(server.url + "/api/ps", timeout=5).json() == {"models": []}


def test_fault_parameters_times_and_clearing(server):
    server.add_fault("/api/tags", "http", status=503, message="busy", times=2)
    assert [requests.get(server.url + "/api/tags", timeout=5).status_code for _ in range(3)] == [503, 503, 200]
    server.add_fault("/api/tags", "garbage", body="hello", times=0)
    assert all(requests.get(server.url + "/api/tags", timeout=5).text == "hello" for _ in range(3))
    server.clear_faults()
    assert requests.get(server.url + "/api/tags", timeout=5).json()["models"]
    with pytest.raises(ValueError):
        server.add_fault("/api/tags", "explode")
    with pytest.raises(TypeError):
        server.add_fault("/api/tags", "http", colour="red")


def test_api_key_guards_every_api_path(server):
    server.api_key = "secret"
    denied = requests.get(server.url + "/api/tags", timeout=5)
    assert (denied.status_code, denied.json()) == (401, {"error": "unauthorized"})
    wrong = requests.get(server.url + "/api/tags", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert wrong.status_code == 401
    assert requests.get(server.url + "/api/tags", headers={"authorization": "Bearer secret"}, timeout=5).ok
    assert requests.get(server.url, timeout=5).ok


# Disconnects, concurrency and the request log


def test_closing_a_stream_is_recorded_and_stops_generation(server):
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": "Write an essay"}]}
    total = len(ndjson(post(server, "/api/chat", body, stream=True)))
    server.token_delay = 0.02
    response = post(server, "/api/chat", body, stream=True)
    lines = response.iter_lines()
    for _ in range(3):
        next(lines)
    response.close()
    assert server.wait_for(lambda s: s.requests_to("/api/chat")[-1].client_disconnected)
    assert server.wait_for(lambda s: s.requests_to("/api/chat")[-1].finished is not None)
    record = server.requests_to("/api/chat")[-1]
    assert record.status == 200 and 3 <= record.chunks_sent < total / 2


def test_a_client_leaving_mid_pull_is_recorded_and_the_model_is_not_added(server):
    server.token_delay = 0.02
    response = post(server, "/api/pull", {"model": "gemma3:270m"}, stream=True)
    for line in response.iter_lines():
        if "completed" in json.loads(line):
            break
    response.close()
    assert server.wait_for(lambda s: s.requests_to("/api/pull")[-1].client_disconnected)
    assert "gemma3:270m" not in names(server)


def stream_window(server: FakeOllama, spans: list[tuple[float, float]], lock: threading.Lock) -> None:
    response = post(
        server, "/api/generate", {"model": "llama3.2", "prompt": "hi", "options": {"num_predict": 8}}, stream=True
    )
    lines = response.iter_lines()
    next(lines)
    first = time.monotonic()
    for _ in lines:
        pass
    with lock:
        spans.append((first, time.monotonic()))


@pytest.mark.parametrize(("parallel", "overlap"), [(1, False), (2, True)])
def test_num_parallel_queues_extra_streams(server, parallel, overlap):
    server.num_parallel = parallel
    server.token_delay = 0.03
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=stream_window, args=(server, spans, lock)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    (_, first_end), (second_start, _) = sorted(spans)
    assert (second_start < first_end) is overlap


def test_a_client_giving_up_while_queued_is_recorded(server):
    server.num_parallel = 1
    server.token_delay = 0.05
    first = post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi"}, stream=True)
    first_lines = first.iter_lines()  # keep a reference: a collected generator closes the connection
    next(first_lines)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(server.url + "/api/generate", json={"model": "llama3.2", "prompt": "hi"}, timeout=(2, 0.2))
    assert server.wait_for(lambda s: s.requests_to("/api/generate")[1].client_disconnected)
    queued = server.requests_to("/api/generate")[1]
    assert (queued.status, queued.chunks_sent) == (499, 0)
    first.close()


def test_request_log_records_what_was_sent_and_how_it_ended(server):
    requests.post(server.url + "/api/show?verbose=1", json={"model": "llama3.2"}, headers={"X-Trace": "abc"}, timeout=5)
    post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi"})
    show, generate = server.requests
    assert isinstance(show, RecordedRequest)
    assert (show.method, show.path, show.query, show.status) == ("POST", "/api/show", {"verbose": "1"}, 200)
    assert show.headers["x-trace"] == show.headers["X-TRACE"] == "abc"
    assert show.body == {"model": "llama3.2"} and json.loads(show.raw_body) == show.body
    assert show.finished is not None and show.finished >= show.started and not show.client_disconnected
    assert generate.chunks_sent > 10 and generate.started >= show.started
    assert server.requests_to("/api/generate") == [generate]
    requests.post(server.url + "/api/generate", data=b"not json", timeout=5)
    assert server.requests[-1].body is None and server.requests[-1].raw_body == b"not json"


def test_reset_restores_models_settings_and_log(server):
    post(server, "/api/copy", {"source": "llama3.2", "destination": "copy"})
    post(server, "/api/generate", {"model": "llama3.2"})
    server.version, server.legacy, server.api_key, server.num_parallel = "0.1.0", True, "k", 1
    server.script_reply("scripted")
    server.add_fault("/api/tags", "html", times=0)
    server.reset()
    assert server.requests == [] and names(server) == {
        "llama3.2:latest",
        "qwen3:0.6b",
        "llava:7b",
        "nomic-embed-text:latest",
        "all-minilm:latest",
    }
    assert running(server) == {} and (server.version, server.legacy, server.api_key, server.num_parallel) == (
        "0.13.0",
        False,
        None,
        4,
    )
    reply = post(server, "/api/generate", {"model": "llama3.2", "prompt": "x", "stream": False}).json()
    assert reply["response"] != "scripted"


def test_a_responder_writes_every_reply_from_the_last_question_unless_one_is_scripted(server):
    server.responder = lambda question: f"[fake] answer to {question}"
    messages = [
        {"role": "user", "content": "s1-q1"},
        {"role": "assistant", "content": "[fake] answer to s1-q1"},
        {"role": "user", "content": "s1-q2"},
    ]
    streamed = ndjson(post(server, "/api/chat", {"model": "llama3.2", "messages": messages}, stream=True))
    assert "".join(line["message"]["content"] for line in streamed) == "[fake] answer to s1-q2"
    assert streamed[-1]["done"] is True and len(streamed) > 3  # streamed token by token, as any reply
    generated = post(server, "/api/generate", {"model": "llama3.2", "prompt": "p9", "stream": False}).json()
    assert generated["response"] == "[fake] answer to p9"
    server.script_reply("scripted")
    scripted = post(server, "/api/generate", {"model": "llama3.2", "prompt": "p9", "stream": False}).json()
    assert scripted["response"] == "scripted"
    server.reset()
    assert server.responder is None


def test_a_restart_comes_back_on_the_same_port_with_its_models_and_log_and_nothing_loaded():
    with FakeOllama() as restarted:
        url = restarted.url
        restarted.install("gpt-oss:20b")
        post(restarted, "/api/generate", {"model": "llama3.2"})
        assert set(running(restarted)) == {"llama3.2:latest"}
        restarted.stop()
        with pytest.raises(requests.ConnectionError):
            requests.get(url + "/api/version", timeout=5)
        assert restarted.url == url  # known while it is away
        restarted.start()
        assert restarted.url == url and "gpt-oss:20b" in names(restarted)
        restarted.restart(down=0.1)
        assert restarted.url == url and running(restarted) == {}
        assert "gpt-oss:20b" in names(restarted)
        paths = [request.path for request in restarted.requests]
        assert paths == ["/api/generate", "/api/ps", "/api/tags", "/api/ps", "/api/tags"]  # one log all along


def test_a_restart_cuts_a_stream_in_flight_and_the_log_says_so():
    with FakeOllama(token_delay=0.02) as restarted:
        body = {"model": "llama3.2", "messages": [{"role": "user", "content": "Write an essay"}]}
        response = post(restarted, "/api/chat", body, stream=True)
        lines = response.iter_lines()
        received = [json.loads(next(lines)) for _ in range(3)]
        restarted.restart()
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            received += [json.loads(line) for line in lines if line]
        assert not any(line["done"] for line in received)
        assert restarted.wait_for(lambda s: s.requests_to("/api/chat")[-1].finished is not None)
        assert restarted.requests_to("/api/chat")[-1].client_disconnected
        assert ndjson(post(restarted, "/api/chat", body, stream=True))[-1]["done"] is True  # and answers again


# Conformance with the official ollama package


def test_every_response_kind_parses_with_the_official_types(server):
    def each(model: type, items: list[dict[str, Any]]) -> None:
        for item in items:
            model.model_validate(item)

    each(GenerateResponse, ndjson(post(server, "/api/generate", {"model": "qwen3:0.6b", "prompt": "hi"}, stream=True)))
    each(
        GenerateResponse,
        [
            post(server, "/api/generate", {"model": "llama3.2", "prompt": "hi", "stream": False}).json(),
            post(server, "/api/generate", {"model": "llama3.2"}).json(),
            post(server, "/api/generate", {"model": "llama3.2", "keep_alive": 0}).json(),
        ],
    )
    chat = {"model": "qwen3:0.6b", "messages": [{"role": "user", "content": "hi"}]}
    each(ChatResponse, ndjson(post(server, "/api/chat", chat, stream=True)))
    each(
        ChatResponse,
        [
            post(server, "/api/chat", {**chat, "stream": False}).json(),
            post(server, "/api/chat", {"model": "llama3.2", "messages": []}).json(),
        ],
    )
    each(
        EmbedResponse,
        [
            post(server, "/api/embed", {"model": "all-minilm", "input": ["a", "b"]}).json(),
            post(server, "/api/embed", {"model": "all-minilm", "input": []}).json(),
        ],
    )
    each(EmbeddingsResponse, [post(server, "/api/embeddings", {"model": "all-minilm", "prompt": "a"}).json()])
    each(ListResponse, [requests.get(server.url + "/api/tags", timeout=5).json()])
    each(ProcessResponse, [requests.get(server.url + "/api/ps", timeout=5).json()])
    each(ShowResponse, [post(server, "/api/show", {"model": m}).json() for m in names(server)])
    each(ProgressResponse, ndjson(post(server, "/api/pull", {"model": "gemma3:270m"}, stream=True)))
    each(ProgressResponse, ndjson(post(server, "/api/push", {"model": "llama3.2"}, stream=True)))
    each(
        ProgressResponse,
        ndjson(post(server, "/api/create", {"model": "q", "from": "all-minilm", "quantize": "q4_K_M"}, stream=True)),
    )
    each(StatusResponse, [post(server, "/api/pull", {"model": "llama3.2", "stream": False}).json()])


def test_tool_calls_logprobs_levels_and_listed_capabilities_parse_with_the_official_types(server):
    server.install("gpt-oss:20b")
    calculator = {
        "type": "function",
        "function": {
            "name": "calculator",
            "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
        },
    }
    question = [{"role": "user", "content": "What is 12*(3+4)?"}]
    calling = {"model": "gpt-oss:20b", "messages": question, "tools": [calculator], "think": "high"}
    streamed = ndjson(post(server, "/api/chat", calling, stream=True))
    single = post(server, "/api/chat", {**calling, "stream": False}).json()
    for line in [*streamed, single]:
        ChatResponse.model_validate(line)
    assert all(ChatResponse.model_validate(line).message.tool_calls for line in (streamed[-2], single))
    answered = [
        *question,
        {"role": "assistant", "content": "", "tool_calls": single["message"]["tool_calls"]},
        {"role": "tool", "content": "84", "tool_name": "calculator", "tool_call_id": "call_00000000"},
    ]
    scored = {"model": "llama3.2", "messages": answered, "logprobs": True, "top_logprobs": 3}
    for line in ndjson(post(server, "/api/chat", scored, stream=True)):
        ChatResponse.model_validate(line)
    reply = ChatResponse.model_validate(post(server, "/api/chat", {**scored, "stream": False}).json())
    assert reply.message.content == "The result is 84." and reply.logprobs and reply.logprobs[0].top_logprobs
    generated = {"model": "gpt-oss:20b", "prompt": "hi", "think": "low", "logprobs": True, "top_logprobs": 2}
    for line in ndjson(post(server, "/api/generate", generated, stream=True)):
        GenerateResponse.model_validate(line)
    GenerateResponse.model_validate(post(server, "/api/generate", {**generated, "stream": False}).json())
    listed = requests.get(server.url + "/api/tags", timeout=5).json()
    assert all(model["capabilities"] for model in listed["models"])
    ListResponse.model_validate(listed)
    ShowResponse.model_validate(post(server, "/api/show", {"model": "gpt-oss:20b"}).json())


def test_the_official_client_works_against_the_fake(server):
    client = ollama.Client(host=server.url)
    assert "llama3.2:latest" in {m.model for m in client.list().models}
    assert client.show("nomic-embed-text").modelinfo["nomic-bert.embedding_length"] == 768
    assert client.generate("llama3.2", "Why is the sky blue?").response
    parts = list(client.generate("llama3.2", "Why is the sky blue?", stream=True))
    assert parts[-1].done and parts[-1].eval_count == len(parts) - 1
    thought = client.chat("qwen3:0.6b", messages=[{"role": "user", "content": "Hi"}], think=True)
    assert thought.message.thinking and thought.message.content
    streamed = list(client.chat("qwen3:0.6b", messages=[{"role": "user", "content": "Hi"}], stream=True))
    assert streamed[0].message.thinking and streamed[-1].done_reason == "stop"
    assert [m.model for m in client.ps().models] == ["qwen3:0.6b", "llama3.2:latest"]
    assert len(client.embed("all-minilm", ["one", "two"]).embeddings) == 2
    assert list(client.pull("tinyllama", stream=True))[-1].status == "success"
    assert client.create("mario", from_="llama3.2", system="You are Mario.").status == "success"
    assert client.show("mario").modelfile.count("You are Mario.") == 1
    assert client.copy("mario", "luigi").status == "success"
    assert client.delete("luigi").status == "success"
    with pytest.raises(ollama.ResponseError) as caught:
        client.show("ghost")
    assert (caught.value.error, caught.value.status_code) == ("model 'ghost' not found", 404)
    with pytest.raises(ollama.ResponseError) as in_stream:
        list(client.pull("no-such-model", stream=True))
    assert in_stream.value.error == "pull model manifest: file does not exist"


# Cloud models, as a server that is not signed in to ollama.com lists them


def test_cloud_models_are_listed_with_where_they_run_and_refused_with_a_signin_link(server):
    server.add_cloud_models()
    listed = {m["name"]: m for m in requests.get(server.url + "/api/tags", timeout=5).json()["models"]}
    cloud = listed["gpt-oss:120b-cloud"]
    assert (cloud["remote_model"], cloud["remote_host"]) == ("gpt-oss:120b", "https://ollama.com:443")
    assert cloud["size"] < 1000 and "remote_host" not in listed["llama3.2:latest"]
    shown = post(server, "/api/show", {"model": "gpt-oss:120b-cloud"}).json()
    assert shown["remote_host"] == "https://ollama.com:443" and "tensors" not in shown
    ListResponse.model_validate({"models": list(listed.values())})
    ShowResponse.model_validate(shown)
    for path, body in (
        ("/api/chat", {"model": "gpt-oss:120b-cloud", "messages": [{"role": "user", "content": "hi"}]}),
        ("/api/generate", {"model": "deepseek-v3.1:671b-cloud", "prompt": "hi"}),
    ):
        refused = post(server, path, body)
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        assert refused.json()["signin_url"].startswith("https://ollama.com/connect?")
    server.signed_in = True
    answered = post(
        server,
        "/api/chat",
        {"model": "gpt-oss:120b-cloud", "messages": [{"role": "user", "content": "hi"}], "stream": False},
    )
    assert answered.json()["done"] and running(server) == {}  # run on ollama.com, not loaded here
    server.reset()
    assert "gpt-oss:120b-cloud" not in names(server) and server.signed_in is False
