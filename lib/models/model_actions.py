"""Copy, edit as new and delete, for the model chosen on the Installed tab; a deletion asks first.

Only visitors who may manage models get these (:func:`lib.access.locked.can_manage_models`). With several
servers, the chosen model can also be copied onto another server (:func:`lib.models.servers.copy_across`), and
a deletion is confirmed only on the server it was asked on.
A model deleted meanwhile by someone else (404) is reported as already gone, not as a failure.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import state
from lib.i18n import t, t_plain
from lib.models import create_tab, inventory, notices, servers
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError, ResponseError
from lib.ui import widgets


def draw(client: OllamaClient, chosen: str, shown: dict[str, Any], names: list[str]) -> None:
    """A name to copy to (a free derived name when left empty) and the three buttons."""
    st.markdown(t("models.actions"))
    field, buttons = st.columns([2, 3], vertical_alignment="bottom")
    copy_default = inventory.derived_name(chosen, "copy", set(names))
    if state.get(state.MODELS_COPY_DONE):  # the name of a copy made: not offered again
        state.put(state.MODELS_COPY_DONE, False)
        st.session_state[state.MODELS_COPY_NAME_INPUT] = ""
    copy_name = field.text_input(
        t("models.copy_as"),
        key=state.MODELS_COPY_NAME_INPUT,
        placeholder=t_plain("models.copy_as_placeholder", name=copy_default),
    )
    row = buttons.container(horizontal=True)
    if row.button(t("models.copy"), icon=":material/content_copy:", key="models_copy"):
        copy(client, chosen, copy_name.strip() or copy_default)
    row.button(
        t("models.edit_as_new"),
        icon=":material/edit_note:",
        key="models_edit_as_new",
        on_click=create_tab.prefill,
        args=(chosen, shown.get("modelfile") or "", names),
    )
    if row.button(t("models.delete"), icon=":material/delete:", key="models_delete"):
        state.put(state.MODELS_PENDING_DELETE, (client.base_url, chosen))
    servers.copy_across(client, chosen)


def copy(client: OllamaClient, source: str, destination: str) -> None:
    problem = inventory.name_problem(destination)
    if problem:
        st.error(problem)
        return
    try:
        client.copy(source, destination)
    except OllamaError as error:
        widgets.show_error(error)
        return
    state.put(state.MODELS_COPY_DONE, True)
    notices.notify(
        "success",
        t("models.copied", source=source, destination=destination),
        listed=destination,
        unless=t("models.copy_not_done", source=source, destination=destination),
    )
    notices.refresh()


def confirm_delete(client: OllamaClient) -> None:
    """The deletion waiting for confirmation, if any, naming the model; Keep it forgets it."""
    pending = state.get(state.MODELS_PENDING_DELETE)
    if not pending:
        return
    server, pending = pending if isinstance(pending, tuple) else ("", pending)
    if server != client.base_url:  # asked on another server: never deleted on this one
        state.put(state.MODELS_PENDING_DELETE, None)
        return
    with st.container(border=True):
        if servers.several():
            st.warning(
                t("models.confirm_delete_on", name=pending, server=servers.name_of(server)), icon=":material/warning:"
            )
        else:
            st.warning(t("models.confirm_delete", name=pending), icon=":material/warning:")
        buttons = st.container(horizontal=True)
        confirmed = buttons.button(
            t("models.delete_named", name=pending),
            type="primary",
            key="models_delete_confirm",
        )
        if buttons.button(t("models.keep_it"), key="models_delete_cancel"):
            state.put(state.MODELS_PENDING_DELETE, None)
            st.rerun()
        if confirmed:
            delete(client, pending)


def delete(client: OllamaClient, name: str) -> None:
    """Delete after confirmation; a model that is already gone (404) is reported, and the list refreshed."""
    state.put(state.MODELS_PENDING_DELETE, None)
    try:
        client.delete(name)
    except ResponseError as error:
        if error.status_code != 404:
            widgets.show_error(error)
            return
        notices.notify("warning", t("models.already_gone", name=name))
    except OllamaError as error:
        widgets.show_error(error)
        return
    else:
        notices.notify(
            "success", t("models.deleted", name=name), gone=name, unless=t("models.delete_not_done", name=name)
        )
    notices.refresh()
