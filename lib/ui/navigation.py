"""The app's pages and their URL paths, in menu order."""

from __future__ import annotations

import streamlit as st

from lib.i18n import t

HOME = "app_pages/home.py"
GENERATE = "app_pages/generate.py"
CHAT = "app_pages/chat.py"
EMBEDDINGS = "app_pages/embeddings.py"
MODELS = "app_pages/models.py"
ARENA = "app_pages/arena.py"
DOCUMENTS = "app_pages/documents.py"


def pages() -> list[st.Page]:
    return [
        st.Page(HOME, title=t("app.home"), icon=":material/home:", default=True),
        st.Page(CHAT, title=t("app.chat"), icon=":material/chat:", url_path="chat"),
        st.Page(GENERATE, title=t("app.generate"), icon=":material/edit_note:", url_path="generate"),
        st.Page(ARENA, title=t("app.arena"), icon=":material/swords:", url_path="arena"),
        st.Page("app_pages/evals.py", title=t("app.evals"), icon=":material/fact_check:", url_path="evals"),
        st.Page(DOCUMENTS, title=t("documents.menu"), icon=":material/description:", url_path="documents"),
        st.Page(EMBEDDINGS, title=t("app.embeddings"), icon=":material/scatter_plot:", url_path="embeddings"),
        st.Page(MODELS, title=t("app.models"), icon=":material/deployed_code:", url_path="models"),
    ]
