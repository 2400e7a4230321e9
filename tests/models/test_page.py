"""The Models page's frame (app_pages/models.py and lib/models/page.py): the guard, the lists, tabs, Refresh."""

from __future__ import annotations

import requests
from streamlit.testing.v1 import AppTest

from lib import state
from tests.conftest import ENTRY_POINT
from tests.models.conftest import MODELS_PAGE, button_keys, installed_names, texts
from tests.streamlit_process import free_port


def test_server_down_shows_the_connection_help(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.switch_page(MODELS_PAGE).run()
    assert not at.exception
    assert "Nothing is answering" in texts(at.error)


def test_a_list_the_server_cannot_give_stops_the_page_under_its_heading(open_app, fake):
    fake.add_fault("/api/ps", "http", times=0, status=500, message="out of memory")
    at = open_app(MODELS_PAGE)
    assert not at.exception
    assert at.title[0].value == "Models"
    assert "Out of memory." in texts(at.error)
    assert not at.tabs
    assert "models_refresh" not in button_keys(at)
    fake.clear_faults()
    at.button(key="connection_retry").click().run()
    assert [tab.label for tab in at.tabs] == ["Installed", "Running", "Pull", "Create"]


def test_every_tab_and_refresh_for_a_visitor_who_may_manage_models(page):
    assert [tab.label for tab in page.tabs] == ["Installed", "Running", "Pull", "Create"]
    assert "turned off on this demo" not in texts(page.caption)
    assert "models_refresh" in button_keys(page)


def test_only_the_open_tab_is_drawn(page):
    page.session_state[state.MODELS_TAB] = "Pull"
    page.run()
    drawn = {element.key for element in (*page.text_input, *page.text_area, *page.selectbox)}
    assert state.MODELS_PULL_NAME_INPUT in drawn
    assert not drawn & {state.MODELS_DETAILS_INPUT, state.MODELS_KEEP_ALIVE_INPUT, state.MODELS_MODELFILE_INPUT}
    assert not page.dataframe and not page.metric


def test_refresh_fetches_the_lists_again(page, fake):
    requests.post(
        f"{fake.url}/api/copy", json={"source": "qwen3:0.6b", "destination": "behind-your-back:1"}, timeout=5
    ).raise_for_status()
    asked = len(fake.requests_to("/api/tags"))
    page.run()
    assert len(fake.requests_to("/api/tags")) == asked  # a rerun uses the cached list
    page.button(key="models_refresh").click().run()
    assert len(fake.requests_to("/api/tags")) > asked
    assert "behind-your-back:1" in installed_names(page)


class FinishedPull:
    """A pull that has just ended, as :class:`lib.models.pull.PullJob` tells it to the page: once."""

    def __init__(self) -> None:
        self.acknowledged = 0

    def acknowledge(self) -> bool:
        self.acknowledged += 1
        return self.acknowledged == 1


def lists_script(url: str) -> None:
    import streamlit as st

    from lib.models import page
    from lib.ollama.client import OllamaClient

    installed, _ = page.fetch_lists(OllamaClient(url))
    st.session_state["seen"] = sorted(m["name"] for m in installed)


def test_the_lists_are_fetched_afresh_once_after_a_pull_ended(script, fake):
    at = script(lists_script, fake.url).run()
    requests.post(
        f"{fake.url}/api/copy", json={"source": "qwen3:0.6b", "destination": "just-pulled:1"}, timeout=5
    ).raise_for_status()
    assert "just-pulled:1" not in at.run().session_state["seen"]  # cached: nothing finished
    at.session_state[state.MODELS_PULL_JOB] = FinishedPull()
    assert "just-pulled:1" in at.run().session_state["seen"]
    asked = len(fake.requests_to("/api/tags"))
    at.run()
    assert len(fake.requests_to("/api/tags")) == asked  # acknowledged: the next run uses the cache again
