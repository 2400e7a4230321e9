"""Evals: run a prompt set over several models and settings, score every answer, and keep the history."""

import streamlit as st

from lib.evals import page
from lib.evals.store import StoreUnavailable

store = page.open_store()
try:
    store.ready()
except StoreUnavailable as error:
    st.error(str(error), icon=":material/database:")
    st.stop()
page.draw(store)
