"""The sidebar every page shares (lib/ui/sidebar.py), driven in the whole app with AppTest.

tests/home/test_page.py covers reaching another server and a typed API key being sent; locked mode
and the administrator password are in tests/access/.
"""

from __future__ import annotations

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.fleet.models import ModelRef
from tests.conftest import ENTRY_POINT, SAME_BROWSER
from tests.fake_ollama import FakeOllama
from tests.fake_ollama.names import parse_name
from tests.streamlit_process import free_port

CHAT_MODELS = ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]


@pytest.fixture
def app(open_app) -> AppTest:
    return open_app()


def status(at: AppTest) -> str:
    return at.sidebar.markdown[0].value


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.sidebar.caption]


def address_box(at: AppTest):
    return at.sidebar.text_input(key=state.SERVER_URL_INPUT)


def key_box(at: AppTest):
    return at.sidebar.text_input(key=state.API_KEY_INPUT)


def default_model_box(at: AppTest):
    return at.sidebar.selectbox(key=state.DEFAULT_MODEL_INPUT)


# Status


def test_the_status_names_the_version_and_the_address(app, fake):
    assert not app.exception
    assert status(app) == ":green[●] **Connected** · Ollama 0.13.0"
    assert f"`{fake.url}`" in captions(app)


def test_a_version_with_markdown_is_shown_literally(open_app, fake):
    fake.version = "0.13.0 *beta* [x](http://tracker.example/)"
    at = open_app()
    assert status(at) == ":green[●] **Connected** · Ollama 0.13.0 \\*beta\\* \\[x\\](http://tracker.example/)"


def test_the_address_is_shown_without_the_schemes_own_port(app):
    address_box(app).input("https://ollama.example.com/").run()
    assert app.session_state[state.SERVER_URL] == "https://ollama.example.com:443"
    assert "`https://ollama.example.com`" in captions(app)


# Server address


def test_a_typed_address_is_read_like_ollama_host(app, fake):
    address_box(app).input(f"  127.0.0.1:{fake.port}/api/ ").run()
    assert app.session_state[state.SERVER_URL] == fake.url
    assert status(app).startswith(":green[●] **Connected**")


def test_a_new_address_forgets_the_default_model_and_the_typed_key(app):
    default_model_box(app).select("llava:7b").run()
    key_box(app).input("key-for-this-server").run()
    assert app.session_state[state.API_KEY] == "key-for-this-server"
    address_box(app).input(f"127.0.0.1:{free_port()}").run()  # nothing answers: no model box picks again
    assert app.session_state[state.DEFAULT_MODEL] is None
    assert app.session_state[state.API_KEY] is None
    assert key_box(app).placeholder == "none"


def test_a_key_typed_for_one_server_is_not_sent_to_the_next(app):
    key_box(app).input("key-for-this-server").run()
    with FakeOllama() as other:
        address_box(app).input(other.url).run()
        assert status(app).startswith(":green[●] **Connected**")
        assert other.requests and all("Authorization" not in request.headers for request in other.requests)


def test_the_same_address_written_differently_changes_nothing(app, fake):
    default_model_box(app).select("llava:7b").run()
    key_box(app).input("kept").run()
    address_box(app).input(f"http://127.0.0.1:{fake.port}/").run()
    assert app.session_state[state.SERVER_URL] == fake.url
    assert app.session_state[state.API_KEY] == "kept"
    assert app.session_state[state.DEFAULT_MODEL] == "llava:7b"


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("ftp://nowhere", "Unsupported scheme 'ftp': use http:// or https://."),
        ("gpu-box:99999", "'99999' is not a port number (1-65535)."),
        ("[::1", "Cannot read the address '\\[::1'."),  # escaped for Markdown: shown as typed
        ("http://me:secret@gpu-box:11434", "An address cannot hold a user name or password"),
    ],
)
def test_an_unreadable_address_is_explained_and_the_server_kept(app, fake, typed, sentence):
    address_box(app).input(typed).run()
    (error,) = app.sidebar.error
    assert error.value.startswith(sentence) and "secret" not in error.value
    assert app.session_state[state.SERVER_URL] == fake.url
    assert status(app).startswith(":green[●] **Connected**")
    address_box(app).input(fake.url).run()
    assert not app.sidebar.error


def test_the_address_error_shows_the_typed_text_literally(app):
    address_box(app).input("*proxy*://x").run()
    assert app.sidebar.error[0].value == "Unsupported scheme '\\*proxy\\*': use http:// or https://."


# API key and timeout


def test_a_typed_key_is_trimmed_kept_out_of_the_box_and_not_replaced_by_a_blank(app):
    assert key_box(app).placeholder == "none"
    key_box(app).input("  sk-1  ").run()
    assert app.session_state[state.API_KEY] == "sk-1"
    assert key_box(app).value == ""
    assert key_box(app).placeholder == "a key is set; type to replace it"
    key_box(app).input("   ").run()
    assert app.session_state[state.API_KEY] == "sk-1"
    key_box(app).input("sk-2").run()
    assert app.session_state[state.API_KEY] == "sk-2"


