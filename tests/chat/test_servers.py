"""The server a chat is on (lib/chat/servers.py): a saved chat's, where a chat on "any server" goes, its client."""

from __future__ import annotations

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib.chat.history import Conversation
from lib.fleet.models import ModelRef
from lib.fleet.routing import EQUAL, LOADED

MODEL = "qwen3:0.6b"


def ask(what: str, value) -> None:
    import streamlit as st

    from lib import state
    from lib.chat import servers

    state.init()
    if what == "saved":
        st.session_state["answer"] = servers.saved_ref(value)
    elif what == "route":
        st.session_state["answer"] = servers.route(value)
    else:
        st.session_state["answer"] = servers.client_of(value).base_url


def answer(what: str, value):
    at = AppTest.from_function(ask, args=(what, value), default_timeout=30).run()
    assert not at.exception
    return at.session_state["answer"]


@pytest.fixture
def fleet(monkeypatch, studio_env, fake, gpu) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")


def test_a_saved_chat_is_on_its_own_server(fleet, gpu):
    assert answer("saved", Conversation(model=MODEL, server=gpu.url)) == ModelRef(MODEL, gpu.url)


def test_a_chat_saved_before_servers_were_kept_is_on_the_sidebars(fleet, fake):
    assert answer("saved", Conversation(model=MODEL)) == ModelRef(MODEL, fake.url)


def test_with_several_servers_an_unknown_server_is_kept_so_the_page_can_say_so(fleet):
    assert answer("saved", Conversation(model=MODEL, server="http://gone:11434")) == ModelRef(
        MODEL, "http://gone:11434"
    )


def test_with_one_server_a_chat_on_another_address_is_on_that_one(studio_env, fake):
    assert answer("saved", Conversation(model=MODEL, server="http://gone:11434")) == ModelRef(MODEL, fake.url)


def test_a_chat_without_a_model_has_no_model_to_put_in_the_box(fleet):
    assert answer("saved", Conversation()) is None


def test_a_chat_on_any_server_goes_to_the_server_with_the_model_loaded(fleet, gpu):
    requests.post(f"{gpu.url}/api/generate", json={"model": MODEL}, timeout=10).raise_for_status()
    chosen = answer("route", MODEL)
    assert (chosen.server, chosen.reason) == (gpu.url, LOADED)


def test_a_chat_on_any_server_stays_on_the_sidebars_when_they_are_equally_busy(fleet, fake):
    chosen = answer("route", MODEL)
    assert (chosen.server, chosen.reason) == (fake.url, EQUAL)


def test_a_model_only_one_server_has_goes_there(fleet, gpu):
    gpu.install("gpt-oss:20b")
    assert answer("route", "gpt-oss:20b").server == gpu.url


def test_the_client_is_the_chats_servers_and_the_sidebars_for_an_old_chat(fleet, fake, gpu):
    assert answer("client", gpu.url) == gpu.url
    assert answer("client", "") == fake.url
