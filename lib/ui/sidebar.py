"""The sidebar every page shares: language, server address and status, connection settings and the
session's servers, default model."""

from __future__ import annotations

import streamlit as st

from lib import i18n, server_data, settings, state
from lib.access import locked as access
from lib.access import visitor
from lib.fleet import catalog, panel, session
from lib.i18n import code, t
from lib.ollama.errors import OllamaError
from lib.ollama.host import InvalidHost, display_host, normalize_host
from lib.ui import shortcuts, widgets
from lib.ui.markdown_safety import escape_markdown


def render() -> None:
    with st.sidebar:
        _language()
        states = catalog.survey() if len(session.servers()) > 1 else None
        _status(states)
        _default_model()
        with st.expander(t("sidebar.connection"), icon=":material/settings_ethernet:"):
            _connection_settings()
            if access.can_change_server():
                panel.render(states)
        if access.is_locked() and access.configured_password() is not None:
            with st.expander(t("sidebar.administration"), icon=":material/admin_panel_settings:"):
                _administration()
        shortcuts.render()


def _language() -> None:
    """English or 简体中文, each named in its own language so anyone can find theirs."""
    st.session_state[state.LANGUAGE_INPUT] = i18n.language()
    st.segmented_control(
        t("sidebar.language"),
        list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.__getitem__,
        key=state.LANGUAGE_INPUT,
        on_change=_apply_language,
        label_visibility="collapsed",
    )


def _status(states: list[catalog.ServerState] | None) -> None:
    """The sidebar's server: answering or not, its address; with several servers, its name and how many answer."""
    client = server_data.client()
    try:
        version = server_data.version(client)
    except OllamaError:
        st.markdown(f":red[●] **{t('sidebar.not_connected')}**")
    else:
        st.markdown(f":green[●] **{t('sidebar.connected')}** · Ollama {escape_markdown(version)}")
    st.caption(code(display_host(client.base_url)))
    # Always a slot, filled or not: a sidebar whose elements shift when a server is added would redraw the
    # Connection expander below it closed, under the hand of the person adding the server.
    fleet_line = st.empty()
    if states is not None:
        fleet_line.caption(
            t("fleet.sidebar_fleet", name=session.current().name, n=len(states), answering=catalog.answering(states))
        )


def _default_model() -> None:
    client = server_data.client()
    try:
        names = server_data.models_with(client, "completion")
    except OllamaError:
        return
    if not names:
        st.caption(t("sidebar.no_chat_model"))
        return
    current = state.get(state.DEFAULT_MODEL)
    if current not in names:
        current = server_data.preferred_model(client, names, *visitor.recent_models())
    chosen = st.selectbox(
        t("sidebar.default_model"),
        names,
        index=names.index(current) if current in names else 0,
        key=state.DEFAULT_MODEL_INPUT,
        help=t("sidebar.default_model_help"),
        format_func=widgets.model_label(server_data.remote_models(client)),
    )
    state.put(state.DEFAULT_MODEL, chosen)


def _connection_settings() -> None:
    if access.can_change_server():
        _server_address()
    else:
        _fixed_server()
    st.number_input(
        t("sidebar.timeout"),
        min_value=1.0,
        max_value=3600.0,
        step=5.0,
        format="%.0f",
        value=float(state.get(state.MODEL_TIMEOUT)),
        key=state.MODEL_TIMEOUT_INPUT,
        on_change=_apply_timeout,
        help=t("sidebar.timeout_help"),
    )


def _fixed_server() -> None:
    """Locked mode: the servers from OLLAMA_HOST only, and no API key box."""
    servers = settings.env_hosts()
    if len(servers) == 1:
        st.caption(t("sidebar.fixed_server", server=display_host(servers[0])))
        return
    current = access.server_url(state.get(state.SERVER_URL))
    st.selectbox(
        t("sidebar.server"),
        servers,
        index=servers.index(current),
        format_func=display_host,
        key=state.SERVER_CHOICE_INPUT,
        on_change=_apply_server_choice,
        help=t("sidebar.server_help"),
    )


def _server_address() -> None:
    st.text_input(
        t("sidebar.server_address"),
        value=display_host(state.get(state.SERVER_URL)),
        key=state.SERVER_URL_INPUT,
        on_change=_apply_address,
        help=t("sidebar.server_address_help"),
    )
    if state.get(state.ADDRESS_ERROR):
        st.error(state.get(state.ADDRESS_ERROR))
    st.text_input(
        t("sidebar.api_key"),
        type="password",
        key=state.API_KEY_INPUT,
        on_change=_apply_api_key,
        placeholder=t("sidebar.api_key_set") if server_data.client().has_api_key else t("sidebar.api_key_none"),
        help=t("sidebar.api_key_help"),
    )


def _administration() -> None:
    if access.can_manage_models():
        st.caption(t("sidebar.signed_in"))
        st.button(t("sidebar.sign_out"), icon=":material/logout:", key="admin_sign_out", on_click=access.sign_out)
        return
    st.text_input(
        t("sidebar.admin_password"),
        type="password",
        key=state.ADMIN_PASSWORD_INPUT,
        on_change=_apply_password,
        help=t("sidebar.admin_password_help"),
    )
    if state.get(state.ADMIN_ERROR):
        st.error(state.get(state.ADMIN_ERROR))


def _apply_address() -> None:
    """Use the typed address; a key typed for the previous server is not sent to the new one."""
    try:
        address = normalize_host(st.session_state[state.SERVER_URL_INPUT])
    except InvalidHost as error:
        state.put(state.ADDRESS_ERROR, t(error.key, **error.values))
        return
    state.put(state.ADDRESS_ERROR, None)
    if address != state.get(state.SERVER_URL):
        state.put(state.SERVER_URL, address)
        state.put(state.DEFAULT_MODEL, None)
        state.put(state.API_KEY, (state.get(state.SERVER_KEYS) or {}).get(address))  # typed for it when it was added


def _apply_api_key() -> None:
    """Keep the key in session state only and empty the box, so the page never holds it. It is kept for its
    server too, so the fleet still sends it there once the sidebar moves to another server (and back)."""
    typed = st.session_state[state.API_KEY_INPUT].strip()
    st.session_state[state.API_KEY_INPUT] = ""
    if typed:
        state.put(state.API_KEY, typed)
        server = access.server_url(state.get(state.SERVER_URL))
        state.put(state.SERVER_KEYS, {**(state.get(state.SERVER_KEYS) or {}), server: typed})


def _apply_server_choice() -> None:
    state.put(state.SERVER_URL, access.server_url(st.session_state[state.SERVER_CHOICE_INPUT]))
    state.put(state.DEFAULT_MODEL, None)


def _apply_password() -> None:
    """Check the password and empty the box, so the page never holds it."""
    typed = st.session_state[state.ADMIN_PASSWORD_INPUT]
    st.session_state[state.ADMIN_PASSWORD_INPUT] = ""
    signed_in = access.sign_in(typed)
    state.put(state.ADMIN_ERROR, None if signed_in or not typed else access.refusal() or t("sidebar.wrong_password"))


def _apply_language() -> None:
    """A click on the chosen language deselects it (value None): the language stays."""
    i18n.choose(st.session_state[state.LANGUAGE_INPUT] or i18n.language())


def _apply_timeout() -> None:
    state.put(state.MODEL_TIMEOUT, float(st.session_state[state.MODEL_TIMEOUT_INPUT]))
