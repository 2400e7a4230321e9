"""A diagnostic page: the answer drawn by lib/live_markdown.py alone, with nothing else per token.

Measured beside the Chat page, it shows what the streaming renderer itself costs, so any
difference is the Chat page's own work per token.
"""

import os

import streamlit as st

from lib.client import OllamaClient
from lib.live_markdown import LiveMarkdown

MODEL = "llama3.2:latest"

st.title("LiveMarkdown alone")
prompt = st.chat_input("Message the model")
if prompt:
    client = OllamaClient(os.environ.get("OLLAMA_HOST"))
    messages = [{"role": "user", "content": prompt}]
    with st.chat_message("assistant"):
        answer = LiveMarkdown(st.container())
        for chunk in client.chat_stream(MODEL, messages):
            answer.append(chunk["message"]["content"])
        answer.finish()
