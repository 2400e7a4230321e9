"""The session's client and the short-lived caches of what the server reports (lib/server_data.py).

Run against the fake server; a cached call is one the fake never sees.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from lib import server_data, state
from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.errors import RequestTimedOut, ResponseError, ServerUnreachable
from tests.fake_ollama import FakeOllama
from tests.fake_ollama.names import parse_name
from tests.streamlit_process import free_port

COMPLETION = ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
EMBEDDING = ["all-minilm:latest", "nomic-embed-text:latest"]
INSTALLED = sorted(COMPLETION + EMBEDDING)


@pytest.fixture
def client(studio_env, fake) -> Iterator[OllamaClient]:
    c = OllamaClient(fake.url)
    yield c
    c.close()


def calls(fake: FakeOllama, path: str) -> int:
    return len(fake.requests_to(path))


def installed_names(models: list[dict]) -> list[str]:
    return sorted(model["name"] for model in models)


def remove_capabilities(fake: FakeOllama, name: str) -> None:
    """Make ``name`` look as it does on a server too old to report capabilities."""
    fake.tags_capabilities = False
    spec = fake.store.find(parse_name(name))
    assert spec is not None
    fake.store.put(dataclasses.replace(spec, capabilities=()))


# Caching


def test_version_models_and_running_are_fetched_once_then_cached(client, fake):
    for _ in range(3):
        assert server_data.version(client) == "0.13.0"
        assert installed_names(server_data.models(client)) == INSTALLED
        assert server_data.running(client) == []
    assert (calls(fake, "/api/version"), calls(fake, "/api/tags"), calls(fake, "/api/ps")) == (1, 1, 1)


def test_each_server_has_its_own_entries(client, fake):
    with FakeOllama() as other:
        other.version = "0.14.1"
        other.store.remove(parse_name("llava:7b"))
        other_client = OllamaClient(other.url)
        try:
            assert server_data.version(client) == "0.13.0"
            assert server_data.version(other_client) == "0.14.1"
            assert "llava:7b" in installed_names(server_data.models(client))
            assert "llava:7b" not in installed_names(server_data.models(other_client))
        finally:
            other_client.close()
    assert calls(fake, "/api/version") == 1


def test_each_api_key_has_its_own_entries_and_the_key_is_not_in_the_cache_key(fake):
    """The cache key is the client's own: the server and a hash of the key it sends, never the key."""
    one, two, none = (OllamaClient(fake.url, api_key=key) for key in ("key-one", "key-two", None))
    server_data.models(one)
    server_data.models(one)
    server_data.models(two)
    first, second = server_data._cache_key(one), server_data._cache_key(two)
    assert calls(fake, "/api/tags") == 2
    assert first[0] == second[0] == fake.url
    assert first[1] != second[1]
    assert all(key not in part for part in (*first, *second) for key in ("key-one", "key-two"))
    assert server_data._cache_key(none) == (fake.url, "")


def test_a_failed_call_is_not_cached(client, fake):
    fake.add_fault("/api/tags", "http", status=500, message="busy")
    with pytest.raises(ResponseError):
        server_data.models(client)
    assert installed_names(server_data.models(client)) == INSTALLED
    assert installed_names(server_data.models(client)) == INSTALLED
    assert calls(fake, "/api/tags") == 2


def test_forget_models_drops_every_cache(client, fake):
    server_data.version(client)
    server_data.models(client)
    server_data.running(client)
    server_data.details(client, "llama3.2:latest")
    server_data.forget_models()
    server_data.version(client)
    server_data.models(client)
    server_data.running(client)
    server_data.details(client, "llama3.2:latest")
    assert [calls(fake, path) for path in ("/api/version", "/api/tags", "/api/ps", "/api/show")] == [2, 2, 2, 2]


