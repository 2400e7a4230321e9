"""The Generate page's layout: the mode switch, then single mode's form beside its output, the
"API request" panel and the run history.

Compare mode is drawn by :mod:`lib.generate.compare.view`. The page script picks the model
itself and stops when there is none to pick, so everything here has a model to work with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from lib import state
from lib.fleet import session
from lib.fleet.models import ModelRef, label
from lib.generate import form_state, form_view, history, output, request_preview
from lib.generate.compare import view as compare_view
from lib.i18n import t
from lib.ollama.stream import Streams

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

SINGLE, COMPARE = "single", "compare"


def settle_interrupted() -> None:
    """Stop the run or comparison an earlier script run left streaming (Stop, or any click during it).

    With fast reruns the interrupted run may still be unwinding: it is settled before it is drawn.
    """
    interrupted: Streams | None = state.get(state.GENERATE_JOB)
    if interrupted is not None:
        interrupted.stop()
        state.put(state.GENERATE_JOB, None)
    compare_view.settle_interrupted()


def mode_switch() -> str:
    """Single run or Compare, kept across page switches, and the chosen mode's introduction; the mode."""
    st.session_state.setdefault(state.GENERATE_MODE_INPUT, state.get(state.GENERATE_MODE) or SINGLE)
    # Labels worded now, in the script run: AppTest calls format_func outside it too.
    mode_labels = {SINGLE: t("generate.mode_single"), COMPARE: t("generate.mode_compare")}
    mode = st.segmented_control(
        t("generate.mode"),
        list(mode_labels),
        format_func=mode_labels.__getitem__,
        required=True,
        key=state.GENERATE_MODE_INPUT,
        label_visibility="collapsed",
    )
    state.put(state.GENERATE_MODE, mode)
    st.caption(t("generate.compare_intro") if mode == COMPARE else t("generate.intro"))
    return COMPARE if mode == COMPARE else SINGLE


def single_columns() -> tuple[DeltaGenerator, DeltaGenerator]:
    """Single mode's form column and output column, the form's widgets first given their saved values."""
    form_state.seed()
    form_column, output_column = st.columns([5, 6], gap="large")
    return form_column, output_column


def draw_single(ref: ModelRef, form_column: DeltaGenerator, output_column: DeltaGenerator) -> None:
    """Single mode once ``ref`` is picked: the form with Run and Stop, the output, the request, the history.

    Everything about the model is asked of its own server, and the run goes there.
    """
    client = session.client_for(ref.server)
    with form_column:
        draft, starting = form_view.run_buttons(ref, form_view.draw(client, ref))
    with output_column:
        shown_run = output.draw(client, draft, starting, label(ref, session.servers()))
    request_preview.panel(client, draft, shown_run)
    history.draw()
