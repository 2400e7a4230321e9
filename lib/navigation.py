"""The app's pages and their URL paths, in menu order."""

from __future__ import annotations

import streamlit as st

HOME = "app_pages/home.py"
GENERATE = "app_pages/generate.py"
CHAT = "app_pages/chat.py"
EMBEDDINGS = "app_pages/embeddings.py"
MODELS = "app_pages/models.py"


def pages() -> list[st.Page]:
    return [
        st.Page(HOME, title="Home", icon=":material/home:", default=True),
        st.Page(CHAT, title="Chat", icon=":material/chat:", url_path="chat"),
        st.Page(GENERATE, title="Generate", icon=":material/edit_note:", url_path="generate"),
        st.Page(EMBEDDINGS, title="Embeddings", icon=":material/scatter_plot:", url_path="embeddings"),
        st.Page(MODELS, title="Models", icon=":material/deployed_code:", url_path="models"),
    ]
