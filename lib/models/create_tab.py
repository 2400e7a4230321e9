"""The Create tab: a new model from a Modelfile, or from a base model, a system prompt and parameters.

Both ways show the exact request before it is sent (:mod:`lib.models.create_stream`). What is
typed in the Modelfile way is kept in session state beyond the widgets, so it survives a page
switch; "Edit as new" on the Installed tab fills it in and opens this tab (:func:`prefill`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import state
from lib.i18n import markdown, t, t_plain
from lib.models import create_stream, inventory, modelfile
from lib.ollama.client import OllamaClient
from lib.parameters.catalog import OPTION_SPECS, build_options, stop_help

TAB = "models.tab_create"
EXAMPLE_NEW_NAME = "my-assistant"


def prefill(name: str, shown_modelfile: str, installed_names: list[str]) -> None:
    """Button callback: this tab, opened on ``name``'s Modelfile rebuilt on its name, under a free new name."""
    state.put(state.MODELS_MODELFILE, modelfile.edit_as_new(shown_modelfile, name))
    state.put(state.MODELS_CREATE_NAME, inventory.derived_name(name, "custom", set(installed_names)))
    st.session_state.pop(state.MODELS_MODELFILE_INPUT, None)
    st.session_state.pop(state.MODELS_CREATE_NAME_INPUT, None)
    st.session_state[state.MODELS_TAB] = t(TAB)


def draw(client: OllamaClient, names: list[str]) -> None:
    from_file, from_form = st.tabs([t("models.from_modelfile"), t("models.simple_form")])
    with from_file:
        from_modelfile(client)
    with from_form:
        simple_form(client, names)


def from_modelfile(client: OllamaClient) -> None:
    """A name and a Modelfile, parsed as typed: its problems, or its warnings, the request and Create."""
    written = state.get(state.MODELS_MODELFILE)
    st.session_state.setdefault(
        state.MODELS_MODELFILE_INPUT, t("models.example_modelfile") if written is None else written
    )
    st.session_state.setdefault(state.MODELS_CREATE_NAME_INPUT, state.get(state.MODELS_CREATE_NAME))
    new_name = st.text_input(
        t("models.new_model_name"),
        placeholder=t_plain("models.for_example", example=EXAMPLE_NEW_NAME),
        key=state.MODELS_CREATE_NAME_INPUT,
    )
    text = st.text_area(
        t("models.modelfile"), height=260, key=state.MODELS_MODELFILE_INPUT, help=t("models.modelfile_help")
    )
    state.put(state.MODELS_MODELFILE, text)
    state.put(state.MODELS_CREATE_NAME, new_name)
    try:
        parsed = modelfile.parse(text)
    except modelfile.ModelfileError as error:
        st.error(
            t("models.modelfile_cannot_be_sent") + "\n\n" + markdown("\n".join(f"- {p}" for p in error.problems)),
            icon=":material/error:",
        )
        return
    for warning in parsed.warnings:
        st.warning(str(warning), icon=":material/info:")
    request_and_button(client, new_name, parsed.create_fields(), "models_create")


def simple_form(client: OllamaClient, names: list[str]) -> None:
    """A base model, a name, a system prompt and the parameters to set; needs an installed model."""
    if not names:
        st.info(t("models.install_first"), icon=":material/info:")
        return
    base = st.selectbox(t("models.base_model"), names, key=state.MODELS_FORM_BASE_INPUT)
    form_name = st.text_input(
        t("models.new_model_name"),
        placeholder=t_plain("models.for_example", example=EXAMPLE_NEW_NAME),
        key=state.MODELS_FORM_NAME_INPUT,
    )
    system = st.text_area(
        t("models.system_prompt"),
        height=120,
        key=state.MODELS_FORM_SYSTEM_INPUT,
        placeholder=t("models.system_prompt_placeholder"),
    )
    values: dict[str, Any] = {}
    cells = st.columns(2)
    for index, spec in enumerate(OPTION_SPECS):
        values[spec.name] = cells[index % 2].number_input(
            spec.label,
            min_value=spec.kind(spec.minimum),
            max_value=spec.kind(spec.maximum),
            step=spec.kind(spec.step),
            value=None,
            placeholder=t("models.base_model_value"),
            help=spec.help,
            key=state.MODELS_FORM_OPTION_PREFIX + spec.name,
        )
    stop_text = st.text_area(t("models.stop_sequences"), height=68, help=stop_help(), key=state.MODELS_FORM_STOP_INPUT)
    fields = inventory.form_create_fields(base, system, build_options(values, stop_text))
    request_and_button(client, form_name, fields, "models_form_create")


def request_and_button(client: OllamaClient, name: str, fields: dict[str, Any], button_key: str) -> None:
    """The request as it would be sent, and Create, which sends it if ``name`` is a model name."""
    create_stream.show_request(name.strip() or t("models.new_name_stand_in"), fields)
    if st.button(t("models.create"), icon=":material/add_circle:", type="primary", key=button_key):
        problem = inventory.name_problem(name)
        if problem:
            st.error(problem)
        else:
            create_stream.send(client, name.strip(), fields)
