"""A diagnostic page: the answer drawn by lib/ui/live_markdown.py alone, with nothing else per token.

Measured beside the Chat page, it shows what the streaming renderer itself costs, so any
difference is the Chat page's own work per token.
"""

import streamlit as st

from bench.chat_box import ask
from lib.ui.live_markdown import LiveMarkdown

chunks = ask("LiveMarkdown alone")
if chunks is not None:
    with st.chat_message("assistant"):
        answer = LiveMarkdown(st.container())
        for chunk in chunks:
            answer.append(chunk)
        answer.finish()
