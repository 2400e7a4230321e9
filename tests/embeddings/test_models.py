"""Which installed models can embed, their order and labels, and the facts the page needs about them.

lib/embeddings/models.py.
"""

from __future__ import annotations

import sys

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib.embeddings import models
from lib.embeddings.models import ModelChoice
from lib.ollama.errors import OllamaError


def test_embedding_models_come_first_then_unknown_then_the_rest():
    ordered = models.order_models(
        [
            ModelChoice("llama3.2:latest", False),
            ModelChoice("old:latest", None),
            ModelChoice("nomic-embed-text:latest", True),
            ModelChoice("all-minilm:latest", True),
        ]
    )
    assert [c.name for c in ordered] == [
        "all-minilm:latest",
        "nomic-embed-text:latest",
        "old:latest",
        "llama3.2:latest",
    ]
    assert [c.can_embed for c in ordered] == [True, True, None, False]


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [(["embedding"], True), (["completion", "embedding"], True), (["completion", "tools"], False), ([], None)],
)
def test_can_embed_is_unknown_when_the_server_reports_no_capabilities(capabilities, expected):
    assert models.can_embed(capabilities) is expected


def test_choice_labels_mark_models_that_cannot_embed():
    assert models.choice_label(ModelChoice("llama3.2:latest", False)) == "llama3.2:latest (cannot embed)"
    assert models.choice_label(ModelChoice("all-minilm:latest", True)) == "all-minilm:latest"
    assert models.choice_label(ModelChoice("old:latest", None)) == "old:latest"


def test_model_lists_are_code_joined_by_the_language_separator():
    assert models.model_list(("bge-m3", "qwen3-embedding")) == "`bge-m3`, `qwen3-embedding`"
    assert models.model_list(()) == ""


def test_cannot_embed_message_and_suggestion_name_embedding_models():
    message = models.cannot_embed_message("llama3.2:latest")
    assert "llama3.2:latest" in message
    for name in models.SUGGESTED_MODELS:
        assert f"`{name}`" in message
        assert f"`{name}`" in models.suggestion()


@pytest.mark.parametrize(
    ("model", "base"),
    [
        ("nomic-embed-text", "nomic-embed-text"),
        ("nomic-embed-text:latest", "nomic-embed-text"),
        ("registry.example/me/nomic-embed-text:v1.5", "nomic-embed-text"),
        ("bge-m3:567m", "bge-m3"),
    ],
)
def test_base_name_drops_registry_namespace_and_tag(model, base):
    assert models.base_name(model) == base


def test_mostly_english_models_by_family():
    assert models.mostly_english("all-minilm:latest")
    assert models.mostly_english("me/mxbai-embed-large:v1")
    assert not models.mostly_english("bge-m3:latest")
    assert not models.mostly_english("qwen3-embedding:0.6b")


def test_prefixes_by_model_family():
    assert models.suggested_prefixes("nomic-embed-text:latest") == ("search_document: ", "search_query: ")
    assert models.suggested_prefixes("registry.example/me/nomic-embed-text:v1.5")[1] == "search_query: "
    assert models.suggested_prefixes("mxbai-embed-large:latest")[0] == ""
    assert models.suggested_prefixes("all-minilm:latest") == ("", "")


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            {"model_info": {"nomic-bert.context_length": 2048}, "parameters": "num_ctx                        8192"},
            2048,
        ),
        ({"model_info": {"bert.context_length": 512}}, 512),
        ({"model_info": {"llama.context_length": 131072}, "parameters": 'num_ctx 4096\nstop "<|eot_id|>"'}, 4096),
        ({"parameters": "num_ctx 1024"}, 1024),
        ({"model_info": {"bert.context_length": True, "bert.block_count": 12}}, None),
        ({"model_info": None, "parameters": "num_ctx many"}, None),
        ({}, None),
    ],
)
def test_context_limit(details, expected):
    assert models.context_limit(details) == expected


def list_installed(url: str) -> None:
    import streamlit as st

    from lib import state
    from lib.embeddings import models
    from lib.ollama.client import OllamaClient
    from lib.ollama.errors import OllamaError

    state.init()
    try:
        st.session_state["installed"] = models.installed(OllamaClient(url))
    except OllamaError as error:
        st.session_state["installed"] = error


@pytest.fixture
def run_script(monkeypatch):
    # The script run makes its temporary file sys.modules["__main__"]; restored afterwards
    # (see tests/ui/test_live_markdown.py).
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def test_installed_models_come_from_the_server_with_digests(fake, run_script):
    at = AppTest.from_function(list_installed, args=(fake.url,), default_timeout=30).run()
    installed = at.session_state["installed"]
    tags = {m["name"]: m["digest"] for m in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]}
    assert [c.name for c in installed][:2] == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert {c.name for c in installed} == set(tags)
    assert all(c.digest == tags[c.name] and c.digest for c in installed)
    assert {c.name: c.can_embed for c in installed}["llama3.2:latest"] is False


def test_installed_raises_when_the_server_cannot_list_its_models(fake, run_script):
    fake.add_fault("/api/tags", "http", status=500, message="boom")
    at = AppTest.from_function(list_installed, args=(fake.url,), default_timeout=30).run()
    assert isinstance(at.session_state["installed"], OllamaError)
