"""The leaderboard on screen: filters, the table, who beats whom, rating against speed, and the exports.

:func:`draw` takes the battles and votes the caller read from the store (a visitor's own, or a
room's) and draws what :func:`lib.arena.leaderboard.board` makes of them. ``key`` prefixes the
keys of its widgets, so two boards (the visitor's and a room's) can be on one page. An entry is a
model on a server (``qwen3:0.6b · gpu`` when there are several: :mod:`lib.arena.servers`).

Model names come from the server and tags from whoever typed the prompt: they are drawn only
where Streamlit and Vega show text as text (the table's cells, select box options, chart axes,
labels and tooltips; Vega's tooltip handler escapes HTML, and Streamlit keeps its default), and
go into Markdown only through :func:`lib.i18n.t`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from lib.arena import leaderboard, servers
from lib.arena.leaderboard import Board, Row
from lib.arena.records import Battle, Vote
from lib.fleet import session
from lib.formatting import whole_number
from lib.i18n import t, t_plain
from lib.models.inventory import size_cell

HOUR = 3600.0
WINDOWS = {"all": None, "day": 24 * HOUR, "week": 7 * 24 * HOUR, "month": 30 * 24 * HOUR}
"""The time filter's choices: how far back a battle may have run (None: any time)."""
UNBEATEN_MARK = "★"
FEW_GAMES = 5
"""Below this many games a model's bootstrap interval says little (one vote resampled is always that vote,
an interval of width zero), so the table says "too few votes" instead of a number that looks certain."""


def draw(battles: Sequence[Battle], votes: Sequence[Vote], *, key: str) -> None:
    """The leaderboard of ``votes`` on ``battles``, or a sentence saying there is nothing to rank yet."""
    battles = servers.entries(battles, session.servers(), session.current().url)
    if not leaderboard.selected(battles, votes)[1]:
        st.info(t("arena_board.empty"), icon=":material/how_to_vote:")
        return
    tag, since = _filters(leaderboard.tags_of(battles), key)
    shown = leaderboard.board(battles, votes, tag=tag, since=since)
    if not shown.rows:
        st.info(t("arena_board.none_match"), icon=":material/filter_alt_off:")
        return
    chosen_battles, chosen_votes = leaderboard.selected(battles, votes, tag=tag, since=since)
    _table(shown, key)
    st.caption(t("arena_board.caption", n=shown.votes, votes=whole_number(shown.votes)))
    st.subheader(t("arena_board.heatmap_heading"))
    _heatmap(shown)
    st.subheader(t("arena_board.speed_heading"))
    _speed_chart(shown)
    _downloads(shown, chosen_battles, chosen_votes, key)


def _filters(tags: Sequence[str], key: str) -> tuple[str | None, float | None]:
    """The tag (None: all) and the earliest time a battle may have run (None: any time) the user chose."""
    left, right = st.columns([2, 3])
    tag = left.selectbox(
        t("arena_board.tag"),
        [None, *tags],
        format_func=lambda option: t_plain("arena_board.all_tags") if option is None else option,
        key=f"{key}_tag",
        help=t("arena_board.tag_help"),
    )
    window = right.radio(
        t("arena_board.time"),
        list(WINDOWS),
        format_func={
            "all": t("arena_board.time_all"),
            "day": t("arena_board.time_day"),
            "week": t("arena_board.time_week"),
            "month": t("arena_board.time_month"),
        }.get,
        horizontal=True,
        key=f"{key}_time",
    )
    span = WINDOWS.get(window or "all")
    return tag, None if span is None else time.time() - span


def table_frame(shown: Board) -> pd.DataFrame:
    """One row per model, best first, in the columns :func:`_table` configures (sizes in bytes, sortable)."""
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "model": row.model,
                "rating": row.rating,
                "interval": _interval(row),
                "battles": row.battles,
                "wins": row.wins,
                "ties": row.ties,
                "losses": row.losses,
                "win_rate": row.win_rate * 100,
                "tokens_per_second": row.tokens_per_second,
                "time_to_first_token": row.time_to_first_token,
                "size": row.size,
                "unbeaten": UNBEATEN_MARK if row.unbeaten else "",
            }
            for rank, row in enumerate(shown.rows, start=1)
        ]
    )


