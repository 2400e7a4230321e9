"""The Models page with several servers: the server it works on, chosen at the top, and copying a
model from that server's list onto another one, by pulling it there by name.

With one server there is no choice to make and nothing is drawn: the page works on the sidebar's
server, as before there was a fleet.
"""

from __future__ import annotations

import streamlit as st

from lib import server_data, state
from lib.fleet import session
from lib.fleet.models import server_name
from lib.i18n import t, t_plain
from lib.models import inventory, pull_panel
from lib.models.pull import PullJob
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ollama.host import display_host


def chosen_client() -> OllamaClient:
    """The client of the server the page works on; with several servers, a select box chooses it
    (the sidebar's server at first, the last choice afterwards, even after another page)."""
    servers = session.servers()
    if len(servers) <= 1:
        return server_data.client()
    urls = [server.url for server in servers]
    chosen = state.get(state.MODELS_SERVER)
    if chosen not in urls:
        chosen = session.current().url
        state.put(state.MODELS_SERVER, chosen)
    st.session_state[state.MODELS_SERVER_INPUT] = chosen
    st.selectbox(
        t("models.server"),
        urls,
        key=state.MODELS_SERVER_INPUT,
        format_func=lambda url: t_plain(
            "models.server_option", name=server_name(url, servers), address=display_host(url)
        ),
        on_change=_apply_choice,
        help=t("models.server_help"),
    )
    return session.client_for(chosen)


def _apply_choice() -> None:
    state.put(state.MODELS_SERVER, st.session_state[state.MODELS_SERVER_INPUT])
    state.put(state.MODELS_PENDING_DELETE, None)  # a deletion asked on one server is never confirmed on another


def name_of(url: str) -> str:
    """The session's name for the server at ``url`` (its host when it is no longer listed)."""
    return server_name(url, session.servers())


def several() -> bool:
    return len(session.servers()) > 1


def copy_across(client: OllamaClient, model: str) -> None:
    """Copy to another server: pull ``model`` by name onto a server picked among the others.

    The pull is an ordinary one on that server (its progress above the tabs, one pull at a time);
    a model that is not in the registry, such as one created on this server, cannot be copied so,
    and the pull says it in a sentence (:func:`lib.models.pull_panel.ending`).
    """
    others = [server.url for server in session.servers() if server.url != client.base_url]
    if not others:
        return
    st.markdown(t("models.copy_across_heading"))
    if st.session_state.get(state.MODELS_COPY_TARGET_INPUT) not in others:
        st.session_state[state.MODELS_COPY_TARGET_INPUT] = others[0]
    field, button = st.columns([2, 3], vertical_alignment="bottom")
    target = field.selectbox(
        t("models.copy_across_target"),
        others,
        key=state.MODELS_COPY_TARGET_INPUT,
        format_func=lambda url: t_plain("models.server_option", name=name_of(url), address=display_host(url)),
    )
    busy = pull_panel.running()
    if button.button(
        t("models.copy_across_button", server=name_of(target)),
        icon=":material/move_down:",
        key="models_copy_across",
        disabled=busy,
    ):
        started = PullJob(session.client_for(target).clone(), model, copied_from=client.base_url)
        state.put(state.MODELS_PULL_JOB, started.start())
        st.rerun()
    running = pull_panel.current()
    if busy and running is not None and running.copied_from == client.base_url and running.model == model:
        st.caption(t("models.copy_across_running", model=model, server=name_of(running.server)))
    elif busy:
        st.caption(t("models.one_pull_at_a_time"))
    elif _has(target, model):
        st.caption(t("models.copy_across_present", model=model, server=name_of(target)))
    else:
        st.caption(t("models.copy_across_help", model=model, server=name_of(target)))


def _has(url: str, model: str) -> bool:
    """Whether the server at ``url`` lists ``model`` already; ``False`` when its list cannot be read."""
    try:
        return inventory.is_listed(server_data.models(session.client_for(url)), model)
    except OllamaError:
        return False
