"""Home: is the server usable, what is installed, what is loaded, and where to go next."""

import pandas as pd
import streamlit as st

from lib import navigation, server_data, widgets
from lib.markdown_safety import escape_markdown
from lib.errors import OllamaError
from lib.formatting import human_size, time_until
from lib.host import display_host

st.title("Ollama Studio")
st.caption("Chat with, compare and manage the models on your Ollama server, no terminal needed.")

client = server_data.client()
try:
    version = server_data.version(client)
    installed = server_data.models(client)
    loaded = server_data.running(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)

st.success(f"Connected to Ollama {escape_markdown(version)} at {display_host(client.base_url)}.", icon=":material/check_circle:")

disk, memory, vram = (sum(m.get(field) or 0 for m in rows) for rows, field in
                      ((installed, "size"), (loaded, "size"), (loaded, "size_vram")))
columns = st.columns(4)
columns[0].metric("Installed models", len(installed))
columns[1].metric("Disk used by models", human_size(disk))
columns[2].metric("Models in memory", len(loaded))
columns[3].metric("Memory in use", human_size(memory), help=f"Of which on the GPU: {human_size(vram)}")

st.subheader("Loaded in memory")
if loaded:
    st.dataframe(
        pd.DataFrame(
            {
                "Model": m.get("name", m.get("model", "")),
                "Memory": human_size(m.get("size")),
                "On GPU": human_size(m.get("size_vram")),
                "Context": m.get("context_length"),
                "Unloads": time_until(m.get("expires_at")),
            }
            for m in loaded
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No model is loaded. The first answer from a model includes its load time.")

st.subheader("Installed")
if installed:
    st.dataframe(
        pd.DataFrame(
            {
                "Model": m.get("name", ""),
                "Size": human_size(m.get("size")),
                "Family": (m.get("details") or {}).get("family", ""),
                "Parameters": (m.get("details") or {}).get("parameter_size", ""),
                "Quantisation": (m.get("details") or {}).get("quantization_level", ""),
            }
            for m in sorted(installed, key=lambda m: m.get("name", ""))
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.info("No models are installed yet. Pull one on the Models page.", icon=":material/inventory_2:")

st.subheader("Where next")
links = st.columns(4)
links[0].page_link(navigation.CHAT, label="Chat with a model", icon=":material/chat:")
links[1].page_link(navigation.GENERATE, label="Try a one-shot prompt", icon=":material/edit_note:")
links[2].page_link(navigation.EMBEDDINGS, label="Compare texts by meaning", icon=":material/scatter_plot:")
links[3].page_link(navigation.MODELS, label="Pull and manage models", icon=":material/deployed_code:")

if st.button("Refresh", icon=":material/refresh:"):
    server_data.forget_models()
    st.rerun()
