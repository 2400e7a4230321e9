"""Two app instances on one PostgreSQL database, as behind a load balancer (issue 23): a chat started in one is
listed in the other and continued there, and the answer given there is in the first after a reload.

Each instance is its own ``streamlit run`` process with a data folder of its own, so what they share is the
database only. One browser (one cookie jar, so one visitor, as a browser behind a proxy is) uses both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from lib.chat.store import ChatStore
from tests.streamlit_process import SERVED_APP, StreamlitApp


@pytest.fixture
def two_instances(postgres_url: str, fake_server, tmp_path: Path) -> Iterator[tuple[StreamlitApp, StreamlitApp]]:
    """Instances A and B pointed at the fake server and at one PostgreSQL database (skips without PostgreSQL)."""
    started: list[StreamlitApp] = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            environment = {
                "OLLAMA_HOST": fake_server.url,
                "OLLAMA_STUDIO_DATA_DIR": str(folder),
                "OLLAMA_STUDIO_DATABASE_URL": postgres_url,
            }
            started.append(StreamlitApp(SERVED_APP, environment, folder / "streamlit.log"))
        yield started[0], started[1]
    finally:
        for app in started:
            app.stop()


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_a_chat_started_in_one_instance_is_continued_in_the_other(two_instances, fake, browser: Browser, postgres_url):
    a, b = two_instances
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    try:
        in_a = context.new_page()
        in_a.goto(a.url + "/chat")
        expect(in_a.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=30_000)  # a first run is slow
        fake.script_reply("Pelicans answered by instance A.")
        ask(in_a, "Tell me about Pelicans")
        expect(in_a.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Pelicans answered by instance A.")
        expect(in_a.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")

        in_b = context.new_page()  # the same browser, sent to the other instance
        in_b.goto(b.url + "/chat")
        listed = in_b.get_by_test_id("stSidebar").get_by_role("button", name="Tell me about Pelicans")
        expect(listed).to_be_visible(timeout=30_000)
        listed.click()
        messages = in_b.get_by_test_id("stChatMessage")
        expect(messages.nth(1)).to_contain_text("Pelicans answered by instance A.")
        fake.script_reply("Volcanoes answered by instance B.")
        ask(in_b, "And Volcanoes?")
        expect(messages.nth(3)).to_contain_text("Volcanoes answered by instance B.")
        expect(messages.nth(3)).to_contain_text("tokens/s")

        in_a.reload()
        messages = in_a.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(4)
        expect(messages.nth(2)).to_contain_text("And Volcanoes?")
        expect(messages.nth(3)).to_contain_text("Volcanoes answered by instance B.")
        for page in (in_a, in_b):
            expect(page.get_by_test_id("stException")).to_have_count(0)
    finally:
        context.close()

    (chat,) = ChatStore(url=postgres_url).summaries()
    assert (chat.title, chat.messages) == ("Tell me about Pelicans", 4)
    for app in (a, b):  # neither wrote a chats file of its own
        assert not (app.log_path.parent / "chats.sqlite3").exists()
