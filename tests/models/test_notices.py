"""lib/models/notices.py: a change's message is shown once, on the run after it, with fresh lists."""

from __future__ import annotations

import requests

from lib import state


def acting_page() -> None:
    import streamlit as st

    from lib.models import notices

    notices.show([{"name": "llama3.2:latest"}])
    if st.button("Copied", key="copied"):
        notices.notify("success", "Copied.", listed="Llama3.2", unless="The copy did not happen.")
        notices.refresh()
    if st.button("Not deleted", key="not_deleted"):
        notices.notify("success", "Deleted.", gone="llama3.2:latest", unless="Nothing was deleted.")
        notices.refresh()
    if st.button("Succeed", key="succeed"):
        notices.notify("success", "It worked.")
        notices.refresh()
    if st.button("Warn", key="warn"):
        notices.notify("warning", "It was already done.")
        notices.refresh()


def test_a_success_is_shown_on_the_next_run_only(script):
    at = script(acting_page).run()
    assert not at.success and not at.warning
    at.button(key="succeed").click().run()
    assert [box.value for box in at.success] == ["It worked."]
    assert not at.warning
    assert at.session_state[state.MODELS_NOTICE] is None
    assert not at.run().success


def test_any_other_kind_is_a_warning(script):
    at = script(acting_page).run()
    at.button(key="warn").click().run()
    assert [box.value for box in at.warning] == ["It was already done."]
    assert not at.success


def counting_page(url: str) -> None:
    import streamlit as st

    from lib import server_data
    from lib.models import notices
    from lib.ollama.client import OllamaClient

    st.session_state["count"] = len(server_data.models(OllamaClient(url)))
    if st.button("Refresh", key="refresh"):
        notices.refresh()


def test_refresh_drops_the_cached_lists_and_runs_again(script, fake):
    at = script(counting_page, fake.url).run()
    before = at.session_state["count"]
    requests.post(
        f"{fake.url}/api/copy", json={"source": "qwen3:0.6b", "destination": "one-more:1"}, timeout=5
    ).raise_for_status()
    assert at.run().session_state["count"] == before  # cached
    at.button(key="refresh").click().run()
    assert at.session_state["count"] == before + 1


def test_a_change_is_confirmed_against_the_fresh_list_before_it_is_called_done(script):
    at = script(acting_page).run()
    at.button(key="copied").click().run()
    assert [box.value for box in at.success] == ["Copied."]  # listed, as Ollama reads names: no tag is latest
    at.button(key="not_deleted").click().run()
    assert [box.value for box in at.warning] == ["Nothing was deleted."] and not at.success
