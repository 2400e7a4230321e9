"""Locked mode for public demos: lib/access/locked.py's rules, and the sidebar and Models page under them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import settings, state
from lib.access import locked as access
from tests.streamlit_process import free_port

ENTRY_POINT = str(Path(__file__).resolve().parents[2] / "Home.py")
MODELS_PAGE = "app_pages/models.py"
PASSWORD = "correct horse battery staple"


# Rules


@pytest.mark.parametrize(
    ("value", "locked"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("no", False),
        ("false", False),
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
    ],
)
def test_locked_mode_is_read_from_the_environment(value, locked):
    environ = {} if value is None else {access.LOCKED_VARIABLE: value}
    assert access.is_locked(environ) is locked


SERVERS = ["http://127.0.0.1:11434", "http://gpu-box:11434"]


@pytest.mark.parametrize(
    ("requested", "locked", "used"),
    [
        ("http://elsewhere:11434", False, "http://elsewhere:11434"),
        (None, False, SERVERS[0]),
        ("http://gpu-box:11434", True, "http://gpu-box:11434"),
        ("http://elsewhere:11434", True, SERVERS[0]),
        ("http://169.254.169.254:80", True, SERVERS[0]),
        (None, True, SERVERS[0]),
    ],
)
def test_locked_mode_only_uses_the_fixed_servers(requested, locked, used):
    assert access.allowed_server(requested, SERVERS, locked) == used


@pytest.mark.parametrize(
    ("typed", "expected", "matches"),
    [
        ("secret", "secret", True),
        ("Secret", "secret", False),
        ("secret ", "secret", False),
        ("", "secret", False),
        ("", None, False),
        ("anything", None, False),
        ("", "", False),
        ("pässwörd", "pässwörd", True),
    ],
)
def test_password_check(typed, expected, matches):
    assert access.password_matches(typed, expected) is matches


@pytest.mark.parametrize(
    ("raw", "hosts"),
    [
        (None, ["http://127.0.0.1:11434"]),
        ("", ["http://127.0.0.1:11434"]),
        ("gpu-box", ["http://gpu-box:11434"]),
        ("gpu-box, https://ollama.example.com", ["http://gpu-box:11434", "https://ollama.example.com:443"]),
        ("gpu-box,,gpu-box:11434", ["http://gpu-box:11434"]),
        ("ftp://nope,gpu-box", ["http://gpu-box:11434"]),
        ("ftp://nope", ["http://127.0.0.1:11434"]),
    ],
)
def test_ollama_host_may_list_several_servers(raw, hosts, monkeypatch):
    if raw is None:
        monkeypatch.delenv("OLLAMA_HOST", raising=False)
    else:
        monkeypatch.setenv("OLLAMA_HOST", raw)
    assert settings.env_hosts() == hosts
    assert settings.env_host() == hosts[0]


# The app, locked


@pytest.fixture
def locked_env(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))


def open_models(password: str | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    if password is not None:
        at.secrets[access.PASSWORD_SECRET] = password
    at.switch_page(MODELS_PAGE).run()
    assert not at.exception
    return at


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def keys(elements) -> set[str]:
    return {element.key for element in elements}


def management_hidden(at: AppTest) -> bool:
    labels = tab_labels(at)
    buttons = keys(at.button)
    return (
        "Pull" not in labels
        and "Create" not in labels
        and not {"models_copy", "models_delete", "models_edit_as_new", "models_pull_submit"} & buttons
    )


def test_locked_sidebar_shows_the_fixed_server_and_no_address_or_key_box(locked_env, fake):
    at = open_models()
    sidebar_inputs = keys(at.sidebar.text_input)
    assert state.SERVER_URL_INPUT not in sidebar_inputs
    assert state.API_KEY_INPUT not in sidebar_inputs
    assert any("fixed for this demo" in caption.value and fake.url in caption.value for caption in at.sidebar.caption)
    assert not any(expander.label == "Administration" for expander in at.sidebar.expander)


def test_locked_models_page_hides_pull_create_copy_and_delete_without_a_password(locked_env, fake):
    at = open_models()
    assert tab_labels(at) == ["Installed", "Running"]
    assert management_hidden(at)
    assert "turned off on this demo" in " ".join(caption.value for caption in at.caption)
    assert at.dataframe[0].value.shape[0] == 5  # the list itself is still there


def test_a_tab_asked_for_by_the_session_is_not_opened_when_hidden(locked_env, fake):
    at = open_models()
    at.session_state[state.MODELS_TAB] = "Pull"
    at.session_state[state.ADMIN] = True  # no password configured: the flag alone grants nothing
    at.run()
    assert management_hidden(at)
    assert fake.requests_to("/api/pull") == []


def test_session_state_cannot_point_a_locked_app_elsewhere(locked_env, fake):
    at = open_models()
    elsewhere = f"http://127.0.0.1:{free_port()}"
    at.session_state[state.SERVER_URL] = elsewhere
    at.session_state[state.API_KEY] = "visitor-key"
    at.run()
    assert not at.error
    assert at.session_state[state.CLIENT][1].base_url == fake.url
    assert all("Authorization" not in request.headers for request in fake.requests)


def test_the_environments_api_key_is_used_when_locked(locked_env, fake, monkeypatch):
    fake.api_key = "demo-key"
    monkeypatch.setenv("OLLAMA_API_KEY", "demo-key")
    at = open_models()
    assert not at.error
    assert fake.requests[-1].headers["Authorization"] == "Bearer demo-key"


def test_several_fixed_servers_are_offered_and_nothing_else(fake, monkeypatch, tmp_path):
    other = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("OLLAMA_HOST", f"{fake.url},{other}")
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    choice = at.sidebar.selectbox(key=state.SERVER_CHOICE_INPUT)
    assert choice.options == [fake.url, f"http://{other}"]
    choice.set_value(f"http://{other}").run()
    assert "Not connected" in at.sidebar.markdown[0].value
    at.sidebar.selectbox(key=state.SERVER_CHOICE_INPUT).set_value(fake.url).run()
    assert "Connected" in at.sidebar.markdown[0].value


def test_a_wrong_password_is_refused_and_the_right_one_unlocks_until_sign_out(locked_env, fake):
    at = open_models(PASSWORD)
    assert any(expander.label == "Administration" for expander in at.sidebar.expander)
    at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).input("guess").run()
    assert "not the administrator password" in at.sidebar.error[0].value
    assert management_hidden(at)

    at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).input(PASSWORD).run()
    assert not at.sidebar.error
    assert tab_labels(at) == ["Installed", "Running", "Pull", "Create"]
    assert {"models_copy", "models_delete"} <= keys(at.button)
    at.button(key="models_delete").click().run()
    at.button(key="models_delete_confirm").click().run()
    assert [request.body for request in fake.requests_to("/api/delete")] == [{"model": "all-minilm:latest"}]

    at.session_state[state.MODELS_TAB] = "Pull"
    at.run()
    at.sidebar.button(key="admin_sign_out").click().run()
    assert management_hidden(at)
    assert at.session_state[state.MODELS_TAB] == "Installed"


def test_the_password_never_stays_in_the_page(locked_env, fake):
    at = open_models(PASSWORD)
    at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).input(PASSWORD).run()
    at.sidebar.button(key="admin_sign_out").click().run()
    assert at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).value == ""
    assert at.session_state[state.ADMIN] is False


def test_unlocked_app_keeps_every_control(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.delenv(access.LOCKED_VARIABLE, raising=False)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = open_models(PASSWORD)
    assert {state.SERVER_URL_INPUT, state.API_KEY_INPUT} <= keys(at.sidebar.text_input)
    assert tab_labels(at) == ["Installed", "Running", "Pull", "Create"]
    assert not any(expander.label == "Administration" for expander in at.sidebar.expander)


def test_a_locked_app_with_its_server_down_does_not_suggest_changing_the_address(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    advice = " ".join(m.value for m in at.markdown)
    assert "tell whoever runs the demo" in advice
    assert "sidebar" not in advice and "OLLAMA_HOST" not in advice
    assert "Nothing is answering" in at.error[0].value
