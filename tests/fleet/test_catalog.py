"""Each server's models, and a server that went away not asked again at once (lib/fleet/catalog.py)."""

from __future__ import annotations

import requests
from streamlit.testing.v1 import AppTest

from tests.fake_ollama import FakeOllama


def catalog_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet import catalog

    state.init()
    states = catalog.survey()
    st.session_state["up"] = [(entry.server.name, entry.up) for entry in states]
    st.session_state["refs"] = catalog.refs_with("embedding", states)
    if st.session_state.get("forget"):
        catalog.forget_down()


def test_a_server_that_failed_is_not_asked_again_for_a_while(monkeypatch, studio_env, fake, keep_main_module):
    with FakeOllama() as gpu:
        monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
        gpu.add_fault("/api/tags", "http", status=500, message="busy")
        at = AppTest.from_function(catalog_app, default_timeout=30).run()
        assert at.session_state["up"] == [("laptop", True), ("gpu", False)]
        gpu.clear_faults()
        asked = len(gpu.requests_to("/api/tags"))
        at.run()
        assert at.session_state["up"] == [("laptop", True), ("gpu", False)]
        assert len(gpu.requests_to("/api/tags")) == asked
        at.session_state["forget"] = True
        at.run()  # forgets at the end of this run
        at.run()
        assert at.session_state["up"] == [("laptop", True), ("gpu", True)]
        refs = at.session_state["refs"]
        assert {ref.server for ref in refs} == {fake.url, gpu.url}
        assert [ref.server for ref in refs] == sorted((ref.server for ref in refs), key=[fake.url, gpu.url].index)


def running_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet import catalog

    state.init()
    states = catalog.survey()
    st.session_state["answering"] = catalog.answering(states)
    st.session_state["running"] = {
        url: [model["name"] for model in loaded] for url, loaded in catalog.running(states).items()
    }


def test_each_reachable_servers_loaded_models_and_how_many_answer(monkeypatch, studio_env, fake, keep_main_module):
    gone = FakeOllama().start()
    url = gone.url
    gone.stop()
    with FakeOllama() as gpu:
        requests.post(f"{gpu.url}/api/generate", json={"model": "llama3.2"}, timeout=5).raise_for_status()
        monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url},nas={url}")
        at = AppTest.from_function(running_app, default_timeout=30).run()
        assert at.session_state["answering"] == 2
        assert at.session_state["running"] == {fake.url: [], gpu.url: ["llama3.2:latest"]}
        assert gpu.requests_to("/api/ps") and not fake.requests_to("/api/generate")
