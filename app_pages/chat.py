"""Chat: talk with a model; answers stream in, can be stopped, and every conversation is saved."""

import streamlit as st

from lib.access import visitor
from lib.chat import page as chat_page
from lib.chat.store import StoreUnavailable

store = visitor.chat_store()
try:
    store.ready()
except StoreUnavailable as error:
    st.error(str(error), icon=":material/database:")
    st.stop()
chat_page.draw(store)
