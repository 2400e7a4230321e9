"""The sidebar every page shares: server address and status, connection settings, default model."""

from __future__ import annotations

import streamlit as st

from lib import server_data, state
from lib.errors import OllamaError
from lib.host import InvalidHost, display_host, normalize_host


def render() -> None:
    with st.sidebar:
        _status()
        _default_model()
        with st.expander("Connection", icon=":material/settings_ethernet:"):
            _connection_settings()


def _status() -> None:
    client = server_data.client()
    try:
        version = server_data.version(client)
    except OllamaError:
        st.markdown(":red[●] **Not connected**")
    else:
        st.markdown(f":green[●] **Connected** · Ollama {version}")
    st.caption(f"`{display_host(client.base_url)}`")


def _default_model() -> None:
    try:
        names = server_data.models_with(server_data.client(), "completion")
    except OllamaError:
        return
    if not names:
        st.caption("No model that can chat is installed yet.")
        return
    current = state.get(state.DEFAULT_MODEL)
    index = names.index(current) if current in names else 0
    chosen = st.selectbox("Default model", names, index=index, key=state.DEFAULT_MODEL_INPUT,
                          help="Chat and Generate start with this model selected.")
    state.put(state.DEFAULT_MODEL, chosen)


def _connection_settings() -> None:
    st.text_input(
        "Server address",
        value=display_host(state.get(state.SERVER_URL)),
        key=state.SERVER_URL_INPUT,
        on_change=_apply_address,
        help="Like OLLAMA_HOST: `localhost`, `myhost:11434`, `https://ollama.example.com`.",
    )
    if state.get(state.ADDRESS_ERROR):
        st.error(state.get(state.ADDRESS_ERROR))
    st.text_input(
        "API key",
        type="password",
        key=state.API_KEY_INPUT,
        on_change=_apply_api_key,
        placeholder="a key is set; type to replace it" if state.get(state.API_KEY) else "none",
        help="Only for servers behind an authenticating proxy. Kept for this browser session only.",
    )
    st.number_input(
        "Timeout for model answers (seconds)",
        min_value=1.0,
        max_value=3600.0,
        step=5.0,
        value=float(state.get(state.MODEL_TIMEOUT)),
        key=state.MODEL_TIMEOUT_INPUT,
        on_change=_apply_timeout,
        help="How long to wait for a model that is loading before giving up.",
    )


def _apply_address() -> None:
    try:
        state.put(state.SERVER_URL, normalize_host(st.session_state[state.SERVER_URL_INPUT]))
    except InvalidHost as error:
        state.put(state.ADDRESS_ERROR, str(error))
        return
    state.put(state.ADDRESS_ERROR, None)
    state.put(state.DEFAULT_MODEL, None)


def _apply_api_key() -> None:
    """Keep the key in session state only and empty the box, so the page never holds it."""
    typed = st.session_state[state.API_KEY_INPUT].strip()
    st.session_state[state.API_KEY_INPUT] = ""
    if typed:
        state.put(state.API_KEY, typed)


def _apply_timeout() -> None:
    state.put(state.MODEL_TIMEOUT, float(st.session_state[state.MODEL_TIMEOUT_INPUT]))