def test_the_environments_key_shows_as_set(open_app, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", "env-key")
    at = open_app()
    assert key_box(at).placeholder == "a key is set; type to replace it"
    assert at.session_state[state.API_KEY] is None


def test_the_timeout_reaches_the_client(app):
    box = app.sidebar.number_input(key=state.MODEL_TIMEOUT_INPUT)
    assert box.value == 180.0
    box.set_value(45).run()
    assert app.session_state[state.MODEL_TIMEOUT] == 45.0
    assert app.session_state[state.CLIENT][1].timeouts.model_read == 45.0


# Language


def test_the_language_switch_rewords_the_sidebar(app):
    switch = app.sidebar.button_group(key=state.LANGUAGE_INPUT)
    assert switch.value == "en"
    assert switch.options == ["English", "简体中文"]  # each language named in its own
    switch.set_value("zh").run()
    assert app.session_state[state.LANGUAGE] == "zh"
    assert status(app).startswith(":green[●] **已连接**")
    assert app.sidebar.expander[0].label == "连接"
    assert default_model_box(app).label == "默认模型"


def test_clicking_the_chosen_language_again_keeps_it(open_app):
    at = open_app(query={i18n.QUERY_KEY: "zh"})
    at.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value(None).run()
    assert at.session_state[state.LANGUAGE] == "zh"
    assert at.sidebar.button_group(key=state.LANGUAGE_INPUT).value == "zh"


# Default model


def test_the_default_model_is_one_that_can_chat_and_starts_on_the_smallest(app):
    assert default_model_box(app).options == CHAT_MODELS
    assert default_model_box(app).value == "qwen3:0.6b"
    assert app.session_state[state.DEFAULT_MODEL] == "qwen3:0.6b"


def test_cloud_models_listed_first_by_the_server_are_offered_last_marked_and_never_the_default(open_app, fake):
    fake.add_cloud_models()
    assert requests.get(f"{fake.url}/api/tags").json()["models"][0]["name"] == "deepseek-v3.1:671b-cloud"
    at = open_app()
    box = default_model_box(at)
    assert box.options == [
        *CHAT_MODELS,
        "deepseek-v3.1:671b-cloud · cloud, runs on ollama.com",
        "gpt-oss:120b-cloud · cloud, runs on ollama.com",
    ]
    assert box.value == "qwen3:0.6b"


def test_a_model_already_in_memory_is_the_default(open_app, fake):
    fake.add_cloud_models()
    requests.post(f"{fake.url}/api/generate", json={"model": "llava:7b"}).raise_for_status()
    assert default_model_box(open_app()).value == "llava:7b"


def test_the_model_of_the_visitors_latest_chat_is_the_default_on_a_later_visit(open_app, fake):
    at = open_app("app_pages/chat.py")
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ModelRef("llama3.2:latest", fake.url)).run()
    at.chat_input[0].set_value("Hello").run()
    assert fake.requests_to("/api/chat")[-1].body["model"] == "llama3.2:latest"
    assert default_model_box(open_app()).value == "llama3.2:latest"  # the same browser, a new session
    assert default_model_box(open_app(browser=None)).value == "qwen3:0.6b"  # another browser


def test_a_model_whose_last_answer_failed_is_not_the_default_on_a_later_visit(open_app, fake):
    at = open_app("app_pages/chat.py")
    fake.add_fault("/api/chat", "http", status=500, message="llama runner process has terminated")
    at.chat_input[0].set_value("Hello").run()
    assert fake.requests_to("/api/chat")[-1].body["model"] == "qwen3:0.6b"
    assert default_model_box(open_app()).value == "llama3.2:latest"  # the next smallest


def test_a_model_that_failed_only_because_the_server_was_down_stays_the_default(open_app, fake):
    at = open_app("app_pages/chat.py")
    fake.add_fault("/api/chat", "drop", after=0)
    at.chat_input[0].set_value("Hello").run()
    assert default_model_box(open_app()).value == "qwen3:0.6b"


def test_a_default_model_the_session_holds_is_kept(studio_env):
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    at.session_state[state.DEFAULT_MODEL] = "qwen3:0.6b"
    at.run()
    assert default_model_box(at).value == "qwen3:0.6b"


def test_a_server_without_chat_models_says_so(open_app, fake):
    for name in CHAT_MODELS:
        fake.store.remove(parse_name(name))
    at = open_app()
    assert "No model that can chat is installed yet." in captions(at)
    assert not at.sidebar.selectbox


def test_no_default_model_box_while_the_server_is_down(open_app, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    at = open_app()
    assert status(at) == ":red[●] **Not connected**"
    assert not at.sidebar.selectbox
    assert "No model that can chat is installed yet." not in captions(at)


def test_the_timeout_reads_as_whole_seconds(app):
    assert app.sidebar.number_input(key=state.MODEL_TIMEOUT_INPUT).proto.format == "%.0f"


# Several servers (the list itself: tests/fleet/test_panel.py)


def test_an_added_servers_address_typed_in_the_box_makes_it_the_sidebars_with_its_key(app, fake):
    with FakeOllama() as gpu:
        gpu.api_key = "sk-gpu"
        app.session_state[state.FLEET_ADDED] = [(gpu.url, "gpu")]
        app.session_state[state.SERVER_KEYS] = {gpu.url: "sk-gpu"}
        app.run()
        address_box(app).input(gpu.url).run()
        assert status(app).startswith(":green[●] **Connected**")
        assert "**gpu** · 2 servers · 2 answering" in captions(app)
        assert gpu.requests[-1].headers["Authorization"] == "Bearer sk-gpu"


def test_a_key_typed_for_the_sidebars_server_stays_with_it_when_the_sidebar_moves(app, fake):
    with FakeOllama() as gpu:
        fake.api_key = "sk-laptop"
        app.session_state[state.FLEET_ADDED] = [(gpu.url, "gpu")]
        app.run()
        key_box(app).input("sk-laptop").run()
        address_box(app).input(gpu.url).run()  # the sidebar on gpu: laptop is still one of the fleet
        assert app.session_state[state.API_KEY] is None
        assert all("Authorization" not in request.headers for request in gpu.requests)
        assert "**gpu** · 2 servers · 2 answering" in captions(app)  # laptop still gets its key: it answers
        address_box(app).input(fake.url).run()  # and back: its key again
        assert app.session_state[state.API_KEY] == "sk-laptop"
        assert status(app).startswith(":green[●] **Connected**")
