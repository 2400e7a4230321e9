"""The Similarity tab (one model's heatmap) and the Compare tab (both models' heatmaps side by side).

A heatmap shows at most :data:`HEATMAP_LIMIT` texts; with more, the user picks a consecutive
range or one text and its nearest neighbours. The Compare tab draws the same texts in the same
order and colour scale as the Similarity tab, so the two models' maps line up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from lib import state
from lib.embeddings import analysis as ea
from lib.embeddings import charts
from lib.embeddings import similarity as sim
from lib.formatting import whole_number
from lib.i18n import t

HEATMAP_LIMIT = 60


@dataclass(frozen=True)
class HeatmapView:
    """Which texts the heatmaps show, in which order and on which colour scale."""

    subset: list[int]  # indices of the texts shown
    order: list[str]  # their axis labels, in the order drawn
    texts: pd.DataFrame  # axis label to full text, for the tooltips
    full_scale: bool


def similarity(analysis: ea.Analysis) -> HeatmapView:
    """Draw the Similarity tab; what it shows, for the Compare tab."""
    labels = analysis.labels
    subset = _subset(analysis) if analysis.size > HEATMAP_LIMIT else list(range(analysis.size))
    left, right = st.columns(2)
    cluster = left.toggle(t("embeddings.cluster"), key=state.EMBED_CLUSTER_INPUT, help=t("embeddings.cluster_help"))
    full_scale = right.toggle(
        t("embeddings.full_scale"), key=state.EMBED_FULL_SCALE_INPUT, help=t("embeddings.full_scale_help")
    )
    if cluster:
        order_indices = [subset[k] for k in sim.cluster_order(analysis.primary.similarity[np.ix_(subset, subset)])]
    else:
        order_indices = subset
    texts = ea.text_frame(analysis.items, labels, subset)
    view = HeatmapView(subset, [labels[i] for i in order_indices], texts, full_scale)
    st.altair_chart(
        charts.heatmap(
            ea.heatmap_frame(analysis.primary.similarity, labels, subset), view.texts, view.order, full_scale=full_scale
        ),
        width="content",
    )
    st.caption(t("embeddings.heatmap_caption"))
    return view


def _subset(analysis: ea.Analysis) -> list[int]:
    """The texts to show of too many: a range from a chosen start, or a chosen text's neighbourhood."""
    size = analysis.size
    subset_labels = {"range": t("embeddings.subset_range"), "neighbourhood": t("embeddings.subset_neighbourhood")}
    mode = st.radio(
        t("embeddings.subset_label"),
        list(subset_labels),
        horizontal=True,
        key=state.EMBED_SUBSET_INPUT,
        format_func=subset_labels.get,
    )
    if mode == "range":
        start = st.number_input(
            t("embeddings.subset_start", limit=HEATMAP_LIMIT),
            min_value=1,
            max_value=size,
            step=1,
            key=state.EMBED_SUBSET_START_INPUT,
        )
        subset = ea.subset_range(size, int(start), HEATMAP_LIMIT)
    else:
        if st.session_state.get(state.EMBED_SUBSET_CENTRE_INPUT) not in range(size):
            st.session_state[state.EMBED_SUBSET_CENTRE_INPUT] = 0
        centre = st.selectbox(
            t("embeddings.column_text"),
            range(size),
            key=state.EMBED_SUBSET_CENTRE_INPUT,
            format_func=lambda i: analysis.labels[i],
        )
        subset = sim.neighbourhood(analysis.primary.similarity, centre, HEATMAP_LIMIT)
    st.caption(
        t(
            "embeddings.subset_caption",
            shown=whole_number(len(subset)),
            size=whole_number(size),
            pairs=t("embeddings.tab_pairs"),
            neighbours=t("embeddings.tab_neighbours"),
        )
    )
    return subset


def compare(analysis: ea.Analysis, view: HeatmapView) -> None:
    """Draw the Compare tab: how far the models agree, their heatmaps, the pairs they rank most differently."""
    second = analysis.second
    assert second is not None
    primary = analysis.primary
    agreement = analysis.agreement
    st.metric(
        t("embeddings.agreement"),
        "–" if agreement is None else f"{agreement:.3f}",
        help=t("embeddings.agreement_help"),
    )
    st.caption(t("embeddings.compare_caption"))
    left, right = st.columns(2)
    for column, result in ((left, primary), (right, second)):
        column.altair_chart(
            charts.heatmap(
                ea.heatmap_frame(result.similarity, analysis.labels, view.subset),
                view.texts,
                view.order,
                full_scale=view.full_scale,
                title=result.name,
                pixels_across=charts.HEATMAP_PIXELS // 2,
                label_limit=110,
            ),
            width="content",
        )
    if analysis.size >= 3:
        st.markdown(f"**{t('embeddings.disagreements_heading')}**")
        st.dataframe(
            ea.disagreement_frame(analysis, 10),
            hide_index=True,
            width="stretch",
            column_config={
                primary.name: st.column_config.NumberColumn(format="%.3f"),
                second.name: st.column_config.NumberColumn(format="%.3f"),
                t("embeddings.column_rank_first"): st.column_config.NumberColumn(
                    format="%.0f%%", help=t("embeddings.column_rank_first_help")
                ),
                t("embeddings.column_rank_second"): st.column_config.NumberColumn(
                    format="%.0f%%", help=t("embeddings.column_rank_second_help")
                ),
            },
        )
