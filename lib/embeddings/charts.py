"""Altair charts for the Embeddings page, built from the frames in :mod:`lib.embeddings.analysis`.

Full texts reach the tooltips through a lookup on a small label→text table, so a heatmap of
n texts carries each text once instead of n times in its n² cells. Titles, legends and tooltips
are worded in the session's language; the data's field names are fixed.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.i18n import t

HEATMAP_PIXELS = 560
"""About how wide the cells of a heatmap are together; each cell stays between 9 and 36 pixels."""
VALUES_IN_CELLS_UP_TO = 12
"""Up to this many texts the similarity is also written in each cell."""
NUMBERS_ON_MAP_UP_TO = 40
"""Up to this many texts each point on the 2-D map is numbered."""


def heatmap(
    cells: pd.DataFrame,
    texts: pd.DataFrame,
    order: list[str],
    *,
    full_scale: bool = False,
    title: str | None = None,
    pixels_across: int = HEATMAP_PIXELS,
    label_limit: int = 240,
) -> alt.LayerChart | alt.Chart | alt.FacetChart:
    """Cosine similarity as coloured cells, rows and columns in ``order``.

    The default colour scale is sequential and fitted to the off-diagonal values, which for most
    embedding models sit in a narrow band (say 0.3 to 0.9) that a fixed -1…1 scale would paint
    almost uniformly. ``full_scale`` uses a diverging scale centred on 0 over -1…1 instead,
    which makes values comparable between charts and models. ``pixels_across`` is the room for
    the cells (narrower for side-by-side charts) and ``label_limit`` for the row labels.
    """
    off_diagonal = cells.loc[cells["row"] != cells["column"], "similarity"]
    if full_scale or off_diagonal.empty:
        scale = alt.Scale(scheme="redblue", domain=[-1, 1], domainMid=0, reverse=True)
    else:
        low, high = float(off_diagonal.min()), float(off_diagonal.max())
        scale = alt.Scale(scheme="viridis", domain=[low, high if high > low else low + 1e-6], clamp=True)
    lookup = alt.LookupData(texts, key="label", fields=["text"])
    pixels = max(9, min(36, pixels_across // max(len(order), 1)))
    step = alt.Step(pixels)
    font = min(11, pixels - 1)
    base = (
        alt.Chart(cells)
        .transform_lookup(lookup="row", from_=lookup, as_=["row_text"])
        .transform_lookup(lookup="column", from_=lookup, as_=["column_text"])
        .encode(
            # Columns are labelled by number only ("3" for "3 · text…"); rows carry the short text.
            x=alt.X(
                "column:N",
                sort=order,
                axis=alt.Axis(
                    labelAngle=0 if pixels >= 24 else -90,
                    labelOverlap=False,
                    labelFontSize=font,
                    title=None,
                    labelExpr="split(datum.label, ' · ')[0]",
                ),
            ),
            y=alt.Y(
                "row:N",
                sort=order,
                axis=alt.Axis(labelLimit=label_limit, labelOverlap=False, labelFontSize=font, title=None),
            ),
        )
    )
    rects = base.mark_rect().encode(
        color=alt.Color(
            "similarity:Q", scale=scale, title=t("embeddings.chart_cosine"), legend=alt.Legend(format=".2f")
        ),
        tooltip=[
            alt.Tooltip("similarity:Q", title=t("embeddings.chart_cosine_similarity"), format=".3f"),
            alt.Tooltip("row:N", title=t("embeddings.chart_row")),
            alt.Tooltip("row_text:N", title=t("embeddings.chart_row_text")),
            alt.Tooltip("column:N", title=t("embeddings.chart_column")),
            alt.Tooltip("column_text:N", title=t("embeddings.chart_column_text")),
        ],
    )
    if len(order) > VALUES_IN_CELLS_UP_TO:
        return rects.properties(width=step, height=step, **_title(title))
    values = base.mark_text(fontSize=10).encode(
        text=alt.Text("similarity:Q", format=".2f"),
        color=alt.condition(_dark_cell(scale, full_scale), alt.value("white"), alt.value("black")),
    )
    return alt.layer(rects, values).properties(width=step, height=step, **_title(title))


def _title(title: str | None) -> dict[str, str]:
    return {"title": title} if title else {}


def _dark_cell(scale: alt.Scale, full_scale: bool) -> str:
    """Where white text reads better: the low end of viridis, both ends of red-blue."""
    if full_scale:
        return "abs(datum.similarity) > 0.6"
    low, high = scale.domain
    return f"datum.similarity < {low + (high - low) * 0.45}"


def scatter(
    points: pd.DataFrame, *, colour_by_group: bool, title: str | None = None
) -> alt.LayerChart | alt.Chart | alt.FacetChart:
    """The 2-D map: one point per text, its label and text on hover, its number beside it when few."""
    tooltip = [
        alt.Tooltip("label:N", title=t("embeddings.chart_text")),
        alt.Tooltip("text:N", title=t("embeddings.chart_full_text")),
    ]
    encodings: dict = {
        "x": alt.X("x:Q", title=t("embeddings.chart_first_component"), scale=alt.Scale(zero=False)),
        "y": alt.Y("y:Q", title=t("embeddings.chart_second_component"), scale=alt.Scale(zero=False)),
        "tooltip": tooltip,
    }
    if colour_by_group:
        encodings["color"] = alt.Color("group:N", title=t("embeddings.chart_label"))
        tooltip.insert(1, alt.Tooltip("group:N", title=t("embeddings.chart_label")))
    base = alt.Chart(points).encode(**encodings)
    dots = base.mark_circle(size=90, opacity=0.8)
    if len(points) > NUMBERS_ON_MAP_UP_TO:
        return dots.properties(height=460, **_title(title))
    numbers = base.mark_text(align="left", dx=7, fontSize=11, color="#555").encode(
        text=alt.Text("number:N"), color=alt.value("#555")
    )
    return alt.layer(dots, numbers).properties(height=460, **_title(title))
