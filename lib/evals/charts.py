"""The Results tab's charts (Altair, as the Embeddings page and the Arena draw theirs).

Pass rate against speed: one point per candidate, so the fast candidates that also pass sit in
the top right. Pass rate per tag: one bar per candidate in each tag. Candidate names are model
names, untrusted: they are data in the chart (Vega draws them as text, and its tooltip handler
escapes HTML), and titles are catalog text filled with :func:`~lib.i18n.t_plain`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.evals import tables
from lib.i18n import t_plain

POINT_SIZE = 160


def speed_chart(frame: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Pass rate (y) against median tokens per second (x), from :func:`lib.evals.tables.candidate_frame`."""
    shown = frame.dropna(subset=[tables.PASS_RATE])[[tables.CANDIDATE, tables.PASS_RATE, tables.SPEED, tables.PASSED]]
    shown = shown.assign(letter=shown[tables.CANDIDATE].str.split(" · ").str[0])
    base = alt.Chart(shown).encode(
        x=alt.X(f"{tables.SPEED}:Q", title=t_plain("evals.chart_speed"), scale=alt.Scale(zero=False, padding=24)),
        y=alt.Y(
            f"{tables.PASS_RATE}:Q",
            title=t_plain("evals.chart_pass_rate"),
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format=".0%"),
        ),
    )
    points = base.mark_circle(size=POINT_SIZE).encode(
        color=alt.Color(
            f"{tables.CANDIDATE}:N",
            title=t_plain("evals.col_candidate"),
            legend=alt.Legend(orient="bottom", labelLimit=400, columns=2),
        ),
        tooltip=[
            alt.Tooltip(f"{tables.CANDIDATE}:N", title=t_plain("evals.col_candidate")),
            alt.Tooltip(f"{tables.PASS_RATE}:Q", title=t_plain("evals.chart_pass_rate"), format=".0%"),
            alt.Tooltip(f"{tables.PASSED}:N", title=t_plain("evals.col_passed")),
            alt.Tooltip(f"{tables.SPEED}:Q", title=t_plain("evals.chart_speed"), format=".1f"),
        ],
    )
    letters = base.mark_text(dx=12, dy=-10, fontWeight="bold").encode(text="letter:N")
    return alt.layer(points, letters).properties(height=320)


def tag_chart(frame: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Pass rate per tag, a bar per candidate labelled passed/checked, from :func:`lib.evals.tables.tag_frame`.

    The label shows a bar of 0 % too, which would otherwise be nothing at all.
    """
    shown = frame.assign(count=frame[tables.PASSED].astype(str) + "/" + frame["checked"].astype(str))
    base = alt.Chart(shown).encode(
        x=alt.X(
            f"{tables.PASS_RATE}:Q",
            title=t_plain("evals.chart_pass_rate"),
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format=".0%"),
        ),
        y=alt.Y(f"{tables.TAGS}:N", title=t_plain("evals.chart_tag"), axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset(f"{tables.CANDIDATE}:N"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            f"{tables.CANDIDATE}:N",
            title=t_plain("evals.col_candidate"),
            legend=alt.Legend(orient="bottom", labelLimit=400, columns=2),
        ),
        tooltip=[
            alt.Tooltip(f"{tables.TAGS}:N", title=t_plain("evals.chart_tag")),
            alt.Tooltip(f"{tables.CANDIDATE}:N", title=t_plain("evals.col_candidate")),
            alt.Tooltip(f"{tables.PASS_RATE}:Q", title=t_plain("evals.chart_pass_rate"), format=".0%"),
            alt.Tooltip(f"{tables.PASSED}:Q", title=t_plain("evals.chart_passed")),
            alt.Tooltip("checked:Q", title=t_plain("evals.chart_checked")),
        ],
    )
    counts = base.mark_text(align="left", dx=4, fontSize=11).encode(text="count:N")
    return alt.layer(bars, counts)
