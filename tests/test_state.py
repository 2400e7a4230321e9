"""The session-state keys and their defaults (lib/state.py), in real script runs."""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import state


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch):
    """A script run makes its temporary file ``sys.modules["__main__"]``; put the real one back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def state_app() -> None:
    """Every page's first step; then ``put_these`` is written and each ``get_these`` read into ``got``."""
    import streamlit as st

    from lib import state

    state.init()
    for key, value in st.session_state.get("put_these", {}).items():
        state.put(key, value)
    st.session_state["got"] = {key: state.get(key) for key in st.session_state.get("get_these", [])}


def session(**preset) -> AppTest:
    at = AppTest.from_function(state_app, default_timeout=30)
    for key, value in preset.items():
        at.session_state[key] = value
    return at.run()


def key_constants() -> dict[str, str]:
    return {name: value for name, value in vars(state).items() if name.isupper() and isinstance(value, str)}


def test_no_two_names_share_a_key():
    """Two names on one key would make two widgets, or a widget and the value it edits, share a slot."""
    keys = key_constants()
    assert len(keys) > 100
    assert len(set(keys.values())) == len(keys)


def test_a_pages_parameters_have_their_own_key():
    assert state.options_key("chat") == "chat_options"
    assert state.options_key("chat") != state.options_key("generate")
    assert state.options_key("chat") not in key_constants().values()


def test_init_fills_in_the_defaults(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box,other-box")
    at = session()
    assert not at.exception
    assert at.session_state[state.SERVER_URL] == "http://gpu-box:11434"
    assert at.session_state[state.MODEL_TIMEOUT] == 180.0
    assert at.session_state[state.ADMIN] is False
    assert at.session_state[state.EMBED_FORM] == {}
    assert at.session_state[state.MODELS_CREATE_NAME] == ""
    for key in (state.API_KEY, state.LANGUAGE, state.DEFAULT_MODEL, state.ADDRESS_ERROR, state.CLIENT):
        assert at.session_state[key] is None, key


def test_the_default_server_is_read_when_the_session_starts(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "first-box")
    first = session()
    monkeypatch.setenv("OLLAMA_HOST", "second-box")
    assert first.run().session_state[state.SERVER_URL] == "http://first-box:11434"
    assert session().session_state[state.SERVER_URL] == "http://second-box:11434"


def test_init_keeps_what_the_session_already_holds():
    at = session(**{state.SERVER_URL: "http://gpu-box:11434", state.MODEL_TIMEOUT: 60.0, state.ADMIN: True})
    assert at.session_state[state.SERVER_URL] == "http://gpu-box:11434"
    assert at.session_state[state.MODEL_TIMEOUT] == 60.0
    assert at.session_state[state.ADMIN] is True


def test_a_value_put_stays_over_later_runs():
    at = session(put_these={state.DEFAULT_MODEL: "llava:7b", state.MODEL_TIMEOUT: 30.0})
    at.session_state["put_these"] = {}
    at.session_state["get_these"] = [state.DEFAULT_MODEL, state.MODEL_TIMEOUT]
    at.run()
    assert at.session_state["got"] == {state.DEFAULT_MODEL: "llava:7b", state.MODEL_TIMEOUT: 30.0}


def test_get_of_a_key_never_set_is_none_and_put_may_store_none():
    at = session(get_these=["no_such_key", state.CHAT_PENDING])
    assert at.session_state["got"] == {"no_such_key": None, state.CHAT_PENDING: None}
    at.session_state["put_these"] = {state.DEFAULT_MODEL: "llama3.2:latest"}
    at.run()
    at.session_state["put_these"] = {state.DEFAULT_MODEL: None}
    at.session_state["get_these"] = [state.DEFAULT_MODEL]
    at.run()
    assert at.session_state["got"] == {state.DEFAULT_MODEL: None}


def test_sessions_do_not_share_their_default_containers():
    first = session()
    first.session_state[state.EMBED_FORM]["embed_lines_input"] = "mine"
    first.run()
    assert session().session_state[state.EMBED_FORM] == {}
