"""The page's Results section: what each model's run cost and how its vectors look, then the tabs.

The tabs' contents are drawn by their modules: :mod:`~lib.embeddings.heatmap_tab` (Similarity and
Compare), :mod:`~lib.embeddings.pairs_tab` (Pairs and Neighbours), :mod:`~lib.embeddings.search_tab`,
:mod:`~lib.embeddings.map_tab` and :mod:`~lib.embeddings.download_tab`.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.embeddings import analysis as ea
from lib.embeddings import download_tab, heatmap_tab, map_tab, pairs_tab, search_tab
from lib.embeddings.cache import CHARS_PER_TOKEN, VectorCache
from lib.formatting import human_seconds, whole_number
from lib.i18n import escape, t
from lib.ui import widgets


def draw(analysis: ea.Analysis, *, current: bool, query_prefix: str, cache: VectorCache) -> None:
    """The section for ``analysis``, said to be out of date unless ``current``.

    A search query goes to the server of the texts' model with ``query_prefix``, through ``cache``.
    """
    if not current:
        st.info(t("embeddings.stale"), icon=":material/update:")
    st.subheader(t("embeddings.results_heading"))
    for result in filter(None, (analysis.primary, analysis.second)):
        summary(analysis, result)
    tab_keys = {
        "similarity": "embeddings.similarity",
        "pairs": "embeddings.tab_pairs",
        "neighbours": "embeddings.tab_neighbours",
        "search": "embeddings.tab_search",
        "map": "embeddings.tab_map",
    }
    if analysis.second:
        tab_keys["compare"] = "embeddings.tab_compare"
    tab_keys["download"] = "embeddings.tab_download"
    tabs = widgets.tabs(tab_keys, state.EMBED_TAB_INPUT)
    with tabs["similarity"]:
        view = heatmap_tab.similarity(analysis)
    with tabs["pairs"]:
        pairs_tab.pairs(analysis)
    with tabs["neighbours"]:
        pairs_tab.neighbours(analysis)
    with tabs["search"]:
        search_tab.search(analysis, query_prefix, cache)
    with tabs["map"]:
        map_tab.draw(analysis)
    if analysis.second is not None:
        with tabs["compare"]:
            heatmap_tab.compare(analysis, view)
    with tabs["download"]:
        download_tab.draw(analysis)


def summary(analysis: ea.Analysis, result: ea.ModelResult) -> None:
    """One model's figures, a sentence on its vectors' lengths, and the texts it probably cut."""
    report = result.embedded.report
    st.markdown(f"**{escape(result.name)}**")
    columns = st.columns(5)
    columns[0].metric(t("embeddings.metric_texts"), whole_number(report.texts))
    columns[1].metric(t("embeddings.dimensions_label"), whole_number(result.embedded.dimension))
    columns[2].metric(
        t("embeddings.tokens"),
        whole_number(report.tokens) if report.sent else "–",
        help=t("embeddings.metric_tokens_help"),
    )
    columns[3].metric(
        t("embeddings.metric_server_time"),
        human_seconds(report.server_seconds) if report.sent else "–",
        help=t(
            "embeddings.metric_server_time_help",
            load=human_seconds(report.load_seconds),
            wall=human_seconds(report.wall_seconds),
        ),
    )
    columns[4].metric(
        t("embeddings.metric_requests"),
        whole_number(report.requests),
        help=t(
            "embeddings.metric_requests_help", sent=whole_number(report.sent), cached=whole_number(report.from_cache)
        ),
    )
    st.caption(ea.norm_summary(result))
    if report.legacy_endpoint:
        st.caption(t("embeddings.legacy_endpoint"))
    if result.truncated:
        if all(cut.exact for cut in result.truncated):
            how = t("embeddings.truncated_exact")
        else:
            how = t("embeddings.truncated_estimated", chars=f"{CHARS_PER_TOKEN:g}")
        st.warning(
            t(
                "embeddings.truncated",
                n=len(result.truncated),
                count=whole_number(len(result.truncated)),
                limit=whole_number(result.context_limit),
                how=how,
            ),
            icon=":material/content_cut:",
        )
        st.dataframe(ea.truncation_frame(analysis, result), hide_index=True, width="stretch")
