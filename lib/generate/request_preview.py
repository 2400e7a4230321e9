"""The Generate page's "API request" panel: the exact ``/api/generate`` body, as JSON, curl and Python.

It shows the request the form would send now, to the picked model's server; when the form cannot
be sent, the last run's request (to the server it went to) and why the form cannot be sent; before
any run, only why. The snippets come from :mod:`lib.generate.snippets`: images shortened for
reading (the download keeps them whole), and an API key read from the environment variable that
holds that server's key, never written out.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from lib.fleet import servers, session
from lib.generate.form import Draft
from lib.generate.record import RunRecord
from lib.generate.snippets import API_KEY_VARIABLE, body_json, curl_command, python_code, shorten_images
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.host import join_url


def panel(client: OllamaClient, draft: Draft, shown_run: RunRecord | None) -> None:
    """The expander below the form and the output; ``shown_run`` is the run the output area shows."""
    with st.expander(t("generate.api_request"), icon=":material/api:"):
        if draft.request is not None:
            show_request(client, draft.request.body(), t("generate.request_now"))
        elif shown_run is not None:
            note = t("generate.request_last", problem=draft.problem)
            show_request(client_of(shown_run, client), shown_run.body, note)
        else:
            st.caption(t("generate.request_blocked", problem=draft.problem))


def client_of(run: RunRecord, client: OllamaClient) -> OllamaClient:
    """The client of the server ``run`` went to; ``client`` when that is its server, or when it is no longer
    one of the session's."""
    if not run.form.server or run.form.server == client.base_url:
        return client
    try:
        return session.client_for(run.form.server)
    except session.UnknownServer:
        return client


def key_variable(url: str) -> str:
    """The variable a snippet reads the key from: the server's own (``OLLAMA_API_KEY_GPU``) when it is set."""
    try:
        server = session.server(url)
    except session.UnknownServer:
        return API_KEY_VARIABLE
    own = servers.key_variable(server)
    return own if server.from_env and os.environ.get(own, "").strip() else API_KEY_VARIABLE


def show_request(client: OllamaClient, body: dict[str, Any], note: str) -> None:
    """``body`` as sent to ``client``'s server, under ``note``; the whole body as a download."""
    url = join_url(client.base_url, "/api/generate")
    variable = key_variable(client.base_url)
    shown = shorten_images(body)
    st.caption(note)
    as_json, as_curl, as_python = st.tabs([t("generate.json_body"), t("generate.curl_tab"), t("generate.python_tab")])
    with as_json:
        st.code(body_json(shown), language="json", wrap_lines=True)
    with as_curl:
        st.code(
            curl_command(url, shown, with_api_key=client.has_api_key, variable=variable),
            language="bash",
            wrap_lines=True,
        )
    with as_python:
        st.code(
            python_code(url, shown, with_api_key=client.has_api_key, variable=variable),
            language="python",
            wrap_lines=True,
        )
    if body.get("images"):
        st.caption(t("generate.images_shortened"))
    if client.has_api_key:
        st.caption(t("generate.api_key_hidden"))
    st.download_button(
        t("generate.download_body"),
        data=body_json(body),
        file_name="generate-request.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
    )