def _table(shown: Board, key: str) -> None:
    frame = table_frame(shown)
    st.dataframe(
        # Sizes drawn as the Models page words them, sorted by bytes (see lib/models/installed_tab.py).
        frame.style.format({"size": size_cell}),
        hide_index=True,
        key=f"{key}_table",
        placeholder="—",
        column_config={
            "rank": st.column_config.NumberColumn("#", format="%d", width=40),
            "model": st.column_config.TextColumn(t("arena_board.col_model")),
            "rating": st.column_config.NumberColumn(
                t("arena_board.col_rating"), format="%.0f", help=t("arena_board.col_rating_help")
            ),
            "interval": st.column_config.TextColumn(
                t("arena_board.col_interval"), help=t("arena_board.col_interval_help")
            ),
            "battles": st.column_config.NumberColumn(
                t("arena_board.col_battles"), format="%d", help=t("arena_board.col_battles_help")
            ),
            "wins": st.column_config.NumberColumn(
                t("arena_board.col_wins"), format="%d", help=t("arena_board.col_record_help")
            ),
            "ties": st.column_config.NumberColumn(
                t("arena_board.col_ties"), format="%d", help=t("arena_board.col_record_help")
            ),
            "losses": st.column_config.NumberColumn(
                t("arena_board.col_losses"), format="%d", help=t("arena_board.col_record_help")
            ),
            "win_rate": st.column_config.ProgressColumn(
                t("arena_board.col_win_rate"),
                format="%.0f%%",
                min_value=0,
                max_value=100,
                color="blue",
                help=t("arena_board.col_win_rate_help"),
            ),
            "tokens_per_second": st.column_config.NumberColumn(
                t("arena_board.col_tokens_per_second"), format="%.1f", help=t("arena_board.col_tokens_per_second_help")
            ),
            "time_to_first_token": st.column_config.NumberColumn(
                t("arena_board.col_first_token"),
                format=t_plain("arena_board.seconds_format"),
                help=t("arena_board.col_first_token_help"),
            ),
            "size": st.column_config.Column(t("arena_board.col_size"), help=t("arena_board.col_size_help")),
            "unbeaten": st.column_config.TextColumn(
                t("arena_board.col_unbeaten"), help=t("arena_board.col_unbeaten_help"), width="small"
            ),
        },
    )


def heatmap_frame(shown: Board) -> pd.DataFrame:
    """One cell per pair of models that met: the row model's win rate against the column model, with both
    models' places on the board (the axes sort by them, so names stay data, never part of the chart's spec)."""
    place = {row.model: rank for rank, row in enumerate(shown.rows)}
    return pd.DataFrame(
        [
            {
                "model": row,
                "opponent": column,
                "model_place": place[row],
                "opponent_place": place[column],
                "win_rate": rate,
                "text": f"{rate:.0%}",
            }
            for (row, column), rate in shown.matrix.items()
            if rate is not None
        ],
        columns=["model", "opponent", "model_place", "opponent_place", "win_rate", "text"],
    )


