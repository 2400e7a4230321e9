"""The single chat's settings (lib/chat/settings_panel.py): which models are offered, what the settings are,
what the panel says when the server cannot help, and what the chat box says for the model chosen."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import Conversation
from lib.chat.session import Settings
from lib.chat.settings_panel import Panel, prompt_placeholder
from lib.ollama.client import OllamaClient
from tests.chat.conftest import open_chat, ref
from tests.streamlit_process import free_port

CHAT_MODELS = {"llama3.2:latest", "llava:7b", "qwen3:0.6b"}


def panel(conversation) -> None:
    import streamlit as st

    from lib import state
    from lib.chat import settings_panel

    state.init()
    drawn = settings_panel.draw(conversation)
    st.session_state["settings"] = drawn.settings
    st.session_state["installed"] = drawn.installed


@pytest.fixture
def open_panel(monkeypatch):
    """The panel alone, its servers those of ``OLLAMA_HOST``: ``url``."""

    def start(url: str, conversation: Conversation | None = None, *, run: bool = True) -> AppTest:
        monkeypatch.setenv("OLLAMA_HOST", url)
        at = AppTest.from_function(panel, args=(conversation,), default_timeout=30)
        return at.run() if run else at

    return start


def down() -> str:
    return f"http://127.0.0.1:{free_port()}"


def test_the_settings_are_what_the_panel_shows(fake, open_panel):
    at = open_panel(fake.url)
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    at.segmented_control(key=state.CHAT_THINK_INPUT).set_value(True)
    at.text_area(key=state.CHAT_SYSTEM_INPUT).input("Be brief.")
    at.number_input(key="chat_option_temperature").set_value(0.3)
    at.text_input(key="chat_option_keep_alive").input("10m").run()
    assert at.session_state["settings"] == Settings(
        "qwen3:0.6b", "Be brief.", {"temperature": 0.3}, "10m", True, server=fake.url
    )
    assert at.session_state["installed"] >= CHAT_MODELS
    assert not any("embed" in name or "minilm" in name for name in at.session_state["installed"])


def test_a_model_that_cannot_think_is_never_asked_to(fake, open_panel):
    at = open_panel(fake.url, run=False)
    at.session_state[state.CHAT_MODEL_INPUT] = ref("llama3.2:latest")
    at.session_state[state.CHAT_THINK_INPUT] = True
    at.run()
    unavailable = at.segmented_control(key=f"{state.CHAT_THINK_INPUT}.unavailable")
    assert unavailable.disabled and unavailable.options == ["Not available"]
    assert at.session_state["settings"].think is None


def test_a_gpt_oss_model_offers_the_levels_and_no_off(fake, open_panel):
    fake.install("gpt-oss:20b")
    at = open_panel(fake.url, run=False)
    at.session_state[state.CHAT_MODEL_INPUT] = ref("gpt-oss:20b")
    at.run()
    control = at.segmented_control(key=state.CHAT_THINK_INPUT)
    assert control.options == ["Low", "Medium", "High"] and control.value == "medium"
    control.set_value("high").run()
    assert at.session_state["settings"].think == "high"
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()  # a level means "on" for other thinkers
    assert at.segmented_control(key=state.CHAT_THINK_INPUT).options == ["Off", "On"]
    assert at.session_state["settings"].think is True


def test_a_server_that_does_not_answer_leaves_a_new_chat_without_settings(open_panel):
    at = open_panel(down())
    assert "Saved chats can still be read." in at.warning[0].value
    assert at.session_state["settings"] is None and at.session_state["installed"] is None
    assert not at.selectbox


def test_a_saved_chat_keeps_its_model_while_the_server_does_not_answer(open_panel):
    at = open_panel(down(), Conversation(id=1, model="llama3.2:latest"))
    assert at.selectbox(key=state.CHAT_MODEL_INPUT).options == ["llama3.2:latest"]
    assert at.session_state["settings"].model == "llama3.2:latest"
    assert len(at.warning) == 1  # that the server does not answer, not that the model is missing
    assert not at.get("page_link")


def test_a_saved_chats_model_missing_from_the_server_is_offered_with_a_link_to_pull_it(studio_env, store):
    """On the page: a link needs the app's pages."""
    conversation_id = store.create(Conversation(model="qwen2.5:0.5b"))
    at = open_chat({"chat": str(conversation_id)})
    assert at.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("qwen2.5:0.5b")
    assert at.warning[0].value == "qwen2.5:0.5b is not installed on this server."
    (link,) = [link for link in at.main.get("page_link") if link.proto.page.endswith("models")]
    assert link.label == "Pull it on the Models page"


def test_a_server_without_chat_models_says_where_to_get_one(fake, open_panel):
    client = OllamaClient(fake.url)
    for name in CHAT_MODELS:
        client.delete(name)
    assert client.list_models()  # the embedding models are left
    at = open_panel(fake.url)
    assert at.info[0].value.startswith("No installed model can chat.")
    assert at.session_state["settings"] is None and not at.selectbox


def test_a_parameter_that_needs_fixing_holds_the_settings_back(fake, open_panel):
    at = open_panel(fake.url)
    at.text_input(key="chat_option_keep_alive").input("soon").run()
    assert at.warning[0].value.startswith("A parameter needs fixing")
    assert at.session_state["settings"] is None
    assert at.session_state["installed"] is not None


def test_the_model_picker_offers_chat_models_only(chat):
    assert not chat.exception
    options = chat.selectbox(key=state.CHAT_MODEL_INPUT).options
    assert "llama3.2:latest" in options and "llava:7b" in options
    assert not any("embed" in name or "minilm" in name for name in options)


@pytest.mark.parametrize(
    ("model", "placeholder"),
    [
        ("llama3.2:latest", "Message llama3.2:latest (text only: this model cannot see images)"),
        ("llava:7b", "Message llava:7b · attach images with +"),
        ("qwen2.5:0.5b", "Message qwen2.5:0.5b"),  # not installed: what it can do is unknown
    ],
)
def test_the_chat_box_says_whether_the_model_can_see_images(fake, model, placeholder):
    settings = Settings(model, "", {}, None, False)
    assert prompt_placeholder(Panel(settings, None, OllamaClient(fake.url))) == placeholder


def test_the_chat_box_asks_for_a_model_when_there_are_no_settings(fake):
    assert prompt_placeholder(Panel(None, None, OllamaClient(fake.url))) == "Choose a model first"


def test_the_chat_box_says_when_the_chats_server_cannot_answer():
    assert prompt_placeholder(Panel(None, None, away="gpu")) == "gpu cannot answer now: pick another model to go on"


def test_a_wrong_schema_closes_the_chat_box_saying_what_to_fix_not_to_choose_a_model(studio_env, fake):
    at = open_chat()
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value("schema").run()
    at.text_area(key=state.CHAT_SCHEMA_INPUT).set_value('{"type": "object", "properties": {').run()
    box = at.chat_input(key=state.CHAT_PROMPT_INPUT)
    assert box.disabled and box.placeholder == "Fix the setting marked above to send a message"
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value("plain").run()
    assert at.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder.startswith("Message ")
