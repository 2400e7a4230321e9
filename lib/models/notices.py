"""How a change on the Models page reports back: a message kept for the next run, which redraws fresh lists.

An action (pull, create, copy, delete, load, unload) leaves its message with :func:`notify`, then
calls :func:`refresh`; the run that follows draws the message once, above the tabs (:func:`show`),
and fetches the lists again because :func:`refresh` dropped the cached ones.
"""

from __future__ import annotations

from typing import Literal, NoReturn

import streamlit as st

from lib import server_data, state

Kind = Literal["success", "warning"]


def notify(kind: Kind, text: str) -> None:
    """Keep a message for the next run, which redraws the page with fresh lists."""
    state.put(state.MODELS_NOTICE, (kind, text))


def show() -> None:
    """The message an action left, drawn once: the run after this one no longer shows it."""
    notice = state.get(state.MODELS_NOTICE)
    if notice:
        state.put(state.MODELS_NOTICE, None)
        kind, text = notice
        (st.success if kind == "success" else st.warning)(text)


def refresh() -> NoReturn:
    """Drop the cached server lists and run the page again."""
    server_data.forget_models()
    st.rerun()
