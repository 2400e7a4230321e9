"""Creating a model: the request shown before it is sent, and its status lines as they arrive.

A create whose ``FROM`` names a model that is not installed makes the server pull it first: its
download is drawn as one bar (:class:`lib.models.pull_progress.PullProgress`), the other status
lines as text, each once. A failure ends the status box in the error state, says why below it,
and leaves the form as it was; a success is reported on the next run, with fresh lists (:mod:`lib.models.notices`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.i18n import t
from lib.models import notices
from lib.models.pull_progress import PullProgress, step_label
from lib.ollama import bodies
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui import widgets


def show_request(name: str, fields: dict[str, Any]) -> None:
    """The body :func:`send` would post to ``/api/create``."""
    st.caption(t("models.request_sent"))
    st.json(bodies.create_body(name, **fields), expanded=True)


def send(client: OllamaClient, name: str, fields: dict[str, Any]) -> None:
    """Send the create request and show its status lines as they arrive."""
    with st.status(t("models.creating", name=name), expanded=True) as status:
        download = PullProgress()
        bar: DeltaGenerator | None = None
        last: str | None = None
        try:
            for chunk in client.create(name, **fields):
                line = str(chunk.get("status") or "")
                if chunk.get("total"):
                    download.update(chunk)
                    bar = bar or st.progress(0.0)
                    bar.progress(download.fraction(), text=step_label(line))
                elif line != last:
                    st.text(step_label(line, plain=True))
                last = line
        except OllamaError as error:
            failure: OllamaError | None = error
            status.update(label=t("models.create_failed", name=name), state="error", expanded=False)
        else:
            failure = None
            status.update(label=t("models.created_label", name=name), state="complete", expanded=False)
    if failure is not None:
        widgets.show_error(failure)  # under the box, not inside it, where a collapsed box would hide it
        return
    notices.notify(
        "success", t("models.created", name=name), listed=name, unless=t("models.create_not_done", name=name)
    )
    notices.refresh()
