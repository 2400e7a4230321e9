"""A 200×200 similarity heatmap drawn by lib/embeddings/charts.py, after a click on Draw.

The Embeddings page itself shows at most 60 texts at once, so this page draws the full
200×200 chart the benchmark times. The vectors come from the fake server through the
Embeddings page's batching code, once per session, before Draw is pressed.
"""

import os

import numpy as np
import streamlit as st

from lib.embeddings import analysis as ea
from lib.embeddings import charts
from lib.embeddings import similarity as sim
from lib.embeddings.cache import EmbedSettings, VectorCache, embed_all
from lib.embeddings.texts import TextItem, axis_labels
from lib.ollama.client import OllamaClient

SIZE = int(os.environ.get("BENCH_HEATMAP_SIZE", "200"))
MODEL = "nomic-embed-text:latest"

if "bench_vectors" not in st.session_state:
    texts = [f"Benchmark text number {i} about {('cats', 'ships', 'bread', 'rain')[i % 4]}" for i in range(SIZE)]
    client = OllamaClient(os.environ.get("OLLAMA_HOST"))
    st.session_state.bench_items = [TextItem(text) for text in texts]
    st.session_state.bench_vectors = embed_all(client, EmbedSettings(MODEL), texts, VectorCache()).vectors

items = st.session_state.bench_items
similarity = sim.cosine_matrix(np.asarray(st.session_state.bench_vectors))
labels = axis_labels(items)
subset = list(range(len(items)))
order = [labels[i] for i in subset]
st.title(f"Heatmap of {len(items)} texts")
if st.button("Draw"):
    chart = charts.heatmap(ea.heatmap_frame(similarity, labels, subset), ea.text_frame(items, labels, subset), order)
    st.altair_chart(chart, width="content")
