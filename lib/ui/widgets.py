"""Small pieces of UI that several pages share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import streamlit as st

from lib import i18n, server_data, state
from lib.access import locked as access
from lib.fleet import catalog
from lib.home import doctor
from lib.i18n import t, t_plain
from lib.ollama.errors import OllamaError, ResponseError, StreamError
from lib.ollama.host import display_host
from lib.ui import navigation
from lib.ui.errors import error_text


def show_error(error: OllamaError) -> None:
    """One readable sentence in an error box, plus what to do when we know it."""
    st.error(error_text(error), icon=":material/error:")
    if isinstance(error, ResponseError) and error.model_missing and "not found" in error.server_message.lower():
        st.caption(t("widgets.model_missing"))
    elif isinstance(error, StreamError) and (error.partial.content or error.partial.thinking):
        st.caption(t("widgets.partial_kept"))


def stop_with_connection_help(error: OllamaError, base_url: str) -> NoReturn:
    """Explain why the server cannot be used and what to try, then end this run of the page."""
    with st.container(border=True):
        st.subheader(t("widgets.cannot_use_server", server=display_host(base_url)))
        st.error(error_text(error), icon=":material/power_off:")
        st.markdown(f"**{t('widgets.what_to_try')}**")
        steps = [t("widgets.locked_advice")] if access.is_locked() else doctor.advice(error, base_url)
        st.markdown("\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1)))
        retry_button()
    st.stop()


def retry_button() -> None:
    """Retry, for a page that could not ask the server: drops the cached server data and runs the page again.

    Nothing else would: a page stays as drawn until something is clicked, even once the server is back.
    """
    if st.button(t("widgets.retry"), type="primary", icon=":material/refresh:", key="connection_retry"):
        server_data.forget_models()
        catalog.forget_down()  # every server of the fleet is asked again, not only once its few seconds are over
        st.rerun()


def model_picker(label: str, capability: str, key: str, *, help: str | None = None) -> str | None:
    """A select box of installed models that have ``capability`` (e.g. "completion", "embedding").

    Starts on the sidebar's default model when it qualifies. Returns ``None``, after saying
    why, when there is nothing to pick; pages then ``st.stop()``.
    """
    client = server_data.client()
    try:
        names = server_data.models_with(client, capability)
    except OllamaError as error:
        show_error(error)
        retry_button()
        return None
    if not names:
        st.info(t("widgets.no_capable_model", capability=capability), icon=":material/info:")
        return None
    ensure_choice(key, names)
    return st.selectbox(label, names, key=key, help=help, format_func=model_label(server_data.remote_models(client)))


def pull_button(model: str, key: str) -> None:
    """Opens Models → Pull with ``model`` typed in, for a page that needs a model the server does not have.

    Visitors who may not manage models (locked mode) get nothing to click.
    """
    if not access.can_manage_models():
        return
    if st.button(t("widgets.pull_model", model=model), icon=":material/download:", key=key):
        state.put(state.MODELS_PULL_NAME, model)
        st.session_state.pop(state.MODELS_PULL_NAME_INPUT, None)
        st.session_state[state.MODELS_TAB] = t("models.tab_pull")
        st.switch_page(navigation.MODELS)


def model_label(remote: dict[str, str]) -> Callable[[str], str]:
    """A select box's wording of model names: a model that runs elsewhere says where (plain text, not Markdown)."""

    def label(name: str) -> str:
        host = remote.get(name)
        return name if host is None else f"{name} · {t_plain('widgets.runs_elsewhere', host=host)}"

    return label


def ensure_choice(key: str, names: Sequence[str], *, eligible: Sequence[str] | None = None) -> None:
    """Keep the model select box under ``key`` on a name it offers.

    The user's pick stays; otherwise the sidebar's default model when it is ``eligible``
    (all ``names`` unless given), otherwise the first name.
    """
    if st.session_state.get(key) in names:
        return
    default = state.get(state.DEFAULT_MODEL)
    st.session_state[key] = default if default in (names if eligible is None else eligible) else names[0]


def tabs(keys: dict[str, str], widget_key: str, **options: Any) -> dict[str, Any]:
    """``st.tabs`` by tab id, labelled from catalog ``keys``; the open tab survives a language switch.

    The tabs widget remembers its open tab by label, so a label of either language (set by the
    widget, or by a page that opens a tab) is turned into this language's label of the same tab,
    or the first tab's.
    """
    stored = st.session_state.get(widget_key)
    open_tab = next((tab for tab, key in keys.items() if stored in i18n.wordings(key)), next(iter(keys)))
    labels = {tab: t(key) for tab, key in keys.items()}
    st.session_state[widget_key] = labels[open_tab]
    return dict(zip(labels, st.tabs(list(labels.values()), key=widget_key, **options), strict=True))


@contextmanager
def live_area(stop: Callable[[], None]) -> Iterator[None]:
    """A placeholder for a running job's live output, emptied when the job has ended.

    Stop (or any other click) interrupts the script at a Streamlit call inside: ``stop`` then
    closes the job's streams, so the server stops and what arrived is kept, and the
    interruption goes on.
    """
    area = st.empty()
    try:
        with area.container():
            yield
    except BaseException:
        stop()
        raise
    area.empty()
