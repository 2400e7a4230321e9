"""One installed model, chosen on the Installed tab: its sizes, capabilities, prompt, template and more.

Everything comes from ``/api/show`` (cached per digest). What the server wrote (parameters,
system prompt, template, license, Modelfile) is shown as code, never read as Markdown.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import model_choice, server_data, state
from lib.formatting import whole_number
from lib.i18n import code, escape, markdown, t
from lib.models import inventory
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui import widgets


def draw(client: OllamaClient, installed: list[dict[str, Any]], names: list[str]) -> tuple[str, dict[str, Any] | None]:
    """The chosen model's name and its ``/api/show`` answer, ``None`` (after showing why) when it failed."""
    st.subheader(t("models.details"))
    chosen = st.selectbox(t("models.model"), names, key=state.MODELS_DETAILS_INPUT)
    entry = next(m for m in installed if m.get("name") == chosen)
    try:
        shown = server_data.details(client, chosen, entry.get("digest", ""))
    except OllamaError as error:
        widgets.show_error(error)
        return chosen, None
    runs_on = model_choice.remote_host({**entry, **{k: v for k, v in shown.items() if k == "remote_host"}})
    if runs_on is not None:
        key = "models.runs_on_cloud" if runs_on == model_choice.CLOUD_HOST else "models.runs_hosted"
        st.info(t(key, host=runs_on), icon=":material/cloud:")
    facts(shown)
    return chosen, shown


def facts(shown: dict[str, Any]) -> None:
    """An ``/api/show`` answer: four figures, the capabilities, then what the server keeps for the model."""
    lengths = inventory.model_facts(shown)
    sizes = shown.get("details") or {}
    cells = st.columns(4)
    cells[0].metric(t("models.parameter_size"), escape(sizes.get("parameter_size") or "—"))
    cells[1].metric(t("models.quantisation"), escape(sizes.get("quantization_level") or "—"))
    cells[2].metric(t("models.context_length"), whole_number(lengths.context_length))
    cells[3].metric(t("models.embedding_length"), whole_number(lengths.embedding_length))
    capabilities = shown.get("capabilities") or []
    listed = " ".join(code(inventory.capability_label(str(c))) for c in capabilities)
    st.markdown(t("models.capabilities_line", capabilities=markdown(listed) if listed else t("models.not_reported")))
    if shown.get("parameters"):
        st.markdown(t("models.parameters"))
        st.code(shown["parameters"], language=None)
    if shown.get("system"):
        st.markdown(t("models.system_prompt_heading"))
        st.code(shown["system"], language=None, wrap_lines=True)
    with st.expander(t("models.template")):
        st.code(shown.get("template") or t("models.none"), language=None)
    if shown.get("license"):
        with st.expander(t("models.license")):
            st.code(shown["license"], language=None, wrap_lines=True)
    with st.expander(t("models.modelfile")):
        st.code(shown.get("modelfile") or t("models.none"), language=None)
    with st.expander(t("models.raw_json")):
        st.json(shown, expanded=False)
