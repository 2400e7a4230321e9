"""Home (app_pages/home.py and lib/home/page.py) and the shared sidebar, run with AppTest against the fake server."""

from __future__ import annotations

import sys

import pandas as pd
import pyarrow as pa
import pytest
import requests
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
    requests.post(f"{fake.url}/api/generate", json={"model": "llama3.2", "keep_alive": "10m"}, timeout=5)
    home.run()
    assert metric(home, "Models in memory") == "1"
    running = home.dataframe[0].value
    assert list(running["Model"]) == ["llama3.2:latest"]
    assert running["Unloads"][0].startswith("in ")


def shown_cells(element) -> pd.DataFrame:
    """A styled table as drawn: every cell as the text the browser shows."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas()


def test_installed_sizes_are_worded_as_ollama_list_does_but_kept_in_bytes(home, fake):
    home.run()
    table = home.dataframe[0]
    row = list(table.value["Model"]).index("llama3.2:latest")
    tags = requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]
    assert table.value["Size"][row] == next(m["size"] for m in tags if m["name"] == "llama3.2:latest")
    assert shown_cells(table)["Size"][row] == "2.0 GB"
    assert metric(home, "Disk used by models").endswith("GB")


def figures_page(installed: list, loaded: list) -> None:
    from lib.home import page

    page.figures(installed, loaded)


def test_the_figures_count_models_and_tell_the_share_of_memory_on_the_gpu(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])  # restored after the script run
    installed = [{"name": "a:1", "size": 2_000_000_000}, {"name": "b:1"}]
    loaded = [{"name": "a:1", "size": 1_500_000_000, "size_vram": 1_000_000_000}]
    at = AppTest.from_function(figures_page, args=(installed, loaded)).run()
    assert [(m.label, m.value, m.proto.help) for m in at.metric] == [
        ("Installed models", "2", ""),
        ("Disk used by models", "2.0 GB", ""),
        ("Models in memory", "1", ""),
        ("Memory in use", "1.5 GB", "Of which on the GPU: 1.0 GB"),
    ]


def test_an_empty_server_says_nothing_is_loaded_or_installed(home, fake):
    for model in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]:
        requests.delete(f"{fake.url}/api/delete", json={"model": model["name"]}, timeout=5).raise_for_status()
    home.run()
    assert not home.dataframe
    assert metric(home, "Installed models") == "0"
    assert any("No model is loaded" in caption.value for caption in home.caption)
    assert "No models are installed yet" in home.info[0].value


def test_where_next_links_every_other_page(home):
    home.run()
    assert [(link.proto.page, link.label) for link in home.get("page_link")] == [
        ("chat", "Chat with a model"),
        ("generate", "Try a one-shot prompt"),
        ("embeddings", "Compare texts by meaning"),
        ("models", "Pull and manage models"),
    ]


def test_refresh_fetches_the_lists_again(home, fake):
    home.run()
    requests.post(
        f"{fake.url}/api/copy", json={"source": "qwen3:0.6b", "destination": "new-here:1"}, timeout=5
    ).raise_for_status()
    assert metric(home.run(), "Installed models") == "5"  # cached
    next(button for button in home.button if button.label == "Refresh").click().run()
    assert metric(home, "Installed models") == "6"
    assert "new-here:1" in set(home.dataframe[0].value["Model"])


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
