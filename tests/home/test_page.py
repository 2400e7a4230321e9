"""Home and the shared sidebar, run with AppTest against the fake server."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from tests.conftest import ENTRY_POINT
from tests.streamlit_process import free_port


@pytest.fixture
def home(studio_env) -> AppTest:
    return AppTest.from_file(ENTRY_POINT, default_timeout=30)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_connected_home_shows_version_counts_and_tables(home, fake):
    fake.version = "0.13.7"
    home.run()
    assert not home.exception
    assert "Connected to Ollama 0.13.7" in home.success[0].value
    assert metric(home, "Installed models") == "5"
    assert metric(home, "Models in memory") == "0"
    installed = home.dataframe[0].value
    assert "nomic-embed-text:latest" in set(installed["Model"])
    assert "Ollama 0.13.7" in home.sidebar.markdown[0].value


def test_running_models_are_listed_with_memory(home, fake):
    import requests

    requests.post(f"{fake.url}/api/generate", json={"model": "llama3.2", "keep_alive": "10m"}, timeout=5)
    home.run()
    assert metric(home, "Models in memory") == "1"
    running = home.dataframe[0].value
    assert list(running["Model"]) == ["llama3.2:latest"]
    assert running["Unloads"][0].startswith("in ")


def test_server_down_shows_the_help_panel_not_a_traceback(fake, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    assert not at.exception
    assert "Nothing is answering" in at.error[0].value
    assert any("What to try" in m.value for m in at.markdown)
    assert any("ollama serve" in m.value for m in at.markdown)
    assert "Not connected" in at.sidebar.markdown[0].value


def test_retry_recovers_once_the_server_answers(home, fake):
    fake.add_fault("/api/version", "html", times=0)
    home.run()
    assert "HTTP 502" in home.error[0].value
    fake.clear_faults()
    home.button(key="connection_retry").click().run()
    assert not home.error
    assert "Connected to Ollama" in home.success[0].value


def test_auth_proxy_asks_for_a_key_and_the_sidebar_key_is_used(home, fake):
    fake.api_key = "k-123"
    home.run()
    assert "API key" in home.error[0].value
    home.text_input(key=state.API_KEY_INPUT).input("k-123").run()
    assert "Connected to Ollama" in home.success[0].value
    assert fake.requests[-1].headers["Authorization"] == "Bearer k-123"
    assert home.text_input(key=state.API_KEY_INPUT).value == ""


def test_changing_the_server_address_in_the_sidebar(home, fake):
    home.run()
    home.text_input(key=state.SERVER_URL_INPUT).input(f"127.0.0.1:{free_port()}").run()
    assert "Nothing is answering" in home.error[0].value
    home.text_input(key=state.SERVER_URL_INPUT).input(fake.url + "/").run()
    assert "Connected to Ollama" in home.success[0].value


def test_an_unreadable_address_is_explained_and_the_old_one_kept(home, fake):
    home.run()
    home.text_input(key=state.SERVER_URL_INPUT).input("ftp://nowhere").run()
    assert any("Unsupported scheme" in e.value for e in home.sidebar.error)
    assert "Connected to Ollama" in home.success[0].value


def test_default_model_choice_is_kept(home):
    home.run()
    home.selectbox(key=state.DEFAULT_MODEL_INPUT).select("llava:7b").run()
    assert home.session_state[state.DEFAULT_MODEL] == "llava:7b"


def test_the_environment_key_is_only_sent_to_the_environment_server(home, fake, monkeypatch):
    """A visitor typing another address must not receive OLLAMA_API_KEY there."""
    from tests.fake_ollama import FakeOllama

    monkeypatch.setenv("OLLAMA_API_KEY", "env-secret")
    fake.api_key = "env-secret"
    home.run()
    assert "Connected to Ollama" in home.success[0].value
    with FakeOllama() as other:
        home.text_input(key=state.SERVER_URL_INPUT).input(other.url).run()
        assert "Connected to Ollama" in home.success[0].value
        assert other.requests and all("Authorization" not in r.headers for r in other.requests)
        home.text_input(key=state.API_KEY_INPUT).input("typed-for-other").run()
        assert other.requests[-1].headers["Authorization"] == "Bearer typed-for-other"
    home.text_input(key=state.SERVER_URL_INPUT).input(fake.url).run()
    assert "Connected to Ollama" in home.success[0].value
    assert fake.requests[-1].headers["Authorization"] == "Bearer env-secret"
