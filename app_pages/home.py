"""Home: is the server usable, what is installed, what is loaded, and where to go next; with several
servers, one section for each."""

import streamlit as st

from lib import server_data
from lib.fleet import health, session
from lib.home import fleet_view, page
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ui import widgets

st.title("Ollama Studio")
st.caption(t("home.tagline"))
fleet_view.skipped_hosts()

if len(session.servers()) > 1:
    fleet_view.draw(health.check())
    st.stop()

client = server_data.client()
try:
    version = server_data.version(client)
    installed = server_data.models(client)
    loaded = server_data.running(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)

page.draw(client, version, installed, loaded)
