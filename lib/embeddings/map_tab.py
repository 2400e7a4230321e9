"""The Map tab: every text as a point in 2-D (principal component analysis of the first model's vectors)."""

from __future__ import annotations

import streamlit as st

from lib.embeddings import analysis as ea
from lib.embeddings import charts
from lib.formatting import whole_number
from lib.i18n import t

GROUPS_UP_TO = 20
"""Points are coloured by label when the texts have labels and no more than this many different ones."""


def draw(analysis: ea.Analysis) -> None:
    """The map, or why there is none (fewer than three texts), and how much of the spread it shows."""
    if analysis.size < 3:
        st.info(t("embeddings.map_need_three"), icon=":material/info:")
        return
    st.altair_chart(charts.scatter(ea.map_frame(analysis), colour_by_group=grouped(analysis)), width="stretch")
    first, second = analysis.primary.projection.explained
    st.caption(
        t(
            "embeddings.map_caption",
            dimensions=whole_number(analysis.primary.embedded.dimension),
            first=f"{first:.0%}",
            second=f"{second:.0%}",
        )
    )


def grouped(analysis: ea.Analysis) -> bool:
    """Whether the labels make useful colour groups: some text has one, and there are few of them."""
    labels = {item.label for item in analysis.items}
    return any(item.label for item in analysis.items) and len(labels) <= GROUPS_UP_TO
