"""The Running tab: the models in memory, each with Unload, and loading a model before it is needed.

Loading sends an empty generate request with the chosen keep-alive, or, for a model that only
embeds, an embed request, since such a model cannot generate. The time the server reports for
loading is told on the next run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lib import model_choice, server_data, state
from lib.formatting import human_seconds
from lib.i18n import t
from lib.models import inventory, notices
from lib.ollama.bodies import KeepAlive
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ollama.stream import GENERATE, WAITING, Request, Streams
from lib.parameters.catalog import keep_alive_help, parse_keep_alive
from lib.ui import widgets


def draw(client: OllamaClient, installed: list[dict[str, Any]], loaded: list[dict[str, Any]], names: list[str]) -> None:
    if loaded:
        loaded_models(client, loaded)
    else:
        st.info(t("models.none_loaded"), icon=":material/memory:")
    st.subheader(t("models.warm_up"))
    st.caption(t("models.warm_up_intro"))
    remote = model_choice.remote_models(installed)
    local_names = [name for name in names if name not in remote]  # a cloud model is never loaded here
    if local_names:
        warm_up(client, installed, local_names)


def loaded_models(client: OllamaClient, loaded: list[dict[str, Any]]) -> None:
    """The ``/api/ps`` table, then an Unload button per model."""
    rows = inventory.running_rows(loaded)
    st.dataframe(pd.DataFrame([row.as_dict() for row in rows]), hide_index=True)
    for row in rows:
        if st.button(
            t("models.unload_named", name=row.name),
            icon=":material/eject:",
            key=f"models_unload_{row.name}",
        ):
            unload(client, row.name)


def unload(client: OllamaClient, name: str) -> None:
    try:
        client.unload(name)
    except OllamaError as error:
        widgets.show_error(error)
    else:
        notices.notify("success", t("models.unloaded", name=name))
        notices.refresh()


def warm_up(client: OllamaClient, installed: list[dict[str, Any]], names: list[str]) -> None:
    """A model and how long to keep it loaded (the server's default when empty), then Load."""
    left, right = st.columns(2)
    widgets.ensure_choice(state.MODELS_WARM_MODEL_INPUT, names)
    chosen = left.selectbox(t("models.model"), names, key=state.MODELS_WARM_MODEL_INPUT)
    keep_text = right.text_input(
        t("models.keep_loaded_for"),
        placeholder=t("models.server_default_keep_alive"),
        help=keep_alive_help(),
        key=state.MODELS_KEEP_ALIVE_INPUT,
    )
    try:
        keep_alive = parse_keep_alive(keep_text or "")
    except ValueError as error:
        st.error(str(error))
        return
    if st.button(t("models.load"), icon=":material/play_arrow:", type="primary", key="models_load"):
        load(client, installed, chosen, keep_alive)


def load(client: OllamaClient, installed: list[dict[str, Any]], name: str, keep_alive: KeepAlive) -> None:
    """Load ``name`` and report how long it took; a model that takes long can be cancelled meanwhile."""
    try:
        entry = next(m for m in installed if m.get("name") == name)
        if inventory.embeds_only(server_data.capabilities(client, entry)):
            with st.spinner(t("models.loading", name=name)):
                answer = client.embed(name, ["warm-up"], keep_alive=keep_alive)
        else:
            answer = load_cancellable(client, name, keep_alive)
    except OllamaError as error:
        widgets.show_error(error)
        return
    notices.notify("success", loaded_message(name, answer))
    notices.refresh()


def load_cancellable(client: OllamaClient, name: str, keep_alive: KeepAlive) -> dict[str, Any]:
    """An empty generate request, which loads the model, read on a worker so that Cancel can cut it.

    Cancel (any click, in fact) interrupts this run: the request is cut, the server stops loading
    for it, and the next run says so (:func:`interrupted_load`). Raises the request's
    :class:`OllamaError` when it failed.
    """
    streams = Streams(client, [Request(GENERATE, name, {"keep_alive": keep_alive}, stream=False)])
    state.put(state.MODELS_LOAD_JOB, (name, streams))
    with widgets.live_area(streams.stop):
        waiting = st.empty()
        waiting.caption(t("models.loading", name=name))
        st.button(t("models.cancel_load"), icon=":material/cancel:", key="models_load_cancel")
        for event in streams.events():
            if event.kind == WAITING:
                waiting.caption(
                    t("models.loading_for", name=name, time=t("units.seconds", value=f"{event.seconds:.0f}"))
                )
    state.put(state.MODELS_LOAD_JOB, None)
    result = streams.answers[0]
    if result.error is not None:
        raise result.error
    return result.final or {}


def interrupted_load() -> None:
    """A load that the click starting this run interrupted (Cancel, or any other): stopped, and said so."""
    job = state.get(state.MODELS_LOAD_JOB)
    if job is None:
        return
    name, streams = job
    streams.stop()
    state.put(state.MODELS_LOAD_JOB, None)
    st.warning(t("models.load_cancelled", name=name), icon=":material/cancel:")


def loaded_message(name: str, answer: dict[str, Any]) -> str:
    """What a load request's answer says: how long loading took, when the server reports it."""
    took = (answer.get("load_duration") or answer.get("total_duration") or 0) / 1e9
    if took:
        return t("models.loaded_took", name=name, time=human_seconds(took))
    return t("models.loaded", name=name)
