"""The Generate form on screen, below the model picker: every field, then Run and Stop.

The widgets edit their own keys; what they hold becomes a :class:`~lib.generate.form.GenerateForm`,
saved at once (:mod:`lib.generate.form_state`) so it survives a visit to another page, and
checked for sending (:func:`lib.generate.form.checked`). Fields a model cannot use are not
offered: images only to vision models (or when the server does not say); the think control
(:mod:`lib.ui.think_control`) offers a gpt-oss model its levels, another thinking model off and
on, and is disabled for the rest.
"""

from __future__ import annotations

import streamlit as st

from lib import server_data, state
from lib.fleet import session
from lib.fleet.models import ModelRef, server_name
from lib.generate import form_state, tokens_view
from lib.generate.form import (
    JSON,
    PLAIN,
    SCHEMA,
    Draft,
    GenerateForm,
    checked,
    decode_image,
    format_label,
)
from lib.generate.schema import InvalidSchema, parse_schema, say
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.parameters import panel as options_panel
from lib.prompts import picker as prompts_picker
from lib.ui import think_control

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]


def draw(client: OllamaClient, ref: ModelRef) -> Draft:
    """Every field for the model of ``ref``, top to bottom; the form they make, checked for sending.

    What is read about the model (capabilities, family, thinking) comes from ``client``, its server's.
    """
    model = ref.model
    capabilities = server_data.capabilities_of(client, model)
    family = server_data.family_of(client, model)
    saved = form_state.saved()
    prompts_picker.popover(prompts_picker.USER, state.GENERATE_PROMPT_INPUT, state.GENERATE_PROMPT_INPUT)
    prompt = st.text_area(
        t("generate.prompt"), key=state.GENERATE_PROMPT_INPUT, height=150, placeholder=t("generate.prompt_placeholder")
    )
    prompts_picker.popover(prompts_picker.SYSTEM, state.GENERATE_SYSTEM_INPUT, state.GENERATE_SYSTEM_INPUT)
    system = st.text_area(
        t("generate.system"),
        key=state.GENERATE_SYSTEM_INPUT,
        height=68,
        placeholder=t("generate.models_own"),
        help=t("generate.system_help"),
    )
    images = image_fields(can_see=not capabilities or "vision" in capabilities)
    chosen_think = think_control.draw(server_data.think_choices(client, model), state.GENERATE_THINK_INPUT)
    think = saved.think if chosen_think is None else chosen_think  # kept for the next thinking model
    with st.expander(t("generate.fill_in_middle"), icon=":material/vertical_align_center:"):
        if capabilities and "insert" not in capabilities:
            st.caption(t("generate.no_insert", model=model))
        suffix = st.text_area(
            t("generate.suffix"), key=state.GENERATE_SUFFIX_INPUT, height=68, help=t("generate.suffix_help")
        )
    with st.expander(t("generate.advanced"), icon=":material/tune:"):
        template = st.text_area(
            t("generate.template"),
            key=state.GENERATE_TEMPLATE_INPUT,
            height=100,
            placeholder=t("generate.models_own"),
            help=t("generate.template_help"),
        )
        raw = st.toggle(t("generate.raw_mode"), key=state.GENERATE_RAW_INPUT, help=t("generate.raw_mode_help"))
    with st.expander(t("generate.parameters"), icon=":material/settings:"):
        chosen = options_panel.render(form_state.OPTIONS_PREFIX)
    output_format, schema_text = format_fields(saved.schema_text)
    stream = st.toggle(t("generate.stream"), key=state.GENERATE_STREAM_INPUT, help=t("generate.stream_help"))
    logprobs, top_logprobs = tokens_view.fields(
        state.GENERATE_LOGPROBS_INPUT, state.GENERATE_TOP_LOGPROBS_INPUT, t("generate.logprobs_help"), side_by_side=True
    )

    form = GenerateForm(
        model=model,
        server=ref.server,
        prompt=prompt,
        system=system,
        suffix=suffix,
        template=template,
        raw=raw,
        think=think,
        stream=stream,
        output_format=output_format,
        schema_text=schema_text,
        images=images,
        options=chosen.options,
        keep_alive=chosen.keep_alive,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
    )
    form_state.save(form)
    return checked(form, capabilities, chosen.error, family, server_data.version_or_unknown(client))