def test_a_change_on_the_server_shows_after_forget_models(client, fake):
    assert server_data.running(client) == []
    assert "all-minilm:latest" in installed_names(server_data.models(client))
    client.load("llama3.2")
    client.delete("all-minilm")
    assert server_data.running(client) == []  # still the cached answers
    assert "all-minilm:latest" in installed_names(server_data.models(client))
    server_data.forget_models()
    assert [model["name"] for model in server_data.running(client)] == ["llama3.2:latest"]
    assert "all-minilm:latest" not in installed_names(server_data.models(client))


def test_details_are_cached_by_model_and_digest(client, fake):
    assert server_data.details(client, "llava:7b", "d1")["details"]["family"] == "llama"
    server_data.details(client, "llava:7b", "d1")
    assert calls(fake, "/api/show") == 1
    server_data.details(client, "llava:7b", "d2")  # re-pulled: a new digest
    server_data.details(client, "qwen3:0.6b", "d1")
    assert calls(fake, "/api/show") == 3
    assert [request.body["model"] for request in fake.requests_to("/api/show")] == [
        "llava:7b",
        "llava:7b",
        "qwen3:0.6b",
    ]


# Capabilities


def test_capabilities_of_a_tags_entry(client, fake):
    entries = {model["name"]: model for model in server_data.models(client)}
    assert server_data.capabilities(client, entries["qwen3:0.6b"]) == ["completion", "tools", "thinking"]
    assert server_data.capabilities(client, {"name": "llava:7b"}) == ["completion", "vision"]
    assert server_data.capabilities(client, {"model": "all-minilm:latest"}) == ["embedding"]


def test_capabilities_listed_in_a_tags_entry_are_used_without_asking_for_details(client, fake):
    entry = {"name": "llava:7b", "model": "llava:7b", "capabilities": ["completion", "vision", "tools"]}
    assert server_data.capabilities(client, entry) == ["completion", "vision", "tools"]
    assert server_data.capabilities(client, {**entry, "capabilities": []}) == []
    assert calls(fake, "/api/show") == 0


def test_a_server_too_old_to_report_capabilities_reports_none(client, fake):
    remove_capabilities(fake, "llava:7b")
    assert server_data.capabilities(client, {"name": "llava:7b"}) == []
    assert server_data.capabilities_of(client, "llava:7b") == frozenset()


def test_capabilities_of_an_installed_model_by_its_name(client, fake):
    assert server_data.capabilities_of(client, "llava:7b") == {"completion", "vision"}
    assert server_data.capabilities_of(client, "nomic-embed-text:latest") == {"embedding"}


def test_capabilities_of_a_model_not_installed_are_unknown_without_asking(client, fake):
    assert server_data.capabilities_of(client, "mistral:7b") == frozenset()
    assert calls(fake, "/api/show") == 0


@pytest.mark.parametrize("path", ["/api/tags", "/api/show"])
def test_capabilities_that_cannot_be_read_are_unknown(client, fake, path):
    fake.tags_capabilities = False
    fake.add_fault(path, "html", times=0)
    assert server_data.capabilities_of(client, "llava:7b") == frozenset()


def test_models_with_a_capability_are_listed_by_name(client):
    assert server_data.models_with(client, "completion") == COMPLETION
    assert server_data.models_with(client, "embedding") == EMBEDDING
    assert server_data.models_with(client, "vision") == ["llava:7b"]
    assert server_data.models_with(client, "thinking") == ["qwen3:0.6b"]
    assert server_data.models_with(client, "insert") == []


def test_models_of_an_old_server_are_offered_for_every_capability(client, fake):
    remove_capabilities(fake, "all-minilm:latest")
    assert server_data.models_with(client, "completion") == sorted([*COMPLETION, "all-minilm:latest"])
    assert server_data.models_with(client, "embedding") == EMBEDDING


@pytest.mark.parametrize(
    ("kind", "params"), [("http", {"status": 500, "message": "boom"}), ("http", {"status": 404}), ("html", {})]
)
def test_models_whose_details_cannot_be_read_are_offered(client, fake, kind, params):
    fake.tags_capabilities = False
    fake.add_fault("/api/show", kind, times=0, **params)
    assert server_data.models_with(client, "vision") == INSTALLED


