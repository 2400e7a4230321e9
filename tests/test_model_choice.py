"""Which listed models run elsewhere, and which model a visitor starts on (lib/model_choice.py)."""

from __future__ import annotations

import pytest

from lib import model_choice

LOCAL = [
    {"name": "llama3.2:latest", "size": 2_019_378_602},
    {"name": "qwen3:0.6b", "size": 522_652_371},
    {"name": "llava:7b", "size": 4_737_724_623},
]
CLOUD = {
    "name": "deepseek-v3.1:671b-cloud",
    "remote_model": "deepseek-v3.1:671b",
    "remote_host": "https://ollama.com:443",
    "size": 561,
}
ENTRIES = [CLOUD, *LOCAL]
CANDIDATES = ["deepseek-v3.1:671b-cloud", "llama3.2:latest", "llava:7b", "qwen3:0.6b"]


@pytest.mark.parametrize(
    ("entry", "host"),
    [
        (CLOUD, "ollama.com"),
        ({"name": "x", "remote_host": "http://10.0.0.9:8080"}, "10.0.0.9:8080"),
        ({"name": "gpt-oss:120b-cloud"}, "ollama.com"),  # an older server that does not send remote_host
        ({"name": "qwen3-vl:cloud"}, "ollama.com"),
        ({"model": "kimi-k2:1t-cloud"}, "ollama.com"),
        ({"name": "openai/gpt-4o"}, "openai"),
        ({"name": "OpenRouter/meta-llama/llama-3-70b"}, "openrouter"),
        ({"name": "llama3.2:latest"}, None),
        ({"name": "mannix/llama3.1-8b-abliterated:latest"}, None),  # a user's namespace on ollama.com
        ({"name": "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"}, None),
        ({"name": "cloudy:latest"}, None),
        ({"name": "x", "remote_host": "  "}, None),
        ({"name": "x", "remote_host": 7}, None),
    ],
)
def test_where_a_listed_model_runs(entry, host):
    assert model_choice.remote_host(entry) == host


def test_local_models_come_first_each_part_by_name():
    remote = model_choice.remote_models(ENTRIES)
    assert remote == {"deepseek-v3.1:671b-cloud": "ollama.com"}
    assert model_choice.local_first(CANDIDATES, remote) == [
        "llama3.2:latest",
        "llava:7b",
        "qwen3:0.6b",
        "deepseek-v3.1:671b-cloud",
    ]


def test_a_new_visitor_starts_on_the_smallest_local_model_never_the_first_listed_cloud_one():
    assert model_choice.preferred(CANDIDATES, ENTRIES) == "qwen3:0.6b"


def test_a_model_in_memory_comes_first_the_most_recently_used_of_them():
    assert model_choice.preferred(CANDIDATES, ENTRIES, loaded=["llava:7b", "llama3.2:latest"]) == "llava:7b"


def test_then_the_model_the_visitor_used_last():
    assert model_choice.preferred(CANDIDATES, ENTRIES, used=["llama3.2:latest", "llava:7b"]) == "llama3.2:latest"
    assert model_choice.preferred(CANDIDATES, ENTRIES, loaded=["llava:7b"], used=["llama3.2:latest"]) == "llava:7b"


def test_remote_failing_and_unfit_models_are_never_preferred():
    assert (
        model_choice.preferred(
            CANDIDATES, ENTRIES, loaded=["deepseek-v3.1:671b-cloud"], used=["deepseek-v3.1:671b-cloud"]
        )
        == "qwen3:0.6b"
    )
    assert model_choice.preferred(CANDIDATES, ENTRIES, failing={"qwen3:0.6b"}) == "llama3.2:latest"
    assert model_choice.preferred(CANDIDATES, ENTRIES, used=["llava:7b"], failing={"llava:7b"}) == "qwen3:0.6b"
    # a loaded embedding model is not a candidate for a chat
    assert model_choice.preferred(CANDIDATES, ENTRIES, loaded=["nomic-embed-text:latest"]) == "qwen3:0.6b"


def test_when_only_remote_or_failing_models_are_left_the_first_candidate_is_taken():
    assert model_choice.preferred(["deepseek-v3.1:671b-cloud"], [CLOUD]) == "deepseek-v3.1:671b-cloud"
    assert model_choice.preferred([], ENTRIES) is None


def test_models_of_unknown_size_come_after_those_of_known_size():
    entries = [{"name": "a"}, {"name": "b", "size": 10}, {"name": "c", "size": True}]
    assert model_choice.preferred(["a", "b", "c"], entries) == "b"
    assert model_choice.preferred(["a", "c"], entries) == "a"
