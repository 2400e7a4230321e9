"""Chat on two servers in a real browser (issue 23): a chat on the second server stays on it after a reload."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.fake_ollama import FakeOllama
from tests.streamlit_process import StreamlitApp


@pytest.fixture(scope="module")
def gpu() -> Iterator[FakeOllama]:
    with FakeOllama() as other:
        yield other


@pytest.fixture(scope="module")
def fleet_app(start_app, fake_server, gpu) -> StreamlitApp:
    """The app on two servers: ``laptop`` (the sidebar's) and ``gpu``."""
    return start_app(OLLAMA_HOST=f"laptop={fake_server.url},gpu={gpu.url}")


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_a_chat_on_the_second_server_stays_on_it_after_a_reload(fleet_app, fake, gpu, page: Page):
    gpu.reset()
    gpu.script_reply("Answered by the GPU box.")
    page.goto(fleet_app.url + "/chat")
    model_box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    expect(model_box.locator("input")).to_have_value("qwen3:0.6b · laptop")
    model_box.click()
    page.get_by_role("option", name="qwen3:0.6b · gpu", exact=True).click()
    expect(model_box.locator("input")).to_have_value("qwen3:0.6b · gpu")
    ask(page, "Which server are you?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Answered by the GPU box.")
    expect(answer).to_contain_text("qwen3:0.6b · gpu")  # the figures name the server
    assert "chat=" in page.url
    page.reload()
    model_box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    expect(model_box.locator("input")).to_have_value("qwen3:0.6b · gpu")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Answered by the GPU box.")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Which server are you? · gpu")
    gpu.script_reply("Still the GPU box.")
    ask(page, "And now?")
    expect(page.get_by_test_id("stChatMessage").nth(3)).to_contain_text("Still the GPU box.")
    assert len(gpu.requests_to("/api/chat")) == 2
    assert fake.requests_to("/api/chat") == []
    expect(page.get_by_test_id("stException")).to_have_count(0)
