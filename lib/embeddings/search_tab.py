"""The Search tab: a query embedded like the texts (with its own prefix, by the same model on the same server),
and every text ranked against it."""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.embeddings import analysis as ea
from lib.embeddings import similarity as sim
from lib.embeddings.cache import VectorCache, embed_one
from lib.fleet import session
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ui import widgets


def search(analysis: ea.Analysis, query_prefix: str, cache: VectorCache) -> None:
    """The query box and, once something is typed, the ranked texts; a failed query leaves the rest as it was.

    The query goes to the server the texts were embedded on, whichever is picked or in the sidebar now.
    """
    query = st.text_input(
        t("embeddings.search_label"),
        key=state.EMBED_QUERY_INPUT,
        placeholder=t("embeddings.search_placeholder"),
        help=t("embeddings.search_help"),
    )
    if not query.strip():
        return
    settings = analysis.query_settings(analysis.primary, query_prefix)
    try:
        client = session.client_for(settings.server or session.current().url)
    except session.UnknownServer:
        st.info(t("embeddings.search_server_gone", model=analysis.primary.name), icon=":material/link_off:")
        return
    try:
        query_vector = embed_one(client, settings, query.strip(), cache)
        ranked = ea.search_frame(analysis, query_vector)
    except OllamaError as error:
        widgets.show_error(error)
    except sim.DimensionMismatch as mismatch:
        st.error(t("embeddings.query_dimensions", query=mismatch.query, texts=mismatch.texts), icon=":material/error:")
    else:
        st.dataframe(
            ranked,
            hide_index=True,
            width="stretch",
            column_config={
                t("embeddings.similarity"): st.column_config.ProgressColumn(format="%.3f", min_value=0.0, max_value=1.0)
            },
        )
