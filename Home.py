"""Ollama Studio's entry point: runs before every page, draws the shared frame, then the page."""

import streamlit as st

from lib import i18n, state
from lib.arena import room_view
from lib.chat.store import StoreFailed
from lib.ui import navigation, sidebar, streamlit_chrome

st.set_page_config(page_title="Ollama Studio", page_icon="🦙", layout="wide")
state.init()
i18n.init()
voter = room_view.requested_room() is not None  # a join link: the room's screen, nothing else of the app
page = st.navigation(room_view.voter_pages(), position="hidden") if voter else st.navigation(navigation.pages())
i18n.keep_in_url()
if not voter:
    sidebar.render()
streamlit_chrome.render()
try:
    page.run()
except StoreFailed as error:  # the saved chats' database failed mid-page: say so under what was drawn
    st.error(str(error), icon=":material/database:")
