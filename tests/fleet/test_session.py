"""The session's servers and their clients (lib/fleet/session.py), in a Streamlit session."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib import state


def session_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet import session

    state.init()
    st.session_state["servers"] = [(s.name, s.url) for s in session.servers()]
    st.session_state["current"] = session.current().url
    st.session_state["keys"] = {s.url: session.client_for(s.url).has_api_key for s in session.servers()}
    try:
        session.client_for("http://10.9.9.9:11434")
    except session.UnknownServer:
        st.session_state["unknown"] = "refused"


def test_the_environments_servers_each_get_their_own_key(monkeypatch, studio_env, keep_main_module):
    monkeypatch.setenv("OLLAMA_HOST", "laptop=127.0.0.1:11434,gpu=10.0.0.7")
    monkeypatch.setenv("OLLAMA_API_KEY_GPU", "gpu-key")
    at = AppTest.from_function(session_app, default_timeout=30).run()
    assert at.session_state["servers"] == [("laptop", "http://127.0.0.1:11434"), ("gpu", "http://10.0.0.7:11434")]
    assert at.session_state["current"] == "http://127.0.0.1:11434"
    assert at.session_state["keys"] == {"http://127.0.0.1:11434": False, "http://10.0.0.7:11434": True}
    assert at.session_state["unknown"] == "refused"


def test_servers_added_in_the_sidebar_join_and_get_only_their_typed_key(monkeypatch, studio_env, keep_main_module):
    monkeypatch.setenv("OLLAMA_HOST", "laptop=127.0.0.1:11434")
    monkeypatch.setenv("OLLAMA_API_KEY", "env-key")
    at = AppTest.from_function(session_app, default_timeout=30)
    at.session_state[state.FLEET_ADDED] = [("http://10.0.0.8:11434", "lab"), ("http://10.0.0.9:11434", None)]
    at.session_state[state.SERVER_KEYS] = {"http://10.0.0.8:11434": "typed"}
    at.run()
    assert [name for name, _ in at.session_state["servers"]] == ["laptop", "lab", "10.0.0.9"]
    assert at.session_state["keys"] == {
        "http://127.0.0.1:11434": True,
        "http://10.0.0.8:11434": True,
        "http://10.0.0.9:11434": False,  # the environment's key never goes to a typed address
    }


def test_locked_the_session_cannot_add_servers_or_keys(monkeypatch, studio_env, keep_main_module):
    monkeypatch.setenv("OLLAMA_HOST", "laptop=127.0.0.1:11434")
    monkeypatch.setenv("OLLAMA_STUDIO_LOCKED", "1")
    at = AppTest.from_function(session_app, default_timeout=30)
    at.session_state[state.FLEET_ADDED] = [("http://10.0.0.8:11434", "lab")]
    at.session_state[state.SERVER_URL] = "http://10.0.0.8:11434"
    at.run()
    assert at.session_state["servers"] == [("laptop", "http://127.0.0.1:11434")]
    assert at.session_state["current"] == "http://127.0.0.1:11434"


def test_the_sidebars_server_keeps_the_name_it_was_added_with(monkeypatch, studio_env, keep_main_module):
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:11434")
    at = AppTest.from_function(session_app, default_timeout=30)
    at.session_state[state.FLEET_ADDED] = [("http://10.0.0.8:11434", "lab")]
    at.session_state[state.SERVER_URL] = "http://10.0.0.8:11434"  # its address typed in the sidebar
    at.run()
    assert at.session_state["servers"] == [("localhost", "http://127.0.0.1:11434"), ("lab", "http://10.0.0.8:11434")]
    assert at.session_state["current"] == "http://10.0.0.8:11434"


def test_a_typed_server_is_not_named_like_one_of_the_environment(monkeypatch, studio_env, keep_main_module):
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:11434")
    at = AppTest.from_function(session_app, default_timeout=30)
    at.session_state[state.SERVER_URL] = "http://127.0.0.1:9999"
    at.session_state[state.FLEET_ADDED] = [("http://127.0.0.1:9998", None)]  # a fleet: the environment's stays
    at.run()
    names = [name for name, _ in at.session_state["servers"]]
    assert names == ["localhost", "127.0.0.1:9999", "127.0.0.1:9998"]


def test_an_address_typed_over_a_lone_server_replaces_it_as_before(monkeypatch, studio_env, keep_main_module):
    """One server in OLLAMA_HOST, another typed in the sidebar: one server (the typed one), not a fleet of two."""
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:11434")
    at = AppTest.from_function(session_app, default_timeout=30)
    at.session_state[state.SERVER_URL] = "http://10.0.0.7:11434"
    at.run()
    assert at.session_state["servers"] == [("10.0.0.7", "http://10.0.0.7:11434")]
    at.session_state[state.FLEET_ADDED] = [("http://10.0.0.8:11434", "lab")]
    at.run()
    assert [name for name, _ in at.session_state["servers"]] == ["localhost", "10.0.0.7", "lab"]
