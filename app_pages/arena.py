"""Arena: blind battles between models, votes, and a leaderboard of the visitor's own votes."""

import streamlit as st

from lib.arena import page
from lib.arena.store import StoreUnavailable

store = page.open_store()
try:
    store.ready()
except StoreUnavailable as error:
    st.error(str(error), icon=":material/database:")
    st.stop()
page.draw(store)
