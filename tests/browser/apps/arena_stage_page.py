"""A presenter's Arena at ``?stage=<owner>``, else the app itself (Home.py, where join links lead).

The presenter's screen is the room panel above the Arena page, whose battles run in the open room
and hand every change to the room (``on_change=room_view.broadcast(...)``, ``room=code``): the
wiring the Arena page itself is to get. The owner comes from the address so the test knows it.
"""

import runpy
from pathlib import Path

import streamlit as st

from lib import i18n, server_data, state
from lib.arena import page, room_view
from lib.arena.store import ArenaStore

if "stage" in st.query_params:
    st.set_page_config(page_title="Stage", layout="wide")
    state.init()
    i18n.init()
    store = ArenaStore(owner=st.query_params["stage"])
    room_view.presenter(store, state.get(state.ARENA_ROOM))
    code = room_view.presented_room(store)
    page.draw(store, server_data.client(), on_change=room_view.broadcast(store, code) if code else None, room=code)
else:
    runpy.run_path(str(Path(__file__).resolve().parents[3] / "Home.py"), run_name="__main__")
