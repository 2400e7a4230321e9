"""The Embeddings page's layout: its sections in the order they are drawn.

``app_pages/embeddings.py`` draws the :func:`header`, makes sure the server can be used and has
models, then hands over to :func:`draw`. Widget values are put back before the first widget and
kept after the options and again at the end (:mod:`lib.embeddings.form`): a run that stops
early (no results yet, a server error) keeps what was typed.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.embeddings import embed_run, form, input_section, model_section, results
from lib.embeddings.analysis import Analysis
from lib.embeddings.models import ModelChoice
from lib.i18n import t
from lib.ollama.client import OllamaClient


def header() -> None:
    """The title and what the page is for; first puts back the widget values of an earlier visit."""
    form.restore()
    st.title(t("app.embeddings"))
    st.caption(t("embeddings.intro"))


def draw(client: OllamaClient, choices: list[ModelChoice]) -> None:
    """Texts, model and options, the Embed button, then the latest results, if any."""
    items = input_section.texts()
    choice = model_section.choose(choices, items)
    form.keep()
    chosen = embed_run.settings(choice)
    embed_run.button(client, items, chosen)
    analysis: Analysis | None = state.get(state.EMBED_RESULT)
    if analysis is None:
        return
    results.draw(
        client,
        analysis,
        current=embed_run.is_current(analysis, items, chosen),
        query_prefix=choice.query_prefix,
        cache=embed_run.vector_cache(),
    )
    form.keep()
