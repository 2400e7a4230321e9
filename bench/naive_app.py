"""The naive baseline: a chat box whose answer is ``st.write_stream`` on the raw token generator.

This is what the Chat page must beat: every token re-sends the whole answer so far.
"""

import streamlit as st

from bench.chat_box import ask

chunks = ask("Naive baseline", docked=False)
if chunks is not None:
    with st.chat_message("assistant"):
        st.write_stream(chunks)