def test_an_unreachable_server_is_not_hidden_as_no_models():
    c = OllamaClient(f"127.0.0.1:{free_port()}")
    with pytest.raises(ServerUnreachable):
        server_data.models_with(c, "completion")


def test_a_server_too_slow_to_describe_its_models_is_not_hidden_as_no_models(fake):
    fake.tags_capabilities = False
    fake.add_fault("/api/show", "latency", delay=1.0)
    slow = OllamaClient(fake.url, timeouts=Timeouts(read=0.2))
    try:
        with pytest.raises(RequestTimedOut):
            server_data.models_with(slow, "completion")
    finally:
        slow.close()


# What the think control offers


def test_a_gpt_oss_model_is_offered_max_by_a_server_that_takes_it(client, fake):
    fake.version = "0.21.3-rc0"
    fake.install("gpt-oss:20b")
    assert server_data.think_choices(client, "gpt-oss:20b") == ("low", "medium", "high", "max")


def test_a_gpt_oss_model_is_offered_no_max_by_an_older_server_or_one_whose_version_cannot_be_read(client, fake):
    fake.install("gpt-oss:20b")
    assert server_data.think_choices(client, "gpt-oss:20b") == ("low", "medium", "high")
    server_data.forget_models()
    fake.version = "0.22.0"
    fake.add_fault("/api/version", "html", times=0)
    assert server_data.think_choices(client, "gpt-oss:20b") == ("low", "medium", "high")


def test_only_a_model_that_takes_levels_makes_the_server_asked_its_version(client, fake):
    assert server_data.think_choices(client, "qwen3:0.6b") == (False, True)
    assert server_data.think_choices(client, "llama3.2:latest") == ()
    assert calls(fake, "/api/version") == 0


# The session's client


@pytest.fixture
def keep_main_module(monkeypatch):
    """A script run makes its temporary file ``sys.modules["__main__"]``; put the real one back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def client_app() -> None:
    """Builds the session's client; ``clients`` keeps each run's."""
    import streamlit as st

    from lib import server_data, state

    state.init()
    st.session_state.setdefault("clients", []).append(server_data.client())


@pytest.fixture
def closed(monkeypatch) -> list[OllamaClient]:
    """The clients closed, in order."""
    closed: list[OllamaClient] = []
    close = OllamaClient.close

    def recording_close(self: OllamaClient) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(OllamaClient, "close", recording_close)
    return closed


@pytest.fixture
def session(studio_env, keep_main_module) -> AppTest:
    return AppTest.from_function(client_app, default_timeout=30).run()


def test_the_client_is_kept_while_its_settings_stay(closed, session, fake):
    session.run()
    session.run()
    first, second, third = session.session_state["clients"]
    assert first is second is third
    assert first.base_url == fake.url
    assert first.timeouts.model_read == 180.0
    assert not first.has_api_key
    assert closed == []


def test_a_new_server_address_builds_a_new_client_and_closes_the_old(closed, session, fake):
    session.session_state[state.SERVER_URL] = "http://gpu-box:11434"
    session.run()
    old, new = session.session_state["clients"]
    assert (old.base_url, new.base_url) == (fake.url, "http://gpu-box:11434")
    assert closed == [old]


def test_the_timeout_and_a_typed_key_reach_the_client(session):
    session.session_state[state.MODEL_TIMEOUT] = 42.0
    session.run()
    assert session.session_state["clients"][-1].timeouts.model_read == 42.0
    session.session_state[state.API_KEY] = "typed-key"
    session.run()
    assert session.session_state["clients"][-1].has_api_key


def test_the_environments_key_goes_only_to_the_environments_server(studio_env, fake, keep_main_module, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", "env-key")
    at = AppTest.from_function(client_app, default_timeout=30).run()
    assert at.session_state["clients"][-1].has_api_key
    at.session_state[state.SERVER_URL] = "http://gpu-box:11434"
    at.run()
    assert not at.session_state["clients"][-1].has_api_key
