"""Models: what is installed and loaded, and pull, create, copy, delete, load and unload; with several
servers, on the one chosen at the top."""

import streamlit as st

from lib.i18n import t
from lib.models import page, servers
from lib.ollama.errors import OllamaError
from lib.ui import widgets

st.title(t("models.title"))
st.caption(t("models.intro"))

client = servers.chosen_client()
try:
    installed, loaded = page.fetch_lists(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)

page.draw(client, installed, loaded)
