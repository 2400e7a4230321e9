"""The Download tab: each model's vectors (CSV and NumPy) and similarity matrix (CSV).

The files are built only when their button is clicked, and the click does not rerun the page
(``on_click="ignore"``); the similarity matrices they read were computed for the heatmaps.
"""

from __future__ import annotations

import functools
import re

import streamlit as st

from lib.embeddings import analysis as ea
from lib.embeddings import models as em
from lib.i18n import escape, t


def draw(analysis: ea.Analysis) -> None:
    """Three download buttons per model, named after the model (and its server, on a fleet)."""
    for result in filter(None, (analysis.primary, analysis.second)):
        stem = "embeddings-" + em.base_name(result.model)
        if result.server_name:
            stem += "-" + re.sub(r"[^\w.-]", "-", result.server_name)
        st.markdown(f"**{escape(result.name)}**")
        columns = st.columns(3)
        columns[0].download_button(
            t("embeddings.download_vectors_csv"),
            functools.partial(ea.vectors_csv, analysis.items, result.embedded.vectors),
            file_name=f"{stem}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        columns[1].download_button(
            t("embeddings.download_vectors_npy"),
            functools.partial(ea.vectors_npy, result.embedded.vectors),
            file_name=f"{stem}.npy",
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
        )
        columns[2].download_button(
            t("embeddings.download_similarity_csv"),
            functools.partial(ea.similarity_csv, analysis.labels, result.similarity),
            file_name=f"{stem}-similarity.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption(t("embeddings.download_caption"))
