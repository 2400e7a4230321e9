"""The Models page below its heading: a pending notice, the pull in progress, the tabs, Refresh.

``app_pages/models.py`` fetches the lists with :func:`fetch_lists`, stops with the connection
help when that fails, and hands them to :func:`draw`. Tabs draw only when open (``on_change=
"rerun"``), so a closed tab sends no request. Visitors who may not manage models (a locked demo
without the password) get the Installed and Running tabs only, and no copy, edit or delete.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import model_choice, server_data, state
from lib.access import locked as access
from lib.i18n import t
from lib.models import create_tab, installed_tab, notices, pull_panel, pull_tab, running_tab
from lib.ollama.client import OllamaClient
from lib.ui import widgets

TABS = {
    "installed": "models.tab_installed",
    "running": "models.tab_running",
    "pull": "models.tab_pull",
    "create": create_tab.TAB,
}
READ_ONLY_TABS = ("installed", "running")


def fetch_lists(client: OllamaClient) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Installed and loaded models, fetched afresh on the first run after a pull ended.

    Raises :class:`lib.ollama.errors.OllamaError` when the server cannot be used.
    """
    if pull_panel.newly_finished():
        server_data.forget_models()
    return server_data.models(client), server_data.running(client)


def draw(client: OllamaClient, installed: list[dict[str, Any]], loaded: list[dict[str, Any]]) -> None:
    notices.show(installed)
    running_tab.interrupted_load()
    pull_panel.show()
    names = model_choice.local_first((m.get("name", "") for m in installed), model_choice.remote_models(installed))
    manage = access.can_manage_models()
    if not manage:
        st.caption(t("models.locked"))
    shown_tabs = TABS if manage else {tab: TABS[tab] for tab in READ_ONLY_TABS}
    tabs = widgets.tabs(shown_tabs, state.MODELS_TAB, on_change="rerun")
    if tabs["installed"].open:
        with tabs["installed"]:
            installed_tab.draw(client, installed, loaded, names, manage=manage)
    if tabs["running"].open:
        with tabs["running"]:
            running_tab.draw(client, installed, loaded, names)
    if "pull" in tabs and tabs["pull"].open:
        with tabs["pull"]:
            pull_tab.draw(client)
    if "create" in tabs and tabs["create"].open:
        with tabs["create"]:
            create_tab.draw(client, names)
    if st.button(t("models.refresh"), icon=":material/refresh:", key="models_refresh"):
        notices.refresh()
