"""The Models page with several servers (lib/models/servers.py and the tabs acting on the chosen server):
the choice at the top, a pull that keeps its server, Copy to another server, and one server as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib import state
from tests.conftest import ENTRY_POINT, SAME_BROWSER
from tests.fake_ollama import FakeOllama
from tests.models.conftest import MODELS_PAGE, bodies, installed_names, open_tab, pull_job, start_pull, stop_pull, texts
from tests.streamlit_process import free_port


@pytest.fixture
def gpu() -> Iterator[FakeOllama]:
    with FakeOllama() as other:
        other.install("tinyllama")  # only the gpu has it
        yield other


@pytest.fixture
def two(monkeypatch, studio_env, fake, gpu) -> Iterator[AppTest]:
    """The Models page with laptop (the sidebar's server) and gpu."""
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    at.run()
    at.switch_page(MODELS_PAGE).run()
    assert not at.exception
    yield at
    stop_pull(at)


def choose(at: AppTest, url: str) -> AppTest:
    return at.selectbox(key=state.MODELS_SERVER_INPUT).select(url).run()


def test_one_server_has_no_server_choice(page, fake):
    assert not [box for box in page.selectbox if box.key == state.MODELS_SERVER_INPUT]
    open_tab(page, "Pull")
    assert "pulled onto" not in texts(page.caption)


def test_the_page_starts_on_the_sidebars_server_and_lists_the_chosen_ones_models(two, fake, gpu):
    box = two.selectbox(key=state.MODELS_SERVER_INPUT)
    assert box.options == [f"laptop · {fake.url}", f"gpu · {gpu.url}"]
    assert box.value == fake.url
    assert "tinyllama:latest" not in installed_names(two)
    choose(two, gpu.url)
    assert "tinyllama:latest" in installed_names(two)
    two.switch_page("app_pages/home.py").run()
    two.switch_page(MODELS_PAGE).run()
    assert two.selectbox(key=state.MODELS_SERVER_INPUT).value == gpu.url  # kept across pages


def test_a_pull_goes_to_the_chosen_server_only(two, fake, gpu):
    choose(two, gpu.url)
    open_tab(two, "Pull")
    assert "The model is pulled onto **gpu**." in texts(two.caption)
    start_pull(two, "gemma3:270m")
    assert pull_job(two).wait(20)
    assert bodies(gpu, "/api/pull") == [{"model": "gemma3:270m", "stream": True}]
    assert not fake.requests_to("/api/pull")


def test_a_pull_keeps_its_server_when_the_choice_changes_and_is_checked_there(two, fake, gpu):
    gpu.token_delay = 0.05
    choose(two, gpu.url)
    start_pull(two, "gemma3:270m")
    choose(two, fake.url)  # while it runs
    assert "**Pulling `gemma3:270m` onto gpu**" in texts(two.markdown)
    assert pull_job(two).wait(30)
    two.run()
    assert "gemma3:270m is installed." in texts(two.success)  # gpu lists it; laptop does not
    assert not two.warning
    assert not fake.requests_to("/api/pull")
    assert "gemma3:270m" not in installed_names(two)  # the page shows laptop
    choose(two, gpu.url)
    assert "gemma3:270m" in installed_names(two)


def test_copy_to_another_server_pulls_the_model_there_by_name(two, fake, gpu):
    two.selectbox(key=state.MODELS_DETAILS_INPUT).select("llava:7b").run()
    assert two.selectbox(key=state.MODELS_COPY_TARGET_INPUT).options == [f"gpu · {gpu.url}"]
    assert "gpu already has llava:7b" in texts(two.caption)
    requests.delete(f"{gpu.url}/api/delete", json={"model": "llava:7b"}, timeout=5).raise_for_status()
    two.button(key="models_refresh").click().run()
    assert "gpu downloads llava:7b from the Ollama library" in texts(two.caption)
    gpu.token_delay = 0.05
    two.button(key="models_copy_across").click().run()
    assert "gpu is pulling llava:7b: its progress is shown at the top of the page." in texts(two.caption)
    assert "**Copying `llava:7b` from laptop to gpu** (a pull by name)" in texts(two.markdown)
    assert pull_job(two).wait(30)
    two.run()
    assert bodies(gpu, "/api/pull") == [{"model": "llava:7b", "stream": True}]
    assert not fake.requests_to("/api/pull")
    assert "**Copy of `llava:7b` from laptop to gpu** (a pull by name)" in texts(two.markdown)
    assert "llava:7b is installed." in texts(two.success)


def test_a_model_created_on_one_server_cannot_be_copied_and_says_why(two, fake, gpu):
    requests.post(f"{fake.url}/api/create", json={"model": "mine:1", "from": "qwen3:0.6b"}, timeout=5)
    two.button(key="models_refresh").click().run()
    two.selectbox(key=state.MODELS_DETAILS_INPUT).select("mine:1").run()
    two.button(key="models_copy_across").click().run()
    assert pull_job(two).wait(30)
    two.run()
    assert texts(two.error).startswith("mine:1 cannot be copied to gpu: the Ollama library has no model by that name")
    assert "created on laptop" in texts(two.error)


def test_a_deletion_asked_on_one_server_is_not_confirmed_on_another(two, fake, gpu):
    two.selectbox(key=state.MODELS_DETAILS_INPUT).select("llava:7b").run()
    two.button(key="models_delete").click().run()
    assert "Delete **llava:7b** from **laptop**?" in texts(two.warning)
    choose(two, gpu.url)
    assert not [button for button in two.button if button.key == "models_delete_confirm"]
    choose(two, fake.url)
    assert not [button for button in two.button if button.key == "models_delete_confirm"]
    assert not fake.requests_to("/api/delete") and not gpu.requests_to("/api/delete")


def test_load_unload_and_create_act_on_the_chosen_server(two, fake, gpu):
    requests.post(f"{gpu.url}/api/generate", json={"model": "qwen3:0.6b"}, timeout=5).raise_for_status()
    choose(two, gpu.url)
    two.button(key="models_refresh").click().run()
    open_tab(two, "Running")
    two.button(key="models_unload_qwen3:0.6b").click().run()
    assert gpu.requests_to("/api/generate")[-1].body["keep_alive"] == 0
    assert not fake.requests_to("/api/generate")
    open_tab(two, "Create")
    two.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("helper:1")
    two.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM qwen3:0.6b\nSYSTEM Be brief.").run()
    two.button(key="models_create").click().run()
    assert [body["model"] for body in bodies(gpu, "/api/create")] == ["helper:1"]
    assert not fake.requests_to("/api/create")


def test_a_chosen_server_that_is_down_gets_the_connection_help_and_can_be_switched_back(monkeypatch, studio_env, fake):
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},nas={dead}")
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    at.switch_page(MODELS_PAGE).run()
    choose(at, dead)
    assert not at.exception
    assert "Nothing is answering" in texts(at.error)
    assert at.subheader[0].value == f"Cannot use the server at `{dead}`"
    choose(at, fake.url)
    assert not at.error
    assert installed_names(at)
