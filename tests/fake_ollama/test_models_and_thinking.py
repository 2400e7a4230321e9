"""The fake for issue 22: capabilities in /api/tags, the gpt-oss-like model, install(), and think levels."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
import requests
from ollama._types import ChatResponse, GenerateResponse, ListResponse, ShowResponse

from tests.fake_ollama import FakeOllama


def post(fake: FakeOllama, path: str, body: Any) -> requests.Response:
    return requests.post(fake.url + path, json=body, timeout=10)


def listed(fake: FakeOllama) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in requests.get(fake.url + "/api/tags", timeout=5).json()["models"]}


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](\s|$)", text))


def chat_thinking(fake: FakeOllama, model: str, think: Any = None, prompt: str = "Why is ice slippery?") -> str:
    body: dict[str, Any] = {"model": model, "stream": False, "messages": [{"role": "user", "content": prompt}]}
    if think is not None:
        body["think"] = think
    response = post(fake, "/api/chat", body)
    assert response.status_code == 200, response.text
    ChatResponse.model_validate(response.json())
    return response.json()["message"].get("thinking", "")


# Capabilities in /api/tags


def test_tags_list_each_models_capabilities_as_show_reports_them(fake):
    models = listed(fake)
    for name, entry in models.items():
        assert entry["capabilities"] == post(fake, "/api/show", {"model": name}).json()["capabilities"], name
    assert models["qwen3:0.6b"]["capabilities"] == ["completion", "tools", "thinking"]
    assert models["nomic-embed-text:latest"]["capabilities"] == ["embedding"]
    ListResponse.model_validate({"models": list(models.values())})


def test_an_older_server_lists_no_capabilities_and_reset_brings_them_back(fake):
    fake.tags_capabilities = False
    assert all("capabilities" not in entry for entry in listed(fake).values())
    assert post(fake, "/api/show", {"model": "llava:7b"}).json()["capabilities"] == ["completion", "vision"]
    fake.reset()
    assert fake.tags_capabilities is True
    assert all("capabilities" in entry for entry in listed(fake).values())


# gpt-oss:20b and install()


def test_gpt_oss_is_pullable_but_not_installed_at_start(fake):
    assert "gpt-oss:20b" not in listed(fake)
    assert post(fake, "/api/pull", {"model": "gpt-oss:20b", "stream": False}).json() == {"status": "success"}
    entry = listed(fake)["gpt-oss:20b"]
    assert entry["details"] | {"parent_model": "", "format": ""} == {
        "parent_model": "",
        "format": "",
        "family": "gptoss",
        "families": ["gptoss"],
        "parameter_size": "20.9B",
        "quantization_level": "MXFP4",
    }
    assert entry["capabilities"] == ["completion", "tools", "thinking"]
    shown = post(fake, "/api/show", {"model": "gpt-oss:20b"}).json()
    ShowResponse.model_validate(shown)
    info = shown["model_info"]
    assert (info["general.architecture"], info["gptoss.context_length"], info["gptoss.embedding_length"]) == (
        "gptoss",
        131072,
        2880,
    )
    assert "Reasoning:" in shown["template"]


def test_install_puts_a_registry_model_in_place_at_once_and_reset_removes_it(fake):
    fake.install("gpt-oss:20b")
    fake.install("tinyllama")
    assert {"gpt-oss:20b", "tinyllama:latest"} <= set(listed(fake))
    assert fake.requests_to("/api/pull") == []
    with pytest.raises(KeyError):
        fake.install("no-such-model:1b")
    fake.reset()
    assert "gpt-oss:20b" not in listed(fake)


def test_the_command_line_installs_registry_models():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fake_ollama",
            "--port",
            "0",
            "--install",
            "gpt-oss:20b",
            "--install",
            "gemma3:270m",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = re.search(r"http://\S+", process.stdout.readline())
        assert url is not None
        names = {m["name"] for m in requests.get(url.group(0) + "/api/tags", timeout=5).json()["models"]}
        assert {"gpt-oss:20b", "gemma3:270m", "llama3.2:latest"} <= names
    finally:
        process.terminate()
        process.wait(timeout=10)


# Think levels


def test_gpt_oss_thinks_more_the_higher_the_level(fake):
    fake.install("gpt-oss:20b")
    low, medium, high = (chat_thinking(fake, "gpt-oss:20b", level) for level in ("low", "medium", "high"))
    assert sentences(low) == 1 and len(low) < 80
    assert sentences(medium) == 3
    assert sentences(high) >= 8
    assert len(low) < len(medium) < len(high)
    assert chat_thinking(fake, "gpt-oss:20b", "high") == high  # deterministic


@pytest.mark.parametrize("think", [None, True, False])
def test_gpt_oss_ignores_true_and_false_and_thinks_at_medium(fake, think):
    fake.install("gpt-oss:20b")
    assert chat_thinking(fake, "gpt-oss:20b", think) == chat_thinking(fake, "gpt-oss:20b", "medium")


def test_gpt_oss_levels_on_generate_stream_thinking_first(fake):
    fake.install("gpt-oss:20b")
    body = {"model": "gpt-oss:20b", "prompt": "Explain tides", "think": "low"}
    lines = [json.loads(line) for line in post(fake, "/api/generate", body).iter_lines() if line]
    for line in lines:
        GenerateResponse.model_validate(line)
    thinking = "".join(line.get("thinking", "") for line in lines)
    assert thinking.startswith("User asks about") and sentences(thinking) == 1
    high = post(fake, "/api/generate", {**body, "think": "high", "stream": False}).json()
    assert sentences(high["thinking"]) >= 8 and high["response"]


def test_other_thinking_models_take_any_level_as_true(fake):
    on = chat_thinking(fake, "qwen3:0.6b", True)
    assert on.startswith("Okay")
    assert all(chat_thinking(fake, "qwen3:0.6b", level) == on for level in ("low", "medium", "high"))
    assert chat_thinking(fake, "qwen3:0.6b", False) == ""


@pytest.mark.parametrize("think", [True, "low", "high"])
def test_models_that_cannot_think_refuse_true_and_levels(fake, think):
    body = {"model": "llama3.2", "think": think, "messages": [{"role": "user", "content": "hi"}]}
    refused = post(fake, "/api/chat", body)
    assert (refused.status_code, refused.json()) == (400, {"error": '"llama3.2" does not support thinking'})
    assert post(fake, "/api/chat", {**body, "think": False, "stream": False}).status_code == 200


@pytest.mark.parametrize(
    ("think", "message"),
    [
        ("x", 'invalid think value: "x" (must be "high", "medium", "low", true, or false)'),
        ("max", 'invalid think value: "max" (must be "high", "medium", "low", true, or false)'),
        (1, 'think must be a boolean or string ("high", "medium", "low", true, or false)'),
    ],
)
def test_other_think_values_are_refused_with_ollamas_words(fake, think, message):
    fake.install("gpt-oss:20b")
    body = {"model": "gpt-oss:20b", "think": think, "prompt": "hi"}
    refused = post(fake, "/api/generate", body)
    assert (refused.status_code, refused.json()) == (400, {"error": message})


@pytest.mark.parametrize("version", ["0.21.2", "0.13.0", "0.21", "0.0.0", "unknown"])
def test_servers_before_0_21_3_refuse_max(fake, version):
    fake.version = version
    fake.install("gpt-oss:20b")
    refused = post(fake, "/api/chat", {"model": "gpt-oss:20b", "think": "max", "messages": []})
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": 'invalid think value: "max" (must be "high", "medium", "low", true, or false)'},
    )


@pytest.mark.parametrize("version", ["0.21.3-rc0", "0.21.3", "0.22.0", "1.0.0"])
def test_servers_from_0_21_3_take_max_and_list_it_when_refusing(fake, version):
    fake.version = version
    fake.install("gpt-oss:20b")
    assert chat_thinking(fake, "gpt-oss:20b", "max") == chat_thinking(fake, "gpt-oss:20b", "high")  # Harmony's top
    assert chat_thinking(fake, "qwen3:0.6b", "max") == chat_thinking(fake, "qwen3:0.6b", True)
    body = {"model": "gpt-oss:20b", "prompt": "hi"}
    refusals = [post(fake, "/api/generate", {**body, "think": think}) for think in ("x", 1)]
    assert [(refused.status_code, refused.json()["error"]) for refused in refusals] == [
        (400, 'invalid think value: "x" (must be "high", "medium", "low", "max", true, or false)'),
        (400, 'think must be a boolean or string ("high", "medium", "low", "max", true, or false)'),
    ]
    refused = post(fake, "/api/chat", {"model": "llama3.2", "think": "max", "messages": []})
    assert (refused.status_code, refused.json()) == (400, {"error": '"llama3.2" does not support thinking'})
