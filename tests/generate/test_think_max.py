"""Generate's "max" thinking level (issue 22): offered for a gpt-oss model only by a server that takes it (Ollama
0.21.3 and newer), shown in the request preview and sent; "max" kept for an older server sends "high"."""

from __future__ import annotations

import streamlit as st

from lib import state
from tests.generate.conftest import generate, pick, sent


def preview(page) -> str:
    return next(block.value for block in page.code if block.language == "json" and '"prompt"' in block.value)


def test_a_gpt_oss_model_on_a_new_enough_server_is_offered_max_and_sends_it(page, fake):
    fake.version = "0.22.0"
    fake.install("gpt-oss:20b")
    st.cache_data.clear()  # the model list and the version are cached for a few seconds
    page.run()
    pick(page, "gpt-oss:20b")
    control = page.segmented_control(key=state.GENERATE_THINK_INPUT)
    assert control.options == ["Low", "Medium", "High", "Max"]
    page.text_area(key=state.GENERATE_PROMPT_INPUT).input("Is 97 prime?")
    control.set_value("max").run()
    assert '"think": "max"' in preview(page)
    generate(page, "Is 97 prime?")
    assert not page.error
    assert sent(fake)["think"] == "max"
    assert page.session_state[state.GENERATE_LAST].result.thinking.endswith("Now write the final answer.")
    assert "gpt-oss:20b · max" in page.text[0].value  # the run's label names its level


def test_an_older_server_offers_no_max(page, fake):
    fake.install("gpt-oss:20b")  # the fake reports 0.13.0
    st.cache_data.clear()
    page.run()
    pick(page, "gpt-oss:20b")
    assert page.segmented_control(key=state.GENERATE_THINK_INPUT).options == ["Low", "Medium", "High"]


def test_max_picked_on_a_newer_server_is_sent_as_high_once_the_server_is_older(page, fake):
    fake.version = "0.21.3-rc0"
    fake.install("gpt-oss:20b")
    st.cache_data.clear()
    page.run()
    pick(page, "gpt-oss:20b")
    page.segmented_control(key=state.GENERATE_THINK_INPUT).set_value("max").run()
    fake.version = "0.21.2"  # the same address now answered by an older Ollama
    st.cache_data.clear()
    page.run()
    control = page.segmented_control(key=state.GENERATE_THINK_INPUT)
    assert control.options == ["Low", "Medium", "High"] and control.value == "high"
    generate(page)
    assert not page.error
    assert sent(fake)["think"] == "high"
