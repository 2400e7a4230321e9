"""The Pairs tab (the most similar pairs of texts) and the Neighbours tab (each text's nearest texts)."""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.embeddings import analysis as ea
from lib.i18n import t


def pairs(analysis: ea.Analysis) -> None:
    """The chosen number of most similar pairs, best first."""
    top_k = st.number_input(
        t("embeddings.pairs_count"), min_value=1, max_value=1000, step=1, key=state.EMBED_TOP_K_INPUT
    )
    if analysis.size < 2:
        st.info(t("embeddings.pairs_need_two"), icon=":material/info:")
        return
    st.dataframe(
        ea.pairs_frame(analysis, int(top_k)),
        hide_index=True,
        width="stretch",
        column_config={t("embeddings.similarity"): st.column_config.NumberColumn(format="%.3f")},
    )


def neighbours(analysis: ea.Analysis) -> None:
    """Every text with its chosen number of nearest neighbours."""
    count = st.number_input(
        t("embeddings.neighbour_count"), min_value=1, max_value=10, step=1, key=state.EMBED_NEIGHBOUR_COUNT_INPUT
    )
    if analysis.size < 2:
        st.info(t("embeddings.neighbours_need_two"), icon=":material/info:")
        return
    st.dataframe(
        ea.neighbours_frame(analysis, int(count)),
        hide_index=True,
        width="stretch",
        column_config={
            t("embeddings.column_similarity_k", k=k): st.column_config.NumberColumn(format="%.3f")
            for k in range(1, int(count) + 1)
        },
    )
