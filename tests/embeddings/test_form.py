"""The Embeddings page's widget values survive a page switch; first visits start from the defaults.

lib/embeddings/form.py, with a few of the page's widgets drawn by a small script.
"""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.embeddings import form


def page_with_some_widgets() -> None:
    """A few of the page's widgets, drawn while "on_page"; off it they are gone, as on another page."""
    import streamlit as st

    from lib import state
    from lib.embeddings import form

    state.init()
    form.restore()
    if st.session_state.get("on_page", True):
        st.text_input("Prefix", key=state.EMBED_PREFIX_INPUT)
        st.toggle("Group similar texts", key=state.EMBED_CLUSTER_INPUT)
        st.selectbox("Model", ["a", "b"], key=state.EMBED_MODEL_INPUT)
        st.text_input("Not kept", key="not_kept")
        form.keep()


@pytest.fixture
def at(monkeypatch) -> AppTest:
    # The script run makes its temporary file sys.modules["__main__"]; restored afterwards
    # (see tests/ui/test_live_markdown.py).
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    app = AppTest.from_function(page_with_some_widgets, default_timeout=30).run()
    assert not app.exception
    return app


def leave_and_come_back(at: AppTest) -> AppTest:
    at.session_state["on_page"] = False
    at.run()
    at.session_state["on_page"] = True
    return at.run()


def test_a_first_visit_starts_from_the_defaults(at):
    assert at.text_input(key=state.EMBED_PREFIX_INPUT).value == form.DEFAULTS[state.EMBED_PREFIX_INPUT]
    assert at.toggle(key=state.EMBED_CLUSTER_INPUT).value is form.DEFAULTS[state.EMBED_CLUSTER_INPUT] is True
    assert at.selectbox(key=state.EMBED_MODEL_INPUT).value == "a"  # no fixed default: the first option


def test_kept_values_are_saved_after_drawing(at):
    at.text_input(key=state.EMBED_PREFIX_INPUT).input("search_document: ")
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("b")
    at.text_input(key="not_kept").input("gone")
    at.run()
    saved = at.session_state[state.EMBED_FORM]
    assert saved[state.EMBED_PREFIX_INPUT] == "search_document: "
    assert saved[state.EMBED_MODEL_INPUT] == "b"
    assert saved[state.EMBED_CLUSTER_INPUT] is True
    assert "not_kept" not in saved


def test_values_come_back_after_a_page_without_the_widgets(at):
    at.text_input(key=state.EMBED_PREFIX_INPUT).input("search_document: ")
    at.toggle(key=state.EMBED_CLUSTER_INPUT).set_value(False)
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("b")
    at.text_input(key="not_kept").input("gone")
    at.run()
    leave_and_come_back(at)
    assert not at.exception
    assert at.text_input(key=state.EMBED_PREFIX_INPUT).value == "search_document: "
    assert at.toggle(key=state.EMBED_CLUSTER_INPUT).value is False
    assert at.selectbox(key=state.EMBED_MODEL_INPUT).value == "b"
    assert at.text_input(key="not_kept").value == ""  # not in form.KEPT: Streamlit forgot it


def test_a_value_already_set_wins_over_the_saved_one(at):
    at.text_input(key=state.EMBED_PREFIX_INPUT).input("saved: ").run()
    at.session_state["on_page"] = False
    at.run()
    at.session_state[state.EMBED_PREFIX_INPUT] = "set by a button: "  # as a callback does before the page draws
    at.session_state["on_page"] = True
    at.run()
    assert at.text_input(key=state.EMBED_PREFIX_INPUT).value == "set by a button: "


def test_every_default_is_a_kept_widget():
    assert set(form.DEFAULTS) <= set(form.KEPT)
    assert len(set(form.KEPT)) == len(form.KEPT)
