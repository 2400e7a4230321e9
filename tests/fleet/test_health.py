"""Each server's health as Home shows it (lib/fleet/health.py), against two fake servers and one that is down."""

from __future__ import annotations

import requests
from streamlit.testing.v1 import AppTest

from tests.fake_ollama import FakeOllama


def health_app() -> None:
    import streamlit as st

    from lib import state
    from lib.fleet import health

    state.init()
    st.session_state["health"] = [
        (h.server.name, h.up, h.version, len(h.models), [m["name"] for m in h.loaded], h.error and h.error.key)
        for h in health.check()
    ]


def test_version_models_and_loaded_models_of_each_server_in_the_lists_order(
    monkeypatch, studio_env, fake, keep_main_module
):
    gone = FakeOllama().start()
    url = gone.url
    gone.stop()
    with FakeOllama() as gpu:
        gpu.version = "0.14.1"
        requests.post(f"{gpu.url}/api/generate", json={"model": "qwen3:0.6b"}, timeout=5).raise_for_status()
        monkeypatch.setenv("OLLAMA_HOST", f"nas={url},laptop={fake.url},gpu={gpu.url}")
        at = AppTest.from_function(health_app, default_timeout=30).run()
    assert at.session_state["health"] == [
        ("nas", False, "", 0, [], "errors.nothing_answers"),
        ("laptop", True, "0.13.0", 5, [], None),
        ("gpu", True, "0.14.1", 5, ["qwen3:0.6b"], None),
    ]


def test_a_server_that_answers_its_list_but_not_its_loaded_models_is_down_with_the_reason(
    monkeypatch, studio_env, fake, keep_main_module
):
    with FakeOllama() as gpu:
        gpu.add_fault("/api/ps", "http", times=0, status=500, message="ps broke")
        monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
        at = AppTest.from_function(health_app, default_timeout=30).run()
    laptop, down = at.session_state["health"]
    assert laptop[1] is True
    assert down[:2] == ("gpu", False) and down[5] is not None
