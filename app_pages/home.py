"""Home: is the server usable, what is installed, what is loaded, and where to go next."""

import pandas as pd
import streamlit as st

from lib import server_data
from lib.formatting import human_size, time_until
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ollama.host import display_host
from lib.ui import navigation, widgets
from lib.ui.markdown_safety import escape_markdown

st.title("Ollama Studio")
st.caption(t("home.tagline"))

client = server_data.client()
try:
    version = server_data.version(client)
    installed = server_data.models(client)
    loaded = server_data.running(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)

st.success(
    t("home.connected", version=escape_markdown(version), server=display_host(client.base_url)),
    icon=":material/check_circle:",
)

disk, memory, vram = (
    sum(m.get(field) or 0 for m in rows)
    for rows, field in ((installed, "size"), (loaded, "size"), (loaded, "size_vram"))
)
columns = st.columns(4)
columns[0].metric(t("home.installed_models"), len(installed))
columns[1].metric(t("home.disk_used"), human_size(disk))
columns[2].metric(t("home.models_in_memory"), len(loaded))
columns[3].metric(t("home.memory_in_use"), human_size(memory), help=t("home.on_gpu", size=human_size(vram)))

st.subheader(t("home.loaded_heading"))
if loaded:
    st.dataframe(
        pd.DataFrame(
            {
                t("home.column_model"): m.get("name", m.get("model", "")),
                t("home.column_memory"): human_size(m.get("size")),
                t("home.column_on_gpu"): human_size(m.get("size_vram")),
                t("home.column_context"): m.get("context_length"),
                t("home.column_unloads"): time_until(m.get("expires_at")),
            }
            for m in loaded
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption(t("home.nothing_loaded"))

st.subheader(t("home.installed_heading"))
if installed:
    st.dataframe(
        pd.DataFrame(
            {
                t("home.column_model"): m.get("name", ""),
                t("home.column_size"): m.get("size"),
                t("home.column_family"): (m.get("details") or {}).get("family", ""),
                t("home.column_parameters"): (m.get("details") or {}).get("parameter_size", ""),
                t("home.column_quantisation"): (m.get("details") or {}).get("quantization_level", ""),
            }
            for m in sorted(installed, key=lambda m: m.get("name", ""))
        ).style.format({t("home.column_size"): human_size}),  # drawn as ollama list words it, sorted by bytes
        hide_index=True,
        width="stretch",
    )
else:
    st.info(t("home.nothing_installed"), icon=":material/inventory_2:")

st.subheader(t("home.where_next"))
links = st.columns(4)
links[0].page_link(navigation.CHAT, label=t("home.link_chat"), icon=":material/chat:")
links[1].page_link(navigation.GENERATE, label=t("home.link_generate"), icon=":material/edit_note:")
links[2].page_link(navigation.EMBEDDINGS, label=t("home.link_embeddings"), icon=":material/scatter_plot:")
links[3].page_link(navigation.MODELS, label=t("home.link_models"), icon=":material/deployed_code:")

if st.button(t("home.refresh"), icon=":material/refresh:"):
    server_data.forget_models()
    st.rerun()
