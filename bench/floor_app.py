"""A reference page: reads the answer's stream without drawing, then draws it once.

It is the least any streaming page can cost: the chat box, Streamlit's running state and one
element with the whole answer. Main-thread time it spends while a slow stream runs is the
frontend's own (the chat box keeps the page scrolled to the bottom with a timer), not drawing.
"""

import streamlit as st

from bench.chat_box import ask
from lib.live_markdown import render_markdown

chunks = ask("Drawn once")
if chunks is not None:
    with st.chat_message("assistant"):
        render_markdown("".join(chunks))
