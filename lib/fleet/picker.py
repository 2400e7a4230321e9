"""The model select box of a fleet: every server's models, each shown as ``model · server``."""

from __future__ import annotations

import streamlit as st

from lib import server_data, state
from lib.fleet import catalog, session
from lib.fleet.models import SEPARATOR, ModelRef, label, server_name
from lib.fleet.servers import Server
from lib.i18n import t, t_plain
from lib.ui import widgets


def model_picker(text: str, capability: str, key: str, *, help: str | None = None) -> ModelRef | None:
    """A select box of the models with ``capability`` on every reachable server of the session.

    Starts on the sidebar's default model on the sidebar's server when it qualifies. Servers that
    cannot be reached are named under the box. Returns ``None``, after saying why, when there is
    nothing to pick; pages then ``st.stop()``.
    """
    states = catalog.survey()
    servers = [entry.server for entry in states]
    refs = catalog.refs_with(capability, states)
    down = [entry for entry in states if not entry.up]
    if not refs:
        if down and len(down) == len(states):
            assert down[0].error is not None
            widgets.show_error(down[0].error)
            widgets.retry_button()
        else:
            st.info(t("widgets.no_capable_model", capability=capability), icon=":material/info:")
        return None
    unavailable = catalog.unavailable_refs(capability, states)
    restore(key, servers)
    stranded = _stranded(key, down)
    if stranded is not None and stranded not in unavailable:
        unavailable.append(stranded)
    options = refs + unavailable
    ensure_choice(key, refs, kept=stranded)
    remote = {url: server_data.remote_models(session.client_for(url)) for url in {ref.server for ref in refs}}

    def wording(ref: ModelRef) -> str:
        named = label(ref, servers)
        if ref in unavailable:
            return f"{named} · {t_plain('fleet.option_down')}"
        host = remote[ref.server].get(ref.model)
        return named if host is None else f"{named} · {t_plain('widgets.runs_elsewhere', host=host)}"

    chosen: ModelRef = st.selectbox(text, options, key=key, help=help, format_func=wording)
    if chosen in unavailable:
        st.warning(
            t("fleet.picked_down", model=chosen.model, server=server_name(chosen.server, servers)),
            icon=":material/cloud_off:",
        )
    for entry in down:
        if not entry.known and (stranded is None or entry.server.url != stranded.server):
            st.caption(t("fleet.server_down", server=entry.server.name))
    return chosen


def restore(key: str, servers: list[Server]) -> None:
    """Turn the box's value back into the :class:`ModelRef` it was when Streamlit gives back its old label instead.

    A select box remembers its choice by label, and gives back the label itself (a ``str``) when no option has
    it any more: the label of a pick changes when its server goes away (" · not answering") or comes back. The
    label is ``model · server`` (or the model alone with one server), maybe followed by a note after `` · ``.
    """
    picked = st.session_state.get(key)
    if not isinstance(picked, str) or not picked:
        return
    model = picked.split(SEPARATOR)[0]
    for server in servers:
        ref = ModelRef(model, server.url)
        named = label(ref, servers)
        if picked == named or picked.startswith(named + SEPARATOR):
            st.session_state[key] = ref
            return


def _stranded(key: str, down: list[catalog.ServerState]) -> ModelRef | None:
    """The box's pick when its server is down: kept (and offered) rather than quietly swapped for the same
    model on another server, which would turn "laptop vs gpu" into "laptop vs laptop" without a word."""
    picked = st.session_state.get(key)
    if isinstance(picked, ModelRef) and any(entry.server.url == picked.server for entry in down):
        return picked
    return None


def ensure_choice(key: str, refs: list[ModelRef], *, kept: ModelRef | None = None) -> None:
    """Keep the box under ``key`` on an option it offers: the user's pick (``kept`` when its server is
    down; its model on the same server, or else on another), else the sidebar's default model on its
    server, else the first answering one."""
    picked = st.session_state.get(key)
    if picked in refs or (kept is not None and picked == kept):
        return
    if isinstance(picked, ModelRef):
        same_model = [ref for ref in refs if ref.model == picked.model]
        if same_model:
            st.session_state[key] = same_model[0]
            return
    default = ModelRef(state.get(state.DEFAULT_MODEL) or "", session.current().url)
    st.session_state[key] = default if default in refs else refs[0]