def image_fields(*, can_see: bool) -> tuple[str, ...]:
    """The uploader (for a model that can see) and the images kept from a restored run; the form's images.

    An uploader cannot be given files, so images put back by Restore are shown below it, with a
    button to remove them, until the user uploads others.
    """
    if can_see:
        st.file_uploader(
            t("generate.images"),
            type=IMAGE_TYPES,
            accept_multiple_files=True,
            key=form_state.uploader_key(),
            on_change=form_state.take_uploads,
            help=t("generate.images_help"),
        )
    images = form_state.saved().images
    if images and not (can_see and st.session_state.get(form_state.uploader_key())):
        st.caption(t("generate.images_kept", n=len(images)))
        st.image([data for data in map(decode_image, images) if data], width=96)
        st.button(
            t("generate.remove_images"),
            icon=":material/delete:",
            key=state.GENERATE_CLEAR_IMAGES_BUTTON,
            on_click=form_state.drop_images,
        )
    return images


def format_fields(saved_schema: str) -> tuple[str, str]:
    """The output format choice and, for a JSON schema, its editor checked as typed; ``(format, schema text)``."""
    format_labels = {name: format_label(name) for name in (PLAIN, JSON, SCHEMA)}
    output_format = st.radio(
        t("generate.output_format"),
        list(format_labels),
        format_func=format_labels.get,
        key=state.GENERATE_FORMAT_INPUT,
        horizontal=True,
        help=t("generate.output_format_help"),
    )
    schema_text = saved_schema
    if output_format == SCHEMA:
        schema_text = st.text_area(
            t("generate.schema"), key=state.GENERATE_SCHEMA_INPUT, height=240, help=t("generate.schema_help")
        )
        try:
            parse_schema(schema_text)
        except InvalidSchema as error:
            st.error(say(error.problem), icon=":material/data_object:")
    return output_format, schema_text


def run_buttons(ref: ModelRef, draft: Draft) -> tuple[Draft, bool]:
    """Run and Stop, and a Re-run asked for from the history; the draft, and whether a run starts now.

    A Re-run of a model no longer installed, or on a server no longer answering (the picker has
    moved to another model or server), sends nothing.
    """
    run_column, stop_column = st.columns(2)
    asked = run_column.button(
        t("generate.run"), type="primary", icon=":material/play_arrow:", key=state.GENERATE_RUN_BUTTON, width="stretch"
    )
    rerun: ModelRef | None = state.get(state.GENERATE_PENDING)
    state.put(state.GENERATE_PENDING, None)
    asked = asked or bool(rerun)
    if rerun is not None and rerun != ref:
        draft = draft.refused(rerun_refusal(rerun, ref))
    starting = asked and draft.request is not None
    stop_column.button(
        t("generate.stop"),
        icon=":material/stop:",
        key=state.GENERATE_STOP_BUTTON,
        disabled=not starting,
        width="stretch",
        help=t("generate.stop_help"),
    )
    if asked and draft.request is None:
        st.error(t("generate.nothing_sent", problem=draft.problem), icon=":material/block:")
    return draft, starting


def rerun_refusal(rerun: ModelRef, picked: ModelRef) -> str:
    """Why a Re-run of ``rerun`` was not sent once the picker holds ``picked``: its model is gone, or its server."""
    if rerun.model == picked.model and rerun.server != picked.server:
        return t("generate.rerun_server_gone", model=rerun.model, server=server_name(rerun.server, session.servers()))
    return t("generate.rerun_model_gone", model=rerun.model)
