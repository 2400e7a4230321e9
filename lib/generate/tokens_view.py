"""An answer tinted by the model's confidence in each token, and each token's alternatives.

Two ways in: hovering a token shows a tip with its probability and the likeliest alternatives
(CSS, from a plain-text attribute: no script), and a picker below, which works without a mouse,
shows the picked token's alternatives in a table with bars. The picker starts on the least
confident token, the one most worth a look. The markup comes from :mod:`lib.generate.logprobs`,
which escapes everything the model wrote; ``st.html`` is drawn without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from lib.generate import logprobs
from lib.generate.form import MAX_ALTERNATIVES, MIN_ALTERNATIVES
from lib.generate.logprobs import Token
from lib.i18n import t, t_plain

WRITTEN_MARK = "\u2713"  # beside the alternative the model wrote, in a tip


def legend() -> list[str]:
    """The colour key's labels, surest first, one a bucket of :data:`lib.generate.logprobs.BUCKETS`."""
    return [
        t_plain("generate.tokens_legend_sure"),
        t_plain("generate.tokens_legend_likely"),
        t_plain("generate.tokens_legend_even"),
        t_plain("generate.tokens_legend_doubtful"),
        t_plain("generate.tokens_legend_unsure"),
    ]


def tip(index: int, token: Token, extra: str = "") -> str:
    """A token's hover tip, as plain text: its number, text and probability, then its alternatives."""
    lines = [
        t_plain(
            "generate.token_tip",
            number=index + 1,
            token=logprobs.quoted(token.text),
            chance=logprobs.percent(token.probability),
        )
    ]
    if token.parts > 1:
        lines.append(t_plain("generate.token_parts", n=token.parts))
    for text, chance, written in logprobs.tip_lines(token):
        lines.append(f"  {text} {chance}" + (f" {WRITTEN_MARK}" if written else ""))
    if extra:
        lines.append(extra)
    return "\n".join(lines)


def draw(shown: Sequence[Token], key: str, *, marked: int | None = None, mark_note: str = "") -> None:
    """The tinted answer with its legend, then the token picker and the picked token's alternatives.

    ``marked`` outlines one token, whose tip ends with ``mark_note`` (plain text).
    """
    if not shown:
        st.caption(t("generate.tokens_none"))
        return
    tips = [tip(index, token, mark_note if index == marked else "") for index, token in enumerate(shown)]
    st.html(logprobs.tinted_html(shown, tips, legend=legend(), marked=marked))
    st.caption(t("generate.tokens_hint", n=len(shown)))
    start = marked if marked is not None else logprobs.least_confident(shown)
    if key not in st.session_state or not 0 <= st.session_state[key] < len(shown):
        st.session_state[key] = start
    labels = [option_label(index, token) for index, token in enumerate(shown)]
    picked = st.selectbox(
        t("generate.token_pick"),
        range(len(shown)),
        format_func=labels.__getitem__,
        key=key,
        help=t("generate.token_pick_help"),
    )
    show_alternatives(shown[picked if picked is not None else 0])


def divergence_note(reference: Sequence[Token], other: Sequence[Token], column: str) -> tuple[str, int | None]:
    """Where ``other`` parts from ``reference``, the answer of the column named ``column``, token by token:
    a sentence (empty without tokens on either side) and the token of ``other`` to mark (None: none).

    Every page that sets answers side by side words it so (Generate's Compare, Chat's compare mode).
    """
    if not reference or not other:
        return "", None
    parted = logprobs.divergence(reference, other)
    if parted is None:
        return t("compare.diverge_none", column=column), None
    if parted.other is None:
        return t(
            "compare.diverge_shorter", column=column, n=parted.index, theirs=logprobs.quoted(parted.reference or "")
        ), None
    if parted.reference is None:
        return t(
            "compare.diverge_longer", column=column, n=parted.index, mine=logprobs.quoted(parted.other)
        ), parted.index
    if parted.index == 0:
        return t(
            "compare.diverge_first",
            column=column,
            mine=logprobs.quoted(parted.other),
            theirs=logprobs.quoted(parted.reference),
        ), 0
    sentence = t(
        "compare.diverge_at",
        column=column,
        n=parted.index,
        mine=logprobs.quoted(parted.other),
        theirs=logprobs.quoted(parted.reference),
    )
    return sentence, parted.index


def option_label(index: int, token: Token) -> str:
    """``17 · “Paris” · 92.1%``: a picker option (select boxes show plain text)."""
    return t_plain(
        "generate.token_option",
        number=index + 1,
        token=logprobs.quoted(token.text),
        chance=logprobs.percent(token.probability),
    )


def alternatives_rows(token: Token) -> list[dict[str, Any]]:
    """The table of a token's alternatives: its text (made visible), probability and whether it was written."""
    return [
        {"token": logprobs.quoted(alt.text), "probability": alt.probability, "written": alt.text == token.text}
        for alt in token.alternatives
    ]


def show_alternatives(token: Token) -> None:
    if token.parts > 1:
        st.caption(t("generate.token_parts_table", n=token.parts))
        return
    if not token.alternatives:
        st.caption(t("generate.token_no_alternatives", chance=logprobs.percent(token.probability)))
        return
    if token.chosen_rank is None:
        st.caption(t("generate.token_not_listed", chance=logprobs.percent(token.probability)))
    st.dataframe(
        alternatives_rows(token),
        hide_index=True,
        width="stretch",
        column_config={
            "token": st.column_config.TextColumn(t("generate.token_column")),
            "probability": st.column_config.ProgressColumn(
                t("generate.probability_column"), min_value=0.0, max_value=1.0, format="percent"
            ),
            "written": st.column_config.CheckboxColumn(t("generate.written_column")),
        },
    )


def fields(switch_key: str, count_key: str, switch_help: str, *, side_by_side: bool) -> tuple[bool, int]:
    """The token probabilities switch and how many alternatives a token (Generate's, and Compare's for every
    column); ``(on, alternatives)``. ``side_by_side``: the two on one row."""
    switch_slot, count_slot = st.columns([3, 2], vertical_alignment="center") if side_by_side else (st, st)
    on = switch_slot.toggle(t("generate.logprobs"), key=switch_key, help=switch_help)
    count = count_slot.number_input(
        t("generate.top_logprobs"),
        min_value=MIN_ALTERNATIVES,
        max_value=MAX_ALTERNATIVES,
        step=1,
        key=count_key,
        disabled=not on,
        help=t("generate.top_logprobs_help"),
    )
    return bool(on), int(count)
