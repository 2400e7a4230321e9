"""The Pull tab: a model name, checked, then pulled in the background (:mod:`lib.models.pull`).

One pull at a time: while one runs, the button is disabled and the panel above the tabs
(:mod:`lib.models.pull_panel`) shows its progress. The name last submitted is kept in session
state, so it is still in the box after a page switch or a stretch with the connection help.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.i18n import t, t_plain
from lib.models import inventory, pull_panel, servers
from lib.models.pull import PullJob
from lib.ollama.client import OllamaClient

EXAMPLE = "qwen2.5:0.5b"


def draw(client: OllamaClient) -> None:
    st.caption(t("models.pull_intro"))
    if servers.several():
        st.caption(t("models.pull_onto", server=servers.name_of(client.base_url)))
    busy = pull_panel.running()
    st.session_state.setdefault(state.MODELS_PULL_NAME_INPUT, state.get(state.MODELS_PULL_NAME))
    with st.form("models_pull_form", border=False):
        wanted = st.text_input(
            t("models.model_name"),
            placeholder=t_plain("models.for_example", example=EXAMPLE),
            key=state.MODELS_PULL_NAME_INPUT,
        )
        submitted = st.form_submit_button(
            t("models.pull"), icon=":material/download:", type="primary", disabled=busy, key="models_pull_submit"
        )
    if busy:
        st.caption(t("models.one_pull_at_a_time"))
    if submitted:
        start(client, wanted)


def start(client: OllamaClient, wanted: str) -> None:
    """Start pulling ``wanted`` with a client of its own, or say why it is not a model name."""
    state.put(state.MODELS_PULL_NAME, wanted)
    problem = inventory.name_problem(wanted)
    if problem:
        st.error(problem)
    else:
        state.put(state.MODELS_PULL_JOB, PullJob(client.clone(), wanted.strip()).start())
        st.rerun()
