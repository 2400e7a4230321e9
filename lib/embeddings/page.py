"""The Embeddings page's layout: its sections in the order they are drawn.

``app_pages/embeddings.py`` draws the :func:`header`, makes sure a server can be used and has
models (:func:`choices`), then hands over to :func:`draw`. Widget values are put back before the
first widget and kept after the options and again at the end (:mod:`lib.embeddings.form`): a run
that stops early (no results yet, a server error) keeps what was typed.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.embeddings import embed_run, form, input_section, model_section, results
from lib.embeddings import models as em
from lib.embeddings.analysis import Analysis
from lib.embeddings.models import ModelChoice
from lib.fleet import session
from lib.fleet.catalog import ServerState
from lib.i18n import t
from lib.ui import widgets


def header() -> None:
    """The title and what the page is for; first puts back the widget values of an earlier visit."""
    form.restore()
    st.title(t("app.embeddings"))
    st.caption(t("embeddings.intro"))


def choices(states: list[ServerState]) -> list[ModelChoice]:
    """The models of every server that answers; when no server does, or none has a model, says so and ends the run.

    With no server answering, the sidebar's server's problem is explained, with what to try.
    """
    up = [entry for entry in states if entry.up]
    if not up:
        failed = next((entry for entry in states if entry.server.url == session.current().url), states[0])
        assert failed.error is not None
        widgets.stop_with_connection_help(failed.error, failed.server.url)
    found = em.available(up)
    if not found:
        st.info(t("embeddings.no_models"), icon=":material/inventory_2:")
        widgets.pull_button(em.SUGGESTED_MODELS[0], "embed_pull")
        st.stop()
    return found


def draw(choices: list[ModelChoice], states: list[ServerState]) -> None:
    """Texts, model and options, the Embed button, then the latest results, if any.

    ``states`` are the session's servers as surveyed (:func:`lib.fleet.catalog.survey`): models are
    named with their server when there are several, and those not answering are named.
    """
    items = input_section.texts()
    servers = [entry.server for entry in states]
    down = [entry.server.name for entry in states if not entry.up]
    choice = model_section.choose(choices, items, servers, down)
    form.keep()
    chosen = embed_run.settings(choice)
    embed_run.button(items, chosen)
    analysis: Analysis | None = state.get(state.EMBED_RESULT)
    if analysis is None:
        return
    results.draw(
        analysis,
        current=embed_run.is_current(analysis, items, chosen),
        query_prefix=choice.query_prefix,
        cache=embed_run.vector_cache(),
    )
    form.keep()
