"""The presenter's room panel at ``?stage=<owner>`` (until the Arena page draws it), else the app itself (Home.py)."""

import runpy
from pathlib import Path

import streamlit as st

from lib import state
from lib.arena import room_view
from lib.arena.store import ArenaStore

if "stage" in st.query_params:
    st.set_page_config(page_title="Stage", layout="wide")
    state.init()
    room_view.presenter(ArenaStore(owner=st.query_params["stage"]), state.get(state.ARENA_ROOM))
else:
    runpy.run_path(str(Path(__file__).resolve().parents[3] / "Home.py"), run_name="__main__")