def heatmap_chart(shown: Board) -> alt.LayerChart | alt.FacetChart:
    """Who beats whom: rows and columns best first, red where the row model loses, blue where it wins."""
    base = alt.Chart(heatmap_frame(shown)).encode(
        x=alt.X(
            "opponent:N",
            sort=alt.EncodingSortField("opponent_place", op="min"),
            title=t_plain("arena_board.heatmap_column"),
            axis=alt.Axis(labelAngle=-40, labelLimit=160, labelOverlap=False, orient="top"),
        ),
        y=alt.Y(
            "model:N",
            sort=alt.EncodingSortField("model_place", op="min"),
            title=t_plain("arena_board.heatmap_row"),
            axis=alt.Axis(labelLimit=160, labelOverlap=False),
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "win_rate:Q",
            scale=alt.Scale(scheme="redblue", domain=[0, 1], domainMid=0.5),
            title=t_plain("arena_board.heatmap_legend"),
            legend=alt.Legend(format=".0%"),
        ),
        tooltip=[
            alt.Tooltip("model:N", title=t_plain("arena_board.heatmap_row")),
            alt.Tooltip("opponent:N", title=t_plain("arena_board.heatmap_column")),
            alt.Tooltip("win_rate:Q", title=t_plain("arena_board.heatmap_legend"), format=".0%"),
        ],
    )
    values = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition("abs(datum.win_rate - 0.5) > 0.3", alt.value("white"), alt.value("black")),
    )
    step = alt.Step(max(36, min(56, 420 // max(len(shown.rows), 1))))
    return alt.layer(cells, values).properties(width=step, height=step)


def _heatmap(shown: Board) -> None:
    st.altair_chart(heatmap_chart(shown), width="content")
    st.caption(t("arena_board.heatmap_caption"))


def _settled(row: Row) -> bool:
    return row.wins + row.ties + row.losses >= FEW_GAMES


def _interval(row: Row) -> str:
    if not _settled(row):
        return t_plain("arena_board.interval_few")
    return t_plain(
        "arena_board.interval_value",
        below=f"{max(row.rating - row.low, 0):.0f}",
        above=f"{max(row.high - row.rating, 0):.0f}",
    )


def speed_frame(shown: Board) -> pd.DataFrame:
    """The models with a known speed: rating, its interval, median tokens per second, and whether unbeaten."""
    unbeaten, beaten = t_plain("arena_board.chart_unbeaten"), t_plain("arena_board.chart_beaten")
    return pd.DataFrame(
        [
            {
                "model": row.model,
                "rating": row.rating,
                "low": row.low if _settled(row) else None,
                "high": row.high if _settled(row) else None,
                "speed": row.tokens_per_second,
                "unbeaten": row.unbeaten,
                "mark": unbeaten if row.unbeaten else beaten,
            }
            for row in shown.rows
            if row.tokens_per_second is not None
        ],
        columns=["model", "rating", "low", "high", "speed", "unbeaten", "mark"],
    )


def speed_chart(shown: Board) -> alt.LayerChart | alt.FacetChart:
    """Rating (with its 95% interval) against median speed; the unbeaten marked and joined by a dashed line."""
    frame = speed_frame(shown)
    unbeaten, beaten = t_plain("arena_board.chart_unbeaten"), t_plain("arena_board.chart_beaten")
    # Padding keeps the names beside the fastest and the best-rated points inside the chart.
    x = alt.X(
        "speed:Q",
        title=t_plain("arena_board.chart_speed"),
        scale=alt.Scale(zero=False, padding=60),
        axis=alt.Axis(tickCount=10),
    )
    y = alt.Y("rating:Q", title=t_plain("arena_board.chart_rating"), scale=alt.Scale(zero=False, padding=16))
    tooltip = [
        alt.Tooltip("model:N", title=t_plain("arena_board.col_model")),
        alt.Tooltip("rating:Q", title=t_plain("arena_board.chart_rating"), format=".0f"),
        alt.Tooltip("low:Q", title=t_plain("arena_board.chart_low"), format=".0f"),
        alt.Tooltip("high:Q", title=t_plain("arena_board.chart_high"), format=".0f"),
        alt.Tooltip("speed:Q", title=t_plain("arena_board.chart_speed"), format=".1f"),
        alt.Tooltip("mark:N", title=t_plain("arena_board.col_unbeaten")),
    ]
    base = alt.Chart(frame).encode(x=x)
    bars = base.mark_rule(opacity=0.5).encode(y=alt.Y("low:Q"), y2="high:Q", color=alt.value("#888"))
    frontier = (
        base.transform_filter(alt.datum.unbeaten)
        .mark_line(strokeDash=[4, 4], color="#1f77b4", opacity=0.7)
        .encode(y=y, order="speed:Q")
    )
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        y=y,
        color=alt.Color(
            "mark:N",
            scale=alt.Scale(domain=[unbeaten, beaten], range=["#1f77b4", "#aaaaaa"]),
            legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=600),
        ),
        shape=alt.Shape("mark:N", scale=alt.Scale(domain=[unbeaten, beaten], range=["diamond", "circle"]), legend=None),
        tooltip=tooltip,
    )
    names = base.mark_text(align="left", dx=8, dy=-8, fontSize=11, color="#444").encode(y=y, text="model:N")
    return alt.layer(bars, frontier, points, names).properties(height=440)


def _speed_chart(shown: Board) -> None:
    unknown = sum(row.tokens_per_second is None for row in shown.rows)
    if unknown == len(shown.rows):
        st.info(t("arena_board.no_speeds"), icon=":material/speed:")
        return
    st.altair_chart(speed_chart(shown), width="stretch")
    st.caption(t("arena_board.speed_caption"))
    if unknown:
        st.caption(t("arena_board.speed_missing", n=unknown))


def _downloads(shown: Board, battles: Sequence[Battle], votes: Sequence[Vote], key: str) -> None:
    """The chosen votes and the table, each as CSV and JSON; a click downloads without rerunning the page."""
    columns = st.columns(4)
    files = [
        (t("arena_board.download_votes_csv"), lambda: leaderboard.votes_csv(battles, votes), "arena-votes.csv"),
        (t("arena_board.download_votes_json"), lambda: leaderboard.votes_json(battles, votes), "arena-votes.json"),
        (t("arena_board.download_table_csv"), lambda: leaderboard.table_csv(shown), "arena-leaderboard.csv"),
        (t("arena_board.download_table_json"), lambda: leaderboard.table_json(shown), "arena-leaderboard.json"),
    ]
    for column, (label, data, name) in zip(columns, files, strict=True):
        column.download_button(
            label,
            data,
            file_name=name,
            mime="text/csv" if name.endswith(".csv") else "application/json",
            icon=":material/download:",
            on_click="ignore",
            key=f"{key}_{name}",
        )
