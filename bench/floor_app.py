"""A reference page: reads the answer's stream without drawing, then draws it once.

It is the least any streaming page can cost: the chat box, Streamlit's running state and one
element with the whole answer. Main-thread time it spends while a slow stream runs is the
frontend's own (the chat box keeps the page scrolled to the bottom with a timer), not drawing.
"""

import os

import streamlit as st

from lib.client import OllamaClient
from lib.live_markdown import render_markdown

MODEL = "llama3.2:latest"

st.title("Drawn once")
prompt = st.chat_input("Message the model")
if prompt:
    client = OllamaClient(os.environ.get("OLLAMA_HOST"))
    messages = [{"role": "user", "content": prompt}]
    with st.chat_message("assistant"):
        render_markdown("".join(chunk["message"]["content"] for chunk in client.chat_stream(MODEL, messages)))
