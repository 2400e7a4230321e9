"""The fleet's model picker against two fake servers (lib/fleet/picker.py, catalog.py, session.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib import server_data
from lib.fleet.models import ModelRef
from tests.fake_ollama import FakeOllama


def picker_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet.picker import model_picker

    state.init()
    if "label" in st.session_state:  # what the browser gives back when the label it showed is gone
        st.session_state["pick"] = st.session_state.pop("label")
    st.session_state["picked"] = model_picker("Model", "completion", "pick")


def open_picker(monkeypatch, fake, gpu) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    return AppTest.from_function(picker_app, default_timeout=30).run()


def test_every_servers_models_are_offered_as_model_at_server(monkeypatch, studio_env, fake, gpu, keep_main_module):
    at = open_picker(monkeypatch, fake, gpu)
    box = at.selectbox(key="pick")
    assert "qwen3:0.6b · laptop" in box.options
    assert "qwen3:0.6b · gpu" in box.options
    box.select(ModelRef("qwen3:0.6b", gpu.url)).run()
    assert at.session_state["picked"] == ModelRef("qwen3:0.6b", gpu.url)


def test_a_server_that_is_down_is_named_and_the_others_stay(monkeypatch, studio_env, fake, keep_main_module):
    gone = FakeOllama()
    gone.start()
    url = gone.url
    gone.stop()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={url}")
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    assert not at.exception
    assert all(" · laptop" in option for option in at.selectbox(key="pick").options)
    assert any("**gpu** is not answering" in caption.value for caption in at.caption)


def test_one_server_shows_plain_model_names(studio_env, fake, keep_main_module):
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    assert "qwen3:0.6b" in at.selectbox(key="pick").options
    assert isinstance(at.session_state["picked"], ModelRef)


def test_a_pick_whose_server_goes_down_is_kept_and_said_not_swapped(monkeypatch, studio_env, fake, keep_main_module):
    """Quietly moving the pick to the same model on another server would turn laptop-vs-gpu into laptop-vs-laptop."""
    gpu = FakeOllama().start()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu_box={gpu.url}")
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    url = gpu.url
    at.selectbox(key="pick").select(ModelRef("qwen3:0.6b", url)).run()
    gpu.stop()
    server_data.forget_models()
    at.run()
    assert at.session_state["picked"] == ModelRef("qwen3:0.6b", url)
    assert "qwen3:0.6b · gpu_box · not answering" in at.selectbox(key="pick").options
    assert "**gpu\\_box** is not answering, so qwen3:0.6b there cannot answer now." in at.warning[0].value
    assert not any("gpu" in caption.value for caption in at.caption)  # said once, in the warning


def test_a_server_that_went_away_keeps_its_models_listed_as_not_answering(
    monkeypatch, studio_env, fake, keep_main_module
):
    gpu = FakeOllama().start()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    gpu.stop()
    server_data.forget_models()
    at.run()
    options = at.selectbox(key="pick").options
    assert "qwen3:0.6b · gpu · not answering" in options
    assert "qwen3:0.6b · laptop" in options
    assert at.session_state["picked"].server == fake.url  # the pick stays on a server that answers
    assert not at.warning and not at.caption  # the options say it; nothing repeated under every box


def test_a_pick_given_back_as_its_old_label_stays_on_its_server(monkeypatch, studio_env, fake, keep_main_module):
    """The browser gives back the label it showed; once the server went away the label changed (" · not
    answering"), and Streamlit hands the old label over as text: still the same model on the same server."""
    gpu = FakeOllama().start()
    url = gpu.url
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={url}")
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    gpu.stop()
    server_data.forget_models()
    at.session_state["label"] = "qwen3:0.6b · gpu"  # the label the browser last showed, given back as text
    at.run()
    assert at.session_state["picked"] == ModelRef("qwen3:0.6b", url)
    at.session_state["label"] = "qwen3:0.6b · gpu · not answering"
    at.run()
    assert at.session_state["picked"] == ModelRef("qwen3:0.6b", url)
