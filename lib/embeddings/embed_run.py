"""The Embed button: the run's settings, progress while the texts are sent, and what went wrong.

A finished run is kept in session state (``state.EMBED_RESULT``) with the signature of the inputs
it was made from, so the results stay on screen across reruns and say when they are out of date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from lib import server_data, state
from lib.embeddings import analysis as ea
from lib.embeddings import models as em
from lib.embeddings.cache import EmbedSettings, VectorCache, embed_all
from lib.embeddings.model_section import Choice
from lib.embeddings.texts import TextItem
from lib.fleet import session
from lib.fleet.models import ModelRef, label, server_name
from lib.formatting import whole_number
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.parameters.catalog import parse_keep_alive
from lib.ui import widgets

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator


def vector_cache() -> VectorCache:
    """The session's cache of vectors, shared by every run and search query."""
    if state.get(state.EMBED_CACHE) is None:
        state.put(state.EMBED_CACHE, VectorCache())
    cache: VectorCache = state.get(state.EMBED_CACHE)
    return cache


def settings(choice: Choice) -> list[EmbedSettings]:
    """One model's settings per chosen model; when they cannot be used, says why and ends the run."""
    try:
        keep_alive = parse_keep_alive(choice.keep_alive)
    except ValueError as problem:
        st.error(str(problem), icon=":material/error:")
        st.stop()
    if choice.model.can_embed is False:
        st.error(em.cannot_embed_message(choice.model.name), icon=":material/block:")
        widgets.pull_button(em.SUGGESTED_MODELS[0], "embed_pull")
        st.stop()
    return [
        EmbedSettings(
            model.name, choice.prefix, choice.truncate, choice.dimensions, keep_alive, model.digest, model.server
        )
        for model in choice.models
    ]


def button(items: list[TextItem], chosen: list[EmbedSettings]) -> None:
    """The Embed button; a click embeds ``items`` under each of the ``chosen`` settings, each on its model's
    server, and keeps the run.

    A server error is shown with what to try, and ends the run.
    """
    signature = ea.run_signature(items, chosen)
    if not items:
        st.info(t("embeddings.empty", example=t("embeddings.example")), icon=":material/edit_note:")
    run = st.button(
        t("embeddings.run", n=len(items), count=whole_number(len(items))),
        type="primary",
        key=state.EMBED_RUN_BUTTON,
        icon=":material/scatter_plot:",
        disabled=not items,
    )
    if not (run and items):
        return
    texts = [item.text for item in items]
    servers = session.servers()
    results = []
    try:
        for one in chosen:
            client = session.client_for(one.server or session.current().url)
            named = label(ModelRef(one.model, client.base_url), servers)
            server = server_name(client.base_url, servers) if len(servers) > 1 else ""
            bar = st.progress(0.0, text=t("embeddings.progress_checking", model=named))
            embedded = embed_all(client, one, texts, vector_cache(), progress=progress_reporter(bar, named))
            details = server_data.details(client, one.model, one.digest)
            results.append(ea.ModelResult(embedded, em.context_limit(details), server))
    except OllamaError as error:
        widgets.show_error(error)
        if error.status_code in (400, 500, 501) and "embed" in error.server_message.lower():
            st.caption(em.suggestion())
        elif "context length" in error.server_message.lower():
            st.caption(t("embeddings.too_long"))
        st.stop()
    state.put(state.EMBED_RESULT, ea.Analysis(items, results[0], results[1] if len(results) > 1 else None, signature))


def progress_reporter(bar: DeltaGenerator, model: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` for :func:`~lib.embeddings.cache.embed_all` that moves ``bar``."""

    def report(done: int, total: int) -> None:
        if total == 0:
            bar.progress(1.0, text=t("embeddings.progress_all_cached", model=model))
        else:
            bar.progress(
                done / total,
                text=t("embeddings.progress_done", model=model, done=whole_number(done), total=whole_number(total)),
            )

    return report


def is_current(analysis: ea.Analysis, items: list[TextItem], chosen: list[EmbedSettings]) -> bool:
    """Whether ``analysis`` was made from these texts and settings (else the page says it is out of date)."""
    return analysis.signature == ea.run_signature(items, chosen)
