"""The think control every page shows for a model that can think: off/on, or the gpt-oss levels.

A segmented control rather than a toggle, because a gpt-oss model has three levels (four, with "max", on a
server that takes it) and no "off" (:mod:`lib.thinking`). Its value is kept under the page's key; when the
model changes to one that offers other choices, the value is fitted to the new model (on becomes medium, a
level on, max high).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from lib import thinking
from lib.i18n import t, t_plain
from lib.thinking import Think

_WORDS = {
    False: "widgets.think_off",
    True: "widgets.think_on",
    "low": "widgets.think_low",
    "medium": "widgets.think_medium",
    "high": "widgets.think_high",
    thinking.MAX: "widgets.think_max",
}


def label(value: Think) -> str:
    """The control's words for a value (plain text: segmented controls do not draw Markdown)."""
    key = _WORDS.get(value, "widgets.think_on")
    return t_plain(key)


def draw(
    offered: Sequence[Think],
    key: str,
    *,
    where: Any = st,
    disabled: bool = False,
    label_visibility: str = "visible",
) -> Think | None:
    """The control under ``key``, or a disabled note for a model that cannot think; returns the value to send.

    ``None`` means "send no ``think``": the model cannot think.
    """
    if not offered:
        where.segmented_control(
            t("widgets.think"),
            [False],
            format_func=lambda _: t_plain("widgets.think_cannot"),
            key=f"{key}.unavailable",
            disabled=True,
            help=t("widgets.think_unavailable"),
            label_visibility=label_visibility,
        )
        return None
    fitted = thinking.fit(st.session_state.get(key, thinking.default(offered)), offered)
    if st.session_state.get(key) != fitted:
        st.session_state[key] = fitted
    chosen = where.segmented_control(
        t("widgets.think"),
        list(offered),
        format_func=label,
        key=key,
        required=True,
        disabled=disabled,
        help=_help(offered),
        label_visibility=label_visibility,
    )
    return thinking.request_value(chosen, offered)


def _help(offered: Sequence[Think]) -> str:
    """The help text for off/on, for levels, or for levels up to "max"."""
    if thinking.MAX in offered:
        return t("widgets.think_max_help")
    return t("widgets.think_help") if True in offered else t("widgets.think_levels_help")
