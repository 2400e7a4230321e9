"""The naive baseline: a chat box whose answer is ``st.write_stream`` on the raw token generator.

This is what the Chat page must beat: every token re-sends the whole answer so far.
"""

import os

import streamlit as st

from lib.client import OllamaClient

MODEL = "llama3.2:latest"

st.title("Naive baseline")
prompt = st.chat_input("Message the model")
if prompt:
    client = OllamaClient(os.environ.get("OLLAMA_HOST"))
    messages = [{"role": "user", "content": prompt}]
    with st.chat_message("assistant"):
        st.write_stream(chunk["message"]["content"] for chunk in client.chat_stream(MODEL, messages))
