"""The session's Generate runs: the last one, the history list, and putting a past run back.

A run is kept from its first moment (:func:`keep`), so Stop, a failure or a page switch never
loses the text that already arrived. Restore and Re-run work in button callbacks, before the
page draws, because they change the form's widgets (:func:`lib.generate.form_state.restore`).
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.fleet import session
from lib.generate import form_state
from lib.generate.record import RunRecord
from lib.i18n import t

HISTORY_LIMIT = 20


def remember(history: list[RunRecord], record: RunRecord, limit: int = HISTORY_LIMIT) -> list[RunRecord]:
    """The history with ``record`` first (replacing an entry with its number), at most ``limit`` long."""
    kept = [old for old in history if old.number != record.number]
    return [record, *kept][:limit]


def keep(record: RunRecord) -> None:
    """Make ``record`` the run the output area shows, and the newest in the history."""
    state.put(state.GENERATE_LAST, record)
    state.put(state.GENERATE_HISTORY, remember(state.get(state.GENERATE_HISTORY) or [], record))


def bring_back(number: int, run_again: bool) -> None:
    """History button callback: put a run's form back (and ask for a run), before the page draws."""
    record = next((r for r in state.get(state.GENERATE_HISTORY) or [] if r.number == number), None)
    if record is None:
        return
    form_state.restore(record.form)
    state.put(state.GENERATE_LAST, record)
    state.put(state.GENERATE_PENDING, form_state.model_ref(record.form) if run_again else None)


def draw() -> None:
    """The history heading and one line per kept run, newest first, with its Restore and Re-run."""
    st.subheader(t("generate.history"))
    history: list[RunRecord] = state.get(state.GENERATE_HISTORY) or []
    servers = session.servers()
    if not history:
        st.caption(t("generate.history_empty", limit=HISTORY_LIMIT))
    for past in history:
        label_column, restore_column, rerun_column = st.columns([8, 2, 2], vertical_alignment="center")
        label_column.text(past.label(servers))
        restore_column.button(
            t("generate.restore"),
            icon=":material/edit_note:",
            key=f"{state.GENERATE_RESTORE_BUTTON}_{past.number}",
            on_click=bring_back,
            args=(past.number, False),
            width="stretch",
            help=t("generate.restore_help"),
        )
        rerun_column.button(
            t("generate.rerun"),
            icon=":material/replay:",
            key=f"{state.GENERATE_RERUN_BUTTON}_{past.number}",
            on_click=bring_back,
            args=(past.number, True),
            width="stretch",
            help=t("generate.rerun_help"),
        )
