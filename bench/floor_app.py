"""A reference page: reads the answer's stream without drawing, then draws it once, in one element.

It is the least any streaming page can cost: the chat box (docked as on the Chat page),
Streamlit's running state and the answer drawn once.
"""

import streamlit as st

from bench.chat_box import ask
from lib.ui.markdown_safety import safe_markdown

chunks = ask("Drawn once")
if chunks is not None:
    with st.chat_message("assistant"):
        st.markdown(safe_markdown("".join(chunks)))
