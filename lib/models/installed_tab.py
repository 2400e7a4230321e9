"""The Installed tab: counts, the table of installed models with its filters, then one model's details.

The table's capabilities come from ``/api/show`` for every model (cached); when that fails the
error is shown and the table is drawn without them. Below the table, :mod:`lib.models.details`
shows the chosen model and, for visitors who may manage models, :mod:`lib.models.model_actions`
offers copy, edit as new and delete.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lib import server_data, state
from lib.formatting import human_size, whole_number
from lib.i18n import t
from lib.models import details, inventory, model_actions
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui import widgets


def draw(
    client: OllamaClient,
    installed: list[dict[str, Any]],
    loaded: list[dict[str, Any]],
    names: list[str],
    *,
    manage: bool,
) -> None:
    columns = st.columns(3)
    on_disk = len(inventory.local(installed))
    columns[0].metric(
        t("models.installed_models"),
        whole_number(on_disk),
        help=t("models.cloud_count", n=len(installed) - on_disk) if on_disk < len(installed) else None,
    )
    columns[1].metric(t("models.disk_used"), human_size(inventory.disk_used(installed)))
    columns[2].metric(t("models.loaded_in_memory"), whole_number(len(loaded)))
    if not installed:
        st.info(t("models.none_installed"), icon=":material/inventory_2:")
        return
    table(client, installed)
    chosen, shown = details.draw(client, installed, names)
    if manage:
        if shown is not None:
            model_actions.draw(client, chosen, shown, names)
        model_actions.confirm_delete(client)


def table(client: OllamaClient, installed: list[dict[str, Any]]) -> None:
    """Every installed model, filtered by text and by a capability, sizes as ``ollama list`` words them."""
    try:
        capabilities = {m["name"]: server_data.capabilities(client, m) for m in installed}
    except OllamaError as error:
        widgets.show_error(error)
        capabilities = {}
    rows = inventory.installed_rows(installed, capabilities)
    every_capability = sorted({c for row in rows for c in row.capabilities})
    left, right = st.columns([3, 1])
    text = left.text_input(
        t("models.filter"), placeholder=t("models.filter_placeholder"), key=state.MODELS_FILTER_INPUT
    )
    capability = right.selectbox(
        t("models.capability"),
        every_capability,
        index=None,
        format_func=inventory.capability_label,
        placeholder=t("models.any_capability"),
        key=state.MODELS_CAPABILITY_INPUT,
    )
    shown = inventory.filter_rows(rows, text, capability)
    elsewhere = any(row.runs_on is not None for row in rows)
    frame = pd.DataFrame(
        [row.as_dict(runs_on=elsewhere) for row in shown], columns=list(rows[0].as_dict(runs_on=elsewhere))
    )
    st.dataframe(
        # Sizes drawn as `ollama list` words them, sorted by bytes: Streamlit's "bytes" format
        # follows the browser's locale and gives "20.2亿 B" in Chinese.
        frame.style.format({t("models.col_size"): inventory.size_cell}),
        hide_index=True,
        column_config={
            t("models.col_modified"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            t("models.col_capabilities"): st.column_config.ListColumn(),
        },
        placeholder="—",  # a cloud model has no size on disk
    )
    st.caption(t("models.shown_of", shown=whole_number(len(shown)), n=len(rows)))
