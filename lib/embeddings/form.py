"""The Embeddings page's widget values, kept across page switches.

Streamlit drops a widget's key when a page without that widget runs. The page therefore copies
its widget values into one dict (``state.EMBED_FORM``) after drawing them and puts them back
before drawing, with a default for widgets never seen. Widgets are then drawn without a
``value=`` argument, so Streamlit never sees two competing defaults.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import state

DEFAULTS: dict[str, Any] = {
    state.EMBED_SOURCE_INPUT: "lines",
    state.EMBED_LINES_INPUT: "",
    state.EMBED_COMPARE_INPUT: None,
    state.EMBED_PREFIX_INPUT: "",
    state.EMBED_QUERY_PREFIX_INPUT: "",
    state.EMBED_TRUNCATE_INPUT: True,
    state.EMBED_DIMENSIONS_INPUT: None,
    state.EMBED_KEEP_ALIVE_INPUT: "",
    state.EMBED_QUERY_INPUT: "",
    state.EMBED_SUBSET_INPUT: "range",
    state.EMBED_SUBSET_START_INPUT: 1,
    state.EMBED_CLUSTER_INPUT: True,
    state.EMBED_FULL_SCALE_INPUT: False,
    state.EMBED_TOP_K_INPUT: 10,
    state.EMBED_NEIGHBOUR_COUNT_INPUT: 3,
}
"""Every widget whose value survives a page switch, and its first value."""

KEPT = (
    *DEFAULTS,
    state.EMBED_MODEL_INPUT,
    state.EMBED_TEXT_COLUMN_INPUT,
    state.EMBED_LABEL_COLUMN_INPUT,
    state.EMBED_SUBSET_CENTRE_INPUT,
    state.EMBED_TAB_INPUT,
)
"""Also kept, but with no fixed first value (it depends on what the server has, or the file)."""


def restore() -> None:
    """Before the first widget: each kept widget missing from the session gets its saved or first value."""
    saved: dict[str, Any] = state.get(state.EMBED_FORM)
    for key in KEPT:
        if key not in st.session_state:
            if key in saved:
                st.session_state[key] = saved[key]
            elif key in DEFAULTS:
                st.session_state[key] = DEFAULTS[key]


def keep() -> None:
    """After drawing: the kept widgets' values, saved for the next visit."""
    saved: dict[str, Any] = state.get(state.EMBED_FORM)
    for key in KEPT:
        if key in st.session_state:
            saved[key] = st.session_state[key]
