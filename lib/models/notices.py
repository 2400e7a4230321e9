"""How a change on the Models page reports back: a message kept for the next run, which redraws fresh lists.

An action (pull, create, copy, delete, load, unload) leaves its message with :func:`notify`, then
calls :func:`refresh`; the run that follows draws the message once, above the tabs (:func:`show`),
and fetches the lists again because :func:`refresh` dropped the cached ones.
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn

import streamlit as st

from lib import server_data, state
from lib.models import inventory

Kind = Literal["success", "warning"]


def notify(kind: Kind, text: str, *, listed: str | None = None, gone: str | None = None, unless: str = "") -> None:
    """Keep a message for the next run, which redraws the page with fresh lists.

    A server's word that it made a change is checked against the fresh list: ``listed`` names a
    model that must now be in it (pulled, created, copied), ``gone`` one that must not (deleted).
    When the list says otherwise, the next run shows ``unless`` instead, as a warning.
    """
    state.put(state.MODELS_NOTICE, (kind, text, listed, gone, unless))


def show(installed: list[dict[str, Any]]) -> None:
    """The message an action left, drawn once: the run after this one no longer shows it.

    ``installed`` is the fresh ``/api/tags`` list, against which the change is confirmed.
    """
    notice = state.get(state.MODELS_NOTICE)
    if not notice:
        return
    state.put(state.MODELS_NOTICE, None)
    kind, text, listed, gone, unless = notice
    happened = (listed is None or inventory.is_listed(installed, listed)) and (
        gone is None or not inventory.is_listed(installed, gone)
    )
    if not happened:
        st.warning(unless, icon=":material/report:")
    else:
        (st.success if kind == "success" else st.warning)(text)


def refresh() -> NoReturn:
    """Drop the cached server lists and run the page again."""
    server_data.forget_models()
    st.rerun()
