"""The app killed (SIGKILL) while an answer streams: the chats database stays readable with what was saved."""

from __future__ import annotations

import signal
import sqlite3

from playwright.sync_api import Page, expect

from lib.chat.store import FILE_NAME
from tests.streamlit_process import SERVED_APP, StreamlitApp

REPLY = " ".join(f"word{n}" for n in range(300))


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_killing_the_app_mid_answer_keeps_the_database_and_the_question(start_app, fake_server, fake, page: Page):
    app = start_app(OLLAMA_HOST=fake_server.url)
    data_dir = app.log_path.parent
    fake.token_delay = 0.05
    fake.script_reply("A first, complete answer.")
    page.goto(app.url + "/chat")
    ask(page, "First question")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    fake.script_reply(REPLY)
    ask(page, "Second question")
    expect(page.get_by_test_id("stChatMessage").nth(3)).to_contain_text("word5")

    app.process.send_signal(signal.SIGKILL)
    app.process.wait()
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/chat")[-1].chunks_sent < len(REPLY.split())

    with sqlite3.connect(data_dir / FILE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = db.execute("SELECT role, content FROM messages ORDER BY id").fetchall()
    assert saved == [
        ("user", "First question"),
        ("assistant", "A first, complete answer."),
        ("user", "Second question"),
    ]

    # The same browser, once the app is back: the conversation is there, waiting for its answer.
    again = StreamlitApp(
        SERVED_APP,
        {"OLLAMA_HOST": fake_server.url, "OLLAMA_STUDIO_DATA_DIR": str(data_dir)},
        data_dir / "streamlit-again.log",
    )
    try:
        page.goto(page.url.replace(app.url, again.url))
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(3)
        expect(messages.nth(2)).to_contain_text("Second question")
        expect(page.locator(".st-key-chat_answer")).to_be_visible()
    finally:
        again.stop()
