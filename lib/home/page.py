"""The Home page below its heading, once the server answered: what it runs and holds, and where to go next.

``app_pages/home.py`` fetches the version and both lists, stops with the connection help when
that fails, and hands them to :func:`draw`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import server_data
from lib.formatting import human_size
from lib.home import summary
from lib.i18n import t
from lib.models.inventory import size_cell
from lib.ollama.client import OllamaClient
from lib.ollama.host import display_host
from lib.ui import navigation


def draw(client: OllamaClient, version: str, installed: list[dict[str, Any]], loaded: list[dict[str, Any]]) -> None:
    st.success(
        t("home.connected", version=version, server=display_host(client.base_url)),
        icon=":material/check_circle:",
    )
    figures(installed, loaded)
    st.subheader(t("home.loaded_heading"))
    if loaded:
        st.dataframe(summary.loaded_table(loaded), hide_index=True, width="stretch")
    else:
        st.caption(t("home.nothing_loaded"))
    st.subheader(t("home.installed_heading"))
    if installed:
        st.dataframe(
            summary.installed_table(installed).style.format({t("home.column_size"): size_cell}),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(t("home.nothing_installed"), icon=":material/inventory_2:")
    links()
    if st.button(t("home.refresh"), icon=":material/refresh:"):
        server_data.forget_models()
        st.rerun()


def figures(installed: list[dict[str, Any]], loaded: list[dict[str, Any]]) -> None:
    """Four metrics: models installed and their disk use, models loaded and their memory (GPU share as help)."""
    sums = summary.totals(installed, loaded)
    columns = st.columns(4)
    columns[0].metric(t("home.installed_models"), len(installed))
    columns[1].metric(t("home.disk_used"), human_size(sums.disk))
    columns[2].metric(t("home.models_in_memory"), len(loaded))
    columns[3].metric(
        t("home.memory_in_use"), human_size(sums.memory), help=t("home.on_gpu", size=human_size(sums.vram))
    )


def links() -> None:
    """The other pages, one column each."""
    st.subheader(t("home.where_next"))
    columns = st.columns(4)
    columns[0].page_link(navigation.CHAT, label=t("home.link_chat"), icon=":material/chat:")
    columns[1].page_link(navigation.GENERATE, label=t("home.link_generate"), icon=":material/edit_note:")
    columns[2].page_link(navigation.EMBEDDINGS, label=t("home.link_embeddings"), icon=":material/scatter_plot:")
    columns[3].page_link(navigation.MODELS, label=t("home.link_models"), icon=":material/deployed_code:")
