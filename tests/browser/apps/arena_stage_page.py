"""A presenter's Arena page at ``?stage=<owner>``, else the app itself (Home.py, where join links lead).

The Arena page as the app draws it, with the owner taken from the address so the test knows whose
rooms and battles to read in the database.
"""

import runpy
from pathlib import Path

import streamlit as st

from lib import i18n, state
from lib.arena import page
from lib.arena.store import ArenaStore

if "stage" in st.query_params:
    st.set_page_config(page_title="Stage", layout="wide")
    state.init()
    i18n.init()
    store = ArenaStore(owner=st.query_params["stage"])
    page.draw(store)
else:
    runpy.run_path(str(Path(__file__).resolve().parents[3] / "Home.py"), run_name="__main__")
