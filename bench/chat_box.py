"""What the benchmark's reference pages share: a title, a chat box, and the answer's text as it streams."""

from __future__ import annotations

import os
from collections.abc import Iterator

import streamlit as st

from lib.chat import dock as chat_dock
from lib.ollama.client import OllamaClient

MODEL = "llama3.2:latest"


def ask(title: str, *, docked: bool = True) -> Iterator[str] | None:
    """Draw ``title`` and the chat box; once a question is sent, the answer's chunks.

    The chunks come straight from ``lib.ollama.client``.

    ``docked``: the chat box in our dock, as on the Chat page (:mod:`lib.chat.dock`); otherwise
    Streamlit's own, pinned to the bottom, as a naive page has it.
    """
    st.title(title)
    if docked:
        with chat_dock.dock():
            prompt = st.chat_input("Message the model")
    else:
        prompt = st.chat_input("Message the model")
    if not prompt:
        return None
    client = OllamaClient(os.environ.get("OLLAMA_HOST"))
    return (chunk["message"]["content"] for chunk in client.chat_stream(MODEL, [{"role": "user", "content": prompt}]))
