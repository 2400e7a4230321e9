"""The Evals page: prompt sets, a new run over several candidates, and the results with their history.

The run in progress is drawn above the tabs (:mod:`lib.evals.progress_view`), so it shows
whichever tab is open. Tabs are drawn only when open: the set editor, the set-up and the results
each cost a few elements and reads of the database, and only one is seen at a time.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.access import visitor
from lib.evals import progress_view, results_view, sets_view, setup_view
from lib.evals.store import EvalStore
from lib.i18n import t
from lib.ui import widgets

SETS, RUN, RESULTS = "sets", "run", "results"
TABS = {SETS: "evals.tab_sets", RUN: "evals.tab_run", RESULTS: "evals.tab_results"}
NOTICE_ICONS = {
    "success": ":material/check_circle:",
    "info": ":material/info:",
    "warning": ":material/warning:",
    "error": ":material/error:",
}


def open_store() -> EvalStore:
    """The prompt sets and runs of this session's visitor (the same person as their saved chats)."""
    person = visitor.current()
    visitor.remember(person)
    store = EvalStore(owner=person.owner)
    visitor.carry_over_quietly(person, store, "evals")
    return store


def draw(store: EvalStore) -> None:
    st.title(t("evals.title"))
    st.caption(t("evals.intro"))
    show_notice()
    progress_view.show(store)
    # The tab an action asks for, else the one open before another page was (the widget forgot it then).
    wanted = state.get(state.EVALS_OPEN_TAB)
    if wanted is None and state.EVALS_TAB not in st.session_state:
        wanted = state.get(state.EVALS_SHOWN_TAB)
    if wanted in TABS:
        st.session_state[state.EVALS_TAB] = t(TABS[wanted])
    state.put(state.EVALS_OPEN_TAB, None)
    tabs = widgets.tabs(TABS, state.EVALS_TAB, on_change="rerun")
    state.put(state.EVALS_SHOWN_TAB, next((tab for tab, container in tabs.items() if container.open), SETS))
    if tabs[SETS].open:
        with tabs[SETS]:
            sets_view.draw(store)
    if tabs[RUN].open:
        with tabs[RUN]:
            setup_view.draw(store)
    if tabs[RESULTS].open:
        with tabs[RESULTS]:
            results_view.draw(store)


def show_notice() -> None:
    """The sentence an action left for the run that follows it (:data:`state.EVALS_NOTICE`), shown once."""
    notice = state.get(state.EVALS_NOTICE)
    if not notice:
        return
    state.put(state.EVALS_NOTICE, None)
    kind, text = notice
    getattr(st, kind if kind in NOTICE_ICONS else "info")(text, icon=NOTICE_ICONS.get(kind, NOTICE_ICONS["info"]))
