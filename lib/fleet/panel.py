"""The sidebar's servers, at the end of the Connection expander: each server with its health dot, name
and address, and adding, renaming, keying and removing the servers added there (:mod:`lib.fleet.manage`).

With one server only **Add a server** shows, so the sidebar looks as it did before there was a fleet.
Not drawn when locked: the list is then ``OLLAMA_HOST``'s (:func:`lib.ui.sidebar.render`).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from lib import state
from lib.fleet import manage, session
from lib.fleet.catalog import ServerState
from lib.fleet.servers import Server
from lib.i18n import code, markdown, t, t_plain
from lib.ollama.host import display_host


def render(states: list[ServerState] | None) -> None:
    """``states``: :func:`lib.fleet.catalog.survey` when the session has several servers, else ``None``."""
    if states is not None:
        st.markdown(t("fleet.servers_heading"))
        current = session.current().url
        for entry in states:
            _row(entry, current)
    with st.popover(t("fleet.add"), icon=":material/add:"):
        _add_form()
    problem = state.get(state.FLEET_PROBLEM)
    if problem:
        st.error(problem)


def slug(url: str) -> str:
    """A widget key's suffix for the server at ``url``: the same on every run, whatever the list's order."""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def _row(entry: ServerState, current: str) -> None:
    """``● name`` (with its edit popover when it was added here), then its address and what to know about it."""
    server = entry.server
    line = st.container(horizontal=True, vertical_alignment="center", gap="small")
    line.markdown(t("fleet.row_up" if entry.up else "fleet.row_down", name=server.name))
    if manage.editable(server.url):
        with line.popover("", icon=":material/edit:", help=t("fleet.edit_help", name=server.name)):
            _edit(server, current)
    notes = [code(display_host(server.url))]
    if server.url == current:
        notes.append(t("fleet.sidebars_server"))
    if server.from_env:
        notes.append(t("fleet.from_env"))
    if not entry.up:
        notes.append(t("fleet.not_answering"))
    st.caption(markdown(" · ".join(notes)))


def _edit(server: Server, current: str) -> None:
    """An added server's name, its key (not for the sidebar's own: that is the API key box above) and Remove."""
    suffix = slug(server.url)
    box = f"{state.FLEET_NAME_INPUT}_{suffix}"
    st.session_state.setdefault(box, dict(manage.added()).get(server.url) or "")
    st.text_input(
        t("fleet.name"),
        placeholder=server.name,
        key=box,
        on_change=_apply_rename,
        args=(server.url,),
        help=t("fleet.name_help"),
    )
    if server.url == current:
        st.caption(t("fleet.own_key_above"))
        return
    st.text_input(
        t("fleet.key"),
        type="password",
        key=f"{state.FLEET_KEY_INPUT}_{suffix}",
        on_change=_apply_key,
        args=(server.url,),
        placeholder=t_plain("sidebar.api_key_set") if manage.has_key(server.url) else t_plain("sidebar.api_key_none"),
        help=t("fleet.key_help"),
    )
    st.button(
        t("fleet.remove"),
        icon=":material/delete:",
        key=f"{state.FLEET_REMOVE_BUTTON}_{suffix}",
        on_click=_apply_remove,
        args=(server.url,),
    )


def _add_form() -> None:
    with st.form("fleet_add_form", border=False):
        st.text_input(
            t("fleet.address"),
            key=state.FLEET_ADD_ADDRESS_INPUT,
            placeholder=t_plain("fleet.address_placeholder"),
            help=t("sidebar.server_address_help"),
        )
        st.text_input(
            t("fleet.name"),
            key=state.FLEET_ADD_NAME_INPUT,
            placeholder=t_plain("fleet.name_placeholder"),
            help=t("fleet.name_help"),
        )
        st.text_input(t("fleet.key"), type="password", key=state.FLEET_ADD_KEY_INPUT, help=t("fleet.key_help"))
        st.form_submit_button(t("fleet.add_button"), icon=":material/add:", key="fleet_add_submit", on_click=_apply_add)


def _apply_add() -> None:
    """Add the typed server; the key box is emptied at once, whatever happens, so the page never holds it."""
    key = st.session_state.get(state.FLEET_ADD_KEY_INPUT) or ""
    st.session_state[state.FLEET_ADD_KEY_INPUT] = ""
    problem = manage.add(
        st.session_state.get(state.FLEET_ADD_ADDRESS_INPUT) or "",
        st.session_state.get(state.FLEET_ADD_NAME_INPUT) or "",
        key,
    )
    state.put(state.FLEET_PROBLEM, problem)
    if problem is None:
        st.session_state[state.FLEET_ADD_ADDRESS_INPUT] = ""
        st.session_state[state.FLEET_ADD_NAME_INPUT] = ""


def _apply_rename(url: str) -> None:
    box = f"{state.FLEET_NAME_INPUT}_{slug(url)}"
    problem = manage.rename(url, st.session_state.get(box) or "")
    state.put(state.FLEET_PROBLEM, problem)
    if problem is not None:  # the box goes back to the name the server keeps
        st.session_state[box] = dict(manage.added()).get(url) or ""


def _apply_key(url: str) -> None:
    box = f"{state.FLEET_KEY_INPUT}_{slug(url)}"
    typed = st.session_state.get(box) or ""
    st.session_state[box] = ""
    state.put(state.FLEET_PROBLEM, manage.set_key(url, typed))


def _apply_remove(url: str) -> None:
    state.put(state.FLEET_PROBLEM, manage.remove(url))
