"""lib/models/running_tab.py: the models in memory with Unload, and loading one ahead of use."""

from __future__ import annotations

import pytest
import requests

from lib import state
from lib.models.running_tab import loaded_message
from tests.models.conftest import MODELS_PAGE, bodies, open_tab, texts


def test_load_with_keep_alive_then_unload(page, fake):
    open_tab(page, "Running")
    assert "No model is loaded" in texts(page.info)
    page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("qwen3:0.6b")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("10m")
    page.button(key="models_load").click().run()
    assert {"model": "qwen3:0.6b", "keep_alive": "10m", "stream": False} in bodies(fake, "/api/generate")
    assert "qwen3:0.6b is loaded" in texts(page.success)
    running = page.dataframe[0].value
    assert list(running["Model"]) == ["qwen3:0.6b"]
    assert running["Unloads"][0].startswith("in ")
    assert running["Context"][0] > 0

    page.button(key="models_unload_qwen3:0.6b").click().run()
    assert bodies(fake, "/api/generate")[-1] == {"model": "qwen3:0.6b", "keep_alive": 0, "stream": False}
    assert "Unloaded qwen3:0.6b" in texts(page.success)
    assert "No model is loaded" in texts(page.info)


def test_an_embedding_model_is_warmed_up_with_an_embed_request(page, fake):
    open_tab(page, "Running")
    page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("all-minilm:latest")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("-1")
    page.button(key="models_load").click().run()
    assert not page.error
    assert bodies(fake, "/api/embed")[-1] == {"model": "all-minilm:latest", "input": ["warm-up"], "keep_alive": -1}
    assert list(page.dataframe[0].value["Model"]) == ["all-minilm:latest"]
    assert page.dataframe[0].value["Unloads"][0] == "never (kept loaded)"
    page.button(key="models_unload_all-minilm:latest").click().run()
    assert not page.error
    assert "No model is loaded" in texts(page.info)


def test_a_bad_keep_alive_is_explained_and_nothing_sent(page, fake):
    open_tab(page, "Running")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("ten minutes").run()
    assert "is not a duration" in texts(page.error)
    assert "models_load" not in {button.key for button in page.button}
    assert not fake.requests_to("/api/generate")


def test_a_failed_load_is_shown_and_nothing_reported_as_loaded(page, fake):
    fake.add_fault("/api/generate", "http", status=500, message="out of memory")
    open_tab(page, "Running")
    page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("llava:7b")
    page.button(key="models_load").click().run()
    assert "Out of memory." in texts(page.error)
    assert not page.success
    assert "No model is loaded" in texts(page.info)


def test_a_failed_unload_is_shown_and_the_model_stays_listed(open_app, fake):
    requests.post(f"{fake.url}/api/generate", json={"model": "llama3.2", "keep_alive": "10m"}, timeout=5)
    at = open_app(MODELS_PAGE)
    open_tab(at, "Running")
    fake.add_fault("/api/generate", "http", status=500, message="runner busy")
    at.button(key="models_unload_llama3.2:latest").click().run()
    assert "Runner busy." in texts(at.error)
    assert not at.success
    assert list(at.dataframe[0].value["Model"]) == ["llama3.2:latest"]


def test_without_installed_models_there_is_nothing_to_load(open_app, fake):
    for model in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]:
        requests.delete(f"{fake.url}/api/delete", json={"model": model["name"]}, timeout=5).raise_for_status()
    at = open_tab(open_app(MODELS_PAGE), "Running")
    assert "Load or warm up" in texts(at.subheader)
    assert not [box for box in at.selectbox if box.key == state.MODELS_WARM_MODEL_INPUT]
    assert "models_load" not in {button.key for button in at.button}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"load_duration": 2_500_000_000, "total_duration": 3_000_000_000}, "qwen3:0.6b is loaded (took 2.5 s)."),
        ({"total_duration": 800_000_000}, "qwen3:0.6b is loaded (took 800 ms)."),
        ({"load_duration": 0}, "qwen3:0.6b is loaded."),
        ({}, "qwen3:0.6b is loaded."),
    ],
)
def test_the_load_time_is_told_when_the_server_reports_it(answer, message):
    assert loaded_message("qwen3:0.6b", answer) == message


def test_cloud_models_are_not_offered_to_load(open_app, fake):
    fake.add_cloud_models()
    at = open_tab(open_app(MODELS_PAGE), "Running")
    options = at.selectbox(key=state.MODELS_WARM_MODEL_INPUT).options
    assert "llama3.2:latest" in options and not any("cloud" in option for option in options)
