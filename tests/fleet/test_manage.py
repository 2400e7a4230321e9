"""Adding, renaming, keying and removing servers in the sidebar's list (lib/fleet/manage.py), as a session does."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access import locked as access
from lib.ollama.client import OllamaClient

LAB = "http://10.0.0.8:11434"
NAS = "http://10.0.0.9:11434"


def manage_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet import manage, session

    state.init()
    st.session_state["said"] = [str(getattr(manage, op)(*args)) for op, *args in st.session_state.get("ops", [])]
    st.session_state["ops"] = []
    st.session_state["servers"] = [(s.name, s.url) for s in session.servers()]


def run(at: AppTest, *ops: tuple[Any, ...]) -> list[str]:
    at.session_state["ops"] = list(ops)
    at.run()
    return at.session_state["said"]


@pytest.fixture
def app(monkeypatch, studio_env, fake, keep_main_module) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url}")
    return AppTest.from_function(manage_app, default_timeout=30).run()


def test_a_server_is_added_with_a_name_and_a_key_kept_for_it_alone(app, fake):
    assert run(app, ("add", " 10.0.0.8 ", "lab", " sk-lab ")) == ["None"]
    assert app.session_state["servers"] == [("laptop", fake.url), ("lab", LAB)]
    assert app.session_state[state.SERVER_KEYS] == {LAB: "sk-lab"}
    assert run(app, ("add", "10.0.0.9")) == ["None"]
    assert app.session_state["servers"][-1] == ("10.0.0.9", NAS)  # unnamed: after its host


@pytest.mark.parametrize(
    ("address", "name", "sentence"),
    [
        ("", "", "Type the server's address"),
        ("ftp://x", "", "Unsupported scheme"),
        ("http://me:secret@10.0.0.10", "", "An address cannot hold a user name or password"),
        ("http://10.0.0.8:11434/", "", "is already in the list, as **lab**"),
        ("10.0.0.10", "LAB", "The name **LAB** is taken by the server at `http://10.0.0.8:11434`"),
        ("10.0.0.10", "my gpu", "cannot be a server's name"),
        ("10.0.0.10", "laptop", "is taken"),
    ],
)
def test_a_duplicate_or_unreadable_server_is_refused_with_a_sentence(app, address, name, sentence):
    run(app, ("add", "10.0.0.8", "lab"))
    before = app.session_state[state.FLEET_ADDED]
    assert sentence in run(app, ("add", address, name, "sk"))[0]
    assert app.session_state[state.FLEET_ADDED] == before
    assert app.session_state[state.SERVER_KEYS] == {}  # a refused server's key is not kept


def test_a_rename_is_checked_like_a_new_name_and_an_empty_one_names_it_after_its_host(app, fake):
    run(app, ("add", "10.0.0.8", "lab"), ("add", "10.0.0.9", "nas"))
    assert run(app, ("rename", LAB, "gpu")) == ["None"]
    assert app.session_state["servers"][1] == ("gpu", LAB)
    assert "is taken" in run(app, ("rename", LAB, "NAS"))[0]
    assert "cannot be a server's name" in run(app, ("rename", LAB, "a*b"))[0]
    assert run(app, ("rename", LAB, "")) == ["None"]
    assert app.session_state["servers"][1] == ("10.0.0.8", LAB)
    assert "Only servers added in the sidebar" in run(app, ("rename", fake.url, "home"))[0]


def test_removing_a_server_forgets_its_key_and_closes_its_client(app, fake):
    run(app, ("add", "10.0.0.8", "lab", "sk-lab"))
    client = OllamaClient(LAB)
    closed: list[bool] = []
    client.close = lambda: closed.append(True)  # type: ignore[method-assign]
    app.session_state[state.CLIENTS] = {LAB: ((LAB, "sk-lab", 180.0), client)}
    assert run(app, ("remove", LAB)) == ["None"]
    assert app.session_state["servers"] == [("laptop", fake.url)]
    assert app.session_state[state.SERVER_KEYS] == {}
    assert app.session_state[state.CLIENTS] == {}
    assert closed == [True]


def test_neither_the_environments_servers_nor_the_sidebars_own_can_be_removed(app, fake):
    run(app, ("add", "10.0.0.8", "lab"))
    app.session_state[state.SERVER_URL] = LAB  # typed in the address box: now the sidebar's server
    assert "Only servers added in the sidebar can be removed" in run(app, ("remove", fake.url))[0]
    assert "not the sidebar's own server" in run(app, ("remove", LAB))[0]
    assert [name for name, _ in app.session_state["servers"]] == ["laptop", "lab"]


def test_a_key_is_kept_for_an_added_server_only_and_a_blank_one_changes_nothing(app, fake):
    run(app, ("add", "10.0.0.8", "lab"))
    assert run(app, ("set_key", LAB, " sk-1 "), ("set_key", LAB, "  ")) == ["None", "None"]
    assert app.session_state[state.SERVER_KEYS] == {LAB: "sk-1"}
    assert "Only servers added in the sidebar" in run(app, ("set_key", fake.url, "sk-env"))[0]
    assert app.session_state[state.SERVER_KEYS] == {LAB: "sk-1"}


def test_locked_nothing_is_added_renamed_keyed_or_removed(app, monkeypatch):
    app.session_state[state.FLEET_ADDED] = [(LAB, "lab")]  # added before the demo was locked
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    said = run(app, ("add", "10.0.0.9", "nas", "sk"), ("rename", LAB, "x"), ("set_key", LAB, "sk"), ("remove", LAB))
    assert "none can be added" in said[0]
    assert all("Only servers added in the sidebar" in sentence for sentence in said[1:])
    assert app.session_state[state.FLEET_ADDED] == [(LAB, "lab")]
    assert app.session_state[state.SERVER_KEYS] == {}
    assert [name for name, _ in app.session_state["servers"]] == ["laptop"]
