"""Keeping the Generate form's widgets and its saved values in step.

Streamlit forgets a widget's value when the user visits a page that does not draw it, so the
form is also kept as one :class:`GenerateForm` under ``state.GENERATE_FORM``. Before the
widgets draw, :func:`seed` gives each one its saved value; :func:`restore` (a history entry's
Restore or Re-run, run as a button callback, before the page draws) overwrites them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import state
from lib.fleet import session
from lib.fleet.models import ModelRef
from lib.generate.form import GenerateForm, encode_image
from lib.parameters import panel as options_panel

OPTIONS_PREFIX = "generate"

# form field -> widget key, for the fields edited by one widget each
WIDGET_KEYS = {
    "model": state.GENERATE_MODEL_INPUT,
    "prompt": state.GENERATE_PROMPT_INPUT,
    "system": state.GENERATE_SYSTEM_INPUT,
    "suffix": state.GENERATE_SUFFIX_INPUT,
    "template": state.GENERATE_TEMPLATE_INPUT,
    "raw": state.GENERATE_RAW_INPUT,
    "think": state.GENERATE_THINK_INPUT,
    "stream": state.GENERATE_STREAM_INPUT,
    "output_format": state.GENERATE_FORMAT_INPUT,
    "schema_text": state.GENERATE_SCHEMA_INPUT,
    "logprobs": state.GENERATE_LOGPROBS_INPUT,
    "top_logprobs": state.GENERATE_TOP_LOGPROBS_INPUT,
}


def saved() -> GenerateForm:
    return state.get(state.GENERATE_FORM) or GenerateForm()


def save(form: GenerateForm) -> None:
    state.put(state.GENERATE_FORM, form)


def model_ref(form: GenerateForm) -> ModelRef | None:
    """The model picker's value for ``form``: its model on its server (the sidebar's for a form kept from before)."""
    if form.model is None:
        return None
    return ModelRef(form.model, form.server or session.current().url)


def widget_value(form: GenerateForm, name: str) -> Any:
    return model_ref(form) if name == "model" else getattr(form, name)


def seed() -> None:
    """Give widgets that lost their value (after a page switch) the saved one."""
    form = saved()
    for name, key in WIDGET_KEYS.items():
        if name == "model" and form.model is None:
            continue
        st.session_state.setdefault(key, widget_value(form, name))


def restore(form: GenerateForm) -> None:
    """Put ``form`` into every widget and the parameters panel; call from a callback.

    A file uploader cannot be given files, so it is replaced by an empty one and the form's
    images are shown as kept images instead.
    """
    save(form)
    for name, key in WIDGET_KEYS.items():
        st.session_state[key] = widget_value(form, name)
    options_panel.load(OPTIONS_PREFIX, form.options, form.keep_alive)
    state.put(state.GENERATE_UPLOAD_ROUND, (state.get(state.GENERATE_UPLOAD_ROUND) or 0) + 1)


def uploader_key() -> str:
    return f"{state.GENERATE_IMAGES_INPUT}_{state.get(state.GENERATE_UPLOAD_ROUND) or 0}"


def take_uploads() -> None:
    """Uploader callback: the uploaded files become the form's images (none when all are removed)."""
    files: list[Any] = st.session_state.get(uploader_key()) or []
    save(saved().with_values(images=tuple(encode_image(file.getvalue()) for file in files)))


def drop_images() -> None:
    save(saved().with_values(images=()))
