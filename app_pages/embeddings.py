"""Embeddings: turn texts into vectors, see which are alike, search them, map them, compare two models."""

import streamlit as st

from lib import server_data
from lib.embeddings import models as em
from lib.embeddings import page
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ui import widgets

page.header()
client = server_data.client()
try:
    choices = em.installed(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)
if not choices:
    st.info(t("embeddings.no_models"), icon=":material/inventory_2:")
    widgets.pull_button(em.SUGGESTED_MODELS[0], "embed_pull")
    st.stop()
page.draw(client, choices)
