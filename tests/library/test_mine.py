"""The visitor's library (lib/library/mine.py): scoped to the visitor, carried over when they sign in."""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access import visitor
from lib.library.store import LibraryStore

TOKEN = "T" * 43


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return tmp_path


def library_app() -> None:
    import streamlit as st

    from lib.library import mine

    store = mine.visitor_store()
    st.session_state["owner"] = store.owner
    st.session_state["names"] = [item.name for item in store.items("preset")]


def test_a_browser_visitor_gets_their_own_library_and_their_cookie_written():
    at = AppTest.from_function(library_app, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = TOKEN
    at.run()
    assert at.session_state["owner"] == f"browser:{TOKEN}"
    assert any(TOKEN in str(element.proto) for element in at.get("html"))


def test_a_visitor_who_signs_in_takes_this_browsers_presets_along(monkeypatch):
    LibraryStore(owner=f"browser:{TOKEN}").save("preset", "mine", {"options": {"seed": 1}})
    monkeypatch.setenv(visitor.HEADER_VARIABLE, "X-User")
    monkeypatch.setattr(visitor, "browser_cookies", lambda: {visitor.COOKIE: TOKEN})
    monkeypatch.setattr(visitor, "current", lambda: visitor.Visitor(visitor.HEADER, "header:ann", accounts=True))
    at = AppTest.from_function(library_app, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["owner"] == "header:ann"
    assert at.session_state["names"] == ["mine"]
    assert LibraryStore(owner=f"browser:{TOKEN}").items("preset") == []
